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


def run_pyright(*paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the pinned pyright on ``paths`` with this venv's packages.

    Strict by the configuration found from ``cwd``: pyproject's, or a test's own.
    """
    pyright = Path(sys.executable).parent / "pyright"
    return subprocess.run(
        [str(pyright), "--pythonpath", sys.executable, *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_reading_every_field_type_checks_under_pyright_strict() -> None:
    """The typing files (every field read after ``is not UNSET``) pass pyright strict."""
    result = run_pyright(ROOT / "tests" / "typing")
    assert result.returncode == 0, result.stdout + result.stderr


NARROWING_PREAMBLE = """\
from vaix_client import UNSET, GameSession


def read(session: GameSession) -> object:
"""

#: Reads of optional fields without the ``is not UNSET`` check: each must fail both checkers.
UNNARROWED: list[tuple[str, str]] = [
    ("started", "return session.started.isoformat()"),
    ("duration", "return session.total_duration_in_seconds / 60"),
    ("game-id", "return session.game_id.upper()"),
    ("images", "return [image.url for image in session.images]"),
    ("nullable", "return session.category.upper() if session.category is not UNSET else ''"),
]


def _unnarrowed_files(folder: Path) -> dict[str, Path]:
    files = {}
    for name, statement in UNNARROWED:
        path = folder / f"unnarrowed_{name.replace('-', '_')}.py"
        path.write_text(NARROWING_PREAMBLE + "    " + statement + "\n", encoding="utf-8")
        files[name] = path
    return files


def test_reading_without_narrowing_fails_mypy(tmp_path: Path) -> None:
    """Without ``is not UNSET`` (or ``is not None``), mypy --strict refuses each read."""
    files = _unnarrowed_files(tmp_path)
    result = run_mypy(tmp_path / "mypy-cache", *files.values())
    line = NARROWING_PREAMBLE.count("\n") + 1
    for name, path in files.items():
        pattern = rf"^{re.escape(str(path))}:{line}: error: "
        assert re.search(pattern, result.stdout, re.MULTILINE), f"{name}:\n{result.stdout}"


def test_reading_without_narrowing_fails_pyright(tmp_path: Path) -> None:
    """Without ``is not UNSET`` (or ``is not None``), pyright strict refuses each read."""
    (tmp_path / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', encoding="utf-8")
    files = _unnarrowed_files(tmp_path)
    result = run_pyright(tmp_path, cwd=tmp_path)
    line = NARROWING_PREAMBLE.count("\n") + 1
    for name, path in files.items():
        assert f"{path}:{line}:" in result.stdout, f"{name}:\n{result.stdout}"


def test_readme_examples_type_check(tmp_path: Path) -> None:
    """The README's Python examples, read as one module, pass mypy --strict and pyright strict."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    assert len(blocks) >= 4
    module = tmp_path / "readme_examples.py"
    module.write_text("\n\n".join(blocks), encoding="utf-8")
    (tmp_path / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', encoding="utf-8")
    checked = run_mypy(tmp_path / "mypy-cache", module)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    checked = run_pyright(module, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_typing_files_pass_pyright_as_an_installed_library(tmp_path: Path) -> None:
    """Run from outside the repository, pyright reads vaix-client as a py.typed library.

    Then only what the package exports is public: a name missing from a module's
    ``__all__`` (as pyright reads it) is a ``reportPrivateImportUsage`` error in
    every user's editor, which the in-repository run above cannot see.
    """
    for source in (ROOT / "tests" / "typing").glob("*.py"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "attributes.py").write_text(
        textwrap.dedent(
            """
            import vaix_client
            from vaix_client import models
            from vaix_client.models import DistinctionLevel, GameImage, GameSession

            READ: tuple[object, ...] = (
                DistinctionLevel.DAILY, GameImage, GameSession, models.GameSessionField,
                models.GameSessionsResponse, vaix_client.errors.RateLimitError,
                vaix_client.filters.eq, vaix_client.resources, vaix_client.auth.AccessToken,
                vaix_client.models.GameSession,
            )
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', encoding="utf-8")
    result = run_pyright(tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
