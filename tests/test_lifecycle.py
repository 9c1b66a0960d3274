"""A client's life: bound to the loop of its first use; per-request clients warned once."""

from __future__ import annotations

import asyncio
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vaix_client import VaixClient, _lifecycle
from vaix_client.errors import VaixError
from vaix_client.fastapi import VaixDep, vaix_lifespan
from vaix_client.testing import FakeVaix, VaixFake

if TYPE_CHECKING:
    from collections.abc import Iterator

BODY = b'{"status": "success", "data": []}'


class _Handler(BaseHTTPRequestHandler):
    """Answers every GET with an empty list of sessions (keep-alive, so the pool holds a socket)."""

    protocol_version = "HTTP/1.1"
    requests = 0

    def do_GET(self) -> None:
        type(self).requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def base_url() -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1, serving outside every event loop of the test."""
    _Handler.requests = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---------------------------------------------------------------- one event loop


def test_a_second_event_loop_gets_a_clear_error_before_any_io(base_url: str) -> None:
    """Used from a second loop (as by a second asyncio.run), the call fails at once saying why."""
    vaix = VaixClient(token="tok", client_id="acme", base_url=base_url)
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        assert first.run_until_complete(vaix.game_sessions.latest("1")) == []
        with pytest.raises(VaixError) as caught:
            second.run_until_complete(vaix.game_sessions.latest("1"))
        assert type(caught.value) is VaixError
        message = str(caught.value)
        assert "another" in message
        assert "create the client inside the loop that uses it" in message
        assert "lifespan" in message
        assert _Handler.requests == 1  # refused before any I/O
        assert first.run_until_complete(vaix.game_sessions.latest("1")) == []  # still fine there
    finally:
        first.run_until_complete(vaix.aclose())
        first.close()
        second.close()


def test_clones_share_the_binding(base_url: str) -> None:
    """A with_options clone is bound with its parent: it cannot move to another loop either."""
    vaix = VaixClient(token="tok", client_id="acme", base_url=base_url)
    clone = vaix.with_options(max_retries=0)
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        first.run_until_complete(clone.game_sessions.latest("1"))
        with pytest.raises(VaixError, match="another"):
            second.run_until_complete(vaix.game_sessions.latest("1"))
    finally:
        first.run_until_complete(vaix.aclose())
        first.close()
        second.close()


def test_a_client_made_outside_any_loop_serves_testclients_loop() -> None:
    """FastAPI's TestClient path: built outside any loop, first used (and bound) on TestClient's."""
    fake = VaixFake.connect(FakeVaix())
    app = FastAPI(lifespan=vaix_lifespan(fake.client))

    @app.get("/recent/{user}")
    async def recent(user: str, vaix: VaixDep) -> int:
        return (await vaix.game_sessions.latest_detailed(user, count=2)).status_code

    with TestClient(app) as http:
        assert [http.get(f"/recent/{user}").json() for user in ("1", "2")] == [200, 200]


async def test_the_same_loop_is_never_refused() -> None:
    """Many calls, tasks and clones on one loop: the binding never gets in the way."""
    fake = VaixFake.connect(FakeVaix())
    async with fake.client as vaix:
        clone = vaix.with_options(timeout=3)
        results = await asyncio.gather(
            *(client.game_sessions.latest_detailed("1") for client in (vaix, clone) * 3)
        )
    assert [r.status_code for r in results] == [200] * 6


# ---------------------------------------------------------------- clients per request


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        """The time the test set."""
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The process-wide churn watch, on a clock of the test's."""
    fake = FakeClock()
    monkeypatch.setattr(_lifecycle, "watch", _lifecycle.ChurnWatch(fake))
    return fake


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The WARNING records of the vaix_client logger."""
    return [r for r in caplog.records if r.name == "vaix_client" and r.levelno == logging.WARNING]


async def open_and_close(clock: FakeClock, *, lived: float, **options: object) -> None:
    """Create a client (owning its pool unless ``options`` say otherwise), age it, close it."""
    vaix = VaixClient(token="tok", client_id="acme", base_url="https://api.test", **options)  # type: ignore[arg-type]
    clock.now += lived
    await vaix.aclose()


async def test_clients_made_per_request_are_warned_about_once(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The tenth short-lived client closed within the window logs one WARNING; later ones none."""
    caplog.set_level(logging.WARNING, logger="vaix_client")
    for _ in range(9):
        await open_and_close(clock, lived=0.05)
    assert warnings_of(caplog) == []
    await open_and_close(clock, lived=0.05)
    (warning,) = warnings_of(caplog)
    message = warning.getMessage()
    assert "10 VaixClients were created and closed within 60 s" in message
    assert "Create one VaixClient per process" in message
    for _ in range(30):
        await open_and_close(clock, lived=0.05)
    assert len(warnings_of(caplog)) == 1


@pytest.mark.parametrize(
    ("lived", "gap", "warned"),
    [
        (0.05, 0.0, True),  # a burst of short-lived clients
        (2.5, 0.0, False),  # each lived longer than a request
        (0.05, 7.0, False),  # ten short-lived clients, but spread over more than a minute
        (0.05, 6.0, True),  # ten within a minute
    ],
)
async def test_only_bursts_of_short_lived_clients_count(
    clock: FakeClock, caplog: pytest.LogCaptureFixture, lived: float, gap: float, warned: bool
) -> None:
    """Lifetime and spacing decide: long-lived clients, or a slow trickle, are not per-request."""
    caplog.set_level(logging.WARNING, logger="vaix_client")
    for _ in range(10):
        await open_and_close(clock, lived=lived)
        clock.now += gap
    assert len(warnings_of(caplog)) == (1 if warned else 0)


async def test_clients_sharing_a_pool_do_not_count(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A client given an http_client, or a with_options clone, shares a pool: never counted."""
    caplog.set_level(logging.WARNING, logger="vaix_client")
    async with httpx.AsyncClient() as shared:
        for _ in range(20):
            await open_and_close(clock, lived=0.01, http_client=shared)
    async with VaixClient(token="tok", client_id="acme", base_url="https://api.test") as vaix:
        for _ in range(20):
            await vaix.with_options(max_retries=1).aclose()
    assert warnings_of(caplog) == []
