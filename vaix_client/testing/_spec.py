"""What the fake derives from the generated operation descriptions (never hard-coded).

* :func:`check_query`: a request's query parameters read against an
  operation's description: unreadable values are 400 (``Error`` body, the first
  problem only, in the spec's parameter order), readable values the schema
  does not allow are 422 (``Errors`` body, every problem, keyed by parameter).
* :func:`example`: a deterministic, schema-valid JSON value for a schema of the
  spec, used to answer operations the fake has no documented semantics for.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from vaix_client._generated import OPERATIONS
from vaix_client._generated.api import resolve
from vaix_client.testing._store import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping

    from vaix_client._generated import Operation, Parameter

__all__ = ["BadRequest", "Unprocessable", "check_query", "example", "operation_at"]

_INTEGER: Final = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
#: The fixed instant every generated date-time example shows.
EXAMPLE_INSTANT: Final = datetime(2026, 11, 1, tzinfo=UTC)


class BadRequest(Exception):  # noqa: N818 - named after the status it answers
    """A parameter cannot be read: answered 400 with an ``Error`` body."""


class Unprocessable(Exception):  # noqa: N818 - named after the status it answers
    """Parameters read but are not allowed: answered 422 with an ``Errors`` body."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def operation_at(path: str, method: str = "GET") -> Operation[Any]:
    """The generated description of the operation at ``method path``."""
    for operation in OPERATIONS:
        if operation.path == path and operation.http_method == method.upper():
            return operation
    raise LookupError(f"the spec has no operation {method} {path}")


def check_query(
    operation: Operation[Any], params: Mapping[str, str]
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """Read every query parameter of ``operation`` from ``params``.

    Raises :class:`BadRequest` for the first value that cannot be read.
    Returns the values read (ints, floats, bools, aware datetimes, strings) by
    wire name, absent parameters left out, and the 422 problems of the values
    the schema does not allow, by wire name (the caller adds its own and
    raises :class:`Unprocessable`). Unknown parameters are ignored.
    """
    values: dict[str, object] = {}
    for parameter in operation.parameters:
        if parameter.location != "query":
            continue
        text = params.get(parameter.name)
        if text is None or (text == "" and parameter.required):
            if parameter.required:
                raise BadRequest(f"missing required parameter {parameter.name!r}")
            continue
        values[parameter.name] = _read(parameter, text)
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        described = operation.parameter(name)
        assert described is not None  # noqa: S101 - read from the operation's own parameters
        problem = _problem(described, value)
        if problem is not None:
            errors[name] = [problem]
    return values, errors


def _read(parameter: Parameter, text: str) -> object:
    name, kind = parameter.name, parameter.kind
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise BadRequest(f"parameter {name!r} must be an integer, got {text!r}")
        return int(text)
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            raise BadRequest(f"parameter {name!r} must be a number, got {text!r}")
        return float(text)
    if kind == "boolean":
        if text not in {"true", "false"}:
            raise BadRequest(f"parameter {name!r} must be true or false, got {text!r}")
        return text == "true"
    if kind == "date-time":
        try:
            return parse_timestamp(text, naive_is_utc=True)
        except ValueError:
            raise BadRequest(
                f"parameter {name!r} must be an ISO 8601 date-time (e.g. 2026-10-31T12:00:00Z),"
                f" got {text!r}"
            ) from None
    return text


def _problem(parameter: Parameter, value: object) -> str | None:
    """Why a value read is not allowed by the parameter's schema, if it is not."""
    if parameter.enum is not None and value not in parameter.enum:
        return f"must be one of {', '.join(map(str, parameter.enum))}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _out_of_range(parameter, value)
    if isinstance(value, str):
        if parameter.min_length is not None and len(value) < parameter.min_length:
            return f"must be at least {parameter.min_length} character(s) long"
        if parameter.max_length is not None and len(value) > parameter.max_length:
            return f"must be at most {parameter.max_length} character(s) long"
        if parameter.pattern is not None and _matches(parameter.pattern, value) is False:
            return f"must match {parameter.pattern}"
    return None


def _out_of_range(parameter: Parameter, value: float) -> str | None:
    low, high = parameter.minimum, parameter.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            return f"must be between {_num(low)} and {_num(high)}"
        if low is not None:
            return f"must be greater than or equal to {_num(low)}"
        return f"must be less than or equal to {_num(high)}"  # type: ignore[arg-type] # high is set
    above, below = parameter.exclusive_minimum, parameter.exclusive_maximum
    if above is not None and value <= above:
        return f"must be greater than {_num(above)}"
    if below is not None and value >= below:
        return f"must be less than {_num(below)}"
    return None


def _matches(pattern: str, value: str) -> bool | None:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def example(  # noqa: C901, PLR0911 - one case per JSON type
    schema: Mapping[str, Any], index: int = 0, *, items: int = 1
) -> object:
    """A deterministic JSON value valid against ``schema`` (``index`` varies strings and ids).

    Objects get every property; arrays get ``items`` elements (one in nested
    objects); strings honour ``enum``, ``format: date-time`` and ``minLength``;
    numbers their bounds.
    """
    node = resolve(dict(schema))
    for combined in ("allOf", "oneOf", "anyOf"):
        if node.get(combined):
            return example(node[combined][0], index, items=items)
    if node.get("enum"):
        return node["enum"][index % len(node["enum"])]
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in node:
        properties = node.get("properties", {})
        return {key: example(value, index, items=items) for key, value in properties.items()}
    if kind == "array":
        return [example(node.get("items", {}), i) for i in range(items)]
    if kind == "integer":
        return int(max(node.get("minimum", 0), min(index + 1, node.get("maximum", index + 1))))
    if kind == "number":
        return float(
            max(node.get("minimum", 0), min(index + 1.5, node.get("maximum", index + 1.5)))
        )
    if kind == "boolean":
        return index % 2 == 0
    if kind == "null":
        return None
    if node.get("format") == "date-time":
        return EXAMPLE_INSTANT.isoformat().replace("+00:00", "Z")
    text = f"example-{index}"
    return text.ljust(node.get("minLength", 0), "x")
