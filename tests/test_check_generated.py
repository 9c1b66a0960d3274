"""``scripts/generate.py --check`` (``make check-generated``) on a copy of the project's inputs.

The script finds its inputs relative to its own path, so each test runs it in a
temporary copy of exactly what generation reads; the real tree is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _support import GENERATED, ROOT

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.slow

INPUTS = ["openapi.json", "spec", "templates", "generator-config.yaml", "scripts"]
GENERATED_IN_COPY = Path("vaix_client", "_generated")
JUNK = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache")


def run_script(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the copy's ``scripts/generate.py`` with this interpreter (the venv's)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "generate.py"), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=50,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes (caches excepted)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the generation inputs and the committed generated tree (never modified)."""
    root = tmp_path_factory.mktemp("pristine")
    for name in INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=JUNK)
        else:
            shutil.copy2(source, root / name)
    shutil.copytree(GENERATED, root / GENERATED_IN_COPY, ignore=JUNK)
    return root


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    """A throwaway copy of the pristine copy, for one test to break."""
    root = tmp_path / "project"
    shutil.copytree(pristine, root, ignore=JUNK)
    return root


def test_check_passes_on_the_committed_tree(pristine: Path) -> None:
    """--check exits 0 when the committed tree is what the generator makes, and changes nothing."""
    before = tree(pristine / GENERATED_IN_COPY)
    result = run_script(pristine, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches" in result.stdout
    assert tree(pristine / GENERATED_IN_COPY) == before


def hand_edit(generated: Path) -> None:
    """Someone edits a generated module by hand."""
    module = generated / "models" / "game_session.py"
    module.write_text(module.read_text(encoding="utf-8") + "# tweak\n", encoding="utf-8")


def add_stray(generated: Path) -> None:
    """Someone puts a handwritten module inside the generated tree."""
    (generated / "models" / "stray.py").write_text("X = 1\n", encoding="utf-8")


def delete_module(generated: Path) -> None:
    """Someone deletes a generated module."""
    (generated / "models" / "game_image.py").unlink()


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (hand_edit, "differs from the generator's output: {}/models/game_session.py"),
        (add_stray, "not made by the generator: {}/models/stray.py"),
        (delete_module, "missing: {}/models/game_image.py"),
    ],
    ids=["hand-edit", "stray-file", "deleted-file"],
)
def test_check_fails_on_a_tampered_tree(
    project: Path, damage: Callable[[Path], None], expected: str
) -> None:
    """--check exits 1 and names the file when the generated tree was edited, added to or cut."""
    damage(project / GENERATED_IN_COPY)
    result = run_script(project, "--check")
    assert result.returncode == 1, result.stdout + result.stderr
    problems = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert problems == [expected.format(GENERATED_IN_COPY.as_posix())]
    assert "make generate" in result.stderr


def test_generation_is_reproducible(project: Path) -> None:
    """Two runs of generate.py in a row write identical trees, byte for byte the committed one."""
    committed = tree(project / GENERATED_IN_COPY)
    runs = []
    for _ in range(2):
        result = run_script(project)
        assert result.returncode == 0, result.stdout + result.stderr
        runs.append(tree(project / GENERATED_IN_COPY))
    assert runs[0] == runs[1]
    assert sorted(runs[0]) == sorted(committed)
    assert runs[0] == committed
