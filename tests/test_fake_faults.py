"""Injected faults make the next calls to the fake fail as networks and gateways do."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest

from vaix_client.testing import (
    DelayFault,
    DropConnectionFault,
    FakeVaix,
    MalformedBodyFault,
    StatusFault,
    TruncatedBodyFault,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

PATH = "/api/casino/game_sessions/latest"
AUTH = {"Authorization": "Bearer demo-token", "x-vaix-client-id": "demo"}
PARAMS = {"user": "u"}


@pytest.fixture
def fake() -> FakeVaix:
    """A fake with one session for user "u"."""
    service = FakeVaix()
    service.add_session("u", game_id="g", game_name="G", started=datetime(2026, 10, 1, tzinfo=UTC))
    return service


@pytest.fixture
async def client(fake: FakeVaix) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated in-process client of ``fake``."""
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url="http://fake", headers=AUTH
    ) as http:
        yield http


async def assert_normal(client: httpx.AsyncClient) -> None:
    """The next call is answered normally."""
    response = await client.get(PATH, params=PARAMS)
    assert response.status_code == 200
    assert [s["game_id"] for s in response.json()["data"]] == ["g"]


STATUS_CASES: list[tuple[StatusFault, dict[str, str], object]] = [
    (StatusFault(429, retry_after="2"), {"retry-after": "2"},
     {"error": "Too Many Requests", "status": "error"}),
    (StatusFault(503, retry_after="Wed, 21 Oct 2026 07:28:00 GMT"),
     {"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"},
     {"error": "Service Unavailable", "status": "error"}),
    (StatusFault(425), {}, {"errors": {"detail": ["Too Early"]}}),
    (StatusFault(500, headers={"x-request-id": "req-1"}), {"x-request-id": "req-1"},
     {"error": "Internal Server Error", "status": "error"}),
    (StatusFault(502, body=b"<html>Bad gateway</html>", content_type="text/html"),
     {"content-type": "text/html"}, "<html>Bad gateway</html>"),
]  # fmt: skip


@pytest.mark.parametrize(("fault", "headers", "body"), STATUS_CASES)
async def test_status_fault(
    fake: FakeVaix,
    client: httpx.AsyncClient,
    fault: StatusFault,
    headers: dict[str, str],
    body: object,
) -> None:
    """A StatusFault answers its status, headers (Retry-After) and body, then calls are normal."""
    fake.inject(fault)
    response = await client.get(PATH, params=PARAMS)
    assert response.status_code == fault.status
    assert headers.items() <= dict(response.headers).items()
    assert (response.text if isinstance(body, str) else response.json()) == body
    await assert_normal(client)


async def test_status_fault_comes_before_auth(fake: FakeVaix) -> None:
    """A fault answers even a request that auth would refuse (a gateway answers first)."""
    fake.inject(StatusFault(503))
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        assert (await http.get(PATH, params=PARAMS)).status_code == 503
        assert (await http.get(PATH, params=PARAMS)).status_code == 401


async def test_delay_fault_is_honoured(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """A DelayFault waits its seconds, then answers normally."""
    fake.inject(DelayFault(0.05))
    loop = asyncio.get_running_loop()
    start = loop.time()
    await assert_normal(client)
    assert loop.time() - start >= 0.05


async def test_delay_fault_is_cancellable(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """A long DelayFault is cut short by cancellation (a client timeout) and is consumed."""
    fake.inject(DelayFault(30))
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.get(PATH, params=PARAMS), timeout=0.05)
    assert loop.time() - start < 1
    await assert_normal(client)


async def test_read_timeout_applies_in_process(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """The read timeout cuts a slow answer short with httpx.ReadTimeout, as a socket would."""
    fake.inject(DelayFault(30))
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(httpx.ReadTimeout):
        await client.get(PATH, params=PARAMS, timeout=httpx.Timeout(5, read=0.05))
    assert loop.time() - start < 1
    await assert_normal(client)


async def test_drop_before_response_raises_a_transport_error(
    fake: FakeVaix, client: httpx.AsyncClient
) -> None:
    """A dropped connection before any response raises httpx.RemoteProtocolError, as a socket."""
    fake.inject(DropConnectionFault())
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await client.get(PATH, params=PARAMS)
    await assert_normal(client)


@pytest.mark.parametrize(
    ("fault", "received"),
    [(DropConnectionFault(before_response=False), "received 0 bytes"),
     (TruncatedBodyFault(), "received [1-9][0-9]* bytes")],
)  # fmt: skip
async def test_cut_short_bodies_fail_when_read(
    fake: FakeVaix,
    client: httpx.AsyncClient,
    fault: DropConnectionFault | TruncatedBodyFault,
    received: str,
) -> None:
    """After the headers, a drop or truncation fails the body read with RemoteProtocolError."""
    fake.inject(fault)
    async with client.stream("GET", PATH, params=PARAMS) as response:
        assert response.status_code == 200
        expected = int(response.headers["content-length"])
        with pytest.raises(httpx.RemoteProtocolError, match=f"{received}, expected {expected}"):
            await response.aread()
    fake.inject(fault)
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(PATH, params=PARAMS)
    await assert_normal(client)


@pytest.mark.parametrize(
    "fault",
    [MalformedBodyFault(), MalformedBodyFault(b"<html><body>Oops</body></html>", "text/html")],
)
async def test_malformed_body_is_sent_as_is(
    fake: FakeVaix, client: httpx.AsyncClient, fault: MalformedBodyFault
) -> None:
    """A MalformedBodyFault answers 200 with exactly its body and content type."""
    fake.inject(fault)
    response = await client.get(PATH, params=PARAMS)
    assert response.status_code == 200
    assert response.content == fault.body
    assert response.headers["content-type"] == fault.content_type
    if fault.content_type == "application/json":
        with pytest.raises(json.JSONDecodeError):
            response.json()


async def test_faults_are_consumed_in_order(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """Faults apply one per call, in the order injected, ``times`` calls each."""
    fake.inject(StatusFault(500), times=2)
    fake.inject(StatusFault(429, retry_after="1"))
    fake.inject(DropConnectionFault())
    queued = [StatusFault(500), StatusFault(500), StatusFault(429, "1"), DropConnectionFault()]
    assert list(fake.pending_faults) == queued
    assert (await client.get(PATH, params=PARAMS)).status_code == 500
    assert (await client.get(PATH, params=PARAMS)).status_code == 500
    assert (await client.get(PATH, params=PARAMS)).status_code == 429
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(PATH, params=PARAMS)
    assert not fake.pending_faults
    await assert_normal(client)


async def test_clear_faults(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """``clear_faults`` forgets every queued fault."""
    fake.inject(StatusFault(500), times=3)
    fake.clear_faults()
    await assert_normal(client)


async def test_faults_spare_the_token_endpoint(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """Only the sessions endpoint consumes faults; /oauth/token is untouched."""
    fake.inject(StatusFault(500))
    grant = {
        "grant_type": "client_credentials",
        "client_id": "demo",
        "client_secret": "demo-secret",
    }
    assert (await client.post("/oauth/token", json=grant)).status_code == 200
    assert (await client.get(PATH, params=PARAMS)).status_code == 500


async def test_faulted_calls_are_recorded(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """Requests answered by a fault are still recorded (to count retries)."""
    fake.inject(DropConnectionFault(), times=2)
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(PATH, params=PARAMS)
    await assert_normal(client)
    assert [r.path for r in fake.requests] == [PATH] * 3


@pytest.mark.parametrize(
    "make",
    [lambda: FakeVaix().inject(StatusFault(500), times=0), lambda: StatusFault(99)],
    ids=["times-zero", "status-out-of-range"],
)
def test_bad_fault_arguments(make: Callable[[], object]) -> None:
    """Nonsense fault arguments are refused at once."""
    with pytest.raises(ValueError, match="must be"):
        make()
