"""Integrations imported without their extra fail with the ``pip install`` line that fixes it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from vaix_client._extras import missing_extra


def _import_hiding(module: str, hidden: str) -> subprocess.CompletedProcess[str]:
    """Import ``module`` in a fresh interpreter where ``hidden`` cannot be imported."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules[{hidden!r}] = None  # as if the extra were not installed
        try:
            import {module}
        except ModuleNotFoundError as error:
            print(type(error).__name__, error.name, error, sep="|")
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


@pytest.mark.parametrize(
    ("module", "hidden", "extra"),
    [
        ("vaix_client.testing", "starlette", "testing"),
        ("vaix_client.testing", "uvicorn", "testing"),
        ("vaix_client.fastapi", "fastapi", "fastapi"),
    ],
)
def test_import_without_the_extra_names_the_pip_line(module: str, hidden: str, extra: str) -> None:
    """The error is still a ModuleNotFoundError for ``hidden``, and says which extra to install."""
    result = _import_hiding(module, hidden)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"ModuleNotFoundError|{hidden}|{module} needs vaix-client's {extra} extra "
        f"({hidden} is not installed): pip install 'vaix-client[{extra}]'"
    )


def test_core_and_plugin_import_without_any_extra() -> None:
    """The core package and the pytest plugin import with every extra's modules hidden."""
    code = textwrap.dedent(
        """
        import sys
        for name in ("starlette", "uvicorn", "fastapi", "click", "httpx_aiohttp", "aiohttp"):
            sys.modules[name] = None
        import vaix_client, vaix_client.models, vaix_client.filters, vaix_client.pytest_plugin
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


def test_a_nameless_import_error_still_gets_the_hint() -> None:
    """An ImportError without a module name (a broken install) still says what to install."""
    error = missing_extra("vaix_client.testing", "testing", ImportError("broken"))
    assert str(error) == (
        "vaix_client.testing needs vaix-client's testing extra (a dependency is not installed): "
        "pip install 'vaix-client[testing]'"
    )
