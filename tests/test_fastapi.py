"""vaix_client.fastapi: lifespan, dependency, error mapping, and the core without FastAPI."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from vaix_client import VaixClient
from vaix_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
    InvalidRequestError,
    RateLimitError,
    ResponseValidationError,
    VaixError,
)
from vaix_client.fastapi import (
    STATE_KEY,
    VaixDep,
    add_vaix_error_handlers,
    get_vaix_client,
    upstream_error_status,
    vaix_client_for,
    vaix_lifespan,
)
from vaix_client.testing import DelayFault, FakeVaix, StatusFault, VaixFake, serve

if TYPE_CHECKING:
    from collections.abc import Callable

APP_URL = "http://app.test"


def make_app(fake: FakeVaix, **client_options: object) -> FastAPI:
    """An app whose lifespan client talks to ``fake`` in-process."""
    options: dict[str, Any] = {
        "token": fake.token,
        "client_id": fake.client_id,
        "base_url": "http://fake.test",
        "http_client": httpx.AsyncClient(transport=fake.transport()),
    }
    options.update(client_options)
    app = FastAPI(lifespan=vaix_lifespan(**options))
    add_vaix_error_handlers(app)

    @app.get("/games/{user}")
    async def games(user: str, vaix: VaixDep) -> dict[str, Any]:
        sessions = await vaix.game_sessions.latest(user, count=3)
        return {"client": id(vaix), "games": [s.game_id for s in sessions]}

    return app


def app_client(app: FastAPI) -> httpx.AsyncClient:
    """An httpx client calling ``app`` in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=APP_URL)


async def test_lifespan_opens_one_client_and_closes_it() -> None:
    """Start-up opens exactly one client, routes share it, and shutdown closes it."""
    app = make_app(FakeVaix(seed=0))
    async with app.router.lifespan_context(app):
        client = getattr(app.state, STATE_KEY)
        assert isinstance(client, VaixClient)
        assert not client.is_closed
        async with app_client(app) as http:
            first = (await http.get("/games/1")).json()
            second = (await http.get("/games/2")).json()
        assert first["client"] == second["client"] == id(client)
        assert len(first["games"]) == 3
    assert client._closed  # (is_closed was narrowed to False above for mypy)
    assert not hasattr(app.state, STATE_KEY)


async def test_lifespan_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without arguments the lifespan client is configured from VAIX_* variables."""
    fake = FakeVaix(seed=0)
    monkeypatch.setenv("VAIX_API_TOKEN", fake.token)
    monkeypatch.setenv("VAIX_CLIENT_ID", fake.client_id)
    async with serve(fake) as url:
        monkeypatch.setenv("VAIX_BASE_URL", url)
        app = FastAPI(lifespan=vaix_lifespan())

        @app.get("/count/{user}")
        async def count(user: str, vaix: VaixDep) -> int:
            return len(await vaix.game_sessions.latest(user, count=2))

        async with app.router.lifespan_context(app), app_client(app) as http:
            response = await http.get("/count/1")
    assert response.json() == 2


async def test_bad_configuration_fails_start_up() -> None:
    """A missing token stops the app at start-up with the SDK's clear error."""
    app = FastAPI(lifespan=vaix_lifespan(client_id="acme"))
    with pytest.raises(VaixError, match="VAIX_API_TOKEN"):
        async with app.router.lifespan_context(app):
            pass  # pragma: no cover - start-up fails


async def test_missing_lifespan_is_a_clear_error() -> None:
    """A route asking for the client without the lifespan gets an error saying what to do."""
    app = FastAPI()

    @app.get("/x")
    async def route(vaix: VaixDep) -> str:  # pragma: no cover - never reached
        return repr(vaix)

    async with app_client(app) as http:
        with pytest.raises(VaixError, match="vaix_lifespan"):
            await http.get("/x")


async def test_vaix_client_for_composes_with_an_existing_lifespan() -> None:
    """vaix_client_for opens the client inside an app's own lifespan."""
    fake = FakeVaix(seed=0)
    seen: list[VaixClient] = []
    app = FastAPI()
    async with vaix_client_for(
        app,
        token=fake.token,
        client_id=fake.client_id,
        base_url="http://fake.test",
        http_client=httpx.AsyncClient(transport=fake.transport()),
    ) as client:
        seen.append(client)
        assert getattr(app.state, STATE_KEY) is client
    assert seen[0].is_closed


async def test_dependency_override_swaps_the_client_for_tests() -> None:
    """app.dependency_overrides replaces the real client with one connected to the fake."""
    fake = FakeVaix()
    fake.add_session(
        "u", game_id="g-9", game_name="Nine", started=datetime(2026, 11, 1, 10, tzinfo=UTC)
    )
    app = FastAPI()  # no lifespan at all: the override supplies the client

    @app.get("/first/{user}")
    async def first(user: str, vaix: VaixDep) -> str:
        [session] = await vaix.game_sessions.latest(user)
        return str(session.game_id)

    async with httpx.AsyncClient(transport=fake.transport()) as upstream:
        vaix = VaixClient(
            token=fake.token, client_id=fake.client_id, base_url="http://f", http_client=upstream
        )
        app.dependency_overrides[get_vaix_client] = lambda: vaix
        async with app_client(app) as http:
            assert (await http.get("/first/u")).json() == "g-9"


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        (StatusFault(503, retry_after="0"), 503),
        (StatusFault(429, retry_after="0"), 503),
        (StatusFault(500), 502),
        (StatusFault(401), 502),
        (StatusFault(403), 502),
        (StatusFault(422), 502),
    ],
)
async def test_upstream_failures_become_safe_answers(fault: StatusFault, status: int) -> None:
    """Upstream failures become 502/503 with a safe body: no token, no upstream body."""
    fake = FakeVaix(seed=0, token="sk-SECRET-abc")
    fake.inject(fault, times=10)
    app = make_app(fake, max_retries=1)
    async with app.router.lifespan_context(app), app_client(app) as http:
        response = await http.get("/games/1")
    assert response.status_code == status
    body = response.json()
    assert set(body) <= {"detail", "upstream_request_id"}
    assert "SECRET" not in response.text
    assert "error" not in body["detail"].lower() or "service" in body["detail"].lower()
    if status == 503:
        assert response.headers["retry-after"] == "5"


async def test_upstream_timeout_becomes_504() -> None:
    """An upstream timeout is answered with 504."""
    fake = FakeVaix(seed=0)
    fake.inject(DelayFault(5), times=5)
    app = make_app(fake, total_timeout=0.1, max_retries=0)  # in-process: no socket timeouts
    async with app.router.lifespan_context(app), app_client(app) as http:
        response = await http.get("/games/1")
    assert response.status_code == 504
    assert response.json() == {"detail": "The game sessions service did not answer in time."}


def _status_error(cls: type[APIStatusError], status: int, request_id: str | None) -> VaixError:
    headers = {"x-request-id": request_id} if request_id else {}
    request = httpx.Request("GET", "https://api.test/x")
    return cls("boom", response=httpx.Response(status, headers=headers, request=request), body=None)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (APITimeoutError(), 504),
        (APIConnectionError(), 502),
        (ResponseValidationError("bad body"), 502),
        (_status_error(RateLimitError, 429, None), 503),
        (_status_error(InternalServerError, 503, None), 503),
        (_status_error(InternalServerError, 500, None), 502),
        (_status_error(AuthenticationError, 401, None), 502),
        (_status_error(APIStatusError, 404, None), 502),
    ],
)
def test_upstream_error_status_table(error: VaixError, status: int) -> None:
    """Timeouts map to 504, overload (429/503) to 503, everything else upstream to 502."""
    assert upstream_error_status(error) == status


async def test_upstream_request_id_is_passed_on() -> None:
    """The upstream request id, when there is one, is in the body for support tickets."""
    app = FastAPI()
    add_vaix_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise _status_error(InternalServerError, 500, "req-7")

    async with app_client(app) as http:
        response = await http.get("/boom")
    assert response.status_code == 502
    assert response.json()["upstream_request_id"] == "req-7"


async def test_shutdown_with_calls_in_flight_ends_them_cleanly() -> None:
    """Closing the client at shutdown while calls are in flight ends each with an answer."""
    fake = FakeVaix(seed=0)
    async with serve(fake) as url:
        fake.inject(DelayFault(0.6), times=20)
        app = make_app(fake, base_url=url, http_client=None, max_retries=2)
        async with app_client(app) as http:
            async with app.router.lifespan_context(app):
                calls = [asyncio.create_task(http.get(f"/games/{i}")) for i in range(1, 6)]
                async with asyncio.timeout(5):  # the calls reach the fake and wait there
                    while len(fake.requests) < 5:  # noqa: ASYNC110 - the fake has no event
                        await asyncio.sleep(0.005)
            async with asyncio.timeout(3):
                responses = await asyncio.gather(*calls)
    assert {r.status_code for r in responses} == {502}


def test_core_import_does_not_need_fastapi() -> None:
    """vaix_client and its testing kit import with FastAPI hidden; the integration says why not."""
    code = (
        "import sys\n"
        "sys.modules['fastapi'] = None\n"
        "import vaix_client, vaix_client.models, vaix_client.filters, vaix_client.testing\n"
        "assert 'fastapi' not in {m for m in sys.modules if sys.modules[m] is not None}\n"
        "try:\n"
        "    import vaix_client.fastapi\n"
        "except ImportError:\n"
        "    print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# ------------------------------------------------------------------ TestClient, factories, 422


def _recent_app(lifespan: Any = None) -> FastAPI:  # noqa: ANN401 - any lifespan
    """The README's app: one route using the client, the error handlers added."""
    app = FastAPI(lifespan=lifespan if lifespan is not None else vaix_lifespan())
    add_vaix_error_handlers(app)

    @app.get("/recent/{user}")
    async def recent(user: str, vaix: VaixDep, count: int = 5) -> list[str]:
        return [str(s.game_id) for s in await vaix.game_sessions.latest(user, count=count)]

    return app


def test_test_client_with_an_override_needs_no_environment(vaix_fake: VaixFake) -> None:
    """With get_vaix_client overridden, ``with TestClient(app)`` starts without VAIX_* set."""
    from fastapi.testclient import TestClient

    app = _recent_app()  # vaix_lifespan() would read VAIX_*, which the test has none of
    app.dependency_overrides[get_vaix_client] = lambda: vaix_fake.client
    with TestClient(app) as http:
        assert not hasattr(app.state, STATE_KEY), "the lifespan opened no client of its own"
        response = http.get("/recent/1", params={"count": 2})
    assert response.status_code == 200
    assert len(response.json()) == 2
    assert len(vaix_fake.service.requests) == 1


def test_without_the_override_the_lifespan_still_needs_configuration() -> None:
    """The same app without the override fails start-up with the SDK's clear error."""
    from fastapi.testclient import TestClient

    with pytest.raises(VaixError, match="VAIX_"), TestClient(_recent_app()):
        pass  # pragma: no cover - start-up fails


async def test_a_factory_is_called_at_start_up_and_its_client_closed() -> None:
    """``vaix_lifespan(factory)`` calls the factory once per start-up and closes what it made."""
    fake = FakeVaix(seed=0)
    made: list[VaixClient] = []

    def make_client() -> VaixClient:
        client = VaixClient(
            token=fake.token,
            client_id=fake.client_id,
            base_url="http://fake.test",
            http_client=httpx.AsyncClient(transport=fake.transport()),
        )
        made.append(client)
        return client

    app = _recent_app(vaix_lifespan(make_client))
    assert made == [], "nothing is made when the app is created"
    async with app.router.lifespan_context(app), app_client(app) as http:
        assert len((await http.get("/recent/3")).json()) == 5
    assert len(made) == 1
    assert made[0].is_closed


async def test_a_ready_client_is_served_and_left_open(vaix_fake: VaixFake) -> None:
    """``vaix_lifespan(client)`` puts that client on app.state and does not close it."""
    app = _recent_app(vaix_lifespan(vaix_fake.client))
    async with app.router.lifespan_context(app), app_client(app) as http:
        assert getattr(app.state, STATE_KEY) is vaix_fake.client
        assert (await http.get("/recent/3", params={"count": 1})).status_code == 200
    assert not vaix_fake.client.is_closed
    assert not hasattr(app.state, STATE_KEY)


@pytest.mark.parametrize(
    ("lifespan", "match"),
    [
        (lambda c: vaix_lifespan(c, max_retries=1), "either a client .* or VaixClient options"),
        (
            lambda _: vaix_lifespan(lambda: "not a client"),  # type: ignore[arg-type]
            "must return a VaixClient, got str",
        ),
    ],
    ids=["client-and-options", "factory-returns-something-else"],
)
async def test_lifespan_misuse_is_a_clear_error(
    vaix_fake: VaixFake, lifespan: Callable[[VaixClient], Any], match: str
) -> None:
    """A client together with options, or a factory returning something else, fails start-up."""
    app = _recent_app(lifespan(vaix_fake.client))
    with pytest.raises(InvalidRequestError, match=match) as raised:
        async with app.router.lifespan_context(app):
            pass  # pragma: no cover - start-up fails
    assert raised.value.argument == "client"


async def test_a_refused_query_becomes_422(vaix_fake: VaixFake) -> None:
    """An InvalidRequestError from a route is answered 422 naming the argument; nothing is sent."""
    app = _recent_app()
    app.dependency_overrides[get_vaix_client] = lambda: vaix_fake.client
    async with app.router.lifespan_context(app), app_client(app) as http:
        response = await http.get("/recent/1", params={"count": 1000})
    assert response.status_code == 422
    body = response.json()
    assert body["argument"] == "count"
    assert body["detail"].startswith("count must be an int from 1 to ")
    assert vaix_fake.service.requests == []
