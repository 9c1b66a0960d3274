from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias, TypeVar

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from vaix_client.errors import InvalidRequestError
from vaix_client.filters import (
    MAX_TERMS,
    And,
    Condition,
    FilterExpression,
    FilterValue,
    Or,
    compile_filters,
    eq,
    gt,
    in_,
    lt,
    matches,
    neq,
    nin,
    parse_filters,
)

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
PROPERTY = settings(max_examples=200, deadline=None)


class Studio(str, enum.Enum):  # noqa: UP042 - the mixin, not StrEnum, is the case to pin
    """A (str, Enum) mixin, whose str() is not its value on Python 3.11."""

    NETENT = "NetEnt"


class Level(enum.IntEnum):
    """An IntEnum, sent as its number."""

    HIGH = 3


a, b, c, d = eq("a", 1), eq("b", 2), eq("c", 3), eq("d", 4)


@pytest.mark.parametrize(
    ("expr", "wire"),
    [
        (eq("game_name", "Book of Dead"), "game_name:eq:Book of Dead"),
        (neq("game_studio", "NetEnt"), "game_studio:neq:NetEnt"),
        (gt("max_bet", 10), "max_bet:gt:10"),
        (lt("min_bet", 0.5), "min_bet:lt:0.5"),
        (in_("sport", ["Tennis", "Soccer"]), "sport:in:Tennis,Soccer"),
        (nin("sport", ("Tennis", "Soccer")), "sport:nin:Tennis,Soccer"),
        (in_("sport", ["Soccer"]), "sport:in:Soccer"),
        (in_("sport_id", ["sr:sport:1", "sr:sport:2"]), "sport_id:in:sr:sport:1,sr:sport:2"),
        (eq("started", "2024-05-01T10:00:00+02:00"), "started:eq:2024-05-01T10:00:00+02:00"),
        (eq("game_name", "Rock, Paper"), "game_name:eq:Rock, Paper"),
        (eq("enabled", value=True), "enabled:eq:1"),
        (eq("enabled", value=False), "enabled:eq:0"),
        (in_("has_bonus", [True, False]), "has_bonus:in:1,0"),
        (gt("total_duration_in_seconds", 1.0), "total_duration_in_seconds:gt:1"),
        (gt("max_bet", 1e-7), "max_bet:gt:0.0000001"),
        (lt("max_bet", 1e20), "max_bet:lt:100000000000000000000"),
        (eq("max_bet", -0.0), "max_bet:eq:0"),
        (eq("game_studio", Studio.NETENT), "game_studio:eq:NetEnt"),
        (eq("level", Level.HIGH), "level:eq:3"),
        (in_("game_id", ["a", "a"]), "game_id:in:a,a"),
    ],
)
def test_wire_form(expr: FilterExpression, wire: str) -> None:
    """Each operator and value type compiles to its documented wire form, verbatim."""
    assert compile_filters(expr) == wire


@pytest.mark.parametrize(
    ("expr", "wire"),
    [
        (a & b, "a:eq:1;b:eq:2"),
        (a | b, "a:eq:1|b:eq:2"),
        (a & (b | c), "a:eq:1;b:eq:2|c:eq:3"),
        ((a | b) & c, "a:eq:1|b:eq:2;c:eq:3"),
        ((a & b) | c, "a:eq:1|c:eq:3;b:eq:2|c:eq:3"),
        (a | (b & c), "a:eq:1|b:eq:2;a:eq:1|c:eq:3"),
        ((a & b) | (c & d), "a:eq:1|c:eq:3;a:eq:1|d:eq:4;b:eq:2|c:eq:3;b:eq:2|d:eq:4"),
        ((a | b) | (c | d), "a:eq:1|b:eq:2|c:eq:3|d:eq:4"),
        ((a & b) & (c & d), "a:eq:1;b:eq:2;c:eq:3;d:eq:4"),
        (b & a, "b:eq:2;a:eq:1"),
        (a & a, "a:eq:1;a:eq:1"),
    ],
)
def test_combination_compiles_to_cnf(expr: FilterExpression, wire: str) -> None:
    """``&`` and ``|`` compile in the user's order, an OR over an AND distributed into CNF."""
    assert compile_filters(expr) == wire


def test_combination_types() -> None:
    """An OR of conditions is an ``Or``, anything with an AND is an ``And`` of ``Or`` groups."""
    assert a | b == Or((a, b))
    assert (a | b) | c == Or((a, b, c))
    assert a & b == And((Or((a,)), Or((b,))))
    assert (a & b) | c == And((Or((a, c)), Or((b, c))))
    assert a & b | c == (a & b) | c  # Python precedence: & before |


def test_documented_example_parses_to_status_and_sport_or_league() -> None:
    """The VAIX_API.md example is status AND (sport OR league)."""
    parsed = parse_filters("status:eq:live;sport:eq:Soccer|league:eq:NBA")
    assert parsed == And(
        (Or((eq("status", "live"),)), Or((eq("sport", "Soccer"), eq("league", "NBA"))))
    )
    assert parsed == eq("status", "live") & (eq("sport", "Soccer") | eq("league", "NBA"))


@pytest.mark.parametrize(
    ("wire", "condition"),
    [
        (
            "sport_id:in:sr:sport:1,sr:sport:2",
            Condition("sport_id", "in", ("sr:sport:1", "sr:sport:2")),
        ),
        ("url:eq:https://x.test/a:b", Condition("url", "eq", ("https://x.test/a:b",))),
        ("game_name:eq:Rock, Paper", Condition("game_name", "eq", ("Rock, Paper",))),
        ("enabled:eq:1", Condition("enabled", "eq", ("1",))),
        ("game_name:eq: padded ", Condition("game_name", "eq", (" padded ",))),
    ],
)
def test_parse_single_condition(wire: str, condition: Condition) -> None:
    """The server splits on the first two colons only; an in-list value splits on commas."""
    assert parse_filters(wire) == And((Or((condition,)),))
    assert compile_filters(wire) == wire
    assert compile_filters(parse_filters(wire)) == wire


def _refusal(action: Callable[[], object]) -> str:
    """Run ``action``, check it is refused as a ``filters`` argument, return the message."""
    with pytest.raises(InvalidRequestError) as caught:
        action()
    assert caught.value.argument == "filters"
    message = str(caught.value)
    assert message.startswith("filters: ")
    return message


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        (lambda: eq("game_name", "a;b"), "value 'a;b' of game_name contains ';'"),
        (lambda: neq("game_name", "a|b"), "value 'a|b' of game_name contains '|'"),
        (lambda: gt("x", "1;"), "cannot express (no escape exists)"),
        (lambda: in_("sport", ["Soccer", "a,b"]), "value 'a,b' of sport contains ','"),
        (lambda: nin("sport", ["a|b"]), "contains '|'"),
        (lambda: eq("game_name", ""), "has an empty value"),
        (lambda: in_("sport", ["Soccer", ""]), "has an empty value"),
        (lambda: in_("sport", []), "sport:in needs at least one value"),
        (lambda: nin("sport", iter(())), "sport:nin needs at least one value"),
    ],
)
def test_inexpressible_values_are_refused(action: Callable[[], object], fragment: str) -> None:
    """Separators inside values, commas in list values and empty lists or values are refused."""
    assert fragment in _refusal(action)


@pytest.mark.parametrize("field", ["", "a:b", "a;b", "a|b", "a,b", "a b", " a", "a\n", "a\tb"])
def test_bad_field_names_are_refused(field: str) -> None:
    """A field name must be non-empty, without separators or whitespace."""
    assert f"field name {field!r} is not allowed" in _refusal(lambda: eq(field, 1))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "is a NoneType; allowed: str, int, float or bool"),
        (datetime(2024, 1, 1, tzinfo=UTC), "is a datetime; allowed"),
        (Decimal("1.5"), "is a Decimal; allowed"),
        (b"bytes", "is a bytes; allowed"),
        (["a"], "is a list; allowed"),
        (float("nan"), "nan of x is not a finite number"),
        (float("inf"), "inf of x is not a finite number"),
        (float("-inf"), "-inf of x is not a finite number"),
    ],
)
def test_unsupported_value_types_are_refused(value: object, fragment: str) -> None:
    """Only finite str, int, float and bool values are accepted, in every factory."""
    assert fragment in _refusal(lambda: eq("x", value))  # type: ignore[arg-type]
    assert fragment in _refusal(lambda: in_("x", ["ok", value]))  # type: ignore[list-item]


@pytest.mark.parametrize("values", ["Soccer", b"Soccer", None, 3])
def test_list_operators_need_a_list(values: object) -> None:
    """``in_``/``nin`` refuse a bare string (which would iterate characters) or a non-iterable."""
    assert "must be a list" in _refusal(lambda: in_("sport", values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        (lambda: Condition("a", "eq", ("1", "2")), "a:eq needs exactly one value"),
        (lambda: Condition("a", "gt", ()), "a:gt needs exactly one value"),
        (lambda: Condition("a", "gte", ("1",)), "unknown operator 'gte'"),  # type: ignore[arg-type]
        (lambda: Or(()), "Or needs one or more Condition terms"),
        (lambda: And(()), "And needs one or more Or terms"),
        (lambda: And((a,)), "combine conditions with &"),  # type: ignore[arg-type]
        (lambda: compile_filters(42), "expected a filter string"),  # type: ignore[arg-type]
        (lambda: a & "b:eq:1", "got str"),  # type: ignore[operator]
        (lambda: parse_filters(None), "expected a non-empty filter string"),  # type: ignore[arg-type]
    ],
)
def test_malformed_objects_are_refused(action: Callable[[], object], fragment: str) -> None:
    """Directly built objects are validated like the factories' results."""
    assert fragment in _refusal(action)


@pytest.mark.parametrize(
    ("wire", "fragment"),
    [
        ("", "expected a non-empty filter string"),
        ("a:eq:1;", "an empty filter in 'a:eq:1;'"),
        (";a:eq:1", "an empty filter"),
        ("a:eq:1|", "an empty filter"),
        ("a:eq:1;;b:eq:2", "an empty filter"),
        ("a:eq:1||b:eq:2", "an empty filter"),
        ("a", "'a' in 'a' is not field:operator:value"),
        ("a:eq", "'a:eq' in 'a:eq' is not field:operator:value"),
        ("a:eq:", "with a non-empty value"),
        ("a:in:", "with a non-empty value"),
        ("a:in:x,,y", "a:in has an empty value"),
        ("a:nin:x,", "a:nin has an empty value"),
        ("a:gte:1", "unknown operator 'gte' in 'a:gte:1'; allowed: eq, neq, in, nin, gt, lt"),
        ("a:EQ:1", "unknown operator 'EQ'"),
        (":eq:1", "field name '' is not allowed"),
        ("a b:eq:1", "field name 'a b' is not allowed"),
        ("a:eq:1; b:eq:2", "field name ' b' is not allowed"),
    ],
)
def test_malformed_strings_are_refused(wire: str, fragment: str) -> None:
    """A plain filter string is validated by parsing, and a malformed one is refused."""
    assert fragment in _refusal(lambda: compile_filters(wire))


def _chain(
    combine: Callable[[FilterExpression, Condition], FilterExpression], n: int
) -> FilterExpression:
    """Combine ``n`` distinct conditions left to right with ``combine``."""
    expr: FilterExpression = eq("f0", 0)
    for i in range(1, n):
        expr = combine(expr, eq(f"f{i}", i))
    return expr


def _and(left: FilterExpression, right: FilterExpression) -> FilterExpression:
    return left & right


def _or(left: FilterExpression, right: FilterExpression) -> FilterExpression:
    return left | right


@pytest.mark.parametrize(("combine", "separator"), [(_and, ";"), (_or, "|")])
def test_max_terms_is_the_limit(
    combine: Callable[[FilterExpression, FilterExpression], FilterExpression], separator: str
) -> None:
    """Exactly MAX_TERMS filters are accepted, built with ``&`` or ``|`` or as a string."""
    wire = compile_filters(_chain(combine, MAX_TERMS))
    assert wire.count(separator) == MAX_TERMS - 1
    assert compile_filters(wire) == wire


@pytest.mark.parametrize(
    "action",
    [
        lambda: _chain(_and, MAX_TERMS + 1),
        lambda: _chain(_or, MAX_TERMS + 1),
        lambda: parse_filters(";".join(["a:eq:1"] * (MAX_TERMS + 1))),
        lambda: parse_filters("|".join(["a:eq:1"] * (MAX_TERMS + 1))),
        # Five ANDs of two, ORed: 2**5 groups of 5 filters each once distributed.
        lambda: _chain(lambda expr, cond: expr | (cond & eq("z", 0)), 5),
    ],
)
def test_too_many_terms_are_refused(action: Callable[[], object]) -> None:
    """More than MAX_TERMS filters in CNF is refused, those made by distribution included."""
    assert f"at most {MAX_TERMS} are allowed" in _refusal(action)


SESSION: dict[str, object] = {
    "game_id": "007",
    "game_name": "Book of Dead",
    "enabled": 1,
    "has_bonus": True,
    "has_buy": False,
    "max_bet": 100.0,
    "min_bet": 0.1,
    "total_duration_in_seconds": 95,
    "started": "2024-05-01T10:00:00Z",
    "release_date": "2019-01-15T00:00:00",
    "vaix_tags": ["egypt", "adventure"],
    "channels": [],
    "category": None,
    "images": [{"type": "icon", "url": "https://x.test/i.png"}],
    "first_transaction": datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (eq("game_name", "Book of Dead"), True),
        (eq("game_name", "book of dead"), False),
        (eq("game_id", "007"), True),
        (eq("game_id", 7), False),  # a string is never compared as a number
        (eq("enabled", 1.0), True),
        (eq("enabled", value=True), True),
        (eq("has_bonus", 1), True),
        (eq("has_bonus", "1.0"), True),
        (eq("has_buy", value=False), True),
        (neq("has_buy", 0), False),
        (eq("max_bet", 100), True),
        (eq("min_bet", "0.1"), True),
        (in_("total_duration_in_seconds", [60, 95]), True),
        (nin("total_duration_in_seconds", [60, 95]), False),
        (gt("total_duration_in_seconds", 60), True),
        (gt("total_duration_in_seconds", "100"), False),  # numeric, not "95" > "100"
        (lt("min_bet", 0.5), True),
        (gt("started", "2024-05-01T11:00:00+02:00"), True),  # 10:00Z is after 09:00Z
        (lt("started", "2024-05-01T10:00:00+00:00"), False),
        (gt("release_date", "2019-01-14T23:00:00Z"), True),  # naive is read as UTC
        (lt("first_transaction", "2024-05-01T10:00:00Z"), True),
        (gt("game_name", "A"), True),  # neither numbers nor dates: by code point
        (lt("game_name", "Bop"), True),
        (eq("vaix_tags", "egypt"), True),
        (in_("vaix_tags", ["space", "adventure"]), True),
        (neq("vaix_tags", "egypt"), False),
        (neq("vaix_tags", "space"), True),
        (nin("vaix_tags", ["space", "fruit"]), True),
        (gt("vaix_tags", "f"), False),
        (eq("channels", "mobile"), False),
        (neq("channels", "mobile"), True),
        (eq("category", "Slots"), False),
        (neq("category", "Slots"), True),
        (nin("category", ["Slots"]), True),
        (gt("category", 0), False),
        (lt("missing", 0), False),
        (in_("missing", ["x"]), False),
        (neq("missing", "x"), True),
        (eq("images", "icon"), False),
        (neq("images", "icon"), True),
        (eq("enabled", 1) & gt("max_bet", 50), True),
        (eq("enabled", 1) & lt("max_bet", 50), False),
        (eq("enabled", 0) | eq("vaix_tags", "egypt"), True),
        ((eq("enabled", 0) & eq("x", 1)) | eq("has_bonus", value=True), True),
        (parse_filters("enabled:eq:1;game_name:eq:Nope|vaix_tags:in:egypt,space"), True),
    ],
)
def test_matches(expr: FilterExpression, expected: bool) -> None:
    """``matches`` applies the documented reading of each operator to a session record."""
    assert matches(expr, SESSION) is expected


# ---------------------------------------------------------------- properties

FIELDS = ("a", "b", "tags")
TEXTS = ("0", "1", "2", "1.5", "x", "y", "sr:sport:1", "2024-01-01T00:00:00Z", "2024-06-01")

values = st.one_of(
    st.sampled_from(TEXTS),
    st.integers(-2, 3),
    st.booleans(),
    st.sampled_from((0.0, 1.0, 1.5, -0.5)),
)
conditions = st.one_of(
    st.builds(eq, st.sampled_from(FIELDS), values),
    st.builds(neq, st.sampled_from(FIELDS), values),
    st.builds(gt, st.sampled_from(FIELDS), values),
    st.builds(lt, st.sampled_from(FIELDS), values),
    st.builds(in_, st.sampled_from(FIELDS), st.lists(values, min_size=1, max_size=3)),
    st.builds(nin, st.sampled_from(FIELDS), st.lists(values, min_size=1, max_size=3)),
)
Tree: TypeAlias = Condition | tuple[str, "Tree", "Tree"]
trees: st.SearchStrategy[Tree] = st.recursive(
    conditions,
    lambda children: st.tuples(st.sampled_from("&|"), children, children),
    max_leaves=8,
)
record_values = st.one_of(
    st.none(), values, st.lists(st.sampled_from(TEXTS), max_size=3), st.just({"k": "v"})
)
records = st.dictionaries(st.sampled_from(FIELDS), record_values)


def _build(tree: Tree) -> FilterExpression:
    """Combine a generated tree with the operators under test."""
    if isinstance(tree, Condition):
        return tree
    operator, left, right = tree
    return _build(left) & _build(right) if operator == "&" else _build(left) | _build(right)


def _evaluate(tree: Tree, record: dict[str, object]) -> bool:
    """Evaluate a tree directly (no CNF rewrite), as the reference meaning."""
    if isinstance(tree, Condition):
        return matches(tree, record)
    operator, left, right = tree
    if operator == "&":
        return _evaluate(left, record) and _evaluate(right, record)
    return _evaluate(left, record) or _evaluate(right, record)


@PROPERTY
@given(trees, st.lists(records, min_size=1, max_size=5))
def test_compile_parse_round_trip(tree: Tree, samples: list[dict[str, object]]) -> None:
    """Any expression compiles to a string that parses back to the same CNF and the same meaning."""
    try:
        expr = _build(tree)
    except InvalidRequestError:
        reject()  # more than MAX_TERMS once distributed
    wire = compile_filters(expr)
    parsed = parse_filters(wire)
    assert compile_filters(parsed) == wire
    assert compile_filters(wire) == wire
    for record in samples:
        assert matches(parsed, record) == matches(expr, record) == _evaluate(tree, record)


awkward_text = st.text(alphabet=st.sampled_from(";|,: a1\t\n\x00é"), max_size=8) | st.text(
    max_size=8
)


def _outcome(action: Callable[[], T]) -> T | InvalidRequestError:
    """Run ``action``; return its result, or the InvalidRequestError it raised."""
    try:
        return action()
    except InvalidRequestError as error:
        return error


@PROPERTY
@given(awkward_text, st.lists(awkward_text, max_size=3), awkward_text)
def test_awkward_values_are_refused_or_round_trip(text: str, items: list[str], field: str) -> None:
    """Values and fields with separators are refused as ``filters`` or round-trip exactly."""
    cases: list[tuple[Callable[[], Condition], tuple[str, ...]]] = [
        (lambda: eq(field, text), (text,)),
        (lambda: lt(field, text), (text,)),
        (lambda: nin(field, items), tuple(items)),
    ]
    for build, expected in cases:
        condition = _outcome(build)
        if isinstance(condition, InvalidRequestError):
            assert condition.argument == "filters"
            continue
        assert condition.values == expected
        assert parse_filters(compile_filters(condition)) == And((Or((condition,)),))


wire_pieces = st.sampled_from(["a", "b", ":", "eq:", "in:", "gt:", "gte:", ";", "|", ",", "x", " "])


@PROPERTY
@given(st.lists(wire_pieces, max_size=14).map("".join) | st.text(max_size=20))
def test_plain_strings_are_refused_or_returned_unchanged(wire: str) -> None:
    """A plain string is refused as ``filters`` or accepted verbatim, never another error."""
    compiled = _outcome(lambda: compile_filters(wire))
    if isinstance(compiled, InvalidRequestError):
        assert compiled.argument == "filters"
        return
    assert compiled == wire
    assert compile_filters(parse_filters(wire)) == wire


def test_filter_value_alias_covers_the_accepted_types() -> None:
    """``FilterValue`` is the union of the value types the factories accept."""
    accepted: list[FilterValue] = ["x", 1, 1.5, True]
    assert compile_filters(in_("f", accepted)) == "f:in:x,1,1.5,1"
