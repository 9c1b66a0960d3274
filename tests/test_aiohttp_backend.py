"""The aiohttp backend's error mapping: a refused or dropped connection is not a timeout."""

from __future__ import annotations

import aiohttp
import httpx
import pytest

from vaix_client._aiohttp import remap_error

REQUEST = httpx.Request("GET", "http://127.0.0.1:9/x")
KEY = aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 9, False, True, None, None, None)


def _as_mapped_by_httpx_aiohttp(cause: Exception) -> httpx.TransportError:
    """What httpx-aiohttp 0.2 raises for ``cause``: a ConnectTimeout, whatever happened."""
    error = httpx.ConnectTimeout(str(cause), request=REQUEST)
    error.__cause__ = cause
    return error


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
        (aiohttp.ClientConnectionError("other"), httpx.ConnectTimeout),
    ],
)
def test_connection_errors_keep_their_meaning(
    cause: Exception, expected: type[httpx.TransportError]
) -> None:
    """Each aiohttp connection error becomes the httpx error that says what happened."""
    remapped = remap_error(_as_mapped_by_httpx_aiohttp(cause), REQUEST)
    assert type(remapped) is expected
    assert remapped.request is REQUEST
    assert remapped.__cause__ is cause
