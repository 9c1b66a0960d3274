"""The ``aiohttp`` backend: an ``httpx`` transport over one ``aiohttp.ClientSession``.

Our own transport rather than httpx-aiohttp, because the SDK needs the two
backends to mean the same thing, and httpx-aiohttp (0.2) lets aiohttp's
parsing errors and a ``UnicodeEncodeError`` escape untyped, maps every
connection error it cannot place to a *timeout*, and keeps aiohttp's hidden
replay of idempotent requests. This transport:

- maps every aiohttp, OS and encoding error to the httpx error that says what
  happened (the client turns those into ``APIConnectionError`` /
  ``APITimeoutError`` and retries them);
- switches aiohttp's silent replay off, so one attempt is one request the
  server saw (a pooled connection found dead *before* sending is still
  replaced: that is aiohttp's connector, not a replay);
- honours ``HTTP(S)_PROXY`` / ``NO_PROXY`` (``trust_env``) or an explicit
  ``proxy``, like httpx;
- sizes the pool like httpx's (``httpx.Limits``: connections, idle ones kept,
  keep-alive expiry);
- reads a body in one ``await resp.read()`` when its length is announced, and
  refuses one larger than the limit the client puts in the request's
  extensions (``vaix.max_response_bytes``) before buffering it;
- leaves decompression to httpx, as the httpx backend does (a body with no
  ``Content-Encoding`` is handed over already read).
"""

from __future__ import annotations

import asyncio
import functools
import urllib.request
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import httpx

from vaix_client._body import MAX_BYTES_EXTENSION
from vaix_client._errors import ResponseTooLargeError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["AiohttpTransport", "map_error"]


def map_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx error meaning what ``exc`` (raised by aiohttp or the OS) means.

    Timeouts stay timeouts (connect or read), a refused or unreachable peer is
    a ``ConnectError``, a peer that hung up or broke HTTP is a
    ``RemoteProtocolError``, any other socket failure a ``ReadError``. An
    invalid URL is an ``UnsupportedProtocol`` (not retried).
    """
    mapped: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        mapped = httpx.ConnectTimeout
    elif isinstance(exc, asyncio.TimeoutError):  # SocketTimeoutError, ServerTimeoutError
        mapped = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS, proxy
        mapped = httpx.ConnectError
    elif isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        mapped = httpx.UnsupportedProtocol
    elif isinstance(
        exc,
        aiohttp.ServerDisconnectedError
        | aiohttp.ClientResponseError
        | aiohttp.ClientPayloadError
        | aiohttp.http_exceptions.HttpProcessingError
        | UnicodeError
        | ValueError
        | LookupError,
    ):
        mapped = httpx.RemoteProtocolError
    else:  # ClientOSError, other connection errors, OSError
        mapped = httpx.ReadError
    return mapped(f"{type(exc).__name__}: {_describe(exc)}", request=request)


def _describe(exc: BaseException) -> str:
    """A short, safe description: aiohttp's texts may quote a whole header line."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text[:200]


class _Connector(aiohttp.TCPConnector):
    """A TCPConnector that keeps at most ``max_keepalive`` idle connections, as httpx does.

    A connection released while calls queue for one is kept for them (closing
    it would make each queued call open a new one: httpcore's pathology).
    """

    def __init__(self, *, max_keepalive: int | None, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(**kwargs)
        self._max_keepalive = max_keepalive

    def _release(self, key: Any, protocol: Any, *, should_close: bool = False) -> None:  # noqa: ANN401
        if self._max_keepalive is not None and not should_close and not self._waiters.get(key):
            idle = sum(len(conns) for conns in self._conns.values())
            should_close = idle >= self._max_keepalive
        super()._release(key, protocol, should_close=should_close)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` sending through one pooled ``aiohttp.ClientSession``.

    The session is created on first use, in the running event loop, and
    closed by :meth:`aclose`. ``trust_env`` reads proxies from the
    environment; ``proxy`` names one explicitly (and wins).
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits,
        trust_env: bool = True,
        proxy: str | None = None,
    ) -> None:
        self._limits = limits
        self._proxy = proxy
        # Read once, as httpx reads them when its client is built. aiohttp's own
        # trust_env looks them up (and ~/.netrc) in a worker thread on every
        # request, which halves throughput.
        self._env_proxies = urllib.request.getproxies_environment() if trust_env else {}
        self._proxy_for: dict[tuple[str, str], str | None] = {}
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session, once the first request created it."""
        return self._session

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            limits = self._limits
            connector = _Connector(
                max_keepalive=limits.max_keepalive_connections,
                limit=limits.max_connections or 0,
                limit_per_host=0,
                keepalive_timeout=limits.keepalive_expiry or 0.0,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,  # proxies come from _proxy_of
                auto_decompress=False,  # httpx decodes, as on its own backend
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
                skip_auto_headers=("Accept-Encoding", "User-Agent", "Accept"),
                raise_for_status=False,
            )
            # aiohttp silently replays an idempotent request once when a reused
            # connection breaks, even after the server got it: one attempt must
            # be one request the server saw.
            session._retry_connection = False  # noqa: SLF001 - no public switch
            self._session = session
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; every failure is an ``httpx.TransportError`` (or too large)."""
        if self._closed:
            raise httpx.UnsupportedProtocol("the transport is closed", request=request)
        session = self._open_session()
        limit = request.extensions.get(MAX_BYTES_EXTENSION)
        try:
            response = await session.request(
                request.method,
                str(request.url),
                # Built in the call: no local of ours holds the token in a
                # CIMultiDict that a locals-capturing error reporter would print.
                headers=[
                    (key.decode("latin-1"), value.decode("latin-1"))
                    for key, value in request.headers.raw
                ],
                data=(await request.aread()) or None,
                allow_redirects=False,
                compress=None,
                timeout=_timeout(request.extensions.get("timeout")),
                proxy=self._proxy_of(request.url),
                read_until_eof=True,
                auto_decompress=False,
            )
            try:
                body = await _read_body(response, limit)
            except BaseException:
                response.close()  # unread body: the connection cannot be reused
                raise
            response.release()
            return _to_httpx(response, body)
        except ResponseTooLargeError:
            raise
        except (
            TimeoutError,
            aiohttp.ClientError,
            aiohttp.http_exceptions.HttpProcessingError,
            OSError,
            ValueError,
            LookupError,
        ) as exc:
            raise map_error(exc, request) from exc

    def _proxy_of(self, url: httpx.URL) -> str | None:
        """The proxy for ``url``: the explicit one, else ``HTTP(S)_PROXY`` unless ``NO_PROXY``."""
        if self._proxy is not None or not self._env_proxies:
            return self._proxy
        key = (url.scheme, url.host)
        if key not in self._proxy_for:
            proxy = self._env_proxies.get(url.scheme)
            bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]  # stdlib, untyped
            if proxy and bypass(url.host, self._env_proxies):
                proxy = None
            self._proxy_for[key] = proxy or None
        return self._proxy_for[key]

    async def aclose(self) -> None:
        """Close the session and every pooled connection."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


def _to_httpx(response: aiohttp.ClientResponse, body: bytes) -> httpx.Response:
    """The httpx response for aiohttp's, its raw body in a ``ByteStream``."""
    result = httpx.Response(
        response.status,
        headers=_headers(response.raw_headers),
        stream=httpx.ByteStream(body),
        extensions={
            "http_version": _version(response.version),
            "reason_phrase": (response.reason or "").encode("ascii", "replace"),
        },
    )
    if not response.headers.get("Content-Encoding"):
        # Nothing for httpx to decode: the body is the content, as aread() would set
        # it (read_limited then skips the async stream; the size limit was enforced
        # while reading).
        result._content = body  # noqa: SLF001 - what httpx's own read sets
    return result


def _headers(raw: tuple[tuple[bytes, bytes], ...]) -> httpx.Headers:
    """``httpx.Headers(raw)``, without normalising each (already bytes) pair in Python.

    httpx keeps ``(name, lowercased name, value)`` per header; on an httpx that
    keeps them otherwise, this is ``httpx.Headers(raw)`` itself.
    """
    if not _HEADERS_LAYOUT:
        return httpx.Headers(list(raw))
    headers = httpx.Headers()
    headers._list = [(name, name.lower(), value) for name, value in raw]  # noqa: SLF001
    return headers


#: Whether httpx.Headers has the layout _headers fills (httpx 0.28).
_HEADERS_LAYOUT: Final = getattr(httpx.Headers([(b"A", b"b")]), "_list", None) == [
    (b"A", b"a", b"b")
]


def _version(version: aiohttp.HttpVersion | None) -> bytes:
    """``b"HTTP/1.1"`` and the like, as httpcore reports it."""
    if version is None:
        return b"HTTP/1.1"
    return _version_of(version.major, version.minor)


@functools.lru_cache(maxsize=8)
def _version_of(major: int, minor: int) -> bytes:
    return f"HTTP/{major}.{minor}".encode("ascii")


async def _read_body(response: aiohttp.ClientResponse, limit: int | None) -> bytes:
    """The raw body: in one read when announced, chunk by chunk up to ``limit`` otherwise."""
    length = response.content_length
    if limit is None or (length is not None and length <= limit):
        return await response.read()
    if length is not None:
        raise ResponseTooLargeError.announced(length, limit)
    chunks: list[bytes] = []
    size = 0
    while chunk := await response.content.readany():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLargeError.streamed(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _timeout(timeouts: Mapping[str, float | None] | None) -> aiohttp.ClientTimeout:
    """The per-request timeouts of httpx as aiohttp's: pool+connect, connect, each read."""
    if not timeouts:
        return _NO_TIMEOUT
    return _timeout_of(timeouts.get("pool"), timeouts.get("connect"), timeouts.get("read"))


_NO_TIMEOUT: Final = aiohttp.ClientTimeout(total=None)


@functools.lru_cache(maxsize=64)
def _timeout_of(
    pool: float | None, connect: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    """One (immutable) ClientTimeout per distinct setting, not one per request."""
    acquire = None if pool is None or connect is None else pool + connect
    return aiohttp.ClientTimeout(total=None, connect=acquire, sock_connect=connect, sock_read=read)
