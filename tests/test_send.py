"""The ``_send`` seam: one call's whole life (decode inside the budget, secrets out of locals)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from loopback import LoopbackServer, Reply

from vaix_client import VaixClient
from vaix_client.auth import ClientCredentials
from vaix_client.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ResponseValidationError,
)

if TYPE_CHECKING:
    from types import TracebackType

    import httpx

SECRET = "client-secret-do-not-leak"
TOKEN = "bearer-token-do-not-leak"


def _request(vaix: VaixClient, url: str) -> httpx.Request:
    return vaix._http.build_request("GET", url, timeout=vaix._timeout)


async def test_send_returns_the_decoded_final_response() -> None:
    """_send runs the call and returns ApiResponse with parsed = decode(final 2xx)."""
    server = LoopbackServer(Reply(503), default=Reply(200, {}, b"hello"))
    async with server, VaixClient(token="t", client_id="c", base_url=server.base_url) as vaix:
        sent = await vaix._send(
            lambda _direct: _request(vaix, f"{server.base_url}/any"),
            lambda response: response.content.upper(),
        )
    assert sent.parsed == b"HELLO"
    assert sent.attempts == 2
    assert sent.status_code == 200
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer t"] * 2


async def test_a_decoder_failure_is_a_validation_error() -> None:
    """A decode function raising anything but a VaixError gives ResponseValidationError."""

    def broken(response: httpx.Response) -> None:
        raise RecursionError

    server = LoopbackServer(default=Reply(200, {}, b"{}"))
    async with server, VaixClient(token="t", client_id="c", base_url=server.base_url) as vaix:
        with pytest.raises(ResponseValidationError, match="RecursionError") as info:
            await vaix._send(lambda _direct: _request(vaix, f"{server.base_url}/x"), broken)
    assert info.value.attempts == 1


async def test_decoding_counts_inside_total_timeout() -> None:
    """A large body whose decoding never ends still ends the call at total_timeout."""
    release = threading.Event()

    def stuck(response: httpx.Response) -> bytes:
        release.wait(30)
        return response.content

    body = b"x" * (2 * 1024 * 1024)
    try:
        async with (
            LoopbackServer(default=Reply(200, {}, body)) as server,
            VaixClient(
                token="t", client_id="c", base_url=server.base_url, total_timeout=0.3
            ) as vaix,
        ):
            with pytest.raises(APITimeoutError, match="total_timeout"):
                await vaix._send(lambda _direct: _request(vaix, f"{server.base_url}/x"), stuck)
    finally:
        release.set()


def _frames(exc: BaseException) -> list[dict[str, object]]:
    """The locals of every vaix_client frame in ``exc``'s traceback and its chain."""
    found: list[dict[str, object]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            if "vaix_client" in tb.tb_frame.f_code.co_filename:
                found.append(dict(tb.tb_frame.f_locals))
            tb = tb.tb_next
        current = current.__cause__ or current.__context__
    return found


async def test_the_client_secret_is_in_no_local_of_a_failed_exchange() -> None:
    """A refused OAuth exchange: no vaix_client frame's local shows the client secret."""
    async with LoopbackServer(default=Reply(500, {}, b"nope")) as server:
        credentials = ClientCredentials(
            client_id="id", client_secret=SECRET, token_url=f"{server.base_url}/oauth/token"
        )
        async with VaixClient(
            token_provider=credentials, client_id="c", base_url=server.base_url
        ) as vaix:
            with pytest.raises(AuthenticationError) as info:
                await vaix.game_sessions.latest("1")
    frames = _frames(info.value)
    assert frames
    for local in frames:
        for name, value in local.items():
            assert SECRET not in repr(value), name


async def test_the_token_is_in_no_local_of_a_failed_call() -> None:
    """A connection failure: no vaix_client frame's local shows the bearer token."""
    async with LoopbackServer() as server:
        base_url = server.base_url
    async with VaixClient(token=TOKEN, client_id="c", base_url=base_url, max_retries=0) as vaix:
        with pytest.raises(APIConnectionError) as info:
            await vaix.game_sessions.latest("1")
    frames = _frames(info.value)
    assert frames
    for local in frames:
        for name, value in local.items():
            assert TOKEN not in repr(value), name
