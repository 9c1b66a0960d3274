"""A minimal HTTP/1.1 keep-alive server that answers the sessions endpoint with canned bytes.

Run it in its own process, so that it never competes with the client under
test for the GIL::

    python -m benchmarks.server --sessions 100 --deadline 600

It binds 127.0.0.1 only (port 0 unless ``--port``), prints ``PORT <n>`` on
stdout once it listens, and answers ``GET /api/casino/game_sessions/latest``
(any query) with one pre-built 200 response: head and body in a single write.
Any other request gets an empty 404. It stops by itself after ``--deadline``
seconds, after ``--max-requests`` answers, or when its standard input reaches
end of file (the parent closed it, or died), whichever comes first.

The parser is deliberately small: requests are read up to the blank line, a
``Content-Length`` body is skipped, pipelined requests are answered in order,
``Connection: close`` is honoured. That is all the benchmarked clients send.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from typing import Final, cast

from benchmarks.payload import SIZES, make_body

__all__ = ["MAX_DEADLINE", "BenchServer", "response_bytes", "serve"]

#: No server lives longer than this, whatever it is asked.
MAX_DEADLINE: Final = 3600.0
PATH: Final = b"/api/casino/game_sessions/latest"
_NOT_FOUND: Final = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
_MAX_HEAD: Final = 64 * 1024


def response_bytes(body: bytes) -> bytes:
    """The whole 200 response (head and body) for ``body``."""
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "x-request-id: bench\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


class _Connection(asyncio.Protocol):
    """One client connection: read heads, write canned responses."""

    def __init__(self, server: BenchServer) -> None:
        self._server = server
        self._buffer = bytearray()
        self._skip = 0  # body bytes of the current request still to discard
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        tcp = cast("asyncio.Transport", transport)  # create_server makes TCP transports
        self._transport = tcp
        self._server.connections.add(tcp)

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002 - asyncio's signature
        if self._transport is not None:
            self._server.connections.discard(self._transport)

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:  # pragma: no cover - asyncio calls connection_made first
            return
        if self._skip:
            dropped = min(self._skip, len(data))
            self._skip -= dropped
            data = data[dropped:]
        self._buffer += data
        while not self._skip:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    transport.close()
                return
            head = bytes(self._buffer[:end])
            del self._buffer[: end + 4]
            self._skip = _body_length(head)
            dropped = min(self._skip, len(self._buffer))
            del self._buffer[:dropped]
            self._skip -= dropped
            transport.write(self._server.answer(head))
            if b"connection: close" in head.lower():
                transport.close()
                return
            if self._server.exhausted():
                self._server.stop()
                return


def _body_length(head: bytes) -> int:
    lowered = head.lower()
    start = lowered.find(b"\r\ncontent-length:")
    if start < 0:
        return 0
    start += len(b"\r\ncontent-length:")
    end = lowered.find(b"\r\n", start)
    value = lowered[start:] if end < 0 else lowered[start:end]
    try:
        return max(int(value.strip()), 0)
    except ValueError:
        return 0


class BenchServer:
    """Serves canned responses until stopped, a deadline, or a request budget."""

    def __init__(self, body: bytes, *, max_requests: int | None = None) -> None:
        self._ok = response_bytes(body)
        self._max_requests = max_requests
        self.requests = 0
        self.connections: set[asyncio.Transport] = set()
        self._stopped = asyncio.Event()

    def answer(self, head: bytes) -> bytes:
        """The response for one request head."""
        self.requests += 1
        request_line = head.split(b"\r\n", 1)[0]
        method, _, rest = request_line.partition(b" ")
        target = rest.partition(b" ")[0]
        path = target.partition(b"?")[0]
        if method == b"GET" and path == PATH:
            return self._ok
        return _NOT_FOUND

    def exhausted(self) -> bool:
        """Whether the request budget is spent."""
        return self._max_requests is not None and self.requests >= self._max_requests

    def stop(self) -> None:
        """Ask :meth:`run` to return."""
        self._stopped.set()

    async def run(
        self, *, host: str = "127.0.0.1", port: int = 0, deadline: float, announce: bool = True
    ) -> None:
        """Listen on ``host:port`` until stopped or ``deadline`` seconds have passed."""
        if host != "127.0.0.1":
            raise ValueError("the bench server binds 127.0.0.1 only")
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _Connection(self), host, port, backlog=1024, reuse_address=True
        )
        bound = server.sockets[0].getsockname()[1]
        if announce:
            print(f"PORT {bound}", flush=True)
        try:
            async with asyncio.timeout(min(deadline, MAX_DEADLINE)):
                await self._stopped.wait()
        except TimeoutError:
            pass
        finally:
            server.close()
            for transport in list(self.connections):
                transport.abort()
            await server.wait_closed()


def _stop_on_stdin_eof(loop: asyncio.AbstractEventLoop, server: BenchServer) -> None:
    """Stop when stdin closes: the parent is gone, or done with us."""
    fd = sys.stdin.fileno()

    def on_readable() -> None:
        if not os.read(fd, 4096):
            loop.remove_reader(fd)
            server.stop()

    try:
        loop.add_reader(fd, on_readable)
    except (OSError, ValueError):  # a regular file cannot be watched: the deadline still holds
        return


async def serve(
    sessions: int,
    *,
    port: int = 0,
    deadline: float,
    max_requests: int | None = None,
    watch_stdin: bool = False,
) -> BenchServer:
    """Serve a body of ``sessions`` sessions on 127.0.0.1 until one of the stop conditions."""
    server = BenchServer(make_body(sessions), max_requests=max_requests)
    if watch_stdin:
        _stop_on_stdin_eof(asyncio.get_running_loop(), server)
    await server.run(port=port, deadline=deadline)
    return server


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, choices=SIZES, default=100)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--deadline", type=float, required=True, help=f"seconds (at most {MAX_DEADLINE:.0f})"
    )
    parser.add_argument("--max-requests", type=int, default=None)
    parser.add_argument(
        "--no-stdin-watch",
        action="store_true",
        help="do not stop when stdin reaches EOF (default: stop, the parent is gone)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.deadline <= MAX_DEADLINE:
        parser.error(f"--deadline must be in (0, {MAX_DEADLINE:.0f}]")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                args.sessions,
                port=args.port,
                deadline=args.deadline,
                max_requests=args.max_requests,
                watch_stdin=not args.no_stdin_watch,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
