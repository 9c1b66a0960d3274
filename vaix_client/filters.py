"""Typed filters for the ``filters`` query parameter, and a parser of its wire grammar.

The Vaix grammar (VAIX_API.md, "Filtering"):

* one filter is ``field:operator:value``; the server splits on the first two
  colons only, so values may contain ``:`` (``sport_id:in:sr:sport:1,sr:sport:2``);
* ``;`` joins filters with AND, ``|`` joins them with OR, and ``|`` binds
  tighter: ``status:eq:live;sport:eq:Soccer|league:eq:NBA`` means
  status = live AND (sport = Soccer OR league = NBA). A wire expression is
  therefore always an AND of OR-groups (conjunctive normal form, CNF);
* the operators are ``eq``, ``neq``, ``in``, ``nin``, ``gt`` and ``lt``;
  ``in`` and ``nin`` take comma-separated values;
* booleans are numbers (``enabled:eq:1``);
* nothing can be escaped: a ``;`` or ``|`` in any value, or a ``,`` in an
  ``in``/``nin`` value, cannot be expressed. Such values are refused here,
  before any I/O, rather than sent and silently misread by the server.

Build conditions with :func:`eq`, :func:`neq`, :func:`gt`, :func:`lt`,
:func:`in_` and :func:`nin`; combine them with ``&`` and ``|`` (an OR over an
AND is rewritten by distribution, ``(a & b) | c == (a | c) & (b | c)``); turn
the result into the wire string with :func:`compile_filters`. Note that in
Python ``&`` binds tighter than ``|`` (``a & b | c`` is ``(a & b) | c``), the
reverse of the wire's ``;`` and ``|``: the rewrite keeps the meaning you wrote.
:func:`parse_filters` and :func:`matches` go the other way, for the fake server.

Our readings where the documentation is silent: empty values and field names
are refused (``field:eq:`` reads as a missing value); a value is sent verbatim
(no trimming); floats are written in plain decimal notation without exponent
or trailing zeros (``1.0`` -> ``1``, ``1e-7`` -> ``0.0000001``); an expression
may hold at most :data:`MAX_TERMS` filters in total, which also bounds the
growth of the CNF rewrite.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final, Literal, TypeAlias, get_args

from vaix_client._errors import InvalidRequestError, shown

__all__ = [
    "MAX_TERMS",
    "And",
    "Condition",
    "FilterExpression",
    "FilterValue",
    "Operator",
    "Or",
    "compile_filters",
    "eq",
    "gt",
    "in_",
    "lt",
    "matches",
    "neq",
    "nin",
    "parse_filters",
]

Operator: TypeAlias = Literal["eq", "neq", "in", "nin", "gt", "lt"]
"""A filter operator of the Vaix grammar (``gte``/``lte`` are not documented)."""

FilterValue: TypeAlias = str | int | float | bool
"""A value a filter accepts; booleans are sent as ``1``/``0``."""

MAX_TERMS: Final = 64
"""Most filters one expression may hold once rewritten into CNF."""

_OPERATORS: Final[dict[str, Operator]] = {op: op for op in get_args(Operator)}
_LIST_OPERATORS: Final = frozenset({"in", "nin"})
_NEGATED: Final = frozenset({"neq", "nin"})
_FIELD: Final = re.compile(r"[^\s:;|,]+")
# A decimal number; the exponent is bounded so that Decimal() always accepts it.
_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,9})?", re.ASCII)
_ALLOWED_TYPES: Final = "str, int, float or bool"


def _refuse(message: str) -> InvalidRequestError:
    return InvalidRequestError(f"filters: {message}", argument="filters")


class _Combinable:
    """``&`` and ``|`` for every filter expression; results are always in CNF."""

    __slots__ = ()

    def to_wire(self) -> str:
        """The wire string of this expression (what ``compile_filters`` returns)."""
        return compile_filters(self)  # type: ignore[arg-type] # every subclass is a FilterExpression

    def __and__(self, other: FilterExpression) -> And:
        return And(_groups(self) + _groups(other))

    def __or__(self, other: FilterExpression) -> Or | And:
        left, right = _groups(self), _groups(other)
        if not isinstance(self, And) and not isinstance(other, And):
            return Or(left[0].terms + right[0].terms)
        _check_size(len(right) * _size(left) + len(left) * _size(right))
        return And(tuple(Or(a.terms + b.terms) for a in left for b in right))


@dataclass(frozen=True, slots=True)
class Condition(_Combinable):
    """One filter, ``field:operator:value``; build it with :func:`eq` and friends.

    ``values`` are already wire strings: exactly one for ``eq``, ``neq``,
    ``gt`` and ``lt``, at least one for ``in`` and ``nin``.
    """

    field: str
    operator: Operator
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_field(self.field)
        if self.operator not in _OPERATORS:
            raise _refuse(f"unknown operator {self.operator!r}; allowed: {', '.join(_OPERATORS)}")
        is_list = self.operator in _LIST_OPERATORS
        if not self.values or (len(self.values) > 1 and not is_list):
            wanted = "at least one value" if is_list else "exactly one value"
            raise _refuse(f"{self.field}:{self.operator} needs {wanted}, got {self.values!r}")
        separators = ";|," if is_list else ";|"
        for value in self.values:
            if not value:
                raise _refuse(f"{self.field}:{self.operator} has an empty value in {self.values!r}")
            for separator in separators:
                if separator in value:
                    raise _refuse(
                        f"value {value!r} of {self.field} contains {separator!r}, which the"
                        " Vaix filter grammar cannot express (no escape exists)"
                    )


@dataclass(frozen=True, slots=True)
class Or(_Combinable):
    """Conditions joined by ``|``: true when any of them holds."""

    terms: tuple[Condition, ...]

    def __post_init__(self) -> None:
        if not self.terms or not all(isinstance(term, Condition) for term in self.terms):
            raise _refuse(f"Or needs one or more Condition terms, got {self.terms!r}")
        _check_size(len(self.terms))


@dataclass(frozen=True, slots=True)
class And(_Combinable):
    """OR-groups joined by ``;``: true when every group holds (the wire's CNF)."""

    terms: tuple[Or, ...]

    def __post_init__(self) -> None:
        if not self.terms or not all(isinstance(term, Or) for term in self.terms):
            raise _refuse(
                f"And needs one or more Or terms, got {self.terms!r}; combine conditions with &"
            )
        _check_size(_size(self.terms))


FilterExpression: TypeAlias = Condition | And | Or
"""Anything :func:`compile_filters` turns into a wire string, besides a plain string."""


def eq(field: str, value: FilterValue) -> Condition:
    """``field`` equals ``value``."""
    return Condition(field, "eq", (_render(field, value),))


def neq(field: str, value: FilterValue) -> Condition:
    """``field`` differs from ``value`` (also true when the field is missing or null)."""
    return Condition(field, "neq", (_render(field, value),))


def gt(field: str, value: FilterValue) -> Condition:
    """``field`` is greater than ``value``."""
    return Condition(field, "gt", (_render(field, value),))


def lt(field: str, value: FilterValue) -> Condition:
    """``field`` is less than ``value``."""
    return Condition(field, "lt", (_render(field, value),))


def in_(field: str, values: Iterable[FilterValue]) -> Condition:
    """``field`` equals one of ``values`` (named ``in_`` since ``in`` is a keyword)."""
    return Condition(field, "in", _render_list(field, values))


def nin(field: str, values: Iterable[FilterValue]) -> Condition:
    """``field`` equals none of ``values``."""
    return Condition(field, "nin", _render_list(field, values))


def compile_filters(expr: str | FilterExpression) -> str:
    """Return the wire string for ``expr``, in the order it was written.

    A plain string is validated by parsing it and returned unchanged.
    """
    if isinstance(expr, str):
        parse_filters(expr)
        return expr
    return ";".join("|".join(map(_wire, group.terms)) for group in _groups(expr))


def parse_filters(wire: str) -> And:
    """Parse a wire string into an :class:`And` of :class:`Or` groups of conditions.

    ``compile_filters(parse_filters(s)) == s`` for every string it accepts.
    """
    if not isinstance(wire, str) or not wire:
        raise _refuse(f"expected a non-empty filter string, got {shown(wire)}")
    return And(tuple(Or(tuple(_parse(wire, p) for p in g.split("|"))) for g in wire.split(";")))


def matches(expr: FilterExpression, record: Mapping[str, object]) -> bool:
    """Tell whether ``record`` (a session as a dict) passes ``expr``; the fake server's filter.

    Our reading, since the Vaix documentation does not say:

    * ``eq``/``in``: when the record's value is a number (bools are ``1``/``0``)
      and the filter value parses as one, they compare numerically (``1`` equals
      ``1.0``); otherwise the record's value rendered as a wire string must equal
      the filter value exactly (strings are never compared as numbers: ``007``
      is not ``7``);
    * ``gt``/``lt``: numerically when both sides parse as numbers, else as
      date-times when both parse as ISO 8601 (a naive one is taken as UTC), else
      as strings (by code point);
    * a list value (``vaix_tags``, ``channels``) passes ``eq``/``in``/``gt``/``lt``
      when any element does, and ``neq``/``nin`` when no element passes the
      positive test;
    * a missing or null value, an empty list, or a value of another type (an
      object) passes only ``neq`` and ``nin``.
    """
    return all(
        any(_holds(cond, record.get(cond.field)) for cond in group.terms) for group in _groups(expr)
    )


def _groups(expr: object) -> tuple[Or, ...]:
    if isinstance(expr, Condition):
        return (Or((expr,)),)
    if isinstance(expr, Or):
        return (expr,)
    if isinstance(expr, And):
        return expr.terms
    raise _refuse(
        f"expected a filter string or an expression built with eq(), in_() and the like,"
        f" got {type(expr).__name__}"
    )


def _size(groups: tuple[Or, ...]) -> int:
    return sum(len(group.terms) for group in groups)


def _check_size(size: int) -> None:
    if size > MAX_TERMS:
        raise _refuse(
            f"the expression needs {size} filters as an AND of OR-groups (the only form the"
            f" Vaix grammar has); at most {MAX_TERMS} are allowed"
        )


def _check_field(field: object) -> None:
    if not isinstance(field, str) or not _FIELD.fullmatch(field):
        raise _refuse(
            f"field name {field!r} is not allowed; a field name is non-empty and has no"
            " ':', ';', '|', ',' or whitespace"
        )


def _render(field: str, value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(int(value))  # int() drops subclasses such as IntEnum
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(f"value {value!r} of {field} is not a finite number")
        return _plain_decimal(value)
    if isinstance(value, str):
        return str.__str__(value)  # the text itself, even for a (str, Enum) member
    raise _refuse(
        f"value {value!r} of {field} is a {type(value).__name__}; allowed: {_ALLOWED_TYPES}"
        " (render other values, such as datetimes, to strings first)"
    )


def _render_list(field: str, values: object) -> tuple[str, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise _refuse(f"values of {field} must be a list of {_ALLOWED_TYPES}, got {values!r}")
    return tuple(_render(field, value) for value in values)


def _plain_decimal(value: float) -> str:
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _wire(cond: Condition) -> str:
    return f"{cond.field}:{cond.operator}:{','.join(cond.values)}"


def _parse(wire: str, part: str) -> Condition:
    field, _, rest = part.partition(":")
    name, colon, value = rest.partition(":")
    if not colon or not value:
        what = "an empty filter" if not part else shown(part)
        raise _refuse(
            f"{what} in {shown(wire)} is not field:operator:value with a non-empty value"
            " (filters are joined by ';' for AND and '|' for OR)"
        )
    operator = _OPERATORS.get(name)
    if operator is None:
        raise _refuse(f"unknown operator {name!r} in {part!r}; allowed: {', '.join(_OPERATORS)}")
    return Condition(
        field, operator, tuple(value.split(",")) if name in _LIST_OPERATORS else (value,)
    )


def _holds(cond: Condition, value: object) -> bool:
    items = value if isinstance(value, list | tuple) else [value]
    hit = any(_holds_for(cond, item) for item in items if item is not None)
    return not hit if cond.operator in _NEGATED else hit


def _holds_for(cond: Condition, item: object) -> bool:
    if cond.operator in {"gt", "lt"}:
        text = _record_text(item)
        if text is None:
            return False
        value = cond.values[0]
        return _less(value, text) if cond.operator == "gt" else _less(text, value)
    return any(_equal(item, value) for value in cond.values)


def _record_text(item: object) -> str | None:
    if isinstance(item, bool):
        return "1" if item else "0"
    if isinstance(item, int):
        return str(int(item))
    if isinstance(item, float):
        return _plain_decimal(item) if math.isfinite(item) else repr(item)
    if isinstance(item, str):
        return item
    if isinstance(item, datetime):
        return item.isoformat()
    return None


def _equal(item: object, value: str) -> bool:
    text = _record_text(item)
    if text is None:
        return False
    if isinstance(item, int | float):
        left, right = _number(text), _number(value)
        if left is not None and right is not None:
            return left == right
    return text == value


def _less(left: str, right: str) -> bool:
    """Order two wire strings: as numbers, else as date-times, else as strings."""
    left_number, right_number = _number(left), _number(right)
    if left_number is not None and right_number is not None:
        return left_number < right_number
    left_moment, right_moment = _datetime(left), _datetime(right)
    if left_moment is not None and right_moment is not None:
        return left_moment < right_moment
    return left < right


def _number(text: str) -> Decimal | None:
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def _datetime(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
