"""Upstream's likely changes, made to a copy of ``openapi.json``, meet the fixes and the generator.

Fast tests patch the changed spec in memory; the slow ones run
``scripts/generate.py`` in a temporary copy of the repository (a git repository
of its own, so the change summary has a ``HEAD`` to compare with).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _support import (
    GENERATED,
    OPERATION,
    ROOT,
    SpecFixError,
    fixes_document,
    generate_script,
    patch_spec,
    resolve,
    upstream_spec,
)
from _upstream import (
    LANGUAGE,
    PARAMS,
    POPULAR,
    add_popular_games,
    insert_language,
    without_changes,
)


def popular(spec: dict[str, Any]) -> dict[str, Any]:
    """The new operation in ``spec``."""
    operation: dict[str, Any] = spec["paths"][POPULAR]["get"]
    return operation


def by_name(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The operation's parameters by name."""
    return {p["name"]: p for p in operation["parameters"]}


def base_spec() -> dict[str, Any]:
    """The vendored spec without the changes simulated here (should upstream have made them)."""
    spec = upstream_spec()
    without_changes(spec)
    return spec


@functools.cache
def _patched_base() -> dict[str, Any]:
    return patch_spec(base_spec(), fixes_document())


def patched_base() -> dict[str, Any]:
    """``base_spec()`` as the generator would see it (a fresh copy)."""
    return copy.deepcopy(_patched_base())


# ------------------------------------------------------------ in memory


def test_a_parameter_inserted_mid_list_leaves_every_fix_in_place() -> None:
    """A new optional parameter mid-list: the fixes still apply, and the new one gets the rules."""
    changed = base_spec()
    insert_language(changed)
    patched = patch_spec(changed, fixes_document())
    params = resolve(patched, PARAMS)
    language = next(p for p in params if p["name"] == "language")
    assert language["schema"] == {"type": "string", "description": LANGUAGE["description"]}
    assert [p for p in params if p["name"] != "language"] == resolve(patched_base(), PARAMS)
    assert {k: v for k, v in patched.items() if k != "paths"} == {
        k: v for k, v in patched_base().items() if k != "paths"
    }


def test_reordered_parameters_are_fixed_the_same() -> None:
    """Upstream reversing the parameter list changes nothing but the order in the patched spec."""
    changed = base_spec()
    resolve(changed, PARAMS).reverse()
    patched = patch_spec(changed, fixes_document())
    assert list(reversed(resolve(patched, PARAMS))) == resolve(patched_base(), PARAMS)


def test_a_new_fields_name_needs_no_fix_change() -> None:
    """A name added to the fields enum flows into GameSessionField and the pattern."""
    changed = base_spec()
    next(p for p in resolve(changed, PARAMS) if p["name"] == "fields")["schema"]["enum"].append(
        "game_type"
    )
    patched = patch_spec(changed, fixes_document())
    assert patched["components"]["schemas"]["GameSessionField"]["enum"][-1] == "game_type"
    fields = next(p for p in resolve(patched, PARAMS) if p["name"] == "fields")
    assert re.fullmatch(fields["schema"]["pattern"], "game_id,game_type,started")
    assert not re.fullmatch(fields["schema"]["pattern"], "game_id,game_typo")


def test_the_rules_fix_a_new_endpoint_with_the_same_defects() -> None:
    """A new GET endpoint gets every spec-wide fix with no change to spec/fixes.json."""
    changed = base_spec()
    add_popular_games(changed)
    patched = patch_spec(changed, fixes_document())
    operation = popular(patched)
    params = by_name(operation)
    assert "{%" not in json.dumps(operation)
    assert operation["description"] == "The most played games.\n\nCached for a minute.\n"
    assert params["since"]["description"] == "Plays since this timestamp."
    for param in operation["parameters"]:
        assert param["schema"]["description"] == param["description"], param["name"]
    assert "default" not in params["user"]["schema"]
    assert params["user"]["schema"]["minLength"] == 1
    assert params["since"]["schema"] == {
        "type": "string", "format": "date-time", "description": params["since"]["description"],
    }  # fmt: skip
    assert params["count"]["schema"]["default"] == 10  # an optional parameter keeps its default
    assert params["order"]["schema"]["enum"] == ["plays", "recent"]
    assert "enum" not in params["filters"]["schema"]
    assert "enum" not in params["fields"]["schema"]
    schemas = patched["components"]["schemas"]
    assert schemas["PopularGameField"]["enum"] == ["game_id", "plays"]
    assert params["fields"]["schema"]["pattern"] == generate_script.comma_separated_pattern(
        ["game_id", "plays"]
    )
    envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert "additionalProperties" not in envelope
    assert "additionalProperties" not in schemas["PopularGame"]
    status = envelope["properties"]["status"]
    assert "enum" not in status
    assert status["description"] == "The status of the request: `success` or `error`."
    # The operation of today is fixed exactly as before.
    assert {k: v for k, v in patched["paths"].items() if k != POPULAR} == patched_base()["paths"]


def test_a_taken_field_schema_name_falls_back_to_the_operation() -> None:
    """If <item>Field exists with other names, the new names go to <operation>Fields instead."""
    changed = base_spec()
    add_popular_games(changed)
    changed["components"]["schemas"]["PopularGameField"] = {"type": "string", "enum": ["x"]}
    patched = patch_spec(changed, fixes_document())
    assert patched["components"]["schemas"]["GetPopularGamesFields"]["enum"] == ["game_id", "plays"]
    assert patched["components"]["schemas"]["PopularGameField"] == {"type": "string", "enum": ["x"]}


def test_the_summary_lists_what_was_added_and_removed() -> None:
    """Operations, parameters, fields and enum values added (+) and removed (-), one per line."""
    before = patched_base()
    changed = base_spec()
    insert_language(changed)
    schemas = changed["components"]["schemas"]
    schemas["GameSession"]["properties"]["studio_id"] = {"type": "string", "nullable": True}
    del schemas["GameImage"]["properties"]["type"]
    params = resolve(changed, PARAMS)
    next(p for p in params if p["name"] == "distinction_level")["schema"]["enum"].append("weekly")
    next(p for p in params if p["name"] == "fields")["schema"]["enum"].remove("tags")
    params[:] = [p for p in params if p["name"] != "sub_bookmaker_id"]
    assert generate_script.summarise(before, patch_spec(changed, fixes_document())) == [
        "+ parameter get_latest_game_sessions: language (in query)",
        "- parameter get_latest_game_sessions: sub_bookmaker_id (in query)",
        "+ field GameSession.studio_id",
        "- field GameImage.type",
        "+ enum value get_latest_game_sessions: distinction_level: weekly",
        "- enum value GameSessionField: tags",
    ]


def test_the_summary_lists_a_new_operation_with_its_parameters_and_fields() -> None:
    """A new endpoint shows as an operation, its parameters, its model's fields and enum values."""
    changed = base_spec()
    add_popular_games(changed)
    lines = generate_script.summarise(patched_base(), patch_spec(changed, fixes_document()))
    assert "+ operation GET /api/casino/games/popular (get_popular_games)" in lines
    assert "+ parameter get_popular_games: since (in query)" in lines
    assert "+ field PopularGame.plays" in lines
    assert "+ enum value PopularGameField: plays" in lines
    assert all(line.startswith("+ ") for line in lines)
    removed = generate_script.summarise(patch_spec(changed, fixes_document()), patched_base())
    assert sorted(removed) == sorted("- " + line[2:] for line in lines)
    assert generate_script.summarise(patched_base(), patched_base()) == []


def test_a_new_endpoint_can_still_trip_a_guard() -> None:
    """The rules acting on a new endpoint do not hide a guard that fails on the old one."""
    changed = base_spec()
    add_popular_games(changed)
    next(p for p in resolve(changed, PARAMS) if p["name"] == "before_date")["schema"]["default"] = (
        "today"
    )
    with pytest.raises(SpecFixError, match="drop-invalid-date-time-defaults"):
        patch_spec(changed, fixes_document())


# ------------------------------------------------------------ the generator, in a temporary repo

INPUTS = ["openapi.json", "spec", "generator-config.yaml", "scripts", "templates"]
GENERATED_IN_COPY = Path("vaix_client", "_generated")
JUNK = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes (caches excepted)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def git(root: Path, *args: str) -> None:
    """Run git in ``root`` (a throwaway repository), quietly, as a fixed author."""
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@127.0.0.1", *args],  # noqa: S607
        cwd=root, check=True, capture_output=True, timeout=30,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the generation inputs and the committed generated tree."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=JUNK)
        elif source.is_file():
            shutil.copy2(source, root / name)
    shutil.copytree(GENERATED, root / GENERATED_IN_COPY, ignore=JUNK)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def run_script(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the copy's ``scripts/generate.py`` with this interpreter (the venv's)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "generate.py"), *args],
        cwd=root, env=env, capture_output=True, text=True, check=False, timeout=50,
    )  # fmt: skip


def change_spec(root: Path, change: Any) -> object:  # noqa: ANN401 (a mutation of the spec)
    """Apply ``change`` to the copy's openapi.json, as upstream would; return what it returns."""
    path = root / "openapi.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    returned = change(spec)
    path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    return returned


def importable(root: Path) -> subprocess.CompletedProcess[str]:
    """Import the copy's generated package and its operation module in a fresh interpreter."""
    code = (
        "import sys; sys.path.insert(0, 'vaix_client');"
        "import _generated.models, _generated.api.game_sessions.get_latest_game_sessions"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False,
        timeout=30, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip


@pytest.mark.slow
def test_a_moved_ground_fails_naming_the_fix_and_leaves_the_tree(repo: Path) -> None:
    """Upstream changes default 'now': generate fails naming fix, why, target, found."""
    before = tree(repo / GENERATED_IN_COPY)

    def today(spec: dict[str, Any]) -> None:
        next(p for p in resolve(spec, PARAMS) if p["name"] == "before_date")["schema"][
            "default"
        ] = "today"

    change_spec(repo, today)
    result = run_script(repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fix `drop-invalid-date-time-defaults`" in result.stderr
    why = next(
        r for r in fixes_document()["rules"] if r["rule"] == "drop-invalid-date-time-defaults"
    )
    assert f"why:      {why['why']}" in result.stderr
    target = f"{PARAMS}/[name=before_date]/schema/default"
    assert f"target:   {target}" in result.stderr
    assert 'expected: "now"' in result.stderr
    assert 'found:    "today"' in result.stderr
    assert "is as it was" in result.stderr
    assert tree(repo / GENERATED_IN_COPY) == before
    assert importable(repo).returncode == 0


@pytest.mark.slow
def test_a_generator_failure_leaves_the_tree(repo: Path) -> None:
    """The generator refusing the patched spec (a dangling $ref): nothing written, no litter."""
    before = tree(repo / GENERATED_IN_COPY)

    def dangling(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["GameSession"]["properties"]["studio"] = {
            "$ref": "#/components/schemas/Studio"
        }

    change_spec(repo, dangling)
    result = run_script(repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "openapi-python-client failed" in result.stderr
    assert tree(repo / GENERATED_IN_COPY) == before
    assert sorted(p.name for p in (repo / "vaix_client").iterdir()) == ["_generated"]
    assert importable(repo).returncode == 0


@pytest.mark.slow
def test_generate_accepts_a_new_endpoint_and_shows_what_changed(repo: Path) -> None:
    """New endpoint and parameter: generate (--fail-on-warning) passes, summarises, lists files."""

    def both(spec: dict[str, Any]) -> None:
        add_popular_games(spec)
        insert_language(spec)

    if change_spec(repo, without_changes):  # upstream made them already: start without
        assert run_script(repo).returncode == 0
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "without the changes")
    change_spec(repo, both)
    result = run_script(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "API changes since HEAD" in out
    assert "  + operation GET /api/casino/games/popular (get_popular_games)" in out
    assert "  + parameter get_latest_game_sessions: language (in query)" in out
    assert "  + field PopularGame.plays" in out
    assert "New generated files (untracked: `git add` them with the rest):" in out
    assert "  + vaix_client/_generated/api/games/get_popular_games.py" in out
    assert "  + vaix_client/_generated/models/popular_game.py" in out
    assert (repo / GENERATED_IN_COPY / "api" / "games" / "get_popular_games.py").is_file()
    assert importable(repo).returncode == 0
    check = run_script(repo, "--check")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_generate_on_an_unchanged_spec_reports_no_change(repo: Path) -> None:
    """With openapi.json as committed, the summary says nothing changed and lists no new file."""
    before = tree(repo / GENERATED_IN_COPY)
    result = run_script(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "none: no operation, parameter, field or enum value added or removed" in result.stdout
    assert "New generated files" not in result.stdout
    assert tree(repo / GENERATED_IN_COPY) == before


@pytest.mark.slow
def test_a_spec_fix_overrides_a_method_name(repo: Path) -> None:
    """A guarded fix that replaces an operationId renames the method (DESIGN: naming rule)."""
    fixes = json.loads((repo / "spec" / "fixes.json").read_text(encoding="utf-8"))
    operation_id = f"{OPERATION}/operationId"
    fixes["fixes"].append(
        {
            "name": "method-name-recent",
            "why": "We call the operation `recent`.",
            "patch": [
                {"op": "test", "path": operation_id, "value": "get_latest_game_sessions"},
                {"op": "replace", "path": operation_id, "value": "get_recent_game_sessions"},
            ],
        }
    )
    (repo / "spec" / "fixes.json").write_text(json.dumps(fixes, indent=2), encoding="utf-8")
    result = run_script(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    code = (
        "import sys; sys.path.insert(0, 'vaix_client');"
        "from _generated import OPERATIONS; from _generated.api.game_sessions import GameSessions;"
        "print(*[o.method_name for o in OPERATIONS if o.resource == 'game_sessions'],"
        " hasattr(GameSessions, 'recent_detailed'))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=False,
        timeout=30, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert shown.stdout.split() == ["recent", "True"], shown.stdout + shown.stderr
