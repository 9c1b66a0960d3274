"""The endpoint-agnostic core on an operation the committed spec does not have.

A synthetic operation (path parameter, number, boolean, date, length and
pattern limits, a plain header, OpenAPI 3.0 exclusive bounds) is added to the
generated package's spec for each test and described by the generated
``describe``, exactly as a regenerated one would be; the client's send path,
its argument checks and the fake's spec-driven answers are exercised on it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from vaix_client import VaixClient
from vaix_client._generated import OPERATIONS
from vaix_client._generated.api import SPEC, describe
from vaix_client._generated.models.game_image import GameImage
from vaix_client._response import decode_body
from vaix_client._rules import prepare
from vaix_client.errors import InvalidRequestError, ResponseValidationError
from vaix_client.testing import FakeVaix
from vaix_client.testing import _app as fake_app
from vaix_client.testing._spec import example

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vaix_client._generated import Operation

PATH = "/api/test/things/{thing_id}"


def _query(name: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


SYNTHETIC = {
    "get": {
        "tags": ["Things"],
        "operationId": "get_thing_images",
        "summary": "Images of a thing",
        "parameters": [
            {"name": "x-vaix-client-id", "in": "header", "required": True,
             "schema": {"type": "string"}},
            {"name": "x-trace", "in": "header", "schema": {"type": "string"}},
            {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}},
            _query("ratio", {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                             "maximum": 1}),
            _query("below", {"type": "number", "maximum": 10, "exclusiveMaximum": True}),
            _query("flag", {"type": "boolean"}),
            _query("day", {"type": "string", "format": "date"}),
            _query("tag", {"type": "string", "minLength": 2, "maxLength": 5,
                           "pattern": "^[a-z]+$"}),
            _query("odd", {"type": "string", "pattern": "(unclosed"}),
            _query("level", {"type": "integer", "enum": [1, 2]}),
            _query("thing_ref_id", {"type": "integer"}),
        ],
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string"},
                        "data": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/GameImage"}},
                    },
                }}},
            }
        },
    }
}  # fmt: skip
PARAMETERS = (
    ("x-vaix-client-id", "x_vaix_client_id", "header", "string"),
    ("x-trace", "x_trace", "header", "string"),
    ("thing_id", "thing_id", "path", "string"),
    ("ratio", "ratio", "query", "number"),
    ("below", "below", "query", "number"),
    ("flag", "flag", "query", "boolean"),
    ("day", "day", "query", "date"),
    ("tag", "tag", "query", "string"),
    ("odd", "odd", "query", "string"),
    ("level", "level", "query", "integer"),
    ("thing_ref_id", "thing_ref_id", "query", "integer"),
)


@pytest.fixture
def operation(monkeypatch: pytest.MonkeyPatch) -> Operation[list[GameImage]]:
    """The synthetic operation, described from the spec and served by new fakes."""
    monkeypatch.setitem(SPEC["paths"], PATH, SYNTHETIC)
    described: Operation[list[GameImage]] = describe(
        operation_id="get_thing_images",
        resource="things",
        method_name="images",
        http_method="GET",
        path=PATH,
        parameters=PARAMETERS,
        response_model=None,
        unwrap="data",
        item_model=GameImage,
    )
    monkeypatch.setattr(fake_app, "OPERATIONS", (*OPERATIONS, described))
    return described


@pytest.fixture
async def served(operation: Operation[Any]) -> AsyncIterator[tuple[FakeVaix, VaixClient]]:
    """A fake serving the synthetic operation, and a client connected to it."""
    fake = FakeVaix()
    async with (
        httpx.AsyncClient(transport=fake.transport()) as http,
        VaixClient(
            token=fake.token, client_id=fake.client_id, base_url="http://fake",
            http_client=http, auth_method="vaix",
        ) as vaix,
    ):  # fmt: skip
        yield fake, vaix


def test_the_spec_keywords_reach_the_description(operation: Operation[Any]) -> None:
    """OpenAPI 3.0 boolean exclusive bounds become numbers; lengths and patterns are kept."""
    ratio, below, tag = (operation.parameter(n) for n in ("ratio", "below", "tag"))
    assert ratio is not None
    assert (ratio.minimum, ratio.exclusive_minimum, ratio.maximum) == (None, 0, 1)
    assert below is not None
    assert (below.maximum, below.exclusive_maximum) == (None, 10)
    assert tag is not None
    assert (tag.min_length, tag.max_length, tag.pattern) == (2, 5, "^[a-z]+$")
    assert operation.tag == "Things"
    assert operation.summary == "Images of a thing"
    assert operation.arguments[0].name == "x-trace"


async def test_every_kind_is_rendered_and_sent(
    served: tuple[FakeVaix, VaixClient], operation: Operation[list[GameImage]]
) -> None:
    """Path, header and query values of every kind go on the wire as the spec says."""
    fake, vaix = served
    response = await vaix.request(
        operation,
        {
            "thing_id": "a b",
            "x_trace": "t-1",
            "ratio": 0.5,
            "below": 3,
            "flag": False,
            "day": dt.date(2026, 1, 2),
            "tag": "abc",
            "odd": "anything",
            "level": 2,
            "thing_ref_id": 0,
        },
    )
    assert response.status_code == 200
    # No envelope model in the description: the items stay plain JSON objects.
    assert response.parsed
    assert all(isinstance(item, dict) for item in response.parsed)
    (request,) = fake.requests
    assert request.path == "/api/test/things/a b"
    assert dict(request.query) == {
        "ratio": "0.5", "below": "3", "flag": "false", "day": "2026-01-02", "tag": "abc",
        "odd": "anything", "level": "2", "thing_ref_id": "0",
    }  # fmt: skip
    assert request.headers["x-trace"] == "t-1"
    assert request.headers["x-vaix-client-id"] == fake.client_id


@pytest.mark.parametrize(
    ("arguments", "argument", "mentions"),
    [
        ({"ratio": 0}, "ratio", "> 0"),
        ({"ratio": 1.5}, "ratio", "<= 1"),
        ({"ratio": float("nan")}, "ratio", "a number"),
        ({"ratio": True}, "ratio", "a number"),
        ({"below": 10}, "below", "< 10"),
        ({"flag": "yes"}, "flag", "a bool"),
        ({"day": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "day", "a date"),
        ({"tag": "a"}, "tag", "at least 2"),
        ({"tag": "abcdef"}, "tag", "at most 5"),
        ({"tag": "AB"}, "tag", "pattern"),
        ({"tag": "ab\udc80"}, "tag", "surrogate"),
        ({"level": 3}, "level", "1, 2"),
        ({"level": True}, "level", "1, 2"),
        ({"thing_ref_id": -1}, "thing_ref_id", ">= 0"),
        ({"x_trace": "a\r\nb"}, "x_trace", "control character"),
        ({"thing_id": None}, "thing_id", "required"),
        ({"nope": 1}, "nope", "unexpected"),
    ],
)
def test_bad_arguments_are_refused(
    operation: Operation[Any], arguments: dict[str, object], argument: str, mentions: str
) -> None:
    """Each schema keyword refuses what it excludes, naming the argument and what is allowed."""
    with pytest.raises(InvalidRequestError) as caught:
        prepare(operation, {"thing_id": "t", **arguments})
    assert caught.value.argument == argument
    assert mentions in str(caught.value)


async def test_the_fake_checks_unknown_operations_against_the_spec(
    served: tuple[FakeVaix, VaixClient], operation: Operation[Any]
) -> None:
    """Unreadable values are 400, values the schema excludes 422, both before any answer."""
    fake, _ = served
    headers = {"authorization": f"Bearer {fake.token}", "x-vaix-client-id": fake.client_id}
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        for query, status, key in [
            ({"ratio": "x"}, 400, "number"),
            ({"flag": "yes"}, 400, "true or false"),
            ({"level": "x"}, 400, "integer"),
            ({"tag": "A"}, 422, "tag"),
            ({"tag": "abcdefg"}, 422, "tag"),
            ({"below": "11"}, 422, "below"),
            ({"ratio": "-1"}, 422, "ratio"),
            ({"level": "3"}, 422, "level"),
        ]:
            response = await http.get("/api/test/things/1", params=query, headers=headers)
            assert response.status_code == status, (query, response.text)
            assert key in response.text
        response = await http.get("/api/test/things/1", params={"odd": "x"}, headers=headers)
        assert response.status_code == 200
        assert response.json() == example(operation.response_schema)


def test_examples_are_deterministic_and_follow_the_schema() -> None:
    """Every JSON type gets a valid value; the same schema always gives the same value."""
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "number", "minimum": 2},
            "i": {"type": "integer", "maximum": 0},
            "b": {"type": "boolean"},
            "z": {"type": "null"},
            "t": {"type": ["null", "string"], "minLength": 12},
            "d": {"type": "string", "format": "date-time"},
            "e": {"enum": ["x", "y"]},
            "o": {"oneOf": [{"type": "integer"}]},
            "l": {"type": "array", "items": {"type": "integer"}},
        },
    }
    value = example(schema, items=2)
    assert value == example(schema, items=2)
    assert value == {
        "n": 2.0, "i": 0, "b": True, "z": None, "t": "example-0xxx", "d": "2026-11-01T00:00:00Z",
        "e": "x", "o": 1, "l": [1, 2],
    }  # fmt: skip


def test_decode_body_without_unwrapping() -> None:
    """A body decodes into its model, stays JSON without one, and a bad one is named."""
    ok = httpx.Response(200, json={"type": "icon", "url": "https://x/i.png"})
    assert decode_body(ok, GameImage, None) == GameImage(type_="icon", url="https://x/i.png")
    assert decode_body(ok, None, None) == {"type": "icon", "url": "https://x/i.png"}
    with pytest.raises(ResponseValidationError):
        decode_body(httpx.Response(200, json={"type": 1}), GameImage, None)


def test_the_cli_command_of_an_operation(operation: Operation[Any]) -> None:
    """The operation's command takes every kind of option and prints what the fake answers."""
    import click
    from click.testing import CliRunner

    from vaix_client.cli import _commands

    command = _commands._command(operation, "images")
    runner = CliRunner()
    argv = ["--thing-id", "t", "--ratio", "0.5", "--flag", "true", "--day", "2026-01-02",
            "--x-trace", "t-1", "--fake"]  # fmt: skip
    shown = runner.invoke(command, argv)
    assert shown.exit_code == 0, shown.output
    assert '"url": "example-0"' in shown.output  # no table for images: JSON
    as_json = runner.invoke(command, [*argv, "--json"])
    assert as_json.exit_code == 0, as_json.output
    bad = runner.invoke(command, ["--thing-id", "t", "--day", "soon", "--fake"])
    assert bad.exit_code == 2
    assert "ISO 8601 date" in bad.output
    types = {p.name: p.type for p in command.params}
    assert isinstance(types["ratio"], click.FloatRange)
    assert types["flag"] is click.BOOL
    assert types["day"].convert(dt.date(2026, 1, 2), None, None) == dt.date(2026, 1, 2)
    moment = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert _commands._DateTime().convert(moment, None, None) is moment
    assert _commands._Names().convert(["a"], None, None) == ["a"]
    assert _commands._nothing(operation) == "No images."
    assert _commands._table({"a": 1}, operation) == '{\n  "a": 1\n}'
