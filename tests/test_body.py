"""read_limited: the size limit on every kind of body, without sockets."""

from __future__ import annotations

import gzip
import zlib
from typing import TYPE_CHECKING

import httpx
import pytest

from vaix_client._body import read_limited
from vaix_client.errors import ResponseTooLargeError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

REQUEST = httpx.Request("GET", "https://api.test/x")


class Chunks(httpx.AsyncByteStream):
    """A streamed body arriving in the given chunks."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield each chunk."""
        for chunk in self.chunks:
            yield chunk


def streamed(*chunks: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    """An unread response whose body streams in ``chunks``."""
    return httpx.Response(200, headers=headers or {}, stream=Chunks(*chunks), request=REQUEST)


async def test_no_limit_reads_everything() -> None:
    """limit=None reads the whole body, as httpx would."""
    response = streamed(b"a" * 10, b"b" * 10)
    assert await read_limited(response, None) == b"a" * 10 + b"b" * 10
    assert response.content == b"a" * 10 + b"b" * 10


async def test_an_already_read_body_is_checked_too() -> None:
    """A response built in memory is not re-read, but its size still counts."""
    response = httpx.Response(200, content=b"x" * 50, request=REQUEST)
    assert await read_limited(response, 50) == b"x" * 50
    with pytest.raises(ResponseTooLargeError):
        await read_limited(response, 49)


@pytest.mark.parametrize("length", ["abc", "-5", "1, 2"])
async def test_an_unreadable_length_leaves_the_stream_to_decide(length: str) -> None:
    """A Content-Length that is not a number (or a list) does not refuse; the bytes decide."""
    response = streamed(b"12", headers={"Content-Length": length})
    assert await read_limited(response, 10) == b"12"
    with pytest.raises(ResponseTooLargeError):
        await read_limited(streamed(b"x" * 11, headers={"Content-Length": length}), 10)


async def test_deflate_is_decoded_by_httpx_and_counted() -> None:
    """Encodings other than gzip go through httpx's decoders, still held to the limit."""
    body = zlib.compress(b"y" * 5000)
    response = streamed(body, headers={"Content-Encoding": "deflate"})
    assert await read_limited(response, 5000) == b"y" * 5000
    with pytest.raises(ResponseTooLargeError, match="decompressed"):
        await read_limited(streamed(body, headers={"Content-Encoding": "deflate"}), 4999)


async def test_gzip_split_across_chunks_is_inflated_whole() -> None:
    """A gzip body arriving in several chunks inflates to the same bytes."""
    body = gzip.compress(b"z" * 100_000)
    response = streamed(body[:7], body[7:100], body[100:], headers={"Content-Encoding": "gzip"})
    assert await read_limited(response, 100_000) == b"z" * 100_000


async def test_truncated_gzip_is_a_decoding_error() -> None:
    """A gzip body cut short is an httpx.DecodingError (typed by the client)."""
    body = gzip.compress(b"z" * 1000)[:-10]
    with pytest.raises(httpx.DecodingError, match="truncated"):
        await read_limited(streamed(body, headers={"Content-Encoding": "gzip"}), 10_000)


async def test_raw_bytes_over_the_limit_stop_the_read() -> None:
    """Raw bytes past the limit stop the read before the rest arrives."""
    with pytest.raises(ResponseTooLargeError, match="response body"):
        await read_limited(streamed(b"a" * 6, b"b" * 6), 10)
