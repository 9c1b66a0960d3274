"""The package as a user installs it: the built wheel in a fresh virtual environment."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to completion and return what it printed (never raises on failure)."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=150,
    )


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel without extras, and pytest: the python to run."""
    base = tmp_path_factory.mktemp("core-install")
    built = _run(sys.executable, "-m", "build", "--wheel", "--outdir", base / "dist", ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (base / "dist").glob("vaix_client-*.whl")
    venv.create(base / "venv", with_pip=True)
    python = base / "venv" / "bin" / "python"
    installed = _run(
        python, "-m", "pip", "install", "--quiet", wheel, f"pytest=={pytest.__version__}"
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    hidden = _run(python, "-c", "import starlette")
    assert "No module named 'starlette'" in hidden.stderr, "the extra must really be absent"
    return python


def _project(tmp_path: Path, test_code: str) -> Path:
    """A user's project with one test file (no conftest, no configuration)."""
    (tmp_path / "test_user.py").write_text(textwrap.dedent(test_code))
    return tmp_path


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_core_install_leaves_pytest_working(core_venv: Path, tmp_path: Path) -> None:
    """Without the testing extra, a user's unrelated test suite runs and passes (exit 0)."""
    project = _project(tmp_path, "def test_ok():\n    assert 1 + 1 == 2\n")
    result = _run(core_venv, "-m", "pytest", "-p", "no:cacheprovider", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    fixtures = _run(core_venv, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider", cwd=project)
    assert "vaix_fake -- " in fixtures.stdout, "the plugin is loaded, so the run above proves it"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_fixture_without_the_extra_says_what_to_install(core_venv: Path, tmp_path: Path) -> None:
    """A test asking for ``vaix_fake`` without the extra errors with the pip line, no traceback."""
    project = _project(
        tmp_path,
        """
        def test_uses_the_fake(vaix_fake):
            raise AssertionError("never reached")

        def test_other():
            pass
        """,
    )
    result = _run(core_venv, "-m", "pytest", "-p", "no:cacheprovider", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed, 1 error" in result.stdout
    assert (
        "The vaix_fake fixtures need vaix-client's testing extra (starlette is not installed): "
        "pip install 'vaix-client[testing]'"
    ) in result.stdout
    assert "Traceback" not in result.stdout
    assert "never reached" not in result.stdout
