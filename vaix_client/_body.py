"""Reading a response body under ``max_response_bytes``, on any transport.

The limit is checked three times: on the announced ``Content-Length`` (before
a byte of the body is read), on the raw bytes as they arrive, and on the
decompressed bytes as they are produced. gzip is inflated here, a bounded
piece at a time, so a small compressed body that inflates to gigabytes stops
at the limit instead of being inflated whole; other encodings go through
httpx's decoders, still counted chunk by chunk.
"""

from __future__ import annotations

import zlib
from typing import Final

import httpx

from vaix_client._errors import ResponseTooLargeError

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "MAX_BYTES_EXTENSION", "read_limited"]

#: Request extension carrying the client's ``max_response_bytes`` to a transport
#: that can refuse a large body before buffering it (the aiohttp backend).
MAX_BYTES_EXTENSION: Final = "vaix.max_response_bytes"

#: 16 MiB: a page of 100 game sessions is a few tens of KB.
DEFAULT_MAX_RESPONSE_BYTES: Final = 16 * 1024 * 1024

_GZIP: Final = frozenset({"gzip", "x-gzip"})


async def read_limited(response: httpx.Response, limit: int | None) -> bytes:
    """Read ``response``'s body (decompressed) into ``response.content``, at most ``limit`` bytes.

    Raises:
        ResponseTooLargeError: the body (announced, raw, or decompressed) is over ``limit``.
        httpx.DecodingError: the compressed body is corrupt.
        httpx.TransportError: the connection failed while reading.
    """
    try:  # a response built in memory (a mock transport) is already read
        body = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        if limit is not None and len(body) > limit:
            raise ResponseTooLargeError.streamed(limit, decoded=True)
        return body
    if limit is None:
        return await response.aread()
    announced = _content_length(response)
    if announced is not None and announced > limit:
        raise ResponseTooLargeError.announced(announced, limit)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in _GZIP or encoding in {"", "identity"}:
        parts = await _read_raw(response, limit, gzipped=encoding in _GZIP)
    else:  # deflate, br, zstd, several codings: httpx decodes, we count what comes out
        parts = await _read_decoded(response, limit)
    body = b"".join(parts)
    response._content = body  # noqa: SLF001 - what aread() sets
    return body


async def _read_raw(response: httpx.Response, limit: int, *, gzipped: bool) -> list[bytes]:
    """The body's pieces, inflated here (bounded) when gzipped; raw and inflated sizes checked."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if gzipped else None
    parts: list[bytes] = []
    size = raw_size = 0
    async for chunk in response.aiter_raw():
        raw_size += len(chunk)
        if raw_size > limit:
            raise ResponseTooLargeError.streamed(limit)
        if inflater is None:
            parts.append(chunk)
        else:
            size = _inflate(inflater, chunk, parts, size, limit, response.request)
    if inflater is not None and not inflater.eof and raw_size:
        raise httpx.DecodingError("the gzip body is truncated", request=response.request)
    return parts


async def _read_decoded(response: httpx.Response, limit: int) -> list[bytes]:
    """The body's pieces as httpx's decoders produce them, counted against ``limit``."""
    parts: list[bytes] = []
    size = 0
    async for piece in response.aiter_bytes():
        size += len(piece)
        if size > limit:
            raise ResponseTooLargeError.streamed(limit, decoded=True)
        parts.append(piece)
    return parts


def _inflate(  # noqa: PLR0917 - a private step of read_limited's loop
    inflater: zlib._Decompress,
    chunk: bytes,
    parts: list[bytes],
    size: int,
    limit: int,
    request: httpx.Request,
) -> int:
    """Inflate ``chunk`` into ``parts`` a bounded piece at a time; return the new size."""
    pending = chunk
    while pending and not inflater.eof:
        try:
            piece = inflater.decompress(pending, limit - size + 1)
        except zlib.error as exc:
            raise httpx.DecodingError(f"the gzip body is corrupt: {exc}", request=request) from exc
        size += len(piece)
        if size > limit:
            raise ResponseTooLargeError.streamed(limit, decoded=True)
        parts.append(piece)
        pending = inflater.unconsumed_tail
    return size


def _content_length(response: httpx.Response) -> int | None:
    """The announced body length, or ``None`` when absent or unreadable (the stream decides)."""
    raw = response.headers.get("content-length")
    if raw is None:
        return None
    try:
        value = int(raw.split(",")[0].strip())
    except ValueError:
        return None
    return value if value >= 0 else None
