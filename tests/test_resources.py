"""The public API, the CLI and the fake cover every generated operation (derived, never listed).

Everything here iterates over the generated descriptions (``OPERATIONS``), so
a spec change that adds an operation, a parameter, a limit or an enum value is
checked with no edit here, and a facade that lags behind the generated code
fails.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import TYPE_CHECKING, Any

import click
import httpx
import pytest

from vaix_client import VaixClient
from vaix_client._generated import OPERATIONS, Resources
from vaix_client._generated.api import IDENTITY_HEADERS
from vaix_client._rules import PAIRED, selectable_fields
from vaix_client.cli._commands import cli
from vaix_client.errors import InvalidRequestError
from vaix_client.testing import FakeVaix

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vaix_client._generated import Operation, Parameter

IDS = [f"{op.resource}.{op.method_name}" for op in OPERATIONS]


def _valid(parameter: Parameter, operation: Operation[Any]) -> object:  # noqa: PLR0911 - per kind
    """A value the parameter's description allows (the smallest one where there are bounds)."""
    if parameter.python_name == "fields":
        return [min(selectable_fields(operation))]
    if parameter.enum is not None:
        return parameter.enum[0]
    if parameter.kind == "integer":
        low = parameter.minimum if parameter.minimum is not None else 1
        return int(low)
    if parameter.kind == "number":
        return float(parameter.minimum if parameter.minimum is not None else 1)
    if parameter.kind == "boolean":
        return True
    if parameter.kind == "date-time":
        return dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    return "1"


def _required(operation: Operation[Any]) -> dict[str, object]:
    return {p.python_name: _valid(p, operation) for p in operation.arguments if p.required}


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeVaix, VaixClient]]:
    """A seeded in-process fake and a client connected to it."""
    fake = FakeVaix(seed=0)
    async with (
        httpx.AsyncClient(transport=fake.transport()) as http,
        VaixClient(
            token=fake.token, client_id=fake.client_id, base_url="http://fake", http_client=http
        ) as vaix,
    ):
        yield fake, vaix


def test_every_tag_is_a_typed_client_attribute() -> None:
    """VaixClient has one resource attribute per tag, typed by the generated Resources base."""
    assert issubclass(VaixClient, Resources)
    hints = inspect.get_annotations(Resources)
    assert set(hints) == {op.resource for op in OPERATIONS}


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_method_name_follows_the_naming_rule(operation: Operation[Any]) -> None:
    """The method is the operationId without its leading verb and without the tag's name."""
    name = operation.operation_id.removeprefix(operation.http_method.lower() + "_")
    name = name.removesuffix("_" + operation.resource).removeprefix(operation.resource + "_")
    assert operation.method_name == name.replace("_" + operation.resource + "_", "_")


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
@pytest.mark.parametrize("suffix", ["", "_detailed"])
async def test_every_parameter_is_an_argument(
    served: tuple[FakeVaix, VaixClient], operation: Operation[Any], suffix: str
) -> None:
    """Each query/path parameter is an argument: required ones positional, the rest keyword-only."""
    _, vaix = served
    method = getattr(getattr(vaix, operation.resource), operation.method_name + suffix)
    parameters = list(inspect.signature(method).parameters.values())
    required = [p.python_name for p in operation.arguments if p.required]
    optional = [p.python_name for p in operation.arguments if not p.required]
    assert [p.name for p in parameters] == required + optional
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters[: len(required)])
    assert all(p.kind is p.KEYWORD_ONLY and p.default is None for p in parameters[len(required) :])
    assert not {p.name for p in operation.parameters if p.identity} & {p.name for p in parameters}
    if not suffix:
        assert all(
            p.python_name in (method.__doc__ or "") for p in operation.arguments if p.description
        )


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
async def test_every_operation_is_served_by_the_fake_and_decoded(
    served: tuple[FakeVaix, VaixClient], operation: Operation[Any]
) -> None:
    """Each operation, called with its required arguments, decodes the fake's answer into models."""
    fake, vaix = served
    resource = getattr(vaix, operation.resource)
    detailed = await getattr(resource, operation.method_name + "_detailed")(**_required(operation))
    assert detailed.status_code == 200
    (request,) = fake.requests
    assert request.path == operation.path
    assert request.headers["x-vaix-client-id"] == fake.client_id
    if operation.unwrap is not None:
        assert isinstance(detailed.parsed, list)
        assert operation.item_model is not None
        assert all(isinstance(item, operation.item_model) for item in detailed.parsed)
    elif operation.response_model is not None:
        assert isinstance(detailed.parsed, operation.response_model)


def _bad_values(operation: Operation[Any]) -> list[tuple[str, object]]:
    """(argument, value) pairs the description refuses: out of range, outside the enum, naive."""
    bad: list[tuple[str, object]] = []
    for p in operation.arguments:
        if p.minimum is not None:
            bad.append((p.python_name, int(p.minimum) - 1))
        if p.maximum is not None:
            bad.append((p.python_name, int(p.maximum) + 1))
        if p.enum is not None:
            bad.append((p.python_name, "not-" + "-".join(map(str, p.enum))))
        if p.kind == "date-time":
            bad.append((p.python_name, dt.datetime(2026, 1, 1)))  # noqa: DTZ001 - naive on purpose
        if p.kind in {"integer", "number"}:
            bad.append((p.python_name, "1"))
        if p.required:
            bad.append((p.python_name, None))
    return bad


BAD = [
    (operation, name, value) for operation in OPERATIONS for name, value in _bad_values(operation)
]


@pytest.mark.parametrize(
    ("operation", "name", "value"),
    BAD,
    ids=[f"{op.resource}.{op.method_name}-{name}-{value!r}" for op, name, value in BAD],
)
async def test_bad_arguments_are_refused_before_io(
    served: tuple[FakeVaix, VaixClient], operation: Operation[Any], name: str, value: object
) -> None:
    """A value the schema refuses is an InvalidRequestError naming the argument; nothing is sent."""
    fake, vaix = served
    partners = {b: a for a, b in PAIRED} | dict(PAIRED)
    arguments: dict[str, object] = {**_required(operation), name: value}
    partner = operation.parameter(partners.get(name, ""))
    if partner is not None:
        arguments[partner.python_name] = _valid(partner, operation)
    method = getattr(getattr(vaix, operation.resource), operation.method_name)
    with pytest.raises(InvalidRequestError) as caught:
        await method(**arguments)
    assert caught.value.argument == name
    assert name in str(caught.value)
    parameter = operation.parameter(name)
    assert parameter is not None
    if parameter.enum is not None and value is not None:
        assert all(repr(allowed) in str(caught.value) for allowed in parameter.enum)
    assert fake.requests == []


def _subcommand(operation: Operation[Any]) -> click.Command:
    assert isinstance(cli, click.Group)
    group = cli.commands[operation.resource.replace("_", "-")]
    assert isinstance(group, click.Group)
    return group.commands[operation.method_name.replace("_", "-")]


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_cli_has_a_subcommand_with_an_option_per_parameter(operation: Operation[Any]) -> None:
    """``vaix-client <tag> <method>`` takes every argument, with the spec's choices and ranges."""
    options = {p.name: p for p in _subcommand(operation).params}
    for parameter in operation.arguments:
        option = options[parameter.python_name]
        assert option.required is parameter.required
        if parameter.enum is not None:
            assert isinstance(option.type, click.Choice)
            assert list(option.type.choices) == [str(v) for v in parameter.enum]
        if parameter.kind == "integer" and parameter.python_name != "fields":
            assert isinstance(option.type, click.IntRange)
            assert (option.type.min, option.type.max) == (parameter.minimum, parameter.maximum)


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
async def test_fake_refuses_out_of_range_values_with_the_spec_limits(
    served: tuple[FakeVaix, VaixClient], operation: Operation[Any]
) -> None:
    """The fake's 422 for a value beyond a limit names the parameter (limits from the spec)."""
    fake, _ = served
    limited = [p for p in operation.arguments if p.maximum is not None and p.location == "query"]
    required = {p.name: str(_valid(p, operation)) for p in operation.arguments if p.required}
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        for parameter in limited:
            response = await http.get(
                operation.path,
                params={**required, parameter.name: str(int(parameter.maximum or 0) + 1)},
                headers={"authorization": f"Bearer {fake.token}", "x-vaix-client-id": "demo"},
            )
            assert response.status_code == 422
            assert parameter.name in response.json()["errors"]


@pytest.mark.parametrize("method", ["", "vaix", "basic"])
async def test_fake_authenticates_before_reading_the_auth_method(method: str) -> None:
    """Without a bearer token the answer is 401, whatever x-vaix-authentication-method says."""
    fake = FakeVaix(seed=0)
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        for operation in OPERATIONS:
            response = await http.get(
                operation.path,
                params=_required(operation),  # type: ignore[arg-type]
                headers={"x-vaix-authentication-method": method, "x-vaix-client-id": "demo"},
            )
            assert response.status_code == 401
            assert set(IDENTITY_HEADERS) == {
                "x-vaix-client-id",
                "x-vaix-authentication-method",
            }
