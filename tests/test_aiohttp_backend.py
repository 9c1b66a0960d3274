"""The aiohttp transport's error mapping: each aiohttp or OS error keeps its meaning."""

from __future__ import annotations

import aiohttp
import httpx
import pytest
from aiohttp import http_exceptions

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
