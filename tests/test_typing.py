"""The public API's types, checked by running mypy --strict as a user's CI would."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPING_FILE = ROOT / "tests" / "typing" / "test_public_api_types.py"

pytestmark = pytest.mark.slow


def run_mypy(cache: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    """Run this interpreter's mypy --strict on ``paths`` with the repository's configuration.

    The cache is private to the test: mypy replays a fresh module's errors from its cache
    with the path they were first reported under, and other runs may share the default one.
    """
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
    return subprocess.run(
        [*command, "--cache-dir", str(cache), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_public_api_usage_type_checks(tmp_path: Path) -> None:
    """Code using the public API the documented way passes mypy --strict, assert_type included."""
    result = run_mypy(tmp_path / "mypy-cache", TYPING_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


PREAMBLE = """\
import datetime as dt
from typing import assert_type

from vaix_client import GameSession, VaixClient
from vaix_client.filters import eq


async def main(vaix: VaixClient) -> None:
"""

#: Deliberate type errors a user could make, and the mypy error code each must produce.
MISTAKES: list[tuple[str, str, str]] = [
    ("count-as-str", 'await vaix.game_sessions.latest("1", count="5")', "arg-type"),
    ("user-as-int", "await vaix.game_sessions.latest(123)", "arg-type"),
    ("unknown-argument", 'await vaix.game_sessions.latest("1", limit=5)', "call-arg"),
    ("date-as-str", 'await vaix.game_sessions.latest("1", before_date="2026-01-01")', "arg-type"),
    (
        "wrong-result-type",
        'names: list[str] = await vaix.game_sessions.latest("1")',
        "assignment",
    ),
    ("missing-await", 'sessions: list[GameSession] = vaix.game_sessions.latest("1")', "assignment"),
    (
        "bad-auth-method",
        'VaixClient(token="t", client_id="acme", auth_method="bearer")',
        "arg-type",
    ),
    ("bad-environment", 'VaixClient(token="t", client_id="acme", environment="dev")', "arg-type"),
    ("filter-of-a-date", 'eq("started", dt.datetime.now(dt.UTC))', "arg-type"),
    (
        "wrong-assert-type",
        'assert_type(await vaix.game_sessions.latest("1"), list[dict[str, object]])',
        "assert-type",
    ),
]


def test_type_errors_in_user_code_fail_mypy(tmp_path: Path) -> None:
    """Each deliberate misuse of the API fails mypy with its error code: the check can fail."""
    files = {}
    for name, statement, _ in MISTAKES:
        path = tmp_path / f"mistake_{name.replace('-', '_')}.py"
        path.write_text(PREAMBLE + textwrap.indent(statement, "    ") + "\n", encoding="utf-8")
        files[name] = path
    result = run_mypy(tmp_path / "mypy-cache", *files.values())
    assert result.returncode == 1, result.stdout + result.stderr
    line = PREAMBLE.count("\n") + 1
    for name, _, code in MISTAKES:
        pattern = rf"^{re.escape(str(files[name]))}:{line}: error: .*\[{re.escape(code)}\]$"
        assert re.search(pattern, result.stdout, re.MULTILINE), f"{name}:\n{result.stdout}"
