"""Property tests: response decoding never crashes, and every valid query round-trips."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any, Final

import attrs
import httpx
import pytest
import respx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vaix_client import VaixClient
from vaix_client._decode import DecodeError, decode_model
from vaix_client._generated.api import SPEC, resolve
from vaix_client._generated.api.game_sessions import LATEST
from vaix_client._response import decode_body
from vaix_client._rules import selectable_fields
from vaix_client.errors import InvalidRequestError, ResponseValidationError
from vaix_client.filters import (
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
    neq,
    nin,
    parse_filters,
)
from vaix_client.models import (
    UNSET,
    GameImage,
    GameSession,
    GameSessionField,
    GameSessionsResponse,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

BASE_URL = "https://api.test"
SESSIONS_URL = f"{BASE_URL}/api/casino/game_sessions/latest"
REQUEST = httpx.Request("GET", SESSIONS_URL)
EMPTY_ENVELOPE = {"status": "success", "data": []}
SELECTABLE_FIELDS: Final = selectable_fields(LATEST)

FAST: Final = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
END_TO_END: Final = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# ---------------------------------------------------------------- strategies: JSON

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities too: json writes and reads them
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
# What strict JSON round-trips exactly: no NaN or infinity (not JSON at all),
# and integers within 64 bits.
lossless_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

SESSION_KEYS: Final = sorted(
    {"type", "url", *SELECTABLE_FIELDS, "additional_properties", "data", "status"}
)
iso_datetimes = st.datetimes(timezones=st.none() | st.just(dt.UTC)).map(dt.datetime.isoformat)
field_values = (
    json_values
    | iso_datetimes
    | st.lists(st.dictionaries(st.sampled_from(["type", "url", "x"]), json_values), max_size=3)
)
#: Objects shaped like a GameSession: known keys with values of any type (or none at all).
session_like = st.dictionaries(
    st.sampled_from(SESSION_KEYS) | st.text(max_size=8), field_values, max_size=8
)
envelopes = st.fixed_dictionaries(
    {"data": st.lists(session_like | json_values, max_size=4)},
    optional={"status": json_values, "extra": json_values},
)
bodies = json_values | envelopes | st.lists(envelopes, max_size=2) | st.just({"data": None})


def response_with(content: bytes) -> httpx.Response:
    """A 200 response carrying ``content``, as the client would receive it."""
    return httpx.Response(200, content=content, request=REQUEST)


def is_json(content: bytes) -> bool:
    """Whether ``content`` is a JSON document."""
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def as_json(value: object) -> str:
    """``value`` as canonical JSON text."""
    return json.dumps(value, sort_keys=True)


def decodes_or_refuses(response: httpx.Response) -> list[GameSession] | None:
    """Decode ``response``: its sessions, or None when it raised ResponseValidationError."""
    try:
        sessions = decode_body(response, GameSessionsResponse, "data")
    except ResponseValidationError as exc:
        error = exc
    else:
        assert isinstance(sessions, list)
        assert all(isinstance(session, GameSession) for session in sessions)
        return sessions
    assert error.response is response
    return None


# ---------------------------------------------------------------- strategies: valid sessions

text = st.text(max_size=12)
numbers = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)
aware_iso = st.datetimes(timezones=st.just(dt.UTC)).map(dt.datetime.isoformat)


def nullable(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy`` or JSON null."""
    return st.none() | strategy


def valid_values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Any JSON value the patched spec's ``schema`` allows (derived: a new field needs no edit)."""
    schema = resolve(schema)
    kind, strategy = schema.get("type"), json_values
    if "enum" in schema:
        strategy = st.sampled_from(schema["enum"])
    elif kind == "string":
        strategy = aware_iso if schema.get("format") == "date-time" else text
    elif kind == "number":
        strategy = numbers
    elif kind == "integer":
        strategy = st.integers(-(10**6), 10**6)
    elif kind == "boolean":
        strategy = st.booleans()
    elif kind == "array":
        strategy = st.lists(valid_values(schema.get("items", {})), max_size=3)
    elif kind == "object":
        properties = schema.get("properties", {})
        strategy = st.fixed_dictionaries(
            {}, optional={name: valid_values(value) for name, value in properties.items()}
        )
    return nullable(strategy) if schema.get("nullable") else strategy


#: Every GameSession property with the values its schema allows.
VALID_FIELDS: Final[dict[str, st.SearchStrategy[Any]]] = {
    name: valid_values(value)
    for name, value in SPEC["components"]["schemas"]["GameSession"]["properties"].items()
}
#: Keys the spec does not define (``fields`` can select such names): kept, never lost.
unknown_keys = st.text(min_size=1, max_size=10).filter(lambda key: key not in VALID_FIELDS)
valid_sessions = st.fixed_dictionaries({}, optional=VALID_FIELDS).flatmap(
    lambda known: st.dictionaries(unknown_keys, lossless_json_values, max_size=3).map(
        lambda extra: {**extra, **known}
    )
)


# ---------------------------------------------------------------- decoding


@FAST
@given(body=bodies)
def test_any_json_body_parses_or_raises_response_validation_error(body: object) -> None:
    """Any JSON 200 body gives GameSessions or ResponseValidationError, never another error."""
    sessions = decodes_or_refuses(response_with(json.dumps(body).encode()))
    if sessions is not None:
        assert isinstance(body, dict)
        assert len(sessions) == len(body["data"])


@FAST
@given(content=st.binary(max_size=200))
def test_any_bytes_that_are_not_json_raise_response_validation_error(content: bytes) -> None:
    """A 200 body that is not JSON raises ResponseValidationError."""
    assume(not is_json(content))  # valid JSON is the other test's job
    with pytest.raises(ResponseValidationError):
        decode_body(response_with(content), GameSessionsResponse, "data")


#: ``True``: must parse; ``False``: must raise ResponseValidationError; ``None``: either,
#: as long as nothing else is raised (the generated parser does not check every type).
@pytest.mark.parametrize(
    ("item", "parses"),
    [
        ({"started": 123}, False),
        ({"started": None}, False),
        ({"started": "yesterday"}, False),
        ({"started": "2026-01-01T10:00:00+00:00"}, True),
        ({"category": None, "vaix_tags": None, "images": None, "enabled": None}, True),
        ({"first_transaction": None, "release_date": None, "min_bet": None}, True),
        ({"images": "x"}, None),
        ({"images": [1, None, "x"]}, None),
        ({"first_transaction": 5}, None),
        ({"game_id": None, "game_name": 7}, None),
        ({"vaix_tags": "egypt", "channels": {"web": True}}, None),
    ],
)
def test_wrong_typed_fields_never_crash(item: dict[str, object], parses: bool | None) -> None:
    """Wrong-typed or null fields parse or raise ResponseValidationError, never another error."""
    body = json.dumps({"data": [item]}).encode()
    sessions = decodes_or_refuses(response_with(body))
    if parses is not None:
        assert (sessions is not None) is parses


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000, b'{"data": [{"x": ' + b"[" * 100_000 + b"}]}", b"9" * 5_000],
    ids=["deep-array", "deep-item", "huge-number"],
)
def test_pathological_json_raises_response_validation_error(content: bytes) -> None:
    """Bodies json cannot handle (too deep, too long a number) raise ResponseValidationError."""
    with pytest.raises(ResponseValidationError):
        decode_body(response_with(content), GameSessionsResponse, "data")


def numbers_as_floats(value: object) -> object:
    """``value`` with every JSON number a float, as the models' ``float`` fields hold them."""
    if isinstance(value, dict):
        return {key: numbers_as_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [numbers_as_floats(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@FAST
@given(items=st.lists(valid_sessions, max_size=4), status=text)
def test_valid_sessions_parse_without_loss(items: list[dict[str, Any]], status: str) -> None:
    """Sessions that match the spec parse, keep the server's order, and lose no key or value."""
    body = json.dumps({"status": status, "data": items, "meta": {"next": None}}).encode()
    sessions = decode_body(response_with(body), GameSessionsResponse, "data")
    assert len(sessions) == len(items)
    for session, item in zip(sessions, items, strict=True):
        known = {key: value for key, value in item.items() if key in VALID_FIELDS}
        extra = {key: value for key, value in item.items() if key not in VALID_FIELDS}
        assert session.additional_properties == extra
        as_dict = session.to_dict()
        decoded = {key: value for key, value in as_dict.items() if key in VALID_FIELDS}
        assert as_json(decoded) == as_json(numbers_as_floats(known))
        if isinstance(session.images, list):
            assert all(isinstance(image, GameImage) for image in session.images)


@pytest.fixture(scope="module")
def shared_http() -> Iterator[httpx.AsyncClient]:
    """One httpx client for every example (creating one per example costs ~20 ms of TLS setup)."""
    client = httpx.AsyncClient()
    yield client
    asyncio.run(client.aclose())


def vaix_client(http: httpx.AsyncClient) -> VaixClient:
    """A client for the mocked API on the shared pool."""
    return VaixClient(token="tok", client_id="acme", base_url=BASE_URL, http_client=http)


@END_TO_END
@given(body=bodies | st.binary(max_size=50))
async def test_any_body_end_to_end(shared_http: httpx.AsyncClient, body: object) -> None:
    """Through the whole client, any 200 body gives GameSessions or ResponseValidationError."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    with respx.mock() as router:
        router.get(SESSIONS_URL).mock(return_value=httpx.Response(200, content=content))
        async with vaix_client(shared_http) as vaix:
            try:
                sessions = await vaix.game_sessions.latest("1")
            except ResponseValidationError:
                return
    assert all(isinstance(session, GameSession) for session in sessions)


# ---------------------------------------------------------------- strategies: arguments

#: Text that may travel in a query value: no control characters, not blank.
query_text = st.text(
    st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=20
).filter(str.strip)
offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(timezones=offsets)
naive_datetimes = st.datetimes()

_FIELD_NAME = re.compile(r"[^\s:;|,]+")
filter_fields = st.text(st.characters(codec="utf-8"), min_size=1, max_size=10).filter(
    _FIELD_NAME.fullmatch
)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)


def filter_values(*, forbidden: str) -> st.SearchStrategy[FilterValue]:
    """Values a filter can carry: numbers, booleans, and text without ``forbidden`` characters."""
    safe_text = st.text(st.characters(codec="utf-8", exclude_characters=forbidden), min_size=1)
    return st.integers() | finite_floats | st.booleans() | safe_text


single_values = filter_values(forbidden=";|")
list_values = st.lists(filter_values(forbidden=";|,"), min_size=1, max_size=4)
conditions: st.SearchStrategy[FilterExpression] = st.one_of(
    st.builds(eq, filter_fields, single_values),
    st.builds(neq, filter_fields, single_values),
    st.builds(gt, filter_fields, single_values),
    st.builds(lt, filter_fields, single_values),
    st.builds(in_, filter_fields, list_values),
    st.builds(nin, filter_fields, list_values),
)


def _combine(children: st.SearchStrategy[FilterExpression]) -> st.SearchStrategy[FilterExpression]:
    pairs = st.tuples(children, children)
    return pairs.map(lambda ab: ab[0] & ab[1]) | pairs.map(lambda ab: ab[0] | ab[1])


filter_expressions = st.recursive(conditions, _combine, max_leaves=5)
fields_lists = st.lists(
    st.sampled_from(sorted(SELECTABLE_FIELDS)) | st.sampled_from(list(GameSessionField)),
    min_size=1,
    max_size=8,
)


@st.composite
def latest_arguments(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments of ``latest`` that are all valid, each present or not at random."""
    args: dict[str, Any] = {}

    def maybe(name: str, strategy: st.SearchStrategy[Any]) -> None:
        if draw(st.booleans()):
            args[name] = draw(strategy)

    maybe("count", st.integers(1, 100))
    maybe("distinction_level", st.sampled_from(["daily", "none", "unique"]))
    maybe("minimum_duration", st.integers(min_value=0))
    maybe("before_date", aware_datetimes)
    maybe("after_date", aware_datetimes)
    if "before_date" in args and "after_date" in args and args["after_date"] > args["before_date"]:
        args["after_date"], args["before_date"] = args["before_date"], args["after_date"]
    maybe("filters", filter_expressions)
    if "filters" in args and draw(st.booleans()):
        args["filters"] = compile_filters(args["filters"])  # the wire string is accepted too
    maybe("fields", fields_lists)
    maybe("operator", query_text)
    if draw(st.booleans()):
        args["bookmaker_id"] = draw(st.integers(min_value=0))
        args["sub_bookmaker_id"] = draw(st.integers(min_value=0))
    return args


def as_and(expr: FilterExpression) -> And:
    """``expr`` in the shape parse_filters returns: an And of Or groups."""
    if isinstance(expr, Condition):
        return And((Or((expr,)),))
    if isinstance(expr, Or):
        return And((expr,))
    return expr


def sent_params(request: httpx.Request) -> dict[str, str]:
    """The query of ``request``, re-parsed from its URL text; each name must occur once."""
    params = httpx.URL(str(request.url)).params
    assert len(params.multi_items()) == len(params), "a query parameter was sent twice"
    return dict(params)


def expected_text(name: str, value: object) -> str:
    """What ``latest`` should send for argument ``name`` given ``value``."""
    if name == "fields":
        assert isinstance(value, list)
        return ",".join(dict.fromkeys(str(field) for field in value))
    if name == "filters":
        assert isinstance(value, str | Condition | Or | And)
        return compile_filters(value)
    return str(value)


# ---------------------------------------------------------------- query round-trip


@FAST
@given(user=query_text, args=latest_arguments())
async def test_valid_arguments_round_trip_through_the_query(
    shared_http: httpx.AsyncClient, user: str, args: dict[str, Any]
) -> None:
    """Valid arguments are sent exactly as given, and only those, and parse back to themselves."""
    with respx.mock() as router:
        route = router.get(SESSIONS_URL).mock(return_value=httpx.Response(200, json=EMPTY_ENVELOPE))
        async with vaix_client(shared_http) as vaix:
            assert await vaix.game_sessions.latest(user, **args) == []
    params = sent_params(route.calls.last.request)
    assert set(params) == {"user", *args}
    assert params["user"] == user
    for name, value in args.items():
        if name in {"before_date", "after_date"}:
            parsed = dt.datetime.fromisoformat(params[name])
            assert parsed == value
            assert parsed.utcoffset() == value.utcoffset()
        else:
            assert params[name] == expected_text(name, value)
    if "filters" in args:
        expr = args["filters"]
        structure = parse_filters(expr) if isinstance(expr, str) else as_and(expr)
        assert parse_filters(params["filters"]) == structure


@pytest.mark.parametrize("user", ["a\r\nb", "line\n", "tab\there", "nul\x00", " padded "])
async def test_control_characters_in_user_are_percent_encoded(
    shared_http: httpx.AsyncClient, user: str
) -> None:
    """``user`` is a query value, not a header: CR, LF and other controls are sent encoded."""
    with respx.mock() as router:
        route = router.get(SESSIONS_URL).mock(return_value=httpx.Response(200, json=EMPTY_ENVELOPE))
        async with vaix_client(shared_http) as vaix:
            await vaix.game_sessions.latest(user)
    request = route.calls.last.request
    raw_query = request.url.query
    assert not any(ord(byte) < 0x20 for byte in raw_query.decode("ascii"))
    assert sent_params(request) == {"user": user}


# ---------------------------------------------------------------- invalid arguments


def _case(
    argument: str, **invalid: st.SearchStrategy[Any]
) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """Draw the invalid arguments ``invalid``, expecting an error naming ``argument``."""
    return st.fixed_dictionaries(invalid).map(lambda drawn: (argument, drawn))


not_int = st.floats() | st.text(max_size=4) | st.booleans() | st.just([1])
out_of_range_counts = st.integers(max_value=0) | st.integers(min_value=101)
unknown_field = st.text(max_size=12).filter(lambda name: name not in SELECTABLE_FIELDS)
pair = st.tuples(aware_datetimes, aware_datetimes).filter(lambda ab: ab[0] != ab[1])

invalid_cases: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.one_of(
    _case("count", count=out_of_range_counts | not_int),
    _case("minimum_duration", minimum_duration=st.integers(max_value=-1) | not_int),
    _case(
        "distinction_level",
        distinction_level=st.text(max_size=10).filter(
            lambda level: level not in {"daily", "none", "unique"}
        )
        | st.integers(),
    ),
    _case("before_date", before_date=naive_datetimes | st.dates() | st.text(max_size=25)),
    _case("after_date", after_date=naive_datetimes | st.dates() | st.text(max_size=25)),
    pair.map(
        lambda ab: (
            "after_date",
            {"after_date": max(ab), "before_date": min(ab)},
        )
    ),
    _case(
        "fields",
        fields=st.tuples(
            st.lists(st.sampled_from(sorted(SELECTABLE_FIELDS))), unknown_field
        ).flatmap(lambda known_unknown: st.permutations([*known_unknown[0], known_unknown[1]]))
        | st.just([])
        | st.sampled_from(sorted(SELECTABLE_FIELDS)),  # one str, not a list of names
    ),
    _case("sub_bookmaker_id", bookmaker_id=st.integers(min_value=0)),
    _case("bookmaker_id", sub_bookmaker_id=st.integers(min_value=0)),
    _case(
        "bookmaker_id",
        bookmaker_id=st.integers(max_value=-1) | not_int,
        sub_bookmaker_id=st.integers(min_value=0),
    ),
    _case(
        "sub_bookmaker_id",
        bookmaker_id=st.integers(min_value=0),
        sub_bookmaker_id=st.integers(max_value=-1) | not_int,
    ),
    _case("operator", operator=st.sampled_from(["", " ", "\t"]) | st.integers()),
    _case(
        "filters",
        filters=st.sampled_from(["", "x", "a:bad:1", "a:eq:", "a:eq:1;", "|a:eq:1", ":eq:1"])
        | st.integers(),
    ),
)

#: Arguments that stay valid whatever else is drawn, keyed so an invalid case can replace them.
RELATED: Final[dict[str, set[str]]] = {
    "after_date": {"before_date"},
    "before_date": {"after_date"},
    "bookmaker_id": {"sub_bookmaker_id"},
    "sub_bookmaker_id": {"bookmaker_id"},
}


@FAST
@given(user=query_text, valid=latest_arguments(), case=invalid_cases)
async def test_invalid_arguments_are_refused_before_any_request(
    shared_http: httpx.AsyncClient,
    user: str,
    valid: dict[str, Any],
    case: tuple[str, dict[str, Any]],
) -> None:
    """An invalid argument raises InvalidRequestError naming it, and nothing is sent."""
    argument, invalid = case
    args = {
        name: value
        for name, value in valid.items()
        if not any(name == key or name in RELATED.get(key, ()) for key in invalid)
    }
    args.update(invalid)
    with respx.mock(assert_all_called=False) as router:
        route = router.get(SESSIONS_URL).mock(return_value=httpx.Response(200, json=EMPTY_ENVELOPE))
        async with vaix_client(shared_http) as vaix:
            with pytest.raises(InvalidRequestError) as caught:
                await vaix.game_sessions.latest(user, **args)
    assert caught.value.argument == argument
    assert argument in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert route.call_count == 0


@FAST
@given(user=st.sampled_from(["", " ", "\n", "\t "]) | st.integers() | st.none())
async def test_blank_or_non_str_user_is_refused(
    shared_http: httpx.AsyncClient, user: str | int | None
) -> None:
    """A blank or non-str user raises InvalidRequestError naming user, before any request."""
    with respx.mock(assert_all_called=False) as router:
        route = router.get(SESSIONS_URL).mock(return_value=httpx.Response(200, json=EMPTY_ENVELOPE))
        async with vaix_client(shared_http) as vaix:
            with pytest.raises(InvalidRequestError) as caught:
                await vaix.game_sessions.latest(user)  # type: ignore[arg-type]
    assert caught.value.argument == "user"
    assert route.call_count == 0


def test_session_keys_cover_the_model() -> None:
    """The JSON strategies know every GameSession property (so they exercise each parser)."""
    properties = {field.name for field in attrs.fields(GameSession)} - {"additional_properties"}
    assert set(VALID_FIELDS) == properties
    assert properties <= set(SESSION_KEYS)


# ---------------------------------------------------------------- RFC 3339 date-times

RFC3339: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))"
)
DATE_FIELDS: Final = ("first_transaction", "release_date", "started")


@st.composite
def rfc3339_strings(draw: st.DrawFn) -> str:
    """A date-time in any form RFC 3339 allows.

    ``T``/``t``, ``Z``/``z``, 1-9 fractional digits or none, ``-00:00`` or any
    offset up to 23:59 either way.
    """
    moment = draw(st.datetimes(max_value=dt.datetime(9999, 12, 31, 23, 59, 59)))  # noqa: DTZ001 - a wall time
    digits = draw(st.integers(0, 9))
    fraction = draw(st.text("0123456789", min_size=digits, max_size=digits))
    minutes = draw(st.integers(-(23 * 60 + 59), 23 * 60 + 59))
    numeric = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    zone = draw(st.sampled_from(["Z", "z", "+00:00", "-00:00", numeric]))
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{draw(st.sampled_from('Tt'))}"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
        f"{'.' + fraction if fraction else ''}{zone}"
    )


def reference_parse(text: str) -> dt.datetime | None:
    """RFC 3339 by hand: fractions rounded half up to the microsecond; None past year 9999."""
    match = RFC3339.fullmatch(text)
    assert match is not None, text
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, sign, hours, minutes = match.groups()[6:]
    nanoseconds = int((fraction or "").ljust(9, "0"))
    zone = dt.UTC
    if sign is not None:
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
        zone = dt.timezone(-offset if sign == "-" else offset)
    start = dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
    try:
        return start + dt.timedelta(microseconds=(nanoseconds + 500) // 1000)
    except OverflowError:
        return None


def same_moment(decoded: object, expected: dt.datetime) -> bool:
    """Equal as the same wall time at the same offset (not only the same instant)."""
    return (
        isinstance(decoded, dt.datetime)
        and decoded.replace(tzinfo=None) == expected.replace(tzinfo=None)
        and decoded.utcoffset() == expected.utcoffset()
    )


@FAST
@given(text=rfc3339_strings())
def test_every_rfc3339_form_decodes_like_the_reference(text: str) -> None:
    """Any RFC 3339 date-time decodes to the reference parse's value (or is refused past 9999)."""
    expected = reference_parse(text)
    content = json.dumps({"started": text}).encode()
    if expected is None:
        with pytest.raises(DecodeError, match=r"^started: expected an RFC 3339 date-time"):
            decode_model(content, GameSession)
        return
    assert same_moment(decode_model(content, GameSession).started, expected)


@FAST
@given(
    dates=st.lists(
        st.fixed_dictionaries({}, optional=dict.fromkeys(DATE_FIELDS, rfc3339_strings())),
        min_size=1,
        max_size=3,
    ),
    extras=st.lists(
        st.dictionaries(unknown_keys, lossless_json_values, max_size=3), min_size=3, max_size=3
    ),
)
def test_dates_decode_alike_with_and_without_unknown_keys(
    dates: list[dict[str, str]], extras: list[dict[str, Any]]
) -> None:
    """A body's dates decode to the reference values whether or not it carries unknown keys."""
    items = [{**extra, **item} for item, extra in zip(dates, extras, strict=False)]
    parsed = {
        name: reference_parse(text)
        for item in items
        for name, text in item.items()
        if name in DATE_FIELDS
    }
    assume(None not in parsed.values())
    sessions = decode_body(
        response_with(json.dumps({"data": items}).encode()), GameSessionsResponse, "data"
    )
    for session, item, extra in zip(sessions, items, extras, strict=False):
        assert session.additional_properties == extra
        for name in DATE_FIELDS:
            value = getattr(session, name)
            if name in item:
                expected = reference_parse(item[name])
                assert expected is not None
                assert same_moment(value, expected)
            else:
                assert value is UNSET


def decoded_or_error(decode: Callable[[], object]) -> object:
    """What a decode path gives for ``content``: its model, or its DecodeError's message."""
    try:
        return decode()
    except DecodeError as exc:
        return f"DecodeError: {exc}"


@FAST
@given(
    value=bodies
    | st.lists(valid_sessions, max_size=4).map(lambda items: {"data": items, "status": "ok"})
    | st.lists(valid_sessions, max_size=4).map(lambda items: {"data": items, "status": 7})
)
def test_the_direct_path_and_the_reference_path_agree(value: object) -> None:
    """Every body decodes to equal models (unknown keys included), or fails alike, on both paths."""
    from vaix_client._decode import _plan, _reference

    content = json.dumps(value).encode()
    plan = _plan(GameSessionsResponse)
    direct = decoded_or_error(lambda: decode_model(content, GameSessionsResponse))
    reference = decoded_or_error(lambda: _reference(content, GameSessionsResponse, plan))
    assert direct == reference
    if isinstance(direct, GameSessionsResponse):
        assert direct.to_dict() == reference.to_dict()  # type: ignore[attr-defined]
