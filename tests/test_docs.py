"""The API reference (``make docs``): every public module rendered, warnings fatal."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def docs_script() -> ModuleType:
    """scripts/docs.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("docs_script", ROOT / "scripts" / "docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_public_modules_are_found_not_listed(docs_script: ModuleType) -> None:
    """Every module without a private part is documented, and no private one is."""
    modules = docs_script.public_modules()
    assert {"vaix_client", "vaix_client.testing", "vaix_client.fastapi", "vaix_client.filters",
            "vaix_client.pytest_plugin", "vaix_client.errors"} <= set(modules)  # fmt: skip
    assert not [name for name in modules if "._" in name]


@pytest.mark.slow
def test_the_reference_documents_the_client(docs_script: ModuleType, tmp_path: Path) -> None:
    """Each public module gets a page; the client's and the resources' pages show the calls."""
    assert docs_script.main(["--output", str(tmp_path)]) == 0
    for module in docs_script.public_modules():
        assert (tmp_path / (module.replace(".", "/") + ".html")).is_file(), module
    page = (tmp_path / "vaix_client.html").read_text()
    for name in ("VaixClient", "game_sessions", "with_options"):
        assert name in page
    resources = (tmp_path / "vaix_client" / "resources.html").read_text()
    for name in ("GameSessions", "latest", "latest_detailed"):
        assert name in resources


def test_a_pdoc_warning_fails_the_build(
    docs_script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A docstring pdoc warns about fails ``make docs`` instead of rendering half a page."""

    def warning_pdoc(*_modules: str, **_options: Any) -> None:  # noqa: ANN401 - pdoc's options
        warnings.warn("cannot parse this docstring", UserWarning, stacklevel=1)

    monkeypatch.setattr(docs_script.pdoc, "pdoc", warning_pdoc)
    with pytest.raises(UserWarning, match="cannot parse"):
        docs_script.main(["--output", str(tmp_path)])
