"""The aiohttp transport's error mapping: each aiohttp or OS error keeps its meaning."""

from __future__ import annotations

import aiohttp
import httpx
import pytest
from aiohttp import http_exceptions
from hypothesis import given
from hypothesis import strategies as st

from vaix_client import _aiohttp
from vaix_client._aiohttp import map_error

REQUEST = httpx.Request("GET", "http://127.0.0.1:9/x")
KEY = aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 9, False, True, None, None, None)


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        (
            aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused")),
            httpx.ConnectError,
        ),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (aiohttp.ConnectionTimeoutError("slow"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("slow"), httpx.ReadTimeout),
        (TimeoutError(), httpx.ReadTimeout),
        (aiohttp.ClientConnectionError("other"), httpx.ReadError),
        (aiohttp.ClientPayloadError("short body"), httpx.RemoteProtocolError),
        (http_exceptions.BadStatusLine("garbage"), httpx.RemoteProtocolError),
        (http_exceptions.LineTooLong("header", "8190"), httpx.RemoteProtocolError),
        (UnicodeEncodeError("ascii", "\xff", 0, 1, "no"), httpx.RemoteProtocolError),
        (aiohttp.InvalidURL("nope"), httpx.UnsupportedProtocol),
        (ConnectionResetError(104, "reset"), httpx.ReadError),
    ],
)
def test_errors_keep_their_meaning(cause: Exception, expected: type[httpx.TransportError]) -> None:
    """Each aiohttp, OS or encoding error becomes the httpx error that says what happened."""
    mapped = map_error(cause, REQUEST)
    assert type(mapped) is expected
    assert mapped.request is REQUEST
    assert type(cause).__name__ in str(mapped)


_HEADER_BYTES = st.binary(min_size=1, max_size=12)


@given(raw=st.lists(st.tuples(_HEADER_BYTES, st.binary(max_size=12)), max_size=8))
def test_response_headers_are_the_headers_httpx_builds(raw: list[tuple[bytes, bytes]]) -> None:
    """The raw header pairs aiohttp gives become the httpx.Headers httpx itself makes of them."""
    built = _aiohttp._headers(tuple(raw))
    expected = httpx.Headers(raw)
    assert built.raw == expected.raw
    assert built.multi_items() == expected.multi_items()
    for name, _ in raw:
        assert built.get_list(name.decode("latin-1")) == expected.get_list(name.decode("latin-1"))


def test_response_headers_on_an_httpx_of_another_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the header layout this module knows, httpx builds the headers itself."""
    monkeypatch.setattr(_aiohttp, "_HEADERS_LAYOUT", False)
    raw = ((b"Content-Type", b"application/json"), (b"X-A", b"1"), (b"x-a", b"2"))
    assert _aiohttp._headers(raw).raw == httpx.Headers(list(raw)).raw
