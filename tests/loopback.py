"""A programmable HTTP/1.1 server on 127.0.0.1, for tests that must cross a real socket.

In-process transports cannot drop a connection, stall a body or leak a socket;
this server can, on cue. Each request consumes the next scripted action (or
``default`` when the script is empty)::

    async with LoopbackServer(Reply(503, {"Retry-After": "0"}), Reply(body=b"{}")) as server:
        response = await client.get(f"{server.base_url}/api")
    assert len(server.requests) == 2

It speaks just enough HTTP/1.1 for httpx: keep-alive, ``Connection: close``,
request bodies with ``Content-Length`` (not chunked). Stopping it cancels every
handler, hung or not, and closes every client socket.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Self

import aiohttp
import httpx

from vaix_client._aiohttp import AiohttpTransport

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import TracebackType

    from vaix_client import VaixClient


@dataclass(frozen=True)
class Reply:
    """Answer with ``status``, ``headers`` and ``body``.

    Content-Length is set to ``len(body)`` unless ``headers`` has one, which is
    sent as given (to make the server lie).
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds``, then perform ``then``."""

    seconds: float
    then: Action = field(default_factory=Reply)


@dataclass(frozen=True)
class DropBeforeResponse:
    """Read the request, then close the connection without sending a byte."""


@dataclass(frozen=True)
class DropMidResponse:
    """Send a head declaring ``declared_length`` bytes, then only ``body_prefix``, then close."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body_prefix: bytes = b""
    declared_length: int = 1024

    def __post_init__(self) -> None:
        if self.declared_length <= len(self.body_prefix):
            raise ValueError("declared_length must exceed len(body_prefix)")


@dataclass(frozen=True)
class Raw:
    """Send ``data`` as it is (any bytes, valid HTTP or not), then close unless ``keep_open``."""

    data: bytes
    keep_open: bool = False


@dataclass(frozen=True)
class Hang:
    """Read the request and never answer (until the server stops)."""


@dataclass(frozen=True)
class Respond:
    """Let ``handler`` pick the action for this request, from the request itself.

    For answers that depend on what was sent, e.g. a 401 to one bearer token
    and a 200 to another::

        Respond(lambda r: Reply(401) if r.headers["authorization"] == "Bearer old" else Reply())

    The request is recorded (in ``requests``) before ``handler`` runs. The
    handler may return any action, another ``Respond`` included; it runs on the
    event loop, so it must not block. An exception it raises hangs up the
    connection without a response and is kept in the server's ``handler_errors``
    (a test can assert that list is empty).
    """

    handler: Callable[[RecordedRequest], Action]


Action = Reply | Delay | DropBeforeResponse | DropMidResponse | Hang | Respond | Raw


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server read it; ``headers`` has lowercase names."""

    method: str
    path: str  # with the query string, as sent
    headers: dict[str, str]
    body: bytes
    connection: int  # which accepted connection carried it, counting from 1


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.1 and an ephemeral port, scripted per request."""

    def __init__(self, *actions: Action, default: Action | None = None) -> None:
        self.actions: deque[Action] = deque(actions)
        self.default: Action = default if default is not None else Reply()
        self.requests: list[RecordedRequest] = []
        self.open_connections = 0
        self.peak_open_connections = 0  # the most connections open at once
        self.handler_errors: list[Exception] = []  # raised by Respond handlers
        self.connections_accepted = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._port = 0

    def enqueue(self, *actions: Action) -> None:
        """Script the next requests (after any already queued)."""
        self.actions.extend(actions)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, once started."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        """Listen on 127.0.0.1 and an ephemeral port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening, cancel every handler (hung ones too) and close every client socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 1.0) -> None:
        """Poll until ``condition()`` holds, e.g. ``lambda: server.open_connections == 0``.

        Raises:
            TimeoutError: it still does not hold after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(0.005)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if self._server is None:  # accepted just as stop() ran
            writer.transport.abort()
            return
        self._handlers.add(task)
        self.connections_accepted += 1
        self.open_connections += 1
        self.peak_open_connections = max(self.peak_open_connections, self.open_connections)
        number = self.connections_accepted
        try:
            while await self._exchange(reader, writer, number):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away mid-request
        except ValueError:
            pass  # not an HTTP/1.1 request: hang up
        except asyncio.CancelledError:
            # stop() cancels only these top-level handlers; they must end normally,
            # since Python 3.11's start_server logs a cancelled one as an error.
            pass
        finally:
            await self._close(writer)
            self.open_connections -= 1
            self._handlers.discard(task)

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        """Close gracefully (flush, then FIN), or at once if the server is stopping."""
        if self._server is None:
            writer.transport.abort()
        else:
            writer.close()
        try:  # a client that reads nothing must not keep us waiting on a flush
            async with asyncio.timeout(1):
                await writer.wait_closed()
        except (Exception, asyncio.CancelledError):  # noqa: BLE001 (whatever happens: abort)
            writer.transport.abort()

    async def _exchange(  # noqa: PLR0911 - one return per kind of scripted action
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int
    ) -> bool:
        """Read one request and perform one action; return whether to keep the connection."""
        head = await reader.readuntil(b"\r\n\r\n")  # IncompleteReadError at EOF
        request_line, *lines = head.decode("latin-1").split("\r\n")[:-2]
        method, path, version = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append(RecordedRequest(method, path, headers, body, number))
        close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        action = self.actions.popleft() if self.actions else self.default
        while isinstance(action, Delay | Respond):
            if isinstance(action, Respond):
                try:
                    action = action.handler(self.requests[-1])
                except Exception as exc:  # noqa: BLE001 (kept for the test, then hang up)
                    self.handler_errors.append(exc)
                    return False
            elif await _client_left(reader, action.seconds):
                return False
            else:
                action = action.then
        if isinstance(action, Hang):
            await _client_left(reader, None)  # until the client leaves or stop() cancels us
            return False
        if isinstance(action, DropBeforeResponse):
            return False
        if isinstance(action, Raw):
            writer.write(action.data)
            await writer.drain()
            return action.keep_open
        if isinstance(action, DropMidResponse):
            writer.write(_head(action.status, action.headers, action.declared_length, close=False))
            writer.write(action.body_prefix)
            await writer.drain()
            return False
        assert isinstance(action, Reply)
        close = close or any(
            k.lower() == "connection" and v.lower() == "close" for k, v in action.headers.items()
        )
        writer.write(_head(action.status, action.headers, len(action.body), close=close))
        writer.write(action.body)
        await writer.drain()
        return not close


async def _client_left(reader: asyncio.StreamReader, seconds: float | None) -> bool:
    """Wait ``seconds`` (None: forever) but return True as soon as the client closes.

    Watching the socket is what lets ``open_connections`` drop when a client gives
    up on a delayed or hung request. Bytes received meanwhile are discarded: they
    could only be a pipelined request, which httpx never sends.
    """
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    return True


def _head(status: int, headers: Mapping[str, str], length: int, *, close: bool) -> bytes:
    """The status line and headers, with Content-Length (unless given) and Connection."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    names = {name.lower() for name in headers}
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
    if "content-length" not in names:
        lines.append(f"Content-Length: {length}")
    if close and "connection" not in names:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# `make test` runs the socket tests again with VAIX_TEST_BACKEND=aiohttp (see conftest.py).
AIOHTTP = os.environ.get("VAIX_TEST_BACKEND") == "aiohttp"


def pool_size(vaix: VaixClient) -> int:
    """How many connections the client's pool holds right now (either backend)."""
    transport = vaix._http._transport
    if isinstance(transport, AiohttpTransport):
        session = transport.session
        if not isinstance(session, aiohttp.ClientSession) or session.closed:
            return 0
        connector = session.connector
        assert connector is not None
        idle = sum(len(conns) for conns in connector._conns.values())
        return idle + len(connector._acquired)
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    return len(transport._pool.connections)
