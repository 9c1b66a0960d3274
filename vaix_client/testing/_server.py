"""Serving the fake on loopback with uvicorn, for tests (:func:`serve`) and the CLI (:func:`run`).

How connection faults reach the socket. When an ASGI app *raises* before
``http.response.start``, uvicorn answers a valid ``500 Internal Server
Error``; when it raises after, uvicorn closes the connection. Neither is a
connection dropped before any response, so the app here never lets the fault
raise into uvicorn: it *returns a non-None value*, which uvicorn treats as a
protocol violation and answers by closing the transport at once, whatever was
sent so far. The client then sees exactly a server that closed the socket:
before the response, httpx raises ``RemoteProtocolError("Server disconnected
without sending a response.")``; after the headers (the body cut short),
``RemoteProtocolError("peer closed connection without sending complete message
body (received N bytes, expected M)")`` while reading the body. uvicorn logs
that return value at ERROR level; a logging filter on ``uvicorn.error`` mutes
exactly those records (and nothing else).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from typing import TYPE_CHECKING, Any, Final

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from vaix_client.testing._faults import ConnectionDropped

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Generator

    from starlette.types import Receive, Scope, Send

    from vaix_client.testing._app import FakeVaix

__all__ = ["run", "serve"]

_POLL_SECONDS: Final = 0.005
_GRACEFUL_SHUTDOWN_SECONDS: Final = 2


class _Dropped:
    """What the app returns to make uvicorn close the connection (see the module docstring)."""

    def __repr__(self) -> str:
        return "a connection closed on purpose by a vaix_client.testing fault"


_DROPPED: Final = _Dropped()


class _MuteDeliberateDrops(logging.Filter):
    """Drop uvicorn's "ASGI callable should return None" record for deliberate drops only."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not any(isinstance(arg, _Dropped) for arg in args)


_MUTE: Final = _MuteDeliberateDrops()


def _uvicorn_app(fake: FakeVaix) -> Callable[[Scope, Receive, Send], Any]:
    async def app(scope: Scope, receive: Receive, send: Send) -> _Dropped | None:
        try:
            await fake.app(scope, receive, send)
        except ConnectionDropped:
            return _DROPPED
        return None

    return app


def _check_host(host: str, *, allow_remote: bool) -> None:
    if allow_remote or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"refusing to serve the fake Vaix service on {host!r}: use a loopback address"
            " (127.0.0.1, ::1, localhost) or pass allow_remote=True"
        )


def _config(
    fake: FakeVaix, host: str, port: int, log_config: dict[str, Any] | None
) -> uvicorn.Config:
    config = uvicorn.Config(
        _uvicorn_app(fake),
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
        log_config=log_config,
    )
    logging.getLogger("uvicorn.error").addFilter(_MUTE)  # idempotent, and only mutes ours
    return config


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the application it runs in."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Install no signal handler: the host application owns SIGINT and SIGTERM."""
        yield


async def _run(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as exc:  # uvicorn exits the process when it cannot bind
        config = server.config
        raise OSError(
            f"the fake Vaix server could not listen on {config.host}:{config.port}"
        ) from exc


async def _started(server: uvicorn.Server, task: asyncio.Task[None]) -> str:
    """Wait until ``server`` listens; return its base URL (or raise why it stopped)."""
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the fake Vaix server stopped before it started")
        await asyncio.sleep(_POLL_SECONDS)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextlib.asynccontextmanager
async def serve(
    fake: FakeVaix, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False
) -> AsyncIterator[str]:
    """Serve ``fake`` on ``host``:``port`` (0: any free port) while the block runs; yield its URL.

    Only loopback addresses are accepted unless ``allow_remote`` is true. The
    server stops (gracefully, at most two seconds) when the block exits.
    Logging is left to the application: uvicorn's records propagate to the root
    logger, and no signal handler is installed.
    """
    _check_host(host, allow_remote=allow_remote)
    server = _EmbeddedServer(_config(fake, host, port, log_config=None))
    task = asyncio.create_task(_run(server))
    try:
        url = await _started(server, task)
    except BaseException:
        server.should_exit = True
        await asyncio.wait({task})  # the error raised below already says why it stopped
        raise
    try:
        yield url
    finally:
        server.should_exit = True
        await task


def run(
    fake: FakeVaix,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    allow_remote: bool = False,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``fake`` until SIGINT or SIGTERM (blocking; for the CLI); prints nothing itself.

    ``on_ready`` gets the base URL once the socket listens (useful with port 0).
    As uvicorn does, a SIGINT stops the server gracefully and is then re-raised
    (``KeyboardInterrupt``). Raises ``ValueError`` for a non-loopback host
    without ``allow_remote`` and ``OSError`` when the port cannot be bound.
    """
    _check_host(host, allow_remote=allow_remote)
    server = uvicorn.Server(_config(fake, host, port, LOGGING_CONFIG))

    async def main() -> None:
        task = asyncio.create_task(_run(server))
        url = await _started(server, task)
        if on_ready is not None:
            on_ready(url)
        await task

    asyncio.run(main())
