"""Upstream's likely spec changes reach the SDK, the CLI and the fake with ``make generate`` alone.

One module-scoped copy of the project gets four changes, made to its
``openapi.json`` only (``tests/_upstream.py``): a new optional property on
``GameSession`` (``studio_country``), a new optional enum query parameter
inserted mid-list (``language``), a new ``distinction_level`` value
(``weekly``), and a new endpoint ``GET /api/casino/games/popular`` under a new
tag with its own parameters and limits and every defect today's endpoint has
(descriptions on the parameters only, GitBook markup, a date-time
``default: "now"``, a required parameter with a default, a closed envelope and
``status`` enum, repeated enum values, the identity headers). The copy is
regenerated with its own ``scripts/generate.py``; then, in subprocesses that
import the copy: the public API against the fake (auth, retries, typed errors,
refusals before any I/O, decoding into the spec's models), the fake's answers
and 422 lists over HTTP, the CLI, and a subset of the copy's own tests chosen so
that an operation list, field list or enum written by hand anywhere would fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest
from _support import ROOT, resolve
from _upstream import (
    LANGUAGES,
    NEW_LEVEL,
    NEW_PROPERTY,
    PARAMS,
    every_change,
    without_changes,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

COPIED = [
    "openapi.json",
    "spec",
    "templates",
    "generator-config.yaml",
    "scripts",
    "pyproject.toml",
    "vaix_client",
    "tests",
    "benchmarks",
]
JUNK = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache", "_generated")

#: The copy's own tests that must pass there: each derives what it checks from the
#: generated descriptions and models, so a hard-coded list in the code they test,
#: or in themselves, fails on the changed spec.
OWN_TESTS = [
    "tests/test_resources.py",
    "tests/test_rules.py",
    "tests/test_decode.py",
    "tests/test_fake_semantics.py",
    "tests/test_cli.py",
    "tests/test_generated.py",
    "tests/test_spec_fixes.py",
    "tests/test_spec_upstream_changes.py",
    "tests/test_benchmarks_smoke.py",
    "tests/test_properties.py::test_session_keys_cover_the_model",
    "tests/test_properties.py::test_valid_sessions_parse_without_loss",
    "tests/test_properties.py::test_valid_arguments_round_trip_through_the_query",
]

PREAMBLE = textwrap.dedent(
    """
    import asyncio, datetime as dt, httpx
    from vaix_client import GameSession, VaixClient
    from vaix_client.errors import (
        AuthenticationError, InternalServerError, InvalidRequestError, UnprocessableEntityError,
    )
    from vaix_client.testing import FakeVaix, StatusFault

    AWARE = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    async def refused(call, argument, *mentions):
        try:
            await call
        except InvalidRequestError as exc:
            assert exc.argument == argument, (argument, str(exc))
            assert all(m in str(exc) for m in mentions), (mentions, str(exc))
        else:
            raise AssertionError(f"{argument}: accepted")

    def client(fake, http, **options):
        return VaixClient(token=options.pop("token", fake.token), client_id=fake.client_id,
                          base_url="http://fake", http_client=http, **options)
    """
)

CALLS = PREAMBLE + textwrap.dedent(
    """
    from vaix_client.resources import Games
    from vaix_client.models import PopularGame

    async def main() -> None:
        fake = FakeVaix(seed=0)
        fake.add_session("p", game_id="g1", game_name="Book", started=AWARE, studio_country="GR")
        async with (
            httpx.AsyncClient(transport=fake.transport()) as http,
            client(fake, http) as vaix,
        ):
            # (1)-(3): the new property, parameter and enum value on today's endpoint.
            sessions = await vaix.game_sessions.latest(
                "p", language="de", distinction_level="weekly",
                fields=["game_id", "studio_country"],
            )
            assert [(type(s), s.game_id, s.studio_country) for s in sessions] == [
                (GameSession, "g1", "GR")], sessions
            assert dict(fake.requests[-1].query) == {
                "user": "p", "language": "de", "distinction_level": "weekly",
                "fields": "game_id,studio_country"}, fake.requests[-1]
            sent = len(fake.requests)
            await refused(vaix.game_sessions.latest("p", language="fr"), "language",
                          "'en', 'de', 'el'")
            await refused(vaix.game_sessions.latest("p", distinction_level="yearly"),
                          "distinction_level", "'weekly'")
            await refused(vaix.game_sessions.latest("p", fields=["studio_county"]), "fields",
                          "studio_country")

            # (4): the new endpoint, typed, checked, sent and decoded like today's.
            assert isinstance(vaix.games, Games)
            games = await vaix.games.popular(
                "1", count=3, since=AWARE, order="recent", filters="plays:gt:1",
                fields=["game_id", "plays"],
            )
            assert [type(g) for g in games] == [PopularGame] * 3, games
            request = fake.requests[-1]
            assert request.path == "/api/casino/games/popular", request
            assert dict(request.query) == {
                "user": "1", "count": "3", "since": "2026-10-01T00:00:00+00:00", "order": "recent",
                "filters": "plays:gt:1", "fields": "game_id,plays"}, request.query
            assert request.headers["x-vaix-client-id"] == fake.client_id
            assert request.headers["authorization"] == f"Bearer {fake.token}"
            await vaix.games.popular("1")
            assert dict(fake.requests[-1].query) == {"user": "1"}, "no default is sent"
            sent = len(fake.requests)
            for bad, argument, mentions in [
                ({"count": 51}, "count", ["1", "50"]),
                ({"count": 0}, "count", ["1", "50"]),
                ({"order": "loved"}, "order", ["'plays'", "'recent'"]),
                ({"since": dt.datetime(2026, 10, 1)}, "since", ["timezone-aware"]),
                ({"fields": ["game_id", "studio"]}, "fields", ["'studio'"]),
                ({"filters": "plays:like:1"}, "filters", []),
            ]:
                await refused(vaix.games.popular("1", **bad), argument, *mentions)
            await refused(vaix.games.popular(""), "user")
            assert len(fake.requests) == sent, "a refused call sent nothing"

            # Retries and typed errors, on the new endpoint.
            fake.inject(StatusFault(503, retry_after="0"))
            detailed = await vaix.games.popular_detailed("1", count=2)
            assert (detailed.status_code, detailed.attempts, len(detailed.parsed)) == (200, 2, 2)
            fake.inject(StatusFault(500, retry_after="0"), times=3)
            try:
                await vaix.games.popular("1")
            except InternalServerError as exc:
                assert exc.attempts == 3, exc.attempts
            else:
                raise AssertionError("500s were not an InternalServerError")
            fake.inject(StatusFault(422))
            try:
                await vaix.games.popular("1")
            except UnprocessableEntityError:
                pass
            else:
                raise AssertionError("a 422 was not an UnprocessableEntityError")
        async with (
            httpx.AsyncClient(transport=fake.transport()) as http,
            client(fake, http, token="wrong") as vaix,
        ):
            try:
                await vaix.games.popular("1")
            except AuthenticationError:
                pass
            else:
                raise AssertionError("a bad token was not an AuthenticationError")
        print("OK")

    asyncio.run(main())
    """
)

FAKE = textwrap.dedent(
    """
    import asyncio, httpx
    from vaix_client.testing import FakeVaix

    async def main() -> None:
        fake = FakeVaix(seed=0)
        headers = {"authorization": f"Bearer {fake.token}", "x-vaix-client-id": fake.client_id}
        async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake",
                                     headers=headers) as http:
            async def get(path, **query):
                response = await http.get(path, params=query)
                return response.status_code, response.json()

            latest, popular = "/api/casino/game_sessions/latest", "/api/casino/games/popular"
            status, body = await get(latest, user="1", language="el", distinction_level="weekly",
                                     fields="game_id,studio_country", count="3")
            assert status == 200 and body["status"] == "success", body
            assert {tuple(sorted(s)) for s in body["data"]} == {("game_id", "studio_country")}
            status, body = await get(latest, user="1", language="fr", distinction_level="yearly")
            assert status == 422, body
            assert body["errors"]["language"] == ["must be one of en, de, el"], body
            assert "weekly" in body["errors"]["distinction_level"][0], body
            status, body = await get(popular, user="1", count="4")
            assert status == 200 and len(body["data"]) == 4, body
            assert set(body["data"][0]) <= {"game_id", "plays"}, body
            status, body = await get(popular, user="1", count="51", order="loved",
                                     fields="game_id,studio")
            assert status == 422, body
            assert body["errors"]["count"] == ["must be between 1 and 50"], body
            assert body["errors"]["order"] == ["must be one of plays, recent"], body
            assert list(body["errors"]) == ["count", "order", "fields"], body
            status, body = await get(popular, user="1", since="now")
            assert status == 400 and "since" in body["error"], body
            status, body = await get(popular)
            assert status == 400 and "user" in body["error"], body
            response = await http.get(popular, params={"user": "1"}, headers={"authorization": ""})
            assert response.status_code == 401, response.text
        print("OK")

    asyncio.run(main())
    """
)


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("VAIX_API_TOKEN", "VAIX_CLIENT_ID", "VAIX_BASE_URL", "VAIX_ENVIRONMENT"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project whose openapi.json gained the four changes, regenerated there."""
    root = tmp_path_factory.mktemp("upstream-changes")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=JUNK)
        else:
            shutil.copy2(source, root / name)
    spec = json.loads((root / "openapi.json").read_text(encoding="utf-8"))
    without_changes(spec)  # should upstream have published some of them already
    every_change(spec)
    (root / "openapi.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")
    result = _run(root, "scripts/generate.py")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_the_changes_are_generated(regenerated: Path) -> None:
    """The copy describes the new operation, parameter and enum value, and models the field."""
    result = _run(
        regenerated,
        "-c",
        "import attrs, json\n"
        "from vaix_client._generated import OPERATIONS, Resources\n"
        "from vaix_client.models import GameSession\n"
        "(latest,) = [o for o in OPERATIONS if o.method_name == 'latest']\n"
        "print(json.dumps({\n"
        "    'operations': [f'{o.resource}.{o.method_name}' for o in OPERATIONS],\n"
        "    'resources': list(Resources.__annotations__),\n"
        "    'parameters': [p.name for p in latest.arguments],\n"
        "    'language': latest.parameter('language').enum,\n"
        "    'levels': latest.parameter('distinction_level').enum,\n"
        "    'fields': [a.name for a in attrs.fields(GameSession)],\n"
        "}))\n",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert {"game_sessions.latest", "games.popular"} <= set(found["operations"])
    assert {"game_sessions", "games"} <= set(found["resources"])
    query = found["parameters"]
    assert 0 < query.index("language") < len(query) - 1, query
    assert found["language"] == list(LANGUAGES)
    spec = json.loads((regenerated / "openapi.json").read_text(encoding="utf-8"))
    (levels,) = [p for p in resolve(spec, PARAMS) if p["name"] == "distinction_level"]
    assert found["levels"] == levels["schema"]["enum"]
    assert found["levels"][-1] == NEW_LEVEL
    assert NEW_PROPERTY in found["fields"]


def test_the_public_api_uses_every_change_against_the_fake(regenerated: Path) -> None:
    """Auth, retries, typed errors, checks before I/O and decoding, for the new parts alike."""
    result = _run(regenerated, "-c", CALLS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "OK"


def test_the_fake_accepts_and_refuses_from_the_spec(regenerated: Path) -> None:
    """The fake answers the new parts and its 400/422 lists come from the changed spec."""
    result = _run(regenerated, "-c", FAKE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "OK"


def test_the_cli_has_every_change(regenerated: Path) -> None:
    """``latest`` takes --language and ``-d weekly``; ``games popular`` and ``popular`` exist."""
    latest = _run(
        regenerated, "-m", "vaix_client", "latest", "--fake", "-u", "1", "--language", "de",
        "-d", NEW_LEVEL, "--fields", f"game_id,{NEW_PROPERTY}", "-n", "2", "--json",
    )  # fmt: skip
    assert latest.returncode == 0, latest.stderr
    assert [sorted(row) for row in json.loads(latest.stdout)] == [["game_id", NEW_PROPERTY]] * 2
    help_text = _run(regenerated, "-m", "vaix_client", "game-sessions", "latest", "--help")
    assert help_text.returncode == 0, help_text.stderr
    assert "[en|de|el]" in help_text.stdout
    assert re.search(rf"\[[a-z|]+\|{NEW_LEVEL}\]", help_text.stdout), help_text.stdout
    popular = _run(
        regenerated, "-m", "vaix_client", "games", "popular", "--fake", "-u", "1",
        "--count", "2", "--order", "recent", "--since", "2026-10-01T00:00:00Z", "--json",
    )  # fmt: skip
    assert popular.returncode == 0, popular.stderr
    assert len(json.loads(popular.stdout)) == 2
    shown = _run(regenerated, "-m", "vaix_client", "popular", "--fake", "-u", "1", "-n", "2")
    assert shown.returncode == 0, shown.stderr
    assert [sorted(game) for game in json.loads(shown.stdout)] == [["game_id", "plays"]] * 2
    help_text = _run(regenerated, "-m", "vaix_client", "popular", "--help")
    assert help_text.returncode == 0, help_text.stderr
    assert "[plays|recent]" in help_text.stdout
    assert "1<=x<=50" in help_text.stdout
    assert "{%" not in help_text.stdout
    for args, option in [
        (["-n", "51"], "--count"),
        (["--since", "2026-10-01T00:00:00"], "--since"),
        (["--order", "loved"], "--order"),
    ]:
        refused = _run(regenerated, "-m", "vaix_client", "popular", "--fake", "-u", "1", *args)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        assert option in refused.stderr, refused.stderr


def test_the_copy_s_own_tests_pass(regenerated: Path) -> None:
    """The copy's derived tests pass on the changed spec and cover the new operation."""
    result = _run(
        regenerated, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "-m", "not slow",
        "-o", "addopts=", *OWN_TESTS,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    collected = _run(regenerated, "-m", "pytest", "--collect-only", "-q", "tests/test_resources.py")
    assert "games.popular" in collected.stdout
