"""Shared helpers for the tests of the generation pipeline.

``scripts/generate.py`` is a build script, not part of the package, so it is
loaded from its path here (no ``sys.path`` change, no conftest) and its names
are re-exported with real types for mypy.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.json"
FIXES_PATH = ROOT / "spec" / "fixes.json"
GENERATED = ROOT / "vaix_client" / "_generated"
GENERATE_SCRIPT = ROOT / "scripts" / "generate.py"

OPERATION = "/paths/~1api~1casino~1game_sessions~1latest/get"
"""JSON pointer of the one operation in the spec."""


def _load_generate_script() -> ModuleType:
    """Import ``scripts/generate.py`` as a module named ``vaix_generate_script``."""
    name = "vaix_generate_script"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, GENERATE_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


generate_script = _load_generate_script()
SpecFixError = cast("type[Exception]", generate_script.SpecFixError)
HEADER = cast("str", generate_script.HEADER)


def patch_spec(spec: dict[str, Any], fixes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``fixes`` (spec/fixes.json) to a copy of ``spec`` as ``make generate`` does."""
    return cast("dict[str, Any]", generate_script.patch_spec(spec, fixes))


@functools.cache
def _upstream() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(SPEC_PATH.read_text(encoding="utf-8")))


@functools.cache
def _fixes() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(FIXES_PATH.read_text(encoding="utf-8")))


def upstream_spec() -> dict[str, Any]:
    """A fresh deep copy of the vendored spec (safe to mutate)."""
    return copy.deepcopy(_upstream())


def fixes_document() -> dict[str, Any]:
    """A fresh deep copy of spec/fixes.json: ``fixes`` (targeted patches) and ``rules``."""
    return copy.deepcopy(_fixes())


@functools.cache
def _patched() -> dict[str, Any]:
    return patch_spec(_upstream(), _fixes())


def patched_spec() -> dict[str, Any]:
    """A fresh deep copy of the spec the generator sees."""
    return copy.deepcopy(_patched())


def resolve(document: object, pointer: str) -> Any:  # noqa: ANN401 (any JSON value)
    """The value at JSON pointer ``pointer`` (RFC 6901) in ``document``."""
    value: Any = document
    for token in _tokens(pointer):
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def parent_and_key(document: object, pointer: str) -> tuple[Any, str | int]:
    """The container holding ``pointer``'s target and the key or index inside it."""
    *head, last = _tokens(pointer)
    parent = resolve(document, "".join(f"/{_escape(token)}" for token in head))
    return parent, int(last) if isinstance(parent, list) else last


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    assert pointer.startswith("/"), pointer
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
