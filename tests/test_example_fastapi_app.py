"""The example FastAPI service, tested the way its authors would: against the fake Vaix."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from loopback import pool_size

from examples.fastapi_app import app
from vaix_client import VaixClient
from vaix_client.fastapi import STATE_KEY, get_vaix_client
from vaix_client.testing import DropConnectionFault, FakeVaix, StatusFault, serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vaix_client.testing import VaixFake

PLAYER = {"x-player-id": "7"}


def app_client() -> httpx.AsyncClient:
    """An httpx client calling the example app in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.test")


@pytest.fixture
def with_fake(vaix_fake: VaixFake) -> Any:  # noqa: ANN401 - yields the override's fake
    """The five lines a user adds: point the app's client dependency at the fake."""
    app.dependency_overrides[get_vaix_client] = lambda: vaix_fake.client
    yield vaix_fake
    app.dependency_overrides.clear()


async def test_recently_played_lists_one_entry_per_game(with_fake: VaixFake) -> None:
    """The route returns the player's latest session per game, newest first."""
    async with app_client() as http:
        response = await http.get("/me/recently-played", headers=PLAYER, params={"count": 4})
    assert response.status_code == 200
    games = response.json()
    assert len(games) == 4
    assert len({g["game_id"] for g in games}) == 4
    played = [g["started"] for g in games]
    assert played == sorted(played, reverse=True)
    assert set(games[0]) == {"game_id", "game_name", "game_studio", "started"}
    [request] = with_fake.service.requests
    assert request.query["fields"] == "game_id,game_name,game_studio,started"
    assert request.query["distinction_level"] == "unique"


async def test_unknown_player_gets_an_empty_list(with_fake: VaixFake) -> None:
    """A player with no sessions gets [], not an error."""
    async with app_client() as http:
        response = await http.get("/me/recently-played", headers={"x-player-id": "nobody"})
    assert response.json() == []


@pytest.mark.parametrize(
    ("headers", "params", "status"),
    [({}, {}, 422), ({"x-player-id": " "}, {}, 401), (PLAYER, {"count": 50}, 422)],
)
async def test_bad_requests_are_refused_by_the_app(
    with_fake: VaixFake, headers: dict[str, str], params: dict[str, int], status: int
) -> None:
    """Missing sign-in or a count out of range never reaches Vaix."""
    async with app_client() as http:
        response = await http.get("/me/recently-played", headers=headers, params=params)
    assert response.status_code == status
    assert with_fake.service.requests == []


async def test_upstream_outage_is_answered_with_503(with_fake: VaixFake) -> None:
    """A Vaix outage (503 on every attempt) is answered 503 with a safe message."""
    with_fake.service.inject(StatusFault(503, retry_after="0"), times=10)
    async with app_client() as http:
        response = await http.get("/me/recently-played", headers=PLAYER)
    assert response.status_code == 503
    assert response.json() == {"detail": "The game sessions service is busy; try again shortly."}


async def test_a_blip_is_absorbed_by_retries(with_fake: VaixFake) -> None:
    """One dropped connection upstream is retried; the player sees a normal answer."""
    with_fake.service.inject(DropConnectionFault())
    async with app_client() as http:
        response = await http.get("/me/recently-played", headers=PLAYER)
    assert response.status_code == 200


@pytest.fixture
async def running_app(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeVaix]:
    """The example app started for real (lifespan, VAIX_* from env) against a loopback fake."""
    fake = FakeVaix(seed=0)
    monkeypatch.setenv("VAIX_API_TOKEN", fake.token)
    monkeypatch.setenv("VAIX_CLIENT_ID", fake.client_id)
    async with serve(fake) as url:
        monkeypatch.setenv("VAIX_BASE_URL", url)
        async with app.router.lifespan_context(app):
            yield fake


async def test_concurrent_requests_share_one_upstream_pool(
    running_app: FakeVaix, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 concurrent requests to the app use the one client (and pool) made at start-up."""
    created: list[httpx.AsyncClient] = []
    original_init = httpx.AsyncClient.__init__

    def counting_init(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        created.append(self)
        original_init(self, *args, **kwargs)

    vaix = getattr(app.state, STATE_KEY)
    assert isinstance(vaix, VaixClient)
    async with app_client() as http:
        monkeypatch.setattr(httpx.AsyncClient, "__init__", counting_init)
        responses = await asyncio.gather(
            *(
                http.get("/me/recently-played", headers={"x-player-id": str(i % 50 + 1)})
                for i in range(100)
            )
        )
    assert {r.status_code for r in responses} == {200}
    assert created == []  # no client, no pool made per request
    assert len(running_app.requests) == 100
    assert 0 < pool_size(vaix) <= 100
