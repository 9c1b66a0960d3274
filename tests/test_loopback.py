"""The loopback test server, driven by a real ``httpx.AsyncClient`` over a socket."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx
import pytest
from loopback import (
    Action,
    Delay,
    DropBeforeResponse,
    DropMidResponse,
    Hang,
    LoopbackServer,
    RecordedRequest,
    Reply,
    Respond,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    """A running server with an empty script (every request gets the default 200)."""
    async with LoopbackServer() as running:
        yield running


@pytest.fixture
async def client(server: LoopbackServer) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client aimed at ``server``, with a short timeout."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=1.0) as http:
        yield http


async def test_base_url_is_loopback_on_an_ephemeral_port(server: LoopbackServer) -> None:
    """The server listens on 127.0.0.1 and a port the OS chose."""
    host, port = server.base_url.removeprefix("http://").split(":")
    assert host == "127.0.0.1"
    assert int(port) > 0


async def test_base_url_needs_a_running_server() -> None:
    """Asking for base_url before start (or after stop) is an error, and stop is idempotent."""
    server = LoopbackServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url
    async with server:
        assert server.base_url
    await server.stop()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url


async def test_reply_sends_status_headers_and_body(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    """A Reply is sent as scripted, with a Content-Length matching the body."""
    server.enqueue(Reply(201, {"X-Thing": "1"}, b"hello"))
    response = await client.get("/")
    assert response.status_code == 201
    assert response.headers["x-thing"] == "1"
    assert response.headers["content-length"] == "5"
    assert response.content == b"hello"


async def test_reply_can_lie_about_its_length(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    """A Content-Length given in the Reply's headers is sent as is, even when it is wrong."""
    server.enqueue(Reply(headers={"Content-Length": "3"}, body=b"hello"))
    response = await client.get("/")
    assert response.content == b"hel"


async def test_actions_are_consumed_in_order_then_the_default() -> None:
    """Each request consumes the next scripted action; an empty script falls back to the default."""
    async with (
        LoopbackServer(Reply(503), Reply(429), default=Reply(204)) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        statuses = [(await client.get("/")).status_code for _ in range(4)]
    assert statuses == [503, 429, 204, 204]


async def test_delay_holds_the_response(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    """A Delay answers after its wait; a client giving up first is seen leaving at once."""
    server.enqueue(Delay(0.1, Reply(body=b"late")), Delay(0.2))
    started = time.monotonic()
    assert (await client.get("/")).content == b"late"
    assert time.monotonic() - started >= 0.1
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/", timeout=0.02)
    # The server notices the client leaving while it waits, not when the wait ends.
    await server.wait_for(lambda: server.open_connections == 0, timeout=0.1)


async def test_drop_before_response(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    """DropBeforeResponse closes without a byte sent; the next request gets a new connection."""
    server.enqueue(DropBeforeResponse())
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await client.get("/")
    assert (await client.get("/")).status_code == 200
    assert server.connections_accepted == 2
    assert [request.connection for request in server.requests] == [1, 2]


async def test_drop_mid_response(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    """DropMidResponse sends the head and part of the body, then closes: the body read fails."""
    server.enqueue(DropMidResponse(200, {"X-Part": "1"}, b'{"data": [', declared_length=500))
    async with client.stream("GET", "/") as response:
        assert response.status_code == 200
        assert response.headers["content-length"] == "500"
        with pytest.raises(
            httpx.RemoteProtocolError, match="without sending complete message body"
        ):
            await response.aread()


def test_drop_mid_response_must_promise_more_than_it_sends() -> None:
    """A DropMidResponse whose declared length would not be a lie is refused."""
    with pytest.raises(ValueError, match="declared_length"):
        DropMidResponse(body_prefix=b"abc", declared_length=3)


async def test_respond_picks_the_action_from_the_request(server: LoopbackServer) -> None:
    """A Respond action decides per request, after recording it; it may delay or drop too."""
    seen: list[RecordedRequest] = []

    def by_token(request: RecordedRequest) -> Action:
        seen.append(request)
        if request.headers.get("authorization") == "Bearer old":
            return Reply(401, body=b"old")
        if request.path == "/slow":
            return Delay(0.01, Reply(body=b"slow"))
        if request.path == "/drop":
            return DropBeforeResponse()
        return Reply(body=request.path.encode())

    server.default = Respond(by_token)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=1.0) as client:
        old = await client.get("/", headers={"Authorization": "Bearer old"})
        new = await client.get("/x?y=1", headers={"Authorization": "Bearer new"})
        slow = await client.get("/slow")
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/drop")
    assert (old.status_code, old.content) == (401, b"old")
    assert (new.status_code, new.content) == (200, b"/x?y=1")
    assert slow.content == b"slow"
    assert seen == server.requests
    assert server.handler_errors == []


async def test_respond_handler_errors_hang_up(server: LoopbackServer) -> None:
    """A Respond handler that raises closes the connection without a response; the error is kept."""

    def broken(request: RecordedRequest) -> Action:
        raise KeyError(request.path)

    server.enqueue(Respond(broken))
    async with httpx.AsyncClient(base_url=server.base_url, timeout=1.0) as client:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await client.get("/")
        assert (await client.get("/")).status_code == 200
    assert len(server.requests) == 2
    assert [type(error) for error in server.handler_errors] == [KeyError]


async def test_keep_alive_reuses_one_connection(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    """Several requests from one client travel on one kept-alive connection."""
    for _ in range(3):
        assert (await client.get("/")).status_code == 200
    assert server.connections_accepted == 1
    assert server.open_connections == 1
    assert [request.connection for request in server.requests] == [1, 1, 1]


async def test_connection_close_is_honoured(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    """Connection: close, asked by the client or sent in a Reply, ends the connection."""
    server.enqueue(Reply(), Reply(headers={"Connection": "close"}), Reply())
    await client.get("/", headers={"Connection": "close"})
    response = await client.get("/")
    assert response.headers["connection"] == "close"
    await client.get("/")
    assert [request.connection for request in server.requests] == [1, 2, 3]
    await server.wait_for(lambda: server.open_connections == 1)


async def test_requests_are_recorded(server: LoopbackServer, client: httpx.AsyncClient) -> None:
    """Each request is recorded with its method, path and query, lowercase headers and body."""
    await client.get("/api/latest?user=1&count=5", headers={"X-Vaix-Client-Id": "acme"})
    await client.post("/token", content=b"grant_type=client_credentials")
    get, post = server.requests
    assert (get.method, get.path, get.body) == ("GET", "/api/latest?user=1&count=5", b"")
    assert get.headers["x-vaix-client-id"] == "acme"
    assert get.headers["host"] == server.base_url.removeprefix("http://")
    assert all(name == name.lower() for name in get.headers)
    assert (post.method, post.path, post.body) == (
        "POST",
        "/token",
        b"grant_type=client_credentials",
    )


async def test_open_connections_return_to_zero_when_the_client_closes(
    server: LoopbackServer,
) -> None:
    """The open-connection count follows the client: up while it holds a connection, 0 after."""
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        await client.get("/")
        assert server.open_connections == 1
    await server.wait_for(lambda: server.open_connections == 0)
    assert server.connections_accepted == 1


async def test_peak_open_connections_is_the_most_at_once(server: LoopbackServer) -> None:
    """peak_open_connections keeps the highest count of connections open at the same time."""
    server.default = Delay(0.05)
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        await asyncio.gather(*(client.get("/") for _ in range(3)))
        await client.get("/")
    await server.wait_for(lambda: server.open_connections == 0)
    assert server.connections_accepted == 3
    assert server.peak_open_connections == 3


async def test_cancelled_request_leaves_no_open_connection(
    server: LoopbackServer, client: httpx.AsyncClient
) -> None:
    """Cancelling a request the server hangs on makes the client close that connection."""
    server.enqueue(Hang())
    request = asyncio.create_task(client.get("/"))
    await server.wait_for(lambda: len(server.requests) == 1)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    await server.wait_for(lambda: server.open_connections == 0)


async def test_stop_ends_a_hung_request() -> None:
    """stop() returns promptly while a Hang is in flight, closing the socket under the client."""
    server = LoopbackServer(default=Hang())
    await server.start()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=5.0) as client:
        request = asyncio.create_task(client.get("/"))
        await server.wait_for(lambda: server.open_connections == 1 and len(server.requests) == 1)
        async with asyncio.timeout(1):
            await server.stop()
        assert server.open_connections == 0
        with pytest.raises(httpx.RemoteProtocolError):
            await request


async def test_stop_closes_idle_kept_alive_connections() -> None:
    """stop() closes connections a client keeps alive, and no longer accepts new ones."""
    server = LoopbackServer()
    await server.start()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        await client.get("/")
        assert server.open_connections == 1
        await server.stop()
        assert server.open_connections == 0
        with pytest.raises(httpx.TransportError):
            await client.get("/")
