"""VaixClient with respx: configuration, the wire format, errors, retries, lifecycle."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx

from vaix_client import ApiResponse, GameSession, VaixClient
from vaix_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    InvalidRequestError,
    NotAcceptableError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    TooEarlyError,
    UnprocessableEntityError,
    VaixError,
)
from vaix_client.filters import eq, in_
from vaix_client.models import Error, Errors

if TYPE_CHECKING:
    from collections.abc import Iterator

BASE = "https://api.test"
PATH = "/api/casino/game_sessions/latest"
URL = BASE + PATH
SESSION = {
    "game_id": "g-1",
    "game_name": "Book of Tests",
    "game_studio": "Studio A",
    "started": "2026-11-20T10:00:00Z",
    "total_duration_in_seconds": 125,
    "images": [{"type": "thumb", "url": "https://img.test/1.png", "width": 64}],
    "tags": ["new"],
}
OK = {"status": "success", "data": [SESSION]}


def make_client(**overrides: object) -> VaixClient:
    """A client for https://api.test with a static token."""
    options: dict[str, Any] = {"token": "tok-123", "client_id": "acme", "base_url": BASE}
    options.update(overrides)
    return VaixClient(**options)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router for https://api.test."""
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


# ---------------------------------------------------------------- configuration


def test_missing_token_names_argument_and_variable() -> None:
    """Without a token the error names the argument and VAIX_API_TOKEN."""
    with pytest.raises(InvalidRequestError, match="VAIX_API_TOKEN") as info:
        VaixClient(client_id="acme")
    assert info.value.argument == "token"


def test_missing_client_id_names_argument_and_variable() -> None:
    """Without a client id the error names the argument and VAIX_CLIENT_ID."""
    with pytest.raises(InvalidRequestError, match="VAIX_CLIENT_ID") as info:
        VaixClient(token="t")
    assert info.value.argument == "client_id"


async def test_configuration_from_environment(
    monkeypatch: pytest.MonkeyPatch, router: respx.MockRouter
) -> None:
    """Token, client id and base URL are read from VAIX_* variables."""
    monkeypatch.setenv("VAIX_API_TOKEN", "env-token")
    monkeypatch.setenv("VAIX_CLIENT_ID", "env-group")
    monkeypatch.setenv("VAIX_BASE_URL", BASE)
    route = router.get(PATH).respond(json=OK)
    async with VaixClient() as vaix:
        await vaix.game_sessions.latest("1")
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer env-token"
    assert sent.headers["x-vaix-client-id"] == "env-group"


@pytest.mark.parametrize(
    ("kwargs", "env", "expected"),
    [
        ({}, {}, "https://api.vaix.ai"),
        ({"environment": "staging"}, {}, "https://staging-api.vaix.ai"),
        ({}, {"VAIX_ENVIRONMENT": "staging"}, "https://staging-api.vaix.ai"),
        ({"environment": "staging", "base_url": "http://127.0.0.1:9/"}, {}, "http://127.0.0.1:9"),
        ({"environment": "production"}, {"VAIX_BASE_URL": "http://x.test"}, "http://x.test"),
    ],
)
def test_base_url_resolution(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any], env: dict[str, str], expected: str
) -> None:
    """base_url (argument or env) wins over environment; environment picks the API root."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert VaixClient(token="t", client_id="c", **kwargs)._base_url == expected


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"environment": "prod"}, "environment"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"base_url": "not a url"}, "base_url"),
        ({"client_id": "acme\r\nX-Evil: 1"}, "client_id"),
        ({"client_id": "  "}, "client_id"),
        ({"token": "tok\n"}, "token"),
        ({"auth_method": "basic"}, "auth_method"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"total_timeout": 0}, "total_timeout"),
        ({"total_timeout": float("inf")}, "total_timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"http_client": object()}, "http_client"),
        ({"token_provider": 42}, "token_provider"),
        ({"token_provider": lambda: "x"}, "token_provider"),
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, Any], argument: str) -> None:
    """Every bad constructor argument raises InvalidRequestError naming it."""
    options: dict[str, Any] = {"token": "t", "client_id": "acme"}
    options.update(kwargs)
    with pytest.raises(InvalidRequestError) as info:
        VaixClient(**options)
    assert info.value.argument == argument
    assert argument in str(info.value)


def test_token_with_newline_is_refused_without_echoing_it() -> None:
    """A bad token is refused, and the error message does not contain the token."""
    with pytest.raises(InvalidRequestError) as info:
        VaixClient(token="s3cret-value\n", client_id="acme")
    assert "s3cret" not in str(info.value)


def test_repr_never_shows_the_token() -> None:
    """repr(client) is useful and secret-free."""
    text = repr(make_client(token="sk-SECRET"))
    assert "SECRET" not in text
    assert "acme" in text


# ---------------------------------------------------------------- the wire


async def test_minimal_call_sends_only_user_and_headers(router: respx.MockRouter) -> None:
    """Only the arguments the caller gave go on the wire; headers carry auth and identity."""
    route = router.get(PATH).respond(json=OK)
    async with make_client() as vaix:
        sessions = await vaix.game_sessions.latest("123")
    request = route.calls.last.request
    assert dict(request.url.params) == {"user": "123"}
    assert request.headers["authorization"] == "Bearer tok-123"
    assert request.headers["x-vaix-client-id"] == "acme"
    assert "x-vaix-authentication-method" not in request.headers
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("vaix-client/0.1.0 python/3.")
    assert f"httpx/{httpx.__version__}" in request.headers["user-agent"]
    assert [s.game_id for s in sessions] == ["g-1"]


async def test_every_argument_is_serialised(router: respx.MockRouter) -> None:
    """Each argument reaches the query in the spec's format."""
    route = router.get(PATH).respond(json=OK)
    async with make_client(auth_method="vaix") as vaix:
        await vaix.game_sessions.latest(
            "123",
            count=5,
            distinction_level="unique",
            minimum_duration=0,
            before_date=dt.datetime(2026, 11, 20, 12, 30, tzinfo=dt.UTC),
            after_date=dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            filters=eq("enabled", True) & in_("game_studio", ["A", "B"]),
            fields=["game_id", "started", "game_id"],
            operator="op-1",
            bookmaker_id=7,
            sub_bookmaker_id=0,
        )
    request = route.calls.last.request
    assert dict(request.url.params) == {
        "user": "123",
        "count": "5",
        "distinction_level": "unique",
        "minimum_duration": "0",
        "before_date": "2026-11-20T12:30:00+00:00",
        "after_date": "2026-11-01T00:00:00+02:00",
        "filters": "enabled:eq:1;game_studio:in:A,B",
        "fields": "game_id,started",
        "operator": "op-1",
        "bookmaker_id": "7",
        "sub_bookmaker_id": "0",
    }
    assert request.headers["x-vaix-authentication-method"] == "vaix"


async def test_client_defaults_for_operator_and_bookmaker(router: respx.MockRouter) -> None:
    """Per-client operator/bookmaker defaults apply unless a call overrides them."""
    route = router.get(PATH).respond(json=OK)
    async with make_client(operator="op", bookmaker_id=1, sub_bookmaker_id=2) as vaix:
        await vaix.game_sessions.latest("1")
        first = dict(route.calls.last.request.url.params)
        await vaix.game_sessions.latest("1", operator="other", bookmaker_id=3, sub_bookmaker_id=4)
        second = dict(route.calls.last.request.url.params)
    assert first == {"user": "1", "operator": "op", "bookmaker_id": "1", "sub_bookmaker_id": "2"}
    assert second == {
        "user": "1",
        "operator": "other",
        "bookmaker_id": "3",
        "sub_bookmaker_id": "4",
    }


async def test_plain_string_filters_pass_through(router: respx.MockRouter) -> None:
    """A wire-format filter string is validated and sent unchanged."""
    route = router.get(PATH).respond(json=OK)
    async with make_client() as vaix:
        await vaix.game_sessions.latest("1", filters="sport_id:in:sr:sport:1,sr:sport:2")
    assert route.calls.last.request.url.params["filters"] == "sport_id:in:sr:sport:1,sr:sport:2"


AWARE = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"user": ""}, "user"),
        ({"user": 123}, "user"),
        ({"count": 0}, "count"),
        ({"count": 101}, "count"),
        ({"count": 5.0}, "count"),
        ({"count": True}, "count"),
        ({"count": "5"}, "count"),
        ({"minimum_duration": -1}, "minimum_duration"),
        ({"minimum_duration": 1.5}, "minimum_duration"),
        ({"distinction_level": "no-such-level"}, "distinction_level"),
        ({"before_date": dt.datetime(2026, 1, 1)}, "before_date"),  # noqa: DTZ001
        ({"after_date": dt.datetime(2026, 1, 1)}, "after_date"),  # noqa: DTZ001
        ({"after_date": "2026-01-01"}, "after_date"),
        ({"after_date": AWARE, "before_date": AWARE - dt.timedelta(seconds=1)}, "after_date"),
        ({"fields": "game_id,game_name"}, "fields"),
        ({"fields": []}, "fields"),
        ({"fields": ["game_id", "nope"]}, "fields"),
        ({"fields": [1]}, "fields"),
        ({"filters": "enabled:eq"}, "filters"),
        ({"filters": "enabled:gte:1"}, "filters"),
        ({"filters": "game_name:eq:a;b"}, "filters"),
        ({"filters": 42}, "filters"),
        ({"bookmaker_id": 1}, "sub_bookmaker_id"),
        ({"sub_bookmaker_id": 1}, "bookmaker_id"),
        ({"bookmaker_id": "1", "sub_bookmaker_id": 2}, "bookmaker_id"),
        ({"operator": ""}, "operator"),
    ],
)
async def test_bad_arguments_fail_before_any_io(
    router: respx.MockRouter, kwargs: dict[str, Any], argument: str
) -> None:
    """Every bad argument raises InvalidRequestError naming it, and nothing is sent."""
    route = router.get(PATH).respond(json=OK)
    call: dict[str, Any] = {"user": "1"}
    call.update(kwargs)
    async with make_client() as vaix:
        with pytest.raises(InvalidRequestError) as info:
            await vaix.game_sessions.latest(**call)
    assert isinstance(info.value, ValueError)
    assert info.value.argument == argument
    assert argument in str(info.value)
    assert route.call_count == 0


async def test_equal_dates_are_allowed(router: respx.MockRouter) -> None:
    """after_date equal to before_date is a valid (empty) window, not an error."""
    router.get(PATH).respond(json={"status": "success", "data": []})
    async with make_client() as vaix:
        assert await vaix.game_sessions.latest("1", before_date=AWARE, after_date=AWARE) == []


def test_field_error_lists_the_allowed_names() -> None:
    """The unknown-field error names what is allowed, spec list and model properties alike."""
    from vaix_client._generated.api.game_sessions import LATEST
    from vaix_client._rules import selectable_fields

    SELECTABLE_FIELDS = selectable_fields(LATEST)  # noqa: N806 - a derived constant
    assert {"tags", "has_respin", "started", "total_duration_in_seconds"} <= SELECTABLE_FIELDS
    assert "additional_properties" not in SELECTABLE_FIELDS


# ---------------------------------------------------------------- responses


async def test_detailed_response_exposes_the_raw_response(router: respx.MockRouter) -> None:
    """latest_detailed returns models plus status, headers, body, request id and attempts."""
    router.get(PATH).respond(json=OK, headers={"x-request-id": "req-42"})
    async with make_client() as vaix:
        detailed = await vaix.game_sessions.latest_detailed("1")
    assert isinstance(detailed, ApiResponse)
    assert detailed.status_code == 200
    assert detailed.headers["x-request-id"] == "req-42"
    assert detailed.request_id == "req-42"
    assert b"Book of Tests" in detailed.content
    assert detailed.attempts == 1
    assert detailed.elapsed >= 0
    [session] = detailed.parsed
    assert isinstance(session, GameSession)
    assert session.started == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


async def test_unknown_keys_stay_reachable(router: respx.MockRouter) -> None:
    """Keys the spec does not define survive on the models; envelope extras are ignored."""
    body = {"status": "partial", "data": [SESSION], "next": "cursor", "meta": {"x": 1}}
    router.get(PATH).respond(json=body)
    async with make_client() as vaix:
        [session] = await vaix.game_sessions.latest("1")
    assert session.additional_properties == {"tags": ["new"]}
    assert session["tags"] == ["new"]
    assert isinstance(session.images, list)
    assert session.images[0].additional_properties == {"width": 64}


async def test_nulls_and_absent_fields_are_both_accepted(router: respx.MockRouter) -> None:
    """Null and absent are both fine wherever the spec says nullable or optional."""
    nullable = dict.fromkeys(["category", "channels", "images", "game_studio", "max_bet"])
    body = {"status": "success", "data": [{"game_id": "g", **nullable}, {}]}
    router.get(PATH).respond(json=body)
    async with make_client() as vaix:
        first, second = await vaix.game_sessions.latest("1")
    assert first.category is None
    assert first.images is None
    assert second.game_id is not None  # absent is UNSET, a distinct value


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<html><body>502 Bad Gateway</body></html>",
        b'{"status": "success", "data": [',
        b"[]",
        b'{"status": "success"}',
        b'{"status": "success", "data": {"a": 1}}',
        b'{"status": "success", "data": [1]}',
        b'{"status": "success", "data": [{"started": "yesterday"}]}',
    ],
)
async def test_bad_success_bodies_raise_response_validation_error(
    router: respx.MockRouter, content: bytes
) -> None:
    """A 200 whose body does not match the spec raises ResponseValidationError."""
    router.get(PATH).respond(200, content=content, headers={"x-request-id": "r-1"})
    async with make_client() as vaix:
        with pytest.raises(ResponseValidationError) as info:
            await vaix.game_sessions.latest("1")
    assert info.value.response is not None
    assert info.value.request_id == "r-1"
    assert "does not match the spec" in str(info.value)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, APIStatusError),
        (406, NotAcceptableError),
        (409, APIStatusError),
        (413, PayloadTooLargeError),
        (422, UnprocessableEntityError),
        (425, TooEarlyError),
        (429, RateLimitError),
        (499, APIStatusError),
        (500, InternalServerError),
        (503, InternalServerError),
        (520, InternalServerError),
    ],
)
async def test_status_maps_to_error_class(
    router: respx.MockRouter, status: int, cls: type[APIStatusError]
) -> None:
    """Each status maps to its class; statuses the spec omits are still APIStatusError."""
    router.get(PATH).respond(status, json={"error": "nope", "status": "error"})
    async with make_client(max_retries=0) as vaix:
        with pytest.raises(APIStatusError) as info:
            await vaix.game_sessions.latest("1")
    assert type(info.value) is cls
    assert isinstance(info.value, VaixError)
    assert info.value.status_code == status
    assert info.value.message == "nope"
    assert isinstance(info.value.body, Error)


@pytest.mark.parametrize(
    ("body", "model", "message"),
    [
        ({"error": "bad user", "status": "error"}, Error, "bad user"),
        ({"errors": {"count": ["must be <= 100"]}}, Errors, "count: must be <= 100"),
        ({"errors": {"a": "x", "b": {"c": 1}}}, Errors, 'a: x; b: {"c": 1}'),
        ({"errors": "flat"}, type(None), "flat"),  # not the spec's shape: no model
        ({"message": "gateway says no"}, Error, '{"message": "gateway says no"}'),
    ],
)
async def test_422_body_is_parsed_from_the_raw_body(
    router: respx.MockRouter, body: dict[str, Any], model: type[object], message: str
) -> None:
    """A 422 body is told apart as Error or Errors, and its message is readable."""
    router.get(PATH).respond(422, json=body)
    async with make_client() as vaix:
        with pytest.raises(UnprocessableEntityError) as info:
            await vaix.game_sessions.latest("1")
    assert isinstance(info.value.body, model)
    assert info.value.message == message


async def test_html_error_page_still_gives_a_useful_message(router: respx.MockRouter) -> None:
    """A proxy's HTML page gives body=None and a message with the page's text."""
    page = b"<html><body><h1>403 Forbidden</h1>by the proxy</body></html>"
    router.get(PATH).respond(403, content=page, headers={"x-request-id": "abc"})
    async with make_client() as vaix:
        with pytest.raises(PermissionDeniedError) as info:
            await vaix.game_sessions.latest("1")
    error = info.value
    assert error.body is None
    assert "403 Forbidden" in error.message
    assert str(error).startswith("403 Forbidden: ")
    assert "(request id abc)" in str(error)
    assert error.request_id == "abc"


async def test_empty_error_body_uses_the_reason_phrase(router: respx.MockRouter) -> None:
    """With no body at all the message falls back to the HTTP reason phrase."""
    router.get(PATH).respond(400, content=b"")
    async with make_client() as vaix:
        with pytest.raises(BadRequestError) as info:
            await vaix.game_sessions.latest("1")
    assert info.value.message == "Bad Request"


async def test_long_error_text_is_shortened(router: respx.MockRouter) -> None:
    """A huge error body does not make a huge exception message."""
    router.get(PATH).respond(400, json={"error": "x" * 5000})
    async with make_client() as vaix:
        with pytest.raises(BadRequestError) as info:
            await vaix.game_sessions.latest("1")
    assert len(info.value.message) <= 200


async def test_errors_never_contain_the_token(router: respx.MockRouter) -> None:
    """Neither str nor repr of a status error contains the bearer token."""
    router.get(PATH).respond(401, json={"error": "invalid token", "status": "error"})
    async with make_client(token="sk-SECRET-xyz") as vaix:
        with pytest.raises(AuthenticationError) as info:
            await vaix.game_sessions.latest("1")
    assert "SECRET" not in str(info.value)
    assert "SECRET" not in repr(info.value)


# ---------------------------------------------------------------- retries


async def test_retries_retryable_statuses_then_succeeds(router: respx.MockRouter) -> None:
    """503, 429 and 425 are retried; attempts counts every one."""
    route = router.get(PATH).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(425, json={"errors": {"x": "early"}}),
            httpx.Response(200, json=OK),
        ]
    )
    async with make_client(max_retries=3) as vaix:
        detailed = await vaix.game_sessions.latest_detailed("1")
    assert detailed.attempts == 4
    assert route.call_count == 4


async def test_retries_are_bounded_by_max_retries(router: respx.MockRouter) -> None:
    """After max_retries the last status error is raised."""
    route = router.get(PATH).respond(500, json={"error": "boom", "status": "error"})
    async with make_client(max_retries=2) as vaix:
        with pytest.raises(InternalServerError, match="boom"):
            await vaix.game_sessions.latest("1")
    assert route.call_count == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 406, 413, 422])
async def test_other_4xx_are_never_retried(router: respx.MockRouter, status: int) -> None:
    """Client errors other than 408/425/429 are raised after one attempt."""
    route = router.get(PATH).respond(status, json={"error": "no"})
    async with make_client(max_retries=5) as vaix:
        with pytest.raises(APIStatusError):
            await vaix.game_sessions.latest("1")
    assert route.call_count == 1


async def test_connection_errors_are_retried_then_wrapped(router: respx.MockRouter) -> None:
    """Connection failures are retried, then raised as APIConnectionError chained to httpx's."""
    route = router.get(PATH).mock(side_effect=httpx.ConnectError("refused"))
    async with make_client(max_retries=2) as vaix:
        with pytest.raises(APIConnectionError) as info:
            await vaix.game_sessions.latest("1")
    assert not isinstance(info.value, APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "3 attempt(s)" in str(info.value)
    assert route.call_count == 3


async def test_timeouts_are_retried_then_wrapped(router: respx.MockRouter) -> None:
    """A timeout is retried and finally raised as APITimeoutError."""
    route = router.get(PATH).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow")]
    )
    async with make_client(max_retries=1) as vaix:
        with pytest.raises(APITimeoutError) as info:
            await vaix.game_sessions.latest("1")
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert route.call_count == 2


async def test_recovers_after_a_dropped_connection(router: respx.MockRouter) -> None:
    """A dropped connection followed by success returns the data."""
    router.get(PATH).mock(
        side_effect=[httpx.RemoteProtocolError("peer closed"), httpx.Response(200, json=OK)]
    )
    async with make_client() as vaix:
        detailed = await vaix.game_sessions.latest_detailed("1")
    assert detailed.attempts == 2


async def test_retry_after_beyond_the_budget_ends_the_call_at_once(
    router: respx.MockRouter,
) -> None:
    """A Retry-After longer than the budget left raises the status error without waiting."""
    route = router.get(PATH).respond(429, headers={"Retry-After": "30"}, json={"error": "slow"})
    async with make_client(total_timeout=5, max_retries=5) as vaix:
        with pytest.raises(RateLimitError):
            await vaix.game_sessions.latest("1")
    assert route.call_count == 1


async def test_retry_after_beyond_the_wait_cap_is_not_honoured(router: respx.MockRouter) -> None:
    """A server asking for more than the longest wait we accept gets its error raised at once."""
    route = router.get(PATH).respond(503, headers={"Retry-After": "3600"})
    async with make_client(total_timeout=None, max_retries=5) as vaix:
        with pytest.raises(InternalServerError):
            await vaix.game_sessions.latest("1")
    assert route.call_count == 1


async def test_each_retry_is_logged_at_info(
    router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry logs one INFO line with the reason and the wait; requests log at DEBUG."""
    router.get(PATH).mock(side_effect=[httpx.Response(503), httpx.Response(200, json=OK)])
    caplog.set_level(logging.DEBUG, logger="vaix_client")
    async with make_client(token="sk-SECRET") as vaix:
        await vaix.game_sessions.latest("1")
    ours = [r for r in caplog.records if r.name == "vaix_client"]
    infos = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    debugs = [r.getMessage() for r in ours if r.levelno == logging.DEBUG]
    assert len(infos) == 1
    assert "HTTP 503" in infos[0]
    assert "attempt 2 of 3" in infos[0]
    assert len(debugs) == 2
    assert "-> 503" in debugs[0]
    assert "(attempt 1)" in debugs[0]
    assert "-> 200" in debugs[1]
    assert all("SECRET" not in r.getMessage() for r in caplog.records)


async def test_non_retryable_transport_errors_are_wrapped(router: respx.MockRouter) -> None:
    """An httpx error that is not worth retrying still leaves as an APIConnectionError."""
    route = router.get(PATH).mock(side_effect=httpx.UnsupportedProtocol("nope"))
    async with make_client(max_retries=3) as vaix:
        with pytest.raises(APIConnectionError):
            await vaix.game_sessions.latest("1")
    assert route.call_count == 1


# ---------------------------------------------------------------- lifecycle


async def test_call_after_close_is_a_clear_error(router: respx.MockRouter) -> None:
    """Using a closed client raises VaixError saying so; closing twice is fine."""
    vaix = make_client()
    await vaix.aclose()
    await vaix.aclose()
    assert vaix.is_closed
    with pytest.raises(VaixError, match="closed"):
        await vaix.game_sessions.latest("1")
    with pytest.raises(VaixError, match="closed"):
        async with vaix:
            pass


async def test_own_http_client_is_closed_with_the_client() -> None:
    """The pool the client created is closed by aclose."""
    vaix = make_client()
    await vaix.aclose()
    assert vaix._http.is_closed


async def test_user_http_client_is_never_closed(router: respx.MockRouter) -> None:
    """A caller's httpx client is used as-is and left open."""
    router.get(PATH).respond(json=OK)
    async with httpx.AsyncClient() as mine:
        async with make_client(http_client=mine) as vaix:
            await vaix.game_sessions.latest("1")
        assert not mine.is_closed


async def test_with_options_shares_the_pool_and_not_its_closing(router: respx.MockRouter) -> None:
    """with_options returns a client on the same pool whose closing leaves the parent usable."""
    route = router.get(PATH).mock(side_effect=[httpx.Response(503), httpx.Response(200, json=OK)])
    async with make_client(max_retries=5) as vaix:
        strict = vaix.with_options(max_retries=0, timeout=3.0, total_timeout=None)
        assert strict._http is vaix._http
        with pytest.raises(InternalServerError):
            await strict.game_sessions.latest("1")
        await strict.aclose()
        assert strict.is_closed
        assert not vaix.is_closed
        assert not vaix._http.is_closed
        assert await vaix.game_sessions.latest("1") != []
        assert strict._timeout == httpx.Timeout(3.0)
        assert strict._total_timeout is None
        unchanged = vaix.with_options()
        assert unchanged._timeout == vaix._timeout
    assert route.call_count == 2


async def test_with_options_validates_its_arguments() -> None:
    """with_options refuses the same bad values as the constructor."""
    async with make_client() as vaix:
        with pytest.raises(InvalidRequestError):
            vaix.with_options(max_retries=-1)
        with pytest.raises(InvalidRequestError):
            vaix.with_options(timeout=0)


# ---------------------------------------------------------------- backends


def test_aiohttp_backend_builds_an_aiohttp_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """backend='aiohttp' (or VAIX_HTTP_BACKEND) puts our aiohttp transport under the pool."""
    from vaix_client._aiohttp import AiohttpTransport

    assert isinstance(make_client(backend="aiohttp")._http._transport, AiohttpTransport)
    monkeypatch.setenv("VAIX_HTTP_BACKEND", "aiohttp")
    assert isinstance(make_client()._http._transport, AiohttpTransport)
    assert not isinstance(make_client(backend="httpx")._http._transport, AiohttpTransport)


def test_default_backend_follows_the_aiohttp_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a choice, aiohttp is used when its extra is installed, else httpx's own."""
    import sys

    from vaix_client._aiohttp import AiohttpTransport

    monkeypatch.delenv("VAIX_HTTP_BACKEND")
    assert isinstance(make_client()._http._transport, AiohttpTransport)
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    assert isinstance(make_client()._http._transport, httpx.AsyncHTTPTransport)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "requests"}, "'httpx' or 'aiohttp'"),
        ({"backend": "aiohttp", "http_client": httpx.AsyncClient()}, "your own http_client"),
    ],
)
def test_bad_backend_choices_are_refused(kwargs: dict[str, Any], message: str) -> None:
    """An unknown backend, or one given with the caller's own http client, is refused."""
    with pytest.raises(InvalidRequestError, match=message) as info:
        make_client(**kwargs)
    assert info.value.argument == "backend"


def test_aiohttp_backend_without_the_extra_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without aiohttp installed, the error names the extra to install."""
    import sys

    monkeypatch.setitem(sys.modules, "aiohttp", None)
    monkeypatch.delitem(sys.modules, "vaix_client._aiohttp", raising=False)
    with pytest.raises(InvalidRequestError, match=r"vaix-client\[aiohttp\]"):
        make_client(backend="aiohttp")
