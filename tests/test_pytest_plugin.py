"""The ``vaix_fake`` pytest fixture, used the way an SDK user writes their own tests.

Nothing here imports the plugin: the fixtures come from the ``vaix_client``
pytest11 entry point, as they do in a user's project.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from vaix_client import GameSession, VaixClient
from vaix_client.errors import (
    APIConnectionError,
    AuthenticationError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    VaixError,
)
from vaix_client.filters import eq
from vaix_client.testing import (
    DropConnectionFault,
    FakeVaix,
    Fault,
    MalformedBodyFault,
    StatusFault,
)

if TYPE_CHECKING:
    from vaix_client.testing import VaixFake

pytest_plugins = ["pytester"]

NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)


async def test_sessions_added_by_the_test_come_back_newest_first(vaix_fake: VaixFake) -> None:
    """Sessions a test adds for a user are what ``latest`` returns, newest first."""
    vaix_fake.service.add_session("player-42", game_id="g1", game_name="Book", started=NOON)
    vaix_fake.service.add_session(
        "player-42", game_id="g2", game_name="Reels", started=NOON + timedelta(hours=1)
    )
    sessions = await vaix_fake.client.game_sessions.latest("player-42")
    assert [(s.game_id, s.game_name) for s in sessions] == [("g2", "Reels"), ("g1", "Book")]
    assert sessions[0].started == NOON + timedelta(hours=1)


async def test_the_query_is_applied_to_the_test_data(vaix_fake: VaixFake) -> None:
    """Filters, fields and minimum_duration are applied by the fake to the sessions a test adds."""
    vaix_fake.service.add_sessions(
        "player-42",
        [
            {"game_id": "short", "game_name": "A", "started": NOON, "game_studio": "NetEnt",
             "total_duration_in_seconds": 30},
            {"game_id": "long", "game_name": "B", "started": NOON, "game_studio": "NetEnt",
             "total_duration_in_seconds": 900},
            {"game_id": "other", "game_name": "C", "started": NOON, "game_studio": "Relax",
             "total_duration_in_seconds": 900},
        ],
    )  # fmt: skip
    sessions = await vaix_fake.client.game_sessions.latest(
        "player-42", filters=eq("game_studio", "NetEnt"), minimum_duration=60, fields=["game_id"]
    )
    assert [s.game_id for s in sessions] == ["long"]
    assert vaix_fake.service.requests[-1].query["fields"] == "game_id"


async def test_the_demo_catalogue_is_there(vaix_fake: VaixFake) -> None:
    """By default the fake serves the demo catalogue: users "1" to "50" have sessions."""
    for user in ("1", "50"):
        assert len(await vaix_fake.client.game_sessions.latest(user, count=5)) == 5
    assert await vaix_fake.client.game_sessions.latest("51") == []


async def test_the_client_sends_the_fakes_credentials(vaix_fake: VaixFake) -> None:
    """The client is configured with the fake's token and client id, which the fake records."""
    await vaix_fake.client.game_sessions.latest("1")
    (request,) = vaix_fake.service.requests
    assert request.headers["authorization"] == f"Bearer {vaix_fake.service.token}"
    assert request.headers["x-vaix-client-id"] == vaix_fake.service.client_id


async def test_each_test_gets_a_fresh_fake(vaix_fake: VaixFake) -> None:
    """No state leaks between tests: no requests recorded, no faults pending, an open client."""
    assert vaix_fake.service.requests == []
    assert vaix_fake.service.pending_faults == ()
    assert not vaix_fake.client.is_closed


@pytest.mark.parametrize(
    ("fault", "times", "attempts"),
    [
        (StatusFault(503), 1, 2),
        (StatusFault(500), 2, 3),
        (StatusFault(429, retry_after="1"), 1, 2),
        (DropConnectionFault(), 1, 2),
        (MalformedBodyFault(), 1, None),
    ],
    ids=["503-once", "500-twice", "429-retry-after", "dropped-connection", "malformed-body"],
)
async def test_transient_faults_are_retried(
    vaix_fake: VaixFake, fault: Fault, times: int, attempts: int | None
) -> None:
    """A transient fault is retried until the call succeeds, within the default two retries."""
    vaix_fake.service.inject(fault, times=times)
    if attempts is None:  # a 200 with a broken body is not retried: it is the server's answer
        with pytest.raises(VaixError, match="does not match the spec"):
            await vaix_fake.client.game_sessions.latest("1")
        return
    response = await vaix_fake.client.game_sessions.latest_detailed("1", count=3)
    assert response.attempts == attempts
    assert len(response.parsed) == 3
    assert len(vaix_fake.service.requests) == attempts


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (StatusFault(401), AuthenticationError),
        (StatusFault(403), PermissionDeniedError),
        (StatusFault(429), RateLimitError),
        (StatusFault(503), InternalServerError),
        (DropConnectionFault(), APIConnectionError),
    ],
    ids=["401", "403", "429", "503", "dropped-connection"],
)
async def test_failures_surface_as_typed_errors(
    vaix_fake: VaixFake, fault: Fault, error: type[VaixError]
) -> None:
    """A fault that persists surfaces as the SDK's error for it; 401/403 are never retried."""
    vaix_fake.service.inject(fault, times=10)
    with pytest.raises(error):
        await vaix_fake.client.game_sessions.latest("1")
    retried = not isinstance(fault, StatusFault) or fault.status not in {401, 403}
    assert len(vaix_fake.service.requests) == (3 if retried else 1)


async def test_status_errors_carry_the_request_id(vaix_fake: VaixFake) -> None:
    """A fault's ``x-request-id`` header reaches the error, for the test to assert on."""
    vaix_fake.service.inject(StatusFault(401, headers={"x-request-id": "req-123"}))
    with pytest.raises(AuthenticationError) as raised:
        await vaix_fake.client.game_sessions.latest("1")
    assert raised.value.request_id == "req-123"
    assert raised.value.status_code == 401


async def test_with_options_shares_the_fake(vaix_fake: VaixFake) -> None:
    """``client.with_options(max_retries=0)`` talks to the same fake and does not retry."""
    vaix_fake.service.inject(StatusFault(503))
    with pytest.raises(InternalServerError):
        await vaix_fake.client.with_options(max_retries=0).game_sessions.latest("1")
    assert len(await vaix_fake.client.game_sessions.latest("1", count=2)) == 2
    assert len(vaix_fake.service.requests) == 2


async def test_a_service_under_test_can_take_the_client(vaix_fake: VaixFake) -> None:
    """The fixture's client can be handed to the code under test like a production one."""

    async def favourite_game(vaix: VaixClient, user: str) -> str | None:
        sessions = await vaix.game_sessions.latest(user, distinction_level="none", count=100)
        names = [str(s.game_name) for s in sessions]
        return max(set(names), key=names.count) if names else None

    for hour in range(3):
        vaix_fake.service.add_session(
            "player-9", game_id="fav", game_name="Favourite", started=NOON + timedelta(hours=hour)
        )
    vaix_fake.service.add_session("player-9", game_id="x", game_name="Other", started=NOON)
    assert await favourite_game(vaix_fake.client, "player-9") == "Favourite"
    assert await favourite_game(vaix_fake.client, "nobody") is None


class TestSeededService:
    """Overriding ``vaix_fake_service`` (here for one class) changes the fake ``vaix_fake`` uses."""

    @pytest.fixture
    def vaix_fake_service(self) -> FakeVaix:
        """The demo catalogue with another seed."""
        return FakeVaix(seed=5)

    async def test_vaix_fake_uses_the_override(
        self, vaix_fake: VaixFake, vaix_fake_service: FakeVaix
    ) -> None:
        """``vaix_fake.service`` is the overriding fake: seed 5's data, not the default seed 0's."""
        assert vaix_fake.service is vaix_fake_service
        seeded = await vaix_fake.client.game_sessions.latest("1", count=20)
        assert seeded == await _latest(FakeVaix(seed=5), "1")
        assert seeded != await _latest(FakeVaix(seed=0), "1")


async def _latest(fake: FakeVaix, user: str) -> list[GameSession]:
    """``user``'s 20 latest sessions on ``fake``, through a client of our own."""
    async with (
        httpx.AsyncClient(transport=fake.transport()) as http,
        VaixClient(
            token=fake.token, client_id=fake.client_id, base_url="http://fake", http_client=http
        ) as vaix,
    ):
        return await vaix.game_sessions.latest(user, count=20)


class TestEmptyServiceWithOtherCredentials:
    """An empty fake with the credentials of the service under test (no demo catalogue)."""

    @pytest.fixture
    def vaix_fake_service(self) -> FakeVaix:
        """An empty fake that accepts only the given token and client id."""
        return FakeVaix(token="sk-test", client_id="acme")

    async def test_the_client_follows_the_override(self, vaix_fake: VaixFake) -> None:
        """The client uses the overriding fake's credentials, and demo users have no sessions."""
        assert await vaix_fake.client.game_sessions.latest("1") == []
        request = vaix_fake.service.requests[-1]
        assert request.headers["authorization"] == "Bearer sk-test"
        assert request.headers["x-vaix-client-id"] == "acme"


# ------------------------------------------------------------------ a user's fresh pytest session

PYTEST_INI = """
    [pytest]
    asyncio_mode = auto
    asyncio_default_fixture_loop_scope = function
"""

USER_TEST = """
    from datetime import datetime, timezone

    async def test_recently_played(vaix_fake):
        started = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
        vaix_fake.service.add_session("player-42", game_id="g1", game_name="Book", started=started)
        sessions = await vaix_fake.client.game_sessions.latest("player-42")
        assert [s.game_id for s in sessions] == ["g1"]
"""


def test_entry_point_registers_the_fixture(pytester: pytest.Pytester) -> None:
    """In a fresh pytest session, a test file with no import and no conftest gets ``vaix_fake``."""
    pytester.makeini(PYTEST_INI)
    pytester.makepyfile(test_user=textwrap.dedent(USER_TEST))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixture_comes_from_the_entry_point(pytester: pytest.Pytester) -> None:
    """With the ``vaix_client`` plugin disabled by name, the same test cannot find ``vaix_fake``."""
    pytester.makeini(PYTEST_INI)
    pytester.makepyfile(test_user=textwrap.dedent(USER_TEST))
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:vaix_client")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'vaix_fake' not found*"])


def test_a_conftest_override_configures_the_fake(pytester: pytest.Pytester) -> None:
    """A user's conftest.py overriding ``vaix_fake_service`` configures every ``vaix_fake``."""
    pytester.makeini(PYTEST_INI)
    pytester.makeconftest(
        textwrap.dedent(
            """
            import pytest
            from vaix_client.testing import FakeVaix

            @pytest.fixture
            def vaix_fake_service():
                return FakeVaix(token="sk-test", client_id="acme")
            """
        )
    )
    pytester.makepyfile(
        test_user=textwrap.dedent(
            """
            async def test_empty_fake_with_our_credentials(vaix_fake):
                assert vaix_fake.service.client_id == "acme"
                assert await vaix_fake.client.game_sessions.latest("1") == []
            """
        )
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


MARKED_TEST = """
    import pytest
    from datetime import datetime, timezone

    @pytest.mark.{marker}
    async def test_recently_played(vaix_fake):
        started = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
        vaix_fake.service.add_session("player-42", game_id="g1", game_name="Book", started=started)
        sessions = await vaix_fake.client.game_sessions.latest("player-42")
        assert [s.game_id for s in sessions] == ["g1"]
"""


@pytest.mark.parametrize(
    ("marker", "ini", "plugin_args"),
    [
        pytest.param(
            "asyncio",
            "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n",
            ("-p", "no:anyio"),
            id="pytest-asyncio",
        ),
        pytest.param("anyio", "[pytest]\n", ("-p", "no:asyncio"), id="anyio"),
    ],
)
def test_the_fixture_works_under_each_async_runner(
    pytester: pytest.Pytester, marker: str, ini: str, plugin_args: tuple[str, ...]
) -> None:
    """With only one async plugin active, a test marked for it gets a working ``vaix_fake``."""
    pytester.makeini(ini)
    pytester.makepyfile(test_user=textwrap.dedent(MARKED_TEST.format(marker=marker)))
    result = pytester.runpytest("-p", "no:cacheprovider", *plugin_args)
    result.assert_outcomes(passed=1)


def test_without_the_extra_the_fixture_names_the_pip_line(pytester: pytest.Pytester) -> None:
    """Asking for ``vaix_fake`` with starlette missing fails that test with the install line."""
    pytester.makeini(PYTEST_INI)
    pytester.makeconftest(
        textwrap.dedent(
            """
            import sys
            import pytest

            @pytest.fixture(autouse=True)
            def _no_testing_extra(monkeypatch):
                monkeypatch.setitem(sys.modules, "starlette", None)
                for name in [m for m in sys.modules if m.startswith("vaix_client.testing")]:
                    monkeypatch.delitem(sys.modules, name)
            """
        )
    )
    pytester.makepyfile(test_user="def test_f(vaix_fake):\n    pass\n\ndef test_g():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    hint = (
        "The vaix_fake fixtures need vaix-client's testing extra (starlette is not installed): "
        "pip install 'vaix-client[testing]'"
    )
    result.stdout.fnmatch_lines([hint])
    result.stdout.no_fnmatch_line("*Traceback*")
