"""Integrations imported without their extra fail with the ``pip install`` line that fixes it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import vaix_client
from vaix_client import _client, _response, auth, errors, models
from vaix_client._extras import missing_extra


def _fresh(code: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``environ`` added (fails the test on an error)."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, **environ},
    )
    assert result.returncode == 0, result.stderr
    return result


def _import_hiding(module: str, hidden: str) -> subprocess.CompletedProcess[str]:
    """Import ``module`` in a fresh interpreter where ``hidden`` cannot be imported."""
    return _fresh(
        f"""
        import sys
        sys.modules[{hidden!r}] = None  # as if the extra were not installed
        try:
            import {module}
        except ModuleNotFoundError as error:
            print(type(error).__name__, error.name, error, sep="|")
        """
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
    result = _fresh(
        """
        import sys
        for name in ("starlette", "uvicorn", "fastapi", "click", "httpx_aiohttp", "aiohttp"):
            sys.modules[name] = None
        import vaix_client, vaix_client.models, vaix_client.filters, vaix_client.pytest_plugin
        print("ok")
        """
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


def test_a_nameless_import_error_still_gets_the_hint() -> None:
    """An ImportError without a module name (a broken install) still says what to install."""
    error = missing_extra("vaix_client.testing", "testing", ImportError("broken"))
    assert str(error) == (
        "vaix_client.testing needs vaix-client's testing extra (a dependency is not installed): "
        "pip install 'vaix-client[testing]'"
    )


#: What each import may not load: the HTTP stack and the generated layer.
_HEAVY = ("httpx", "aiohttp", "asyncio", "attrs", "msgspec", "vaix_client._generated")


@pytest.mark.parametrize("module", ["vaix_client", "vaix_client.pytest_plugin"])
def test_importing_the_package_or_the_plugin_loads_no_http_stack(module: str) -> None:
    """The plugin loads in every pytest run of a project with vaix-client: it must stay cheap."""
    loaded = _fresh(
        f"""
        import sys
        import {module}
        print(sorted(name for name in {_HEAVY!r} if name in sys.modules))
        """
    ).stdout
    assert loaded.strip() == "[]"


def test_the_models_import_without_the_http_stack() -> None:
    """``from vaix_client import GameSession`` (type annotations, fixtures) skips httpx."""
    loaded = _fresh(
        """
        import sys
        from vaix_client import GameSession, UNSET
        print(GameSession.__module__, "httpx" in sys.modules, "vaix_client._client" in sys.modules)
        """
    ).stdout
    assert loaded.strip() == "vaix_client._generated.models.game_session False False"


def test_every_public_name_resolves_to_its_home() -> None:
    """Each name in ``__all__`` is the object its defining module has, and so is ``dir``."""
    homes = {
        "VaixClient": _client,
        "ApiResponse": _response,
        "AccessToken": auth,
        "ClientCredentials": auth,
        "GameImage": models,
        "GameSession": models,
        "UNSET": models,
        "Unset": models,
    }
    for name in vaix_client.__all__:
        if name == "__version__":
            continue
        home = homes.get(name, errors)
        assert getattr(vaix_client, name) is getattr(home, name), name
    assert set(vaix_client.__all__) <= set(dir(vaix_client))
    # The lazy map and the static list (what type checkers read) name the same things.
    assert {*vaix_client._HOMES, "__version__"} == set(vaix_client.__all__)
    for submodule in ("auth", "errors", "filters", "models", "resources"):
        assert getattr(vaix_client, submodule).__name__ == f"vaix_client.{submodule}"


def test_star_import_and_unknown_names() -> None:
    """``from vaix_client import *`` binds every public name; a typo is an AttributeError."""
    namespace: dict[str, object] = {}
    exec("from vaix_client import *", namespace)  # noqa: S102 - a constant statement
    assert set(vaix_client.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="module 'vaix_client' has no attribute 'VaixClinet'"):
        _ = vaix_client.VaixClinet  # type: ignore[attr-defined]
    with pytest.raises(ImportError, match="VaixClinet"):
        exec("from vaix_client import VaixClinet", {})  # noqa: S102 - a constant statement


def test_vaix_log_applies_on_import_without_the_http_stack() -> None:
    """``VAIX_LOG`` still takes effect at ``import vaix_client``, and still loads no httpx."""
    result = _fresh(
        f"""
        import logging, sys
        import vaix_client.pytest_plugin
        logging.getLogger("vaix_client").info("on")
        print(sorted(name for name in {_HEAVY!r} if name in sys.modules))
        """,
        VAIX_LOG="info",
    )
    assert result.stdout.strip() == "[]"
    assert "vaix_client INFO on" in result.stderr
