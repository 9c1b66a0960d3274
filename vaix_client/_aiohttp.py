"""The ``aiohttp`` backend: httpx-aiohttp's transport, with its errors mapped to their meaning.

httpx-aiohttp (0.2) maps every ``aiohttp.ClientConnectionError`` it cannot
place to ``httpx.ConnectTimeout``, so a refused connection or a server that
hangs up would surface as a *timeout*. This subclass re-raises those as the
httpx error that says what happened, so retries and ``APITimeoutError`` /
``APIConnectionError`` mean the same on both backends.
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _BaseTransport

__all__ = ["AiohttpTransport", "remap_error"]


def remap_error(exc: httpx.TransportError, request: httpx.Request) -> httpx.TransportError:
    """The httpx error matching the aiohttp error behind ``exc`` (``exc`` itself if none)."""
    cause = exc.__cause__
    mapped: type[httpx.TransportError] | None = None
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        mapped = httpx.ConnectTimeout
    elif isinstance(cause, aiohttp.ServerTimeoutError):
        mapped = httpx.ReadTimeout
    elif isinstance(cause, aiohttp.ClientConnectorError):
        mapped = httpx.ConnectError
    elif isinstance(cause, aiohttp.ServerDisconnectedError):
        mapped = httpx.RemoteProtocolError
    elif isinstance(cause, aiohttp.ClientOSError):
        mapped = httpx.ReadError
    if mapped is None or type(exc) is mapped:
        return exc
    error = mapped(str(exc), request=request)
    error.__cause__ = cause
    return error


class AiohttpTransport(_BaseTransport):
    """httpx-aiohttp's transport whose connection errors keep their meaning."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through aiohttp."""
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as exc:
            remapped = remap_error(exc, request)
            if remapped is exc:
                raise
            raise remapped from exc.__cause__
