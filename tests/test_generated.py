"""The generated package: the endpoint and models the fixes promise, fenced off from the facade."""

from __future__ import annotations

import ast
import datetime as dt
import enum
import inspect
import re
from typing import Any

import attrs
import pytest
from _support import GENERATED, HEADER, OPERATION, resolve, upstream_spec

import vaix_client.models
from vaix_client._generated.api.game_sessions import get_latest_game_sessions
from vaix_client._generated.models.get_latest_game_sessions_distinction_level import (
    GetLatestGameSessionsDistinctionLevel,
)
from vaix_client._generated.types import UNSET, Unset

EMPTY = inspect.Parameter.empty


@pytest.fixture(scope="module")
def endpoint() -> dict[str, inspect.Parameter]:
    """The parameters of the generated ``asyncio_detailed``, annotations evaluated."""
    function = get_latest_game_sessions.asyncio_detailed
    assert inspect.iscoroutinefunction(function)
    return dict(inspect.signature(function, eval_str=True).parameters)


def test_endpoint_survives_generation(endpoint: dict[str, inspect.Parameter]) -> None:
    """The operation is generated with one keyword argument per spec parameter, plus the client."""
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in endpoint.values())
    spec_names = [p["name"] for p in resolve(upstream_spec(), f"{OPERATION}/parameters")]
    assert set(endpoint) == {"client", *(name.replace("-", "_") for name in spec_names)}


@pytest.mark.parametrize("name", ["user", "x_vaix_client_id"])
def test_required_arguments_have_no_default(
    endpoint: dict[str, inspect.Parameter], name: str
) -> None:
    """User and the client-id header are required keyword strings, with no default."""
    assert endpoint[name].default is EMPTY
    assert endpoint[name].annotation is str


def test_before_date_defaults_to_unset(endpoint: dict[str, inspect.Parameter]) -> None:
    """before_date is an optional datetime that is not sent unless given."""
    assert endpoint["before_date"].default is UNSET
    assert endpoint["before_date"].annotation == dt.datetime | Unset


@pytest.mark.parametrize("name", ["filters", "fields"])
def test_filters_and_fields_take_any_string(
    endpoint: dict[str, inspect.Parameter], name: str
) -> None:
    """Filters and fields are annotated ``str | Unset``: no enum type blocks valid expressions."""
    assert endpoint[name].annotation == str | Unset


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("count", 10),
        ("distinction_level", GetLatestGameSessionsDistinctionLevel.DAILY),
        ("minimum_duration", 60),
        ("fields", "game_id"),
    ],
)
def test_spec_defaults_are_sent_unless_unset(
    endpoint: dict[str, inspect.Parameter], name: str, default: object
) -> None:
    """The generated function sends the spec's defaults, so "not sent" means passing UNSET."""
    assert endpoint[name].default == default


MODELS = ["Error", "Errors", "GameImage", "GameSession", "GameSessionField", "GameSessionsResponse"]


@pytest.mark.parametrize("name", MODELS)
def test_models_are_reexported(name: str) -> None:
    """Each model is importable from vaix_client.models and is the generated class itself."""
    model = getattr(vaix_client.models, name)
    assert isinstance(model, type)
    assert model.__module__.startswith("vaix_client._generated.models.")


def test_game_session_field_lists_the_selectable_names() -> None:
    """GameSessionField is a string enum of exactly the names the spec's fields parameter lists."""
    field = vaix_client.models.GameSessionField
    assert issubclass(field, enum.StrEnum)
    params = resolve(upstream_spec(), f"{OPERATION}/parameters")
    (names,) = (p["schema"]["enum"] for p in params if p["name"] == "fields")
    # The generator sorts enum members.
    assert sorted(member.value for member in field) == sorted(names)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("GameSessionsResponse", {"status": "partial", "data": []}),
        ("GameImage", {"type": "thumbnail", "url": "https://example.com/a.png"}),
        ("Error", {"status": "error", "error": "bad"}),
        ("Errors", {"errors": {"user": ["required"]}}),
        ("GameSession", {"game_id": "g1", "game_name": "Dice"}),
    ],
)
def test_models_keep_unknown_keys(name: str, data: dict[str, Any]) -> None:
    """Parsing keeps keys the spec does not define, and an unlisted status value, on the model."""
    model = getattr(vaix_client.models, name)
    parsed = model.from_dict({**data, "added_upstream": 1})
    assert parsed.additional_properties == {"added_upstream": 1}
    assert parsed.to_dict() == {**data, "added_upstream": 1}
    assert attrs.has(model)


def generated_sources() -> list[str]:
    """Every generated module, as a path relative to the generated package."""
    return sorted(path.relative_to(GENERATED).as_posix() for path in GENERATED.rglob("*.py"))


def test_generated_tree_is_not_empty() -> None:
    """The generated package has its client, types, api and models modules."""
    sources = generated_sources()
    assert {"client.py", "types.py", "api/game_sessions/get_latest_game_sessions.py"} <= set(
        sources
    )
    assert "models/game_session.py" in sources


@pytest.mark.parametrize("module", generated_sources())
def test_generated_module_starts_with_do_not_edit_header(module: str) -> None:
    """Each generated module opens with the DO-NOT-EDIT header that names `make generate`."""
    assert "DO NOT EDIT" in HEADER
    assert "`make generate`" in HEADER
    assert (GENERATED / module).read_text(encoding="utf-8").startswith(HEADER)


def imported_modules(module: str) -> list[str]:
    """The absolute name of every module that ``module`` (a generated file) imports."""
    package = ["vaix_client", "_generated", *module.removesuffix(".py").split("/")[:-1]]
    tree = ast.parse((GENERATED / module).read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.append(node.module or "")
                continue
            base = package[: len(package) - (node.level - 1)]
            names.append(".".join([*base, node.module] if node.module else base))
    return names


@pytest.mark.parametrize("module", generated_sources())
def test_generated_module_imports_nothing_handwritten(module: str) -> None:
    """A generated module imports only within the generated package, and never names the facade."""
    assert re.search(r"\bvaix_client\.", (GENERATED / module).read_text(encoding="utf-8")) is None
    ours = [
        name
        for name in imported_modules(module)
        if name.split(".")[0] == "vaix_client" and not name.startswith("vaix_client._generated")
    ]
    assert ours == []


def test_the_stock_clients_load_on_first_use_and_typos_fail() -> None:
    """``AuthenticatedClient``/``Client`` come from ``client`` when asked; nothing else does."""
    import vaix_client._generated as generated
    from vaix_client._generated import client

    assert generated.AuthenticatedClient is client.AuthenticatedClient
    assert generated.Client is client.Client
    with pytest.raises(AttributeError, match="has no attribute 'Clinet'"):
        _ = generated.Clinet  # type: ignore[attr-defined]
