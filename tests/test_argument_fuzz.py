"""Any argument, any type and value: refused with InvalidRequestError before I/O, or sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import urllib.parse
from typing import Any, Final

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaix_client import VaixClient
from vaix_client.errors import InvalidRequestError

OK_BODY: Final = b'{"status": "success", "data": []}'
FUZZ: Final = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

ARGUMENTS: Final = (
    "user",
    "count",
    "distinction_level",
    "minimum_duration",
    "before_date",
    "after_date",
    "filters",
    "fields",
    "operator",
    "bookmaker_id",
    "sub_bookmaker_id",
)

#: Text with lone surrogates, NULs, controls and non-BMP characters included.
any_text = st.text(st.characters(codec=None, categories=None), max_size=30) | st.sampled_from(
    ["\ud800", "a\udcffb", "x" * 70_000, "", " ", "daily", "game_id", "is_live=true"]
)
huge_ints = st.integers(min_value=10**4400, max_value=10**4400 + 5).map(lambda n: n * 1)
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    huge_ints,
    huge_ints.map(lambda n: -n),
    st.floats(),
    any_text,
    st.binary(max_size=10),
    st.lists(any_text, max_size=3),
    st.dictionaries(any_text, st.integers(), max_size=2),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.dates(),
    st.just(object()),
    st.just(123),
)


def _run(kwargs: dict[str, Any]) -> tuple[object, list[httpx.Request]]:
    """Call latest() with ``kwargs`` on a client whose transport records what is sent."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=OK_BODY)

    async def call() -> object:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            vaix = VaixClient(
                token="tok", client_id="acme", base_url="https://api.test", http_client=http
            )
            user = kwargs.pop("user", "1")
            try:
                return await vaix.game_sessions.latest(user, **kwargs)
            except InvalidRequestError as exc:
                return exc

    return asyncio.run(call()), sent


@FUZZ
@given(argument=st.sampled_from(ARGUMENTS), value=anything)
def test_any_value_is_refused_before_io_or_sent(argument: str, value: object) -> None:
    """Each argument given any value: an InvalidRequestError naming it (no I/O), or a request."""
    outcome, sent = _run({argument: value})
    if isinstance(outcome, InvalidRequestError):
        assert sent == []
        assert outcome.argument in {argument, "bookmaker_id", "sub_bookmaker_id", None}
        assert len(str(outcome)) < 5000
        return
    assert outcome == []
    (request,) = sent
    if argument in {"user", "operator"} and isinstance(value, str):
        query = urllib.parse.parse_qs(request.url.query.decode(), keep_blank_values=True)
        assert query[argument] == [value]


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"fields": 123}, "fields"),
        ({"user": "a\ud800"}, "user"),
        ({"operator": "\udcff"}, "operator"),
        ({"filters": "game_id=\ud800"}, "filters"),
        ({"minimum_duration": 10**5000}, "minimum_duration"),
        ({"bookmaker_id": 10**5000, "sub_bookmaker_id": 1}, "bookmaker_id"),
        ({"user": "u" * 70_000}, "user"),
    ],
    ids=[
        "fields-int",
        "user-surrogate",
        "operator-surrogate",
        "filters-surrogate",
        "huge-int",
        "huge-bookmaker",
        "long-user",
    ],
)
def test_known_bad_arguments_are_named(kwargs: dict[str, Any], argument: str) -> None:
    """The arguments that once escaped as TypeError, UnicodeEncodeError, ValueError, InvalidURL."""
    outcome, sent = _run(kwargs)
    assert isinstance(outcome, InvalidRequestError), repr(outcome)
    assert outcome.argument == argument
    assert sent == []
