"""The package as built and published: the wheel in a fresh venv, the sdist on its own."""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_EXTRAS = {"cli", "testing", "fastapi", "aiohttp", "otel"}
SDIST_TREES = ("vaix_client", "spec", "templates", "scripts", "tests", "examples", "benchmarks")
"""Every file under these (when present) must be in the sdist: it regenerates and tests itself."""
SDIST_FILES = (
    "pyproject.toml", "Makefile", "openapi.json", "generator-config.yaml",
    "README.md", "CHANGELOG.md", "LICENSE",
)  # fmt: skip


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


class Dist(NamedTuple):
    """The built distributions."""

    sdist: Path
    wheel: Path


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """The sdist and the wheel, built the way a release is (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    (sdist,) = out.glob("vaix_client-*.tar.gz")
    (wheel,) = out.glob("vaix_client-*.whl")
    return Dist(sdist, wheel)


@pytest.fixture(scope="module")
def core_venv(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel without extras, and pytest: the python to run."""
    base = tmp_path_factory.mktemp("core-install")
    wheel = dist.wheel
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


# ------------------------------------------------------------------ metadata and the sdist


def _sdist_names(sdist: Path) -> set[str]:
    """The sdist's file paths, relative to its top directory."""
    with tarfile.open(sdist) as archive:
        return {name.partition("/")[2] for name in archive.getnames()}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sdist_holds_everything_to_regenerate_and_test(dist: Dist) -> None:
    """Every file of the generator's inputs, tests, examples and benchmarks is in the sdist."""
    names = _sdist_names(dist.sdist)
    expected = set(SDIST_FILES)
    for tree in SDIST_TREES:
        expected |= {
            path.relative_to(ROOT).as_posix()
            for path in (ROOT / tree).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
        }
    assert {"tests/conftest.py", "scripts/generate.py", "examples/fastapi_app.py"} <= expected
    assert sorted(expected - names) == []
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_wheel_metadata_is_complete(dist: Dist) -> None:
    """The wheel carries the MIT licence file, project URLs, and only the user-facing extras."""
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = wheel.namelist()
        metadata = email.parser.Parser().parsestr(
            wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        )
        licence = wheel.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE")))
    assert licence.decode().startswith("MIT License")
    assert metadata["License-Expression"] == "MIT"
    urls = {url.partition(",")[0] for url in metadata.get_all("Project-URL", [])}
    assert {"Homepage", "Documentation", "Repository", "Issues", "Changelog"} <= urls
    assert set(metadata.get_all("Provides-Extra", [])) == PUBLIC_EXTRAS
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_unpacked_sdist_regenerates_and_tests_itself(dist: Dist, tmp_path: Path) -> None:
    """From the sdist alone: the generated tree checks out, and its own tests pass on its code."""
    with tarfile.open(dist.sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (project,) = tmp_path.iterdir()
    # PYTHONPATH comes before the editable install of this checkout on sys.path,
    # so the sdist's own package (and pytest plugin) is what runs.
    env = {**os.environ, "PYTHONPATH": str(project)}
    check = subprocess.run(
        [sys.executable, "scripts/generate.py", "--check"],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=150,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
         "tests/test_pytest_plugin.py", "tests/test_examples.py", "tests/test_spec_fixes.py"],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=150,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import vaix_client.pytest_plugin as p; print(p.__file__)"],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(project)), where.stdout + where.stderr
