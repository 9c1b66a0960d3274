"""A new GET endpoint under a new tag reaches the SDK, CLI and fake with `make generate` alone.

The test copies the project to a temporary folder, adds
``GET /api/casino/games/popular`` (tag ``Games``, a new ``Game`` schema, a
required ``user``, ``count`` 1..50 and a new enum parameter ``sort``) to the
copy's ``openapi.json``, regenerates there, and then, in subprocesses that
import the copy: calls ``vaix.games.popular(...)`` against the fake, refuses bad
arguments before any I/O, runs the CLI subcommand, and runs the derived
coverage tests (``tests/test_resources.py``) of the copy. The added operation
is free of the upstream defects that ``spec/`` fixes (descriptions sit on the
schemas too, no default on a required parameter, no closed response enums).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest
from _support import ROOT

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
]
JUNK = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache", "_generated")


def _parameter(name: str, description: str, schema: dict[str, object], **extra: object) -> dict:  # type: ignore[type-arg]
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {**schema, "description": description},
        **extra,
    }


POPULAR = {
    "get": {
        "tags": ["Games"],
        "summary": "Get the most popular games of a user",
        "description": "Returns the games the user played most, most played first.",
        "operationId": "get_popular_games",
        "parameters": [
            {
                "name": "x-vaix-client-id",
                "in": "header",
                "description": "The name of the group the user belongs to",
                "required": True,
                "schema": {"type": "string", "description": "The group name"},
            },
            {
                "name": "x-vaix-authentication-method",
                "in": "header",
                "description": "Authentication method: vaix or iam",
                "required": False,
                "schema": {"type": "string", "description": "vaix or iam"},
            },
            _parameter("user", "The user to rank games for.", {"type": "string"}, required=True),
            _parameter(
                "count",
                "Number of games to return.",
                {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
            ),
            _parameter(
                "sort",
                "How to rank the games.",
                {"type": "string", "enum": ["played", "recent"], "default": "played"},
            ),
        ],
        "responses": {
            "200": {
                "description": "OK",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "description": "API response",
                            "properties": {
                                "status": {"type": "string", "description": "success"},
                                "data": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Game"},
                                },
                            },
                        }
                    }
                },
            },
            "401": {
                "description": "Unauthorized",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
}
GAME = {
    "type": "object",
    "description": "A game of the catalogue.",
    "properties": {
        "game_id": {"type": "string", "description": "The game's id"},
        "game_name": {"type": "string", "description": "The game's name"},
        "game_studio": {"type": "string", "description": "The studio"},
        "plays": {"type": "integer", "description": "How often it was played"},
    },
}

CALLS = textwrap.dedent(
    """
    import asyncio, httpx
    from typing import assert_type
    from vaix_client import VaixClient
    from vaix_client.errors import InvalidRequestError
    from vaix_client.testing import FakeVaix
    from vaix_client._generated.models.game import Game

    async def main() -> None:
        fake = FakeVaix(seed=0)
        async with (
            httpx.AsyncClient(transport=fake.transport()) as http,
            VaixClient(token=fake.token, client_id=fake.client_id,
                       base_url="http://fake", http_client=http) as vaix,
        ):
            games = await vaix.games.popular("1", count=3, sort="recent")
            assert [type(g) for g in games] == [Game] * 3, games
            (request,) = fake.requests
            assert request.path == "/api/casino/games/popular", request
            assert dict(request.query) == {"user": "1", "count": "3", "sort": "recent"}
            assert request.headers["x-vaix-client-id"] == "demo"
            detailed = await vaix.games.popular_detailed("1")
            assert detailed.status_code == 200 and detailed.attempts == 1
            for bad, argument, mentions in [
                ({"count": 51}, "count", "from 1 to 50"),
                ({"count": 0}, "count", "from 1 to 50"),
                ({"sort": "loved"}, "sort", "'played', 'recent'"),
            ]:
                try:
                    await vaix.games.popular("1", **bad)
                except InvalidRequestError as exc:
                    assert exc.argument == argument and mentions in str(exc), str(exc)
                else:
                    raise AssertionError(f"{bad} was accepted")
            assert len(fake.requests) == 2, "a refused call sent nothing"
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
    """A copy of the project whose openapi.json gained the new endpoint, regenerated."""
    root = tmp_path_factory.mktemp("new-endpoint")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=JUNK)
        else:
            shutil.copy2(source, root / name)
    spec = json.loads((root / "openapi.json").read_text(encoding="utf-8"))
    spec["paths"]["/api/casino/games/popular"] = POPULAR
    spec["components"]["schemas"]["Game"] = GAME
    spec["tags"] = [*spec.get("tags", []), {"name": "Games"}]
    (root / "openapi.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")
    result = _run(root, "scripts/generate.py")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_the_new_operation_is_generated(regenerated: Path) -> None:
    """The copy's generated package describes the operation and has a typed Games resource."""
    result = _run(
        regenerated,
        "-c",
        "from vaix_client._generated import OPERATIONS, Resources;"
        "print(sorted(f'{o.resource}.{o.method_name}' for o in OPERATIONS));"
        "print(sorted(Resources.__annotations__))",
    )
    assert result.returncode == 0, result.stderr
    assert "games.popular" in result.stdout
    assert "'games'" in result.stdout


def test_the_public_api_calls_it_against_the_fake(regenerated: Path) -> None:
    """``vaix.games.popular`` decodes Game models; bad arguments are refused before any I/O."""
    result = _run(regenerated, "-c", CALLS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "OK"


def test_the_cli_has_the_subcommand(regenerated: Path) -> None:
    """``vaix-client games popular`` (and its alias ``popular``) work, with the spec's choices."""
    result = _run(
        regenerated, "-m", "vaix_client", "games", "popular", "--fake", "-u", "1",
        "--count", "2", "--sort", "recent", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2
    help_text = _run(regenerated, "-m", "vaix_client", "popular", "--help")
    assert help_text.returncode == 0, help_text.stderr
    assert "[played|recent]" in help_text.stdout
    assert "1<=x<=50" in help_text.stdout
    refused = _run(regenerated, "-m", "vaix_client", "popular", "--fake", "-u", "1", "-n", "51")
    assert refused.returncode == 2
    assert "--count" in refused.stderr


def test_the_derived_coverage_tests_pass_in_the_copy(regenerated: Path) -> None:
    """The copy's derived tests/test_resources.py covers the new operation, and passes."""
    result = _run(regenerated, "-m", "pytest", "-q", "tests/test_resources.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (
        "games.popular"
        in _run(
            regenerated, "-m", "pytest", "--collect-only", "-q", "tests/test_resources.py"
        ).stdout
    )
