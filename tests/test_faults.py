"""Every fault typed, on both backends: hostile bytes, drops, limits, providers, closing.

Each test talks to a server on 127.0.0.1 that controls every byte. `make test`
runs this file on httpx's backend and again with ``VAIX_TEST_BACKEND=aiohttp``.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from loopback import (
    AIOHTTP,
    DropBeforeResponse,
    Hang,
    LoopbackServer,
    Raw,
    RecordedRequest,
    Reply,
    Respond,
    pool_size,
)

from vaix_client import ApiResponse, GameSession, VaixClient
from vaix_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    ResponseTooLargeError,
    VaixError,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from loopback import Action

TESTS = Path(__file__).resolve().parent
OK_BODY = json.dumps(
    {"status": "success", "data": [{"game_id": "g1", "game_name": "Book"}]}
).encode()
JSON = {"Content-Type": "application/json"}
OK = Reply(200, JSON, OK_BODY)


def make_client(server: LoopbackServer, **options: Any) -> VaixClient:  # noqa: ANN401
    """A client on ``server`` with a static token and the given options."""
    options.setdefault("token", "tok-secret-value")
    return VaixClient(client_id="acme", base_url=server.base_url, **options)


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    """A running loopback server whose default answer is the 200 body."""
    async with LoopbackServer(default=OK) as running:
        yield running


def _response(head: bytes, body: bytes = OK_BODY) -> bytes:
    return head + b"\r\n\r\n" + body


_LEN = b"Content-Length: %d" % len(OK_BODY)
_DEEP = b"[" * 100_000 + b"]" * 100_000

#: Responses no HTTP/1.1 parser should accept, each sent as raw bytes.
MALFORMED: dict[str, bytes] = {
    "bad-status-code": _response(b"HTTP/1.1 abc OK\r\nContent-Length: 2", b"{}"),
    "garbage-status-line": b"garbage garbage\r\n\r\n",
    "http-0.9": OK_BODY,
    "invalid-chunk-size": _response(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", b"zz\r\nhello\r\n0\r\n\r\n"
    ),
    "chunk-without-crlf": _response(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", b"5\r\nhelloX0\r\n\r\n"
    ),
    "content-length-shorter-than-body": _response(b"HTTP/1.1 200 OK\r\nContent-Length: 10"),
    "duplicate-content-length": _response(b"HTTP/1.1 200 OK\r\n" + _LEN + b"\r\nContent-Length: 7"),
    "negative-content-length": _response(b"HTTP/1.1 200 OK\r\nContent-Length: -1"),
    "non-numeric-content-length": _response(b"HTTP/1.1 200 OK\r\nContent-Length: abc"),
    "content-length-and-chunked": _response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked",
        b"5\r\nhello\r\n0\r\n\r\n",
    ),
    "nul-in-header": _response(b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n" + _LEN),
    "header-without-colon": _response(b"HTTP/1.1 200 OK\r\nNoColonHere\r\n" + _LEN),
    "100-kb-header": _response(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\n" + _LEN),
    "10000-headers": _response(
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(10_000)) + _LEN
    ),
    "tls-bytes": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(256)),
    "0xff-in-reason": _response(b"HTTP/1.1 200 O\xffK\r\n" + _LEN),
    "truncated-body-then-close": _response(b"HTTP/1.1 200 OK\r\nContent-Length: 999"),
    "deeply-nested-500": _response(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d" % len(_DEEP), _DEEP
    ),
    "deeply-nested-400-errors": _response(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d" % (len(_DEEP) + 11),
        b'{"errors":' + _DEEP + b"}",
    ),
    "deeply-nested-401-object": _response(
        b"HTTP/1.1 401 Unauthorized\r\nContent-Length: %d" % (20_000 * 6 + 2),
        b'{"a":' * 20_000 + b"1" + b"}" * 20_000 + b" ",
    ),
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_responses_end_typed(server: LoopbackServer, data: bytes) -> None:
    """Whatever bytes come back, the call returns or raises a VaixError, one attempt per hit."""
    server.default = Raw(data)
    async with make_client(server, max_retries=1) as vaix:
        outcome: ApiResponse[list[GameSession]] | VaixError
        try:
            outcome = await vaix.game_sessions.latest_detailed("1")
        except VaixError as exc:
            outcome = exc
    assert outcome.attempts == len(server.requests)
    assert outcome.elapsed is not None
    assert 1 <= len(server.requests) <= 2


# ---------------------------------------------------------------- one attempt, one request


async def test_a_drop_on_a_reused_connection_is_not_replayed(server: LoopbackServer) -> None:
    """With max_retries=0, a drop on a pooled connection fails: the server saw one request."""
    async with make_client(server, max_retries=0) as vaix:
        await vaix.game_sessions.latest("1")  # leaves a pooled connection
        server.enqueue(DropBeforeResponse())
        with pytest.raises(APIConnectionError) as info:
            await vaix.game_sessions.latest("1")
    assert info.value.attempts == 1
    assert len(server.requests) == 2


async def test_always_dropping_server_sees_one_request_per_attempt(
    server: LoopbackServer,
) -> None:
    """With max_retries=1, a server that always drops sees exactly 2 requests per call."""
    async with make_client(server, max_retries=1) as vaix:
        await vaix.game_sessions.latest("1")
        server.default = DropBeforeResponse()
        with pytest.raises(APIConnectionError) as info:
            await vaix.game_sessions.latest("1")
    assert info.value.attempts == 2
    assert len(server.requests) == 1 + 2


# ---------------------------------------------------------------- response size


async def test_announced_length_over_the_limit_is_refused_unread(server: LoopbackServer) -> None:
    """A Content-Length over max_response_bytes raises ResponseTooLargeError, not retried."""
    server.default = Raw(_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2000000000", b"{"))
    async with make_client(server, max_response_bytes=1000) as vaix:
        with pytest.raises(ResponseTooLargeError) as info:
            await vaix.game_sessions.latest("1")
        assert pool_size(vaix) == 0
    assert info.value.limit == 1000
    assert info.value.attempts == 1
    assert len(server.requests) == 1


async def test_streamed_body_over_the_limit_is_cut(server: LoopbackServer) -> None:
    """A chunked body without a length stops at max_response_bytes with ResponseTooLargeError."""
    chunk = b"%x\r\n%s\r\n" % (4096, b"x" * 4096)
    server.default = Raw(_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", chunk * 64))
    async with make_client(server, max_retries=3) as vaix:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=100000"):
            await vaix.with_options(max_response_bytes=100_000).game_sessions.latest("1")
    assert len(server.requests) == 1


async def test_gzip_bomb_stops_at_the_limit(server: LoopbackServer) -> None:
    """A small gzip body inflating past the limit raises ResponseTooLargeError (decompressed)."""
    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")
    assert len(bomb) < 100_000
    server.default = Reply(200, {**JSON, "Content-Encoding": "gzip"}, bomb)
    async with make_client(server, max_response_bytes=1_000_000) as vaix:
        with pytest.raises(ResponseTooLargeError, match="decompressed"):
            await vaix.game_sessions.latest("1")
    assert len(server.requests) == 1


async def test_gzip_body_under_the_limit_is_decoded(server: LoopbackServer) -> None:
    """A gzip body under the limit is inflated and decoded as usual."""
    server.default = Reply(200, {**JSON, "Content-Encoding": "gzip"}, gzip.compress(OK_BODY))
    async with make_client(server, max_response_bytes=1000) as vaix:
        detailed = await vaix.game_sessions.latest_detailed("1")
    assert [session.game_id for session in detailed.parsed] == ["g1"]
    assert detailed.content == OK_BODY


async def test_corrupt_gzip_is_a_connection_error(server: LoopbackServer) -> None:
    """A body that claims gzip but is not ends with a typed error, not zlib.error."""
    server.default = Reply(200, {**JSON, "Content-Encoding": "gzip"}, b"\x1f\x8bnot gzip at all")
    async with make_client(server, max_retries=0) as vaix:
        with pytest.raises(APIConnectionError, match="DecodingError"):
            await vaix.game_sessions.latest("1")


# ---------------------------------------------------------------- token providers


async def test_a_provider_that_hangs_once_does_not_wedge_the_client(
    server: LoopbackServer,
) -> None:
    """A hung provider is bounded by total_timeout; the next call asks the provider again."""
    calls = 0
    never = asyncio.Event()

    async def provider() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            await never.wait()
        return "tok"

    async with make_client(server, token=None, token_provider=provider, total_timeout=0.2) as vaix:
        with pytest.raises(APITimeoutError):
            await vaix.game_sessions.latest("1")
        assert len(await vaix.game_sessions.latest("1")) == 1
    assert calls == 2
    assert len(server.requests) == 1


async def test_a_provider_raising_cancelled_error_leaves_the_caller_running(
    server: LoopbackServer,
) -> None:
    """A provider's own CancelledError is a VaixError; the caller's task is not cancelled."""
    calls = 0

    async def provider() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise asyncio.CancelledError
        return "tok"

    async with make_client(server, token=None, token_provider=provider) as vaix:
        with pytest.raises(VaixError, match="CancelledError"):
            await vaix.game_sessions.latest("1")
        task = asyncio.current_task()
        assert task is not None
        assert task.cancelling() == 0
        assert len(await vaix.game_sessions.latest("1")) == 1


# ---------------------------------------------------------------- closing with calls in flight


async def test_aclose_ends_calls_in_flight_and_leaves_no_socket(server: LoopbackServer) -> None:
    """aclose() with 20 hung calls: each ends with APIConnectionError; no connection stays open."""
    server.default = Hang()
    vaix = make_client(server, max_retries=3)
    calls = [asyncio.create_task(vaix.game_sessions.latest(str(n))) for n in range(20)]
    await server.wait_for(lambda: len(server.requests) == 20)
    await vaix.aclose()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    for outcome in outcomes:
        assert type(outcome) is APIConnectionError, repr(outcome)
        assert "closed while in flight" in str(outcome)
    assert not any(call.cancelled() for call in calls)
    assert pool_size(vaix) == 0
    await server.wait_for(lambda: server.open_connections == 0)
    assert len(server.requests) == 20


async def test_aclose_does_not_wrap_a_callers_own_cancellation(server: LoopbackServer) -> None:
    """A call its caller cancelled, then closed, still ends with CancelledError, unwrapped."""
    server.default = Hang()
    vaix = make_client(server)
    call = asyncio.create_task(vaix.game_sessions.latest("1"))
    await server.wait_for(lambda: len(server.requests) == 1)
    call.cancel()
    await vaix.aclose()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert call.cancelled()


async def test_aclose_during_a_token_fetch_ends_the_call(server: LoopbackServer) -> None:
    """A call waiting on a hung token provider ends with APIConnectionError at aclose()."""
    started = asyncio.Event()

    async def provider() -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    vaix = make_client(server, token=None, token_provider=provider)
    call = asyncio.create_task(vaix.game_sessions.latest("1"))
    await started.wait()
    await vaix.aclose()
    with pytest.raises(APIConnectionError, match="closed while in flight"):
        await call
    assert server.requests == []


# ---------------------------------------------------------------- secrets


async def test_an_echoed_token_is_redacted_from_the_message(server: LoopbackServer) -> None:
    """A 401 body quoting the bearer token puts *** in str(error), never the token."""

    def echo(request: RecordedRequest) -> Action:
        body = json.dumps({"error": f"bad token {request.headers['authorization']}"})
        return Reply(401, JSON, body.encode())

    server.default = Respond(echo)
    async with make_client(server) as vaix:
        with pytest.raises(AuthenticationError) as info:
            await vaix.game_sessions.latest("1")
    assert "tok-secret-value" not in str(info.value)
    assert "tok-secret-value" not in info.value.message
    assert "***" in info.value.message


# ---------------------------------------------------------------- proxies


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy"])
async def test_proxy_from_the_environment_is_used(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """HTTP_PROXY (either case) routes the call through the proxy, on either backend."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, server.base_url)
    async with VaixClient(
        token="tok", client_id="acme", base_url="http://api.vaix.invalid"
    ) as vaix:
        assert len(await vaix.game_sessions.latest("1")) == 1
    (request,) = server.requests
    assert request.path.startswith("http://api.vaix.invalid/api/casino/game_sessions/latest?")


async def test_no_proxy_bypasses_the_proxy(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host listed in NO_PROXY is reached directly, on either backend."""
    async with LoopbackServer(default=Reply(502)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with make_client(server) as vaix:
            assert len(await vaix.game_sessions.latest("1")) == 1
        assert proxy.requests == []
    assert len(server.requests) == 1


# ---------------------------------------------------------------- quiet by default

_QUIET_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    sys.path.insert(0, {tests!r})
    from loopback import LoopbackServer, Reply
    from vaix_client import ApiResponse, GameSession, VaixClient

    async def main():
        async with LoopbackServer(Reply(503), Reply(429, {{"Retry-After": "0"}}),
                                  default=Reply(200, {{}}, b'{{"data": []}}')) as server:
            async with VaixClient(token="t", client_id="c", base_url=server.base_url,
                                  max_retries=3, backend={backend!r}) as vaix:
                detailed = await vaix.game_sessions.latest_detailed("1")
        assert detailed.attempts == 3, detailed.attempts
        assert "stamina" not in sys.modules

    asyncio.run(main())
    """
)


@pytest.mark.slow
def test_retries_print_nothing_when_logging_is_not_configured() -> None:
    """Retries leave stderr and stdout empty in a program that did not configure logging."""
    script = _QUIET_SCRIPT.format(tests=str(TESTS), backend="aiohttp" if AIOHTTP else "httpx")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAIX_")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == ""


# ---------------------------------------------------------------- response desync (item 10)

_TWO_RESPONSES = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + _LEN + b"\r\n\r\n" + OK_BODY
) + (b'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 20\r\n\r\n{"error": "stale!!"}')


@pytest.mark.xfail(
    not AIOHTTP,
    strict=True,
    reason="httpcore 1.0.9 returns a pooled connection to the pool with bytes still in h11's "
    "buffer (it never checks h11's trailing_data), so an unsolicited second response is "
    "delivered as the answer to the next request on that connection",
)
async def test_an_unsolicited_response_is_not_delivered_to_the_next_call(
    server: LoopbackServer,
) -> None:
    """A server answering one request twice: the next call gets its own answer, not the extra."""
    server.enqueue(Raw(_TWO_RESPONSES, keep_open=True))
    async with make_client(server, max_retries=0) as vaix:
        async with asyncio.timeout(5):  # a fixed upstream must not turn this into a hang
            assert len(await vaix.game_sessions.latest("1")) == 1
            second = await vaix.game_sessions.latest_detailed("2")
    assert second.attempts == 1
    assert len(second.parsed) == 1


async def test_every_status_error_is_typed(server: LoopbackServer) -> None:
    """Unlisted statuses with odd bodies still give APIStatusError subclasses."""
    server.enqueue(
        Reply(404, JSON, b"[1, 2, 3]"),
        Reply(400, JSON, b'{"errors": "not a dict"}'),
        Reply(503, JSON, b'{"error": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    )
    async with make_client(server, max_retries=0) as vaix:
        with pytest.raises(APIStatusError) as first:
            await vaix.game_sessions.latest("1")
        with pytest.raises(BadRequestError):
            await vaix.game_sessions.latest("1")
        with pytest.raises(InternalServerError):
            await vaix.game_sessions.latest("1")
    assert first.value.status_code == 404
