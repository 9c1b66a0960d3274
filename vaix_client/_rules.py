"""Check any operation's arguments before I/O and turn them into wire values.

Endpoint-agnostic: what an operation takes comes from its generated
description (:class:`~vaix_client._generated.api.Operation`): type, minimum,
maximum, enum, length, pattern, required, ``date-time`` (timezone-aware).
Only what the spec cannot express is written here, keyed by parameter name,
so a new operation with such a parameter gets it for free:

* ``filters``: the filter grammar (:func:`vaix_client.filters.compile_filters`);
* ``fields``: a list of names, each a property of the operation's result
  model or a value of the spec's ``<Model>Field`` enum;
* ``bookmaker_id`` / ``sub_bookmaker_id``: go together;
* ``after_date`` <= ``before_date``;
* an integer ``*_id`` is never negative (when the spec sets no minimum);
* client defaults for ``operator`` and the bookmaker pair.

Every refusal is an :class:`~vaix_client.errors.InvalidRequestError` naming
the argument and what is allowed. ``None`` always means "not sent".
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import attrs

from vaix_client._errors import InvalidRequestError
from vaix_client._errors import shown as _shown
from vaix_client._generated.api import SPEC, resolve

if TYPE_CHECKING:
    from vaix_client._generated.api import Operation, Parameter

__all__ = ["PAIRED", "Prepared", "prepare", "selectable_fields"]

#: Parameters that only make sense together (both given or neither).
PAIRED: Final = (("bookmaker_id", "sub_bookmaker_id"),)
#: Date parameters that must be in order: (earlier, later).
ORDERED: Final = (("after_date", "before_date"),)
#: Parameters the client may default (``VaixClient(operator=..., ...)``).
CLIENT_DEFAULTS: Final = ("operator", "bookmaker_id", "sub_bookmaker_id")
_PAIRED_NAMES: Final = frozenset(name for pair in PAIRED for name in pair)


@attrs.frozen
class Prepared:
    """An operation's checked arguments, as the request carries them."""

    path: str
    params: list[tuple[str, str | int | float | bool | None]]
    headers: dict[str, str]


def prepare(
    operation: Operation[Any],
    arguments: Mapping[str, object],
    defaults: Mapping[str, object] | None = None,
) -> Prepared:
    """Check ``arguments`` against ``operation`` and render them for the wire."""
    known = _arguments(operation)
    if not arguments.keys() <= known.keys():
        unknown = sorted(arguments.keys() - known.keys())
        raise InvalidRequestError(
            f"{operation.method_name}() got unexpected argument(s) {', '.join(unknown)}; "
            f"it takes {', '.join(known)}",
            argument=unknown[0],
        )
    # Defaults that are all None fill nothing: the arguments are read as given.
    values = _with_defaults(known, dict(arguments), defaults) if defaults else arguments
    _check_pairs(known, values)
    path = operation.path
    params: list[tuple[str, str | int | float | bool | None]] = []
    headers: dict[str, str] = {}
    for name, parameter in known.items():
        value = values.get(name)
        if value is None:
            if parameter.required:
                raise InvalidRequestError(
                    f"{name} is required: {_allowed(parameter)}", argument=name
                )
            continue
        wire = to_wire(parameter, value, operation)
        if parameter.location == "query":
            params.append((parameter.name, wire))
        elif parameter.location == "header":
            headers[parameter.name] = _header_safe(wire, name)
        elif parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", quote(wire, safe=""))
    _check_order(known, values)
    _check_url_length(path, params)
    return Prepared(path=path, params=params, headers=headers)


def _httpx_max_url_length() -> int:
    """The longest URL httpx accepts (its private constant; 64 KiB if it moves)."""
    try:
        from httpx._urlparse import MAX_URL_LENGTH  # noqa: PLC0415 - private, may go away
    except ImportError:  # pragma: no cover - a future httpx
        return 65536
    return int(MAX_URL_LENGTH)


_MAX_URL_LENGTH: Final[int] = _httpx_max_url_length()
#: Room left for the base URL and the parameter names.
_URL_SLACK: Final = 2048
#: The longest a single character becomes once URL-encoded.
_MAX_ENCODED_PER_CHAR: Final = 12


def _check_url_length(path: str, params: list[tuple[str, str | int | float | bool | None]]) -> None:
    """Refuse a request whose URL would be too long to send, naming its longest argument.

    Percent-encoding makes a character at most 12 long (4 UTF-8 bytes as ``%XX``),
    so the usual short query is cleared without encoding anything.
    """
    raw = 0
    for _, value in params:
        raw += len(str(value))
    if len(path) + _MAX_ENCODED_PER_CHAR * raw + _URL_SLACK <= _MAX_URL_LENGTH:
        return
    lengths = {name: len(quote(str(value), safe="")) for name, value in params}
    if len(path) + sum(lengths.values()) + _URL_SLACK <= _MAX_URL_LENGTH:
        return
    longest = max(lengths, key=lengths.__getitem__) if lengths else "path"
    raise InvalidRequestError(
        f"{longest} is too long to send: {lengths.get(longest, len(path))} characters once "
        f"URL-encoded, and the whole URL may have at most {_MAX_URL_LENGTH}",
        argument=longest,
    )


_ARGUMENTS: Final[dict[int, tuple[Operation[Any], dict[str, Parameter]]]] = {}


def _arguments(operation: Operation[Any]) -> dict[str, Parameter]:
    """An operation's argument parameters by Python name (computed once per operation).

    Keyed by identity: hashing a frozen description hashes every parameter.
    """
    cached = _ARGUMENTS.get(id(operation))
    if cached is None or cached[0] is not operation:
        cached = _ARGUMENTS[id(operation)] = (
            operation,
            {p.python_name: p for p in operation.arguments},
        )
    return cached[1]


def _with_defaults(
    known: Mapping[str, Parameter], values: dict[str, object], defaults: Mapping[str, object]
) -> dict[str, object]:
    """Fill the client's defaults for parameters this operation has; pairs fill together."""
    paired = _PAIRED_NAMES
    for pair in PAIRED:
        if all(name in known and values.get(name) is None for name in pair):
            for name in pair:
                values[name] = defaults.get(name)
    for name in CLIENT_DEFAULTS:
        if name in known and name not in paired and values.get(name) is None:
            values[name] = defaults.get(name)
    return values


def _check_pairs(known: Mapping[str, Parameter], values: Mapping[str, object]) -> None:
    for first, second in PAIRED:
        if (
            first in known
            and second in known
            and (values.get(first) is None) != (values.get(second) is None)
        ):
            given, missing = (first, second) if values.get(second) is None else (second, first)
            raise InvalidRequestError(
                f"{given} and {missing} go together: pass both or neither", argument=missing
            )


def _check_order(known: Mapping[str, Parameter], values: Mapping[str, object]) -> None:
    for earlier, later in ORDERED:
        low, high = values.get(earlier), values.get(later)
        if earlier in known and later in known and low is not None and high is not None:
            assert isinstance(low, dt.datetime)  # noqa: S101 - checked by to_wire already
            assert isinstance(high, dt.datetime)  # noqa: S101
            if low > high:
                raise InvalidRequestError(
                    f"{earlier} ({low.isoformat()}) must not be later than {later} "
                    f"({high.isoformat()})",
                    argument=earlier,
                )


def to_wire(parameter: Parameter, value: object, operation: Operation[Any]) -> str:
    """Check one argument against its parameter and render it as the wire string."""
    name = parameter.python_name
    if name == "filters":
        # Imported on first use: most programs never filter, and it costs import time.
        from vaix_client.filters import compile_filters  # noqa: PLC0415

        wire = compile_filters(value)  # type: ignore[arg-type] # compile_filters refuses the rest
    elif name == "fields":
        wire = _fields(value, operation)
    elif parameter.enum is not None:
        wire = _enum(parameter, value)
    else:
        wire = _RENDERERS.get(parameter.kind, _string)(parameter, value)
    if not (
        wire.isascii()
        and parameter.min_length is None
        and parameter.max_length is None
        and parameter.pattern is None
    ):
        _check_text(parameter, wire)  # nothing to check for plain ASCII and no constraint
    return wire


def _enum(parameter: Parameter, value: object) -> str:
    plain = value.value if isinstance(value, enum.Enum) else value
    if plain not in parameter.enum or isinstance(plain, bool) != any(  # type: ignore[operator] # enum is set
        isinstance(v, bool) for v in parameter.enum or ()
    ):
        raise InvalidRequestError(
            f"{parameter.python_name} must be {_allowed(parameter)}, got {_shown(value)}",
            argument=parameter.python_name,
        )
    return _scalar(plain)


def _integer(parameter: Parameter, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(_with_id_minimum(parameter), value)
    try:
        str(value)
    except ValueError:  # more digits than Python will write (sys.get_int_max_str_digits)
        raise InvalidRequestError(
            f"{parameter.python_name} is too large to send ({value.bit_length()} bits): "
            f"{_allowed(_with_id_minimum(parameter))}",
            argument=parameter.python_name,
        ) from None
    if value < 0 and parameter.minimum is None:
        _check_range(_with_id_minimum(parameter), value)  # evolves only on this rare path
    _check_range(parameter, value)
    return str(value)


def _number(parameter: Parameter, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _wrong(parameter, value)
    _check_range(parameter, value)
    return repr(value) if isinstance(value, float) else str(value)


def _boolean(parameter: Parameter, value: object) -> str:
    if not isinstance(value, bool):
        raise _wrong(parameter, value)
    return "true" if value else "false"


def _datetime(parameter: Parameter, value: object) -> str:
    return _aware(value, parameter.python_name).isoformat()


def _date(parameter: Parameter, value: object) -> str:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _wrong(parameter, value)
    return value.isoformat()


def _string(parameter: Parameter, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            f"{parameter.python_name} must be a non-empty str, got {_shown(value)}",
            argument=parameter.python_name,
        )
    return value


_RENDERERS: Final[dict[str, Callable[[Parameter, object], str]]] = {
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "date-time": _datetime,
    "date": _date,
}


def _with_id_minimum(parameter: Parameter) -> Parameter:
    """An integer id parameter without a minimum in the spec gets minimum 0."""
    if parameter.name.endswith("_id") and parameter.minimum is None:
        return attrs.evolve(parameter, minimum=0)
    return parameter


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_range(parameter: Parameter, value: float) -> None:
    low, high = parameter.minimum, parameter.maximum
    too_low = (low is not None and value < low) or (
        parameter.exclusive_minimum is not None and value <= parameter.exclusive_minimum
    )
    too_high = (high is not None and value > high) or (
        parameter.exclusive_maximum is not None and value >= parameter.exclusive_maximum
    )
    if too_low or too_high:
        raise InvalidRequestError(
            f"{parameter.python_name} must be {_allowed(parameter)}, got {_shown(value)}",
            argument=parameter.python_name,
        )


def _allowed(parameter: Parameter) -> str:
    """What a parameter accepts, in words (for error messages)."""
    if parameter.enum is not None:
        return "one of " + ", ".join(map(repr, parameter.enum))
    noun = {
        "integer": "an int",
        "number": "a number",
        "boolean": "a bool",
        "date-time": "a timezone-aware datetime",
        "date": "a date",
    }.get(parameter.kind, "a non-empty str")
    bounds = []
    if parameter.minimum is not None and parameter.maximum is not None:
        return f"{noun} from {_num(parameter.minimum)} to {_num(parameter.maximum)}"
    if parameter.minimum is not None:
        bounds.append(f">= {_num(parameter.minimum)}")
    if parameter.exclusive_minimum is not None:
        bounds.append(f"> {_num(parameter.exclusive_minimum)}")
    if parameter.maximum is not None:
        bounds.append(f"<= {_num(parameter.maximum)}")
    if parameter.exclusive_maximum is not None:
        bounds.append(f"< {_num(parameter.exclusive_maximum)}")
    return " ".join([noun, " and ".join(bounds)]).strip()


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _wrong(parameter: Parameter, value: object) -> InvalidRequestError:
    return InvalidRequestError(
        f"{parameter.python_name} must be {_allowed(parameter)}, "
        f"got {type(value).__name__} {_shown(value)}",
        argument=parameter.python_name,
    )


def _aware(value: object, argument: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise InvalidRequestError(
            f"{argument} must be a timezone-aware datetime, got {type(value).__name__}",
            argument=argument,
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRequestError(
            f"{argument} must be timezone-aware (we never guess a zone): "
            f"use e.g. datetime(..., tzinfo=datetime.UTC), got naive {value.isoformat()}",
            argument=argument,
        )
    return value


def _check_text(parameter: Parameter, wire: str) -> None:
    """Length, pattern and encodability of the rendered value."""
    name = parameter.python_name
    if not wire.isascii():
        try:
            wire.encode()
        except UnicodeEncodeError:
            raise InvalidRequestError(
                f"{name} contains a lone surrogate, which cannot be sent as UTF-8", argument=name
            ) from None
    if parameter.min_length is not None and len(wire) < parameter.min_length:
        raise InvalidRequestError(
            f"{name} must be at least {parameter.min_length} character(s) long", argument=name
        )
    if parameter.max_length is not None and len(wire) > parameter.max_length:
        raise InvalidRequestError(
            f"{name} must be at most {parameter.max_length} character(s) long", argument=name
        )
    if parameter.pattern is not None:
        pattern = _pattern(parameter.pattern)
        if pattern is not None and pattern.search(wire) is None:
            raise InvalidRequestError(
                f"{name} must match the pattern {parameter.pattern!r}, got {_shown(wire)}",
                argument=name,
            )


@functools.cache
def _pattern(source: str) -> re.Pattern[str] | None:
    """The spec's (ECMA-262) pattern compiled by ``re``; ``None`` if ``re`` cannot read it."""
    try:
        return re.compile(source)
    except re.error:
        return None


def _header_safe(wire: str, argument: str) -> str:
    bad = next((ch for ch in wire if ord(ch) < 0x20 or ord(ch) == 0x7F), None)  # noqa: PLR2004
    if bad is not None:
        raise InvalidRequestError(
            f"{argument} contains a control character ({bad!r}) that cannot be sent in an "
            "HTTP header",
            argument=argument,
        )
    return wire


def _fields(value: object, operation: Operation[Any]) -> str:
    allowed = selectable_fields(operation)
    if isinstance(value, str) or not isinstance(value, Iterable):
        example = list(_selectable_in_order(operation.path, operation.http_method)[:2])
        raise InvalidRequestError(
            f"fields must be a list of names such as {example}, not "
            f"{'one str' if isinstance(value, str) else type(value).__name__}",
            argument="fields",
        )
    names: list[str] = []
    for name in value:
        plain = name.value if isinstance(name, enum.Enum) else name
        if not isinstance(plain, str) or plain not in allowed:
            raise InvalidRequestError(
                f"fields: unknown field name {_shown(plain)}; "
                f"allowed: {', '.join(sorted(allowed))}",
                argument="fields",
            )
        if plain not in names:
            names.append(plain)
    if not names:
        raise InvalidRequestError(
            "fields must name at least one field (None selects the server's default)",
            argument="fields",
        )
    return ",".join(names)


def selectable_fields(operation: Operation[Any]) -> frozenset[str]:
    """The names ``fields`` may select for ``operation``.

    Every property of the result's item schema (or of the 200 body itself),
    plus the values of the spec's ``<Schema>Field`` enum when there is one
    (the documented list names fields the schema lacks, such as ``tags``).
    """
    return _selectable(operation.path, operation.http_method)


@functools.cache
def _selectable(path: str, method: str) -> frozenset[str]:
    return frozenset(_selectable_in_order(path, method))


@functools.cache
def _selectable_in_order(path: str, method: str) -> tuple[str, ...]:
    """The selectable names: the spec's list first, in its order, then the other properties."""
    operation = SPEC["paths"][path][method.lower()]
    content = operation["responses"]["200"].get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    body = resolve(schema)
    item_ref = body.get("properties", {}).get("data", {}).get("items", schema)
    ref = item_ref.get("$ref", schema.get("$ref", ""))
    names: list[str] = []
    if ref:
        listed = SPEC.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1] + "Field")
        if listed is not None:
            names.extend(str(value) for value in resolve(listed).get("enum", ()))
    names.extend(resolve(item_ref).get("properties", {}))
    return tuple(dict.fromkeys(names))
