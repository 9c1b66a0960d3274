"""Authentication: static tokens, token providers, the token cache and OAuth client credentials."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Iterator, Mapping
from typing import Literal, cast

import httpx
import pytest
import respx

from vaix_client import AccessToken, ClientCredentials, VaixClient
from vaix_client._auth import TokenCache
from vaix_client.auth import StaticToken, TokenProvider
from vaix_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    VaixError,
)

BASE_URL = "https://api.test"
SESSIONS_URL = f"{BASE_URL}/api/casino/game_sessions/latest"
PRODUCTION_TOKEN_URL = "https://auth.sportradar.com/oauth/token"
STAGING_TOKEN_URL = "https://stg-auth.sportradar.com/oauth/token"
CUSTOM_TOKEN_URL = "https://idp.example/oauth/token"
EMPTY_ENVELOPE = {"status": "success", "data": []}
SECRET = "SECRET"
STATIC_TOKEN = "sk-SECRET-123"
CLIENT_SECRET = "cs-SECRET-456"


def ok() -> httpx.Response:
    """A 200 with no sessions."""
    return httpx.Response(200, json=EMPTY_ENVELOPE)


def unauthorized() -> httpx.Response:
    """A 401 with the spec's error body."""
    return httpx.Response(401, json={"status": "error", "error": "invalid token"})


#: A client for the mocked API; keyword arguments override these defaults.
make_client = functools.partial(VaixClient, client_id="acme", base_url=BASE_URL)


def bearer(request: httpx.Request) -> str | None:
    """The ``Authorization`` header a request carried."""
    value: str | None = request.headers.get("Authorization")
    return value


class Provider:
    """A token provider that counts its calls, answers from a script and may wait on gates.

    ``results[n]`` answers call ``n + 1`` (the last one repeats); an exception
    in the script is raised instead. ``gates[n]`` makes call ``n`` wait for
    that event first.
    """

    def __init__(
        self,
        *results: str | AccessToken | BaseException,
        gates: Mapping[int, asyncio.Event] | None = None,
    ) -> None:
        self.results = results
        self.gates = dict(gates or {})
        self.calls = 0

    async def __call__(self) -> str | AccessToken:
        """Answer the next scripted result, after its gate opens."""
        self.calls += 1
        gate = self.gates.get(self.calls)
        if gate is not None:
            await gate.wait()
        result = self.results[min(self.calls, len(self.results)) - 1]
        if isinstance(result, BaseException):
            raise result
        return result


def returning(value: object) -> TokenProvider:
    """A provider that returns ``value`` as it is, even when it is not a token."""

    async def provider() -> object:
        return value

    return cast("TokenProvider", provider)


async def settle() -> None:
    """Let every runnable task reach its next real suspension point."""
    for _ in range(10):
        await asyncio.sleep(0)


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured record's rendered message, raw message and arguments, as text."""
    texts: list[str] = []
    for record in caplog.records:
        args = record.args
        values = args.values() if isinstance(args, Mapping) else (args or ())
        texts += [record.getMessage(), str(record.msg), *(repr(value) for value in values)]
        if record.exc_info and record.exc_info[1] is not None:
            texts.append(repr(record.exc_info[1]))
    return texts


def assert_hidden(secret: str, caplog: pytest.LogCaptureFixture, *objects: object) -> None:
    """``secret`` appears in no object's str or repr, and in no captured log record."""
    for obj in objects:
        assert secret not in str(obj)
        assert secret not in repr(obj)
    for text in log_texts(caplog):
        assert secret not in text


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router for the API and token endpoints; unmatched requests fail the test."""
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every log record, DEBUG and up, from vaix_client and everything else."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="vaix_client")
    return caplog


# ---------------------------------------------------------------- static token


async def test_static_token_is_sent_as_bearer(router: respx.MockRouter) -> None:
    """A static token travels as ``Authorization: Bearer <token>`` on every request."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    async with make_client(token="tok-1") as vaix:
        await vaix.game_sessions.latest("1")
        await vaix.game_sessions.latest("2")
    assert [bearer(call.request) for call in route.calls] == ["Bearer tok-1"] * 2


@pytest.mark.parametrize("max_retries", [0, 2, 5])
async def test_static_token_401_fails_at_once(router: respx.MockRouter, max_retries: int) -> None:
    """A 401 on a static token is an AuthenticationError after one request: no replay, no retry."""
    route = router.get(SESSIONS_URL).mock(side_effect=[unauthorized(), ok(), ok()])
    async with make_client(token="tok-1", max_retries=max_retries) as vaix:
        with pytest.raises(AuthenticationError) as caught:
            await vaix.game_sessions.latest("1")
    assert caught.value.status_code == 401
    assert route.call_count == 1


# ---------------------------------------------------------------- token provider


@pytest.mark.parametrize("token", ["tok-1", AccessToken("tok-1"), AccessToken("tok-1", 3600)])
async def test_provider_is_called_once_and_cached(
    router: respx.MockRouter, token: str | AccessToken
) -> None:
    """A provider's token (str or AccessToken) is fetched once and reused by later calls."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    provider = Provider(token)
    async with make_client(token_provider=provider) as vaix:
        for _ in range(10):
            await vaix.game_sessions.latest("1")
    assert provider.calls == 1
    assert {bearer(call.request) for call in route.calls} == {"Bearer tok-1"}


async def test_with_options_shares_the_token_cache(router: respx.MockRouter) -> None:
    """A client from with_options() uses its parent's cached token instead of asking again."""
    router.get(SESSIONS_URL).mock(return_value=ok())
    provider = Provider("tok-1")
    async with make_client(token_provider=provider) as vaix:
        await vaix.game_sessions.latest("1")
        await vaix.with_options(max_retries=0).game_sessions.latest("1")
    assert provider.calls == 1


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_401_refreshes_once_and_replays_the_same_request(
    router: respx.MockRouter, max_retries: int
) -> None:
    """A 401 on a provider's token gets one refresh and one replay, which is not a retry."""
    route = router.get(SESSIONS_URL).mock(
        side_effect=lambda request: ok() if bearer(request) == "Bearer fresh" else unauthorized()
    )
    provider = Provider("stale", "fresh")
    async with make_client(token_provider=provider, max_retries=max_retries) as vaix:
        detailed = await vaix.game_sessions.latest_detailed("1", count=5)
    assert detailed.parsed == []
    assert detailed.attempts == 1
    assert provider.calls == 2
    first, replay = (call.request for call in route.calls)
    assert replay.url == first.url
    assert replay.method == first.method
    assert (bearer(first), bearer(replay)) == ("Bearer stale", "Bearer fresh")


@pytest.mark.parametrize("max_retries", [0, 5])
async def test_a_second_401_after_the_replay_raises(
    router: respx.MockRouter, max_retries: int
) -> None:
    """A 401 on the replay is an AuthenticationError: one refresh per call, never a loop."""
    route = router.get(SESSIONS_URL).mock(return_value=unauthorized())
    provider = Provider("stale", "fresh", "fresher")
    async with make_client(token_provider=provider, max_retries=max_retries) as vaix:
        with pytest.raises(AuthenticationError):
            await vaix.game_sessions.latest("1")
    assert route.call_count == 2
    assert provider.calls == 2


async def test_concurrent_first_calls_share_one_provider_call(router: respx.MockRouter) -> None:
    """Fifty concurrent calls waiting for the first token cause exactly one provider call."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    gate = asyncio.Event()
    provider = Provider("tok-1", gates={1: gate})
    async with make_client(token_provider=provider) as vaix:
        calls = asyncio.gather(*(vaix.game_sessions.latest(str(n)) for n in range(50)))
        await settle()
        assert provider.calls == 1
        assert route.call_count == 0
        gate.set()
        results = await calls
    assert results == [[]] * 50
    assert provider.calls == 1
    assert route.call_count == 50


async def test_concurrent_401s_share_one_refresh(router: respx.MockRouter) -> None:
    """Fifty concurrent calls rejected with the same stale token cause exactly one refresh."""
    refresh_gate = asyncio.Event()
    rejected = 0

    def serve(request: httpx.Request) -> httpx.Response:
        nonlocal rejected
        if bearer(request) == "Bearer fresh":
            return ok()
        rejected += 1
        if rejected == 50:  # every call is now waiting on the refresh: let it finish
            refresh_gate.set()
        return unauthorized()

    route = router.get(SESSIONS_URL).mock(side_effect=serve)
    provider = Provider("stale", "fresh", gates={2: refresh_gate})
    async with make_client(token_provider=provider) as vaix:
        results = await asyncio.gather(*(vaix.game_sessions.latest(str(n)) for n in range(50)))
    assert results == [[]] * 50
    assert rejected == 50
    assert provider.calls == 2  # the first token, then one refresh for all fifty
    assert route.call_count == 100


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("boom"),
        KeyError("token"),
        TimeoutError(),
        httpx.ConnectError("refused"),
        json.JSONDecodeError("bad", "doc", 0),
    ],
    ids=type,
)
async def test_provider_exception_becomes_a_chained_vaix_error(
    router: respx.MockRouter, error: Exception
) -> None:
    """Any exception from a provider surfaces as a VaixError chained to the original."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    async with make_client(token_provider=Provider(error)) as vaix:
        with pytest.raises(VaixError) as caught:
            await vaix.game_sessions.latest("1")
    assert caught.value.__cause__ is error
    assert route.call_count == 0


async def test_provider_vaix_error_passes_through(router: respx.MockRouter) -> None:
    """A VaixError raised by a provider reaches the caller as it is, not re-wrapped."""
    router.get(SESSIONS_URL).mock(return_value=ok())
    error = APIConnectionError("identity provider down")
    async with make_client(token_provider=Provider(error)) as vaix:
        with pytest.raises(APIConnectionError) as caught:
            await vaix.game_sessions.latest("1")
    assert caught.value is error


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        123,
        None,
        b"tok",
        ["tok"],
        pytest.param(AccessToken(""), id="AccessToken('')"),
        pytest.param(AccessToken(123), id="AccessToken(123)"),  # type: ignore[arg-type]
    ],
    ids=repr,
)
async def test_provider_returning_a_non_token_is_refused(
    router: respx.MockRouter, value: object
) -> None:
    """A provider returning an empty or non-str token raises InvalidRequestError naming it."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    async with make_client(token_provider=returning(value)) as vaix:
        with pytest.raises(InvalidRequestError) as caught:
            await vaix.game_sessions.latest("1")
    assert caught.value.argument == "token_provider"
    assert "token_provider" in str(caught.value)
    assert route.call_count == 0


@pytest.mark.parametrize("expires_in", ["3600", [1]], ids=repr)
async def test_provider_access_token_with_a_bad_lifetime_is_refused(expires_in: object) -> None:
    """An AccessToken whose expires_in is not a number is refused, not left hanging."""
    cache = TokenCache(returning(AccessToken("tok-1", expires_in)))  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(0.5):
            with pytest.raises(InvalidRequestError) as caught:
                await cache.get()
    finally:
        # Retrieve a crashed fetch's exception now: left for the garbage collector, asyncio
        # logs it from inside whatever runs then, which can break CPython 3.11's compiler.
        task = cache._task
        if task is not None and task.done() and not task.cancelled():
            task.exception()
    assert caught.value.argument == "token_provider"


@pytest.mark.parametrize(
    "token", ["sk-SECRET\r\nX-Injected: 1", "sk-SECRET-123\n", "sk-SECRET\x00"], ids=repr
)
async def test_provider_token_that_cannot_be_a_header_is_refused(
    router: respx.MockRouter, token: str
) -> None:
    """A provider token with CR, LF or other controls is refused unquoted, before any request."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    async with make_client(token_provider=returning(token)) as vaix:
        with pytest.raises(InvalidRequestError) as caught:
            await vaix.game_sessions.latest("1")
    assert caught.value.argument == "token_provider"
    assert SECRET not in str(caught.value)
    assert route.call_count == 0


async def test_provider_failure_does_not_poison_the_cache(router: respx.MockRouter) -> None:
    """After a provider failure the next call asks the provider again and succeeds."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    provider = Provider(RuntimeError("identity provider down"), "tok-1")
    async with make_client(token_provider=provider) as vaix:
        with pytest.raises(VaixError):
            await vaix.game_sessions.latest("1")
        assert await vaix.game_sessions.latest("1") == []
    assert provider.calls == 2
    assert [bearer(call.request) for call in route.calls] == ["Bearer tok-1"]


async def test_concurrent_waiters_share_a_provider_failure(router: respx.MockRouter) -> None:
    """Callers waiting on one failing fetch all get its error, from a single provider call."""
    router.get(SESSIONS_URL).mock(return_value=ok())
    gate = asyncio.Event()
    provider = Provider(RuntimeError("down"), "tok-1", gates={1: gate})
    async with make_client(token_provider=provider) as vaix:
        calls = asyncio.gather(
            *(vaix.game_sessions.latest("1") for _ in range(5)), return_exceptions=True
        )
        await settle()
        gate.set()
        outcomes = await calls
    assert all(isinstance(outcome, VaixError) for outcome in outcomes)
    assert provider.calls == 1


async def test_cancelling_one_caller_does_not_cancel_the_shared_fetch(
    router: respx.MockRouter,
) -> None:
    """Cancelling the call that started a token fetch leaves the fetch running for the others."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    gate = asyncio.Event()
    provider = Provider("tok-1", gates={1: gate})
    async with make_client(token_provider=provider) as vaix:
        tasks = [asyncio.create_task(vaix.game_sessions.latest(str(n))) for n in range(3)]
        await settle()
        tasks[0].cancel()
        await settle()
        gate.set()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(outcomes[0], asyncio.CancelledError)
    assert outcomes[1:] == [[], []]
    assert provider.calls == 1
    assert route.call_count == 2


# ---------------------------------------------------------------- TokenCache


class Clock:
    """A settable clock for TokenCache."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        """The current time."""
        return self.now


@pytest.mark.parametrize(
    ("leeway", "timeline"),
    [
        # expires_in=100, leeway 30: fetched at t=0, renewed from t=70 on.
        (
            30.0,
            [(0.0, "t1"), (50.0, "t1"), (69.99, "t1"), (70.0, "t2"), (139.9, "t2"), (140.0, "t3")],
        ),
        # no leeway: the token is used until the instant it expires.
        (0.0, [(0.0, "t1"), (99.99, "t1"), (100.0, "t2"), (150.0, "t2")]),
        # the default leeway is 30 s.
        (None, [(0.0, "t1"), (69.9, "t1"), (70.0, "t2")]),
    ],
)
async def test_token_cache_renews_before_expiry(
    leeway: float | None, timeline: list[tuple[float, str]]
) -> None:
    """A token with expires_in is reused until ``leeway`` s before it expires, then renewed."""
    issued = 0

    async def provider() -> AccessToken:
        nonlocal issued
        issued += 1
        return AccessToken(f"t{issued}", expires_in=100)

    clock = Clock()
    cache = (
        TokenCache(provider, clock=clock)
        if leeway is None
        else TokenCache(provider, leeway=leeway, clock=clock)
    )
    for now, expected in timeline:
        clock.now = now
        assert (await cache.get()).reveal() == expected, f"at t={now}"
    assert issued == int(timeline[-1][1][1:])


async def test_token_cache_keeps_a_token_without_lifetime() -> None:
    """A token with no expires_in is kept however much time passes (until a 401 refreshes it)."""
    provider = Provider("tok-1", "tok-2")
    clock = Clock()
    cache = TokenCache(provider, clock=clock)
    assert (await cache.get()).reveal() == "tok-1"
    clock.now = 1e9
    assert (await cache.get()).reveal() == "tok-1"
    assert provider.calls == 1


async def test_token_cache_refresh_skips_a_token_already_replaced() -> None:
    """Refreshing a rejected token that another caller already replaced asks nothing new."""
    provider = Provider("stale", "fresh", "fresher")
    cache = TokenCache(provider)
    assert (await cache.get()).reveal() == "stale"
    assert (await cache.refresh("stale")).reveal() == "fresh"
    assert (await cache.refresh("stale")).reveal() == "fresh"
    assert provider.calls == 2


async def test_token_cache_survives_cancellation_of_the_first_waiter() -> None:
    """The waiter that started a fetch can be cancelled; the other waiters still get the token."""
    gate = asyncio.Event()
    provider = Provider("tok-1", gates={1: gate})
    cache = TokenCache(provider)
    first, second = asyncio.create_task(cache.get()), asyncio.create_task(cache.get())
    await settle()
    first.cancel()
    gate.set()
    assert (await second).reveal() == "tok-1"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert provider.calls == 1


async def test_token_cache_finishes_a_fetch_whose_waiters_all_left() -> None:
    """A fetch whose every waiter was cancelled still completes, and its token is reused."""
    gate = asyncio.Event()
    provider = Provider("tok-1", "tok-2", gates={1: gate})
    cache = TokenCache(provider)
    waiters = [asyncio.create_task(cache.get()) for _ in range(3)]
    await settle()
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    gate.set()
    await settle()
    assert (await cache.get()).reveal() == "tok-1"
    assert provider.calls == 1


# ---------------------------------------------------------------- ClientCredentials


def issued(access_token: str) -> httpx.Response:
    """The token endpoint's answer to a successful client-credentials grant."""
    return httpx.Response(
        200, json={"access_token": access_token, "token_type": "Bearer", "expires_in": 3600}
    )


@pytest.mark.parametrize(
    ("environment", "given", "expected"),
    [
        ("production", (None, None), (PRODUCTION_TOKEN_URL, "api.vaix.ai")),
        ("staging", (None, None), (STAGING_TOKEN_URL, "staging-api.vaix.ai")),
        ("production", (CUSTOM_TOKEN_URL, "custom"), (CUSTOM_TOKEN_URL, "custom")),
        ("staging", (CUSTOM_TOKEN_URL, None), (CUSTOM_TOKEN_URL, "staging-api.vaix.ai")),
        ("production", (None, "custom"), (PRODUCTION_TOKEN_URL, "custom")),
    ],
)
async def test_client_credentials_grant(
    router: respx.MockRouter,
    environment: Literal["production", "staging"],
    given: tuple[str | None, str | None],
    expected: tuple[str, str],
) -> None:
    """Credentials are exchanged at the environment's (or given) URL and audience, then cached."""
    (token_url, audience), (expected_url, expected_audience) = given, expected
    token_route = router.post(expected_url).mock(return_value=issued("iam-token"))
    api_route = router.get(SESSIONS_URL).mock(return_value=ok())
    credentials = ClientCredentials(
        client_id="oauth-id", client_secret=CLIENT_SECRET, token_url=token_url, audience=audience
    )
    async with make_client(token_provider=credentials, environment=environment) as vaix:
        await vaix.game_sessions.latest("1")
        await vaix.game_sessions.latest("2")
    assert token_route.call_count == 1
    assert json.loads(token_route.calls[0].request.content) == {
        "grant_type": "client_credentials",
        "client_id": "oauth-id",
        "client_secret": CLIENT_SECRET,
        "audience": expected_audience,
    }
    for call in api_route.calls:
        assert call.request.headers["x-vaix-authentication-method"] == "iam"
        assert bearer(call.request) == "Bearer iam-token"
        assert call.request.headers["x-vaix-client-id"] == "acme"


async def test_client_credentials_refresh_after_401(router: respx.MockRouter) -> None:
    """A 401 on an issued token makes one new grant and one replay with the new token."""
    token_route = router.post(PRODUCTION_TOKEN_URL).mock(
        side_effect=[issued("iam-1"), issued("iam-2")]
    )
    api_route = router.get(SESSIONS_URL).mock(
        side_effect=lambda request: ok() if bearer(request) == "Bearer iam-2" else unauthorized()
    )
    credentials = ClientCredentials(client_id="oauth-id", client_secret=CLIENT_SECRET)
    async with make_client(token_provider=credentials) as vaix:
        detailed = await vaix.game_sessions.latest_detailed("1")
    assert detailed.attempts == 1
    assert token_route.call_count == 2
    assert [bearer(call.request) for call in api_route.calls] == ["Bearer iam-1", "Bearer iam-2"]


TOKEN_ENDPOINT_FAILURES: list[tuple[str, httpx.Response | Exception, type[VaixError]]] = [
    ("401", httpx.Response(401, json={"error": "invalid_client"}), AuthenticationError),
    ("400", httpx.Response(400, json={"error": "invalid_request"}), AuthenticationError),
    ("403-html", httpx.Response(403, text="<html>denied</html>"), AuthenticationError),
    ("400-json-array", httpx.Response(400, json=["bad"]), AuthenticationError),
    ("400-empty-object", httpx.Response(400, json={}), AuthenticationError),
    ("500", httpx.Response(500, text="oops"), AuthenticationError),
    ("503-json", httpx.Response(503, json={"error": "unavailable"}), AuthenticationError),
    ("not-json", httpx.Response(200, text="<html>login</html>"), AuthenticationError),
    ("empty-body", httpx.Response(200, content=b""), AuthenticationError),
    ("no-access-token", httpx.Response(200, json={"token_type": "Bearer"}), AuthenticationError),
    ("array", httpx.Response(200, json=["token"]), AuthenticationError),
    ("null", httpx.Response(200, json=None), AuthenticationError),
    ("token-not-str", httpx.Response(200, json={"access_token": 42}), AuthenticationError),
    ("token-empty", httpx.Response(200, json={"access_token": ""}), AuthenticationError),
    (
        "expires-in-str",
        httpx.Response(200, json={"access_token": "t", "expires_in": "soon"}),
        AuthenticationError,
    ),
    (
        "expires-in-bool",
        httpx.Response(200, json={"access_token": "t", "expires_in": True}),
        AuthenticationError,
    ),
    ("bad-utf8", httpx.Response(200, content=b'{"access_token": "\xff"}'), AuthenticationError),
    ("connect-error", httpx.ConnectError("refused"), APIConnectionError),
    ("read-error", httpx.ReadError("reset"), APIConnectionError),
    ("protocol-error", httpx.RemoteProtocolError("peer closed"), APIConnectionError),
    ("connect-timeout", httpx.ConnectTimeout("slow"), APITimeoutError),
    ("read-timeout", httpx.ReadTimeout("slow"), APITimeoutError),
]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(answer, expected) for _, answer, expected in TOKEN_ENDPOINT_FAILURES],
    ids=[name for name, _, _ in TOKEN_ENDPOINT_FAILURES],
)
async def test_token_endpoint_failures_are_vaix_errors(
    router: respx.MockRouter,
    debug_logs: pytest.LogCaptureFixture,
    answer: httpx.Response | Exception,
    expected: type[VaixError],
) -> None:
    """Token endpoint failures raise AuthenticationError or APIConnectionError, never raw errors."""
    router.post(PRODUCTION_TOKEN_URL).mock(side_effect=[answer])
    api_route = router.get(SESSIONS_URL).mock(return_value=ok())
    credentials = ClientCredentials(client_id="oauth-id", client_secret=CLIENT_SECRET)
    async with make_client(token_provider=credentials) as vaix:
        with pytest.raises(VaixError) as caught:
            await vaix.game_sessions.latest("1")
    assert type(caught.value) is expected
    assert not isinstance(caught.value, httpx.HTTPError | json.JSONDecodeError)
    assert api_route.call_count == 0
    assert_hidden(SECRET, debug_logs, caught.value, caught.value.__cause__, credentials)


async def test_token_endpoint_refusal_says_why(router: respx.MockRouter) -> None:
    """A refused grant's AuthenticationError carries the OAuth error and its description."""
    router.post(PRODUCTION_TOKEN_URL).mock(
        return_value=httpx.Response(
            401, json={"error": "invalid_client", "error_description": "Unknown client"}
        )
    )
    credentials = ClientCredentials(client_id="oauth-id", client_secret=CLIENT_SECRET)
    async with make_client(token_provider=credentials) as vaix:
        with pytest.raises(AuthenticationError) as caught:
            await vaix.game_sessions.latest("1")
    assert "invalid_client: Unknown client" in str(caught.value)
    assert caught.value.status_code == 401


async def test_client_credentials_secret_is_never_shown(
    router: respx.MockRouter, debug_logs: pytest.LogCaptureFixture
) -> None:
    """The client secret appears in no repr, error message or log record of a working exchange."""
    router.post(PRODUCTION_TOKEN_URL).mock(return_value=issued("iam-token"))
    router.get(SESSIONS_URL).mock(side_effect=[unauthorized(), unauthorized()])
    credentials = ClientCredentials(client_id="oauth-id", client_secret=CLIENT_SECRET)
    async with make_client(token_provider=credentials) as vaix:
        with pytest.raises(AuthenticationError) as caught:
            await vaix.game_sessions.latest("1")
        assert_hidden(SECRET, debug_logs, credentials, vaix, caught.value)
    assert any(record.name == "vaix_client" for record in debug_logs.records)


@pytest.mark.parametrize(
    "obj",
    [
        ClientCredentials(client_id="oauth-id", client_secret=CLIENT_SECRET),
        AccessToken(STATIC_TOKEN, 3600),
        StaticToken(STATIC_TOKEN),
    ],
    ids=type,
)
def test_credential_reprs_hide_secrets(obj: object) -> None:
    """The repr of every credential object masks its secret."""
    assert SECRET not in repr(obj)
    assert SECRET not in str(obj)


# ---------------------------------------------------------------- static tokens never leak


STATUS_SCENARIOS: list[tuple[str, list[httpx.Response | Exception], type[VaixError]]] = [
    ("401", [unauthorized()], AuthenticationError),
    ("403", [httpx.Response(403, json={"error": "forbidden"})], PermissionDeniedError),
    ("404-html", [httpx.Response(404, text="<html>nope</html>")], APIStatusError),
    ("429", [httpx.Response(429, headers={"Retry-After": "0"})] * 2, RateLimitError),
    ("500", [httpx.Response(500, json={"error": "down"})] * 2, InternalServerError),
    ("connect-error", [httpx.ConnectError("refused")] * 2, APIConnectionError),
    ("read-timeout", [httpx.ReadTimeout("slow")] * 2, APITimeoutError),
    ("bad-body", [httpx.Response(200, text="not json")], ResponseValidationError),
]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [(answers, expected) for _, answers, expected in STATUS_SCENARIOS],
    ids=[name for name, _, _ in STATUS_SCENARIOS],
)
async def test_static_token_never_leaks(
    router: respx.MockRouter,
    debug_logs: pytest.LogCaptureFixture,
    answers: list[httpx.Response | Exception],
    expected: type[VaixError],
) -> None:
    """The token is absent from repr(client), every raised error and every log record."""
    router.get(SESSIONS_URL).mock(side_effect=answers)
    async with make_client(token=STATIC_TOKEN, max_retries=1) as vaix:
        with pytest.raises(VaixError) as caught:
            await vaix.game_sessions.latest("1")
        assert_hidden(SECRET, debug_logs, vaix, caught.value)
    assert type(caught.value) is expected
    assert any(record.name == "vaix_client" for record in debug_logs.records)


@pytest.mark.parametrize(
    "token", [f"{STATIC_TOKEN}\n", "sk-SECRET\r\n-123", "sk-SECRET-\x00", "sk-SECRET-€", "  "]
)
def test_invalid_static_token_error_hides_the_value(token: str) -> None:
    """A token that cannot be sent in a header is refused without quoting it."""
    with pytest.raises(InvalidRequestError) as caught:
        make_client(token=token)
    assert caught.value.argument == "token"
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)


# ---------------------------------------------------------------- auth_method


@pytest.mark.parametrize(
    ("auth_method", "header"), [(None, None), ("vaix", "vaix"), ("iam", "iam")]
)
async def test_auth_method_header(
    router: respx.MockRouter, auth_method: Literal["vaix", "iam"] | None, header: str | None
) -> None:
    """auth_method is sent as x-vaix-authentication-method, and omitted when None."""
    route = router.get(SESSIONS_URL).mock(return_value=ok())
    async with make_client(token="tok-1", auth_method=auth_method) as vaix:
        await vaix.game_sessions.latest("1")
    assert route.calls[0].request.headers.get("x-vaix-authentication-method") == header


@pytest.mark.parametrize("auth_method", ["VAIX", "IAM", "bearer", "oauth", "", 1])
def test_invalid_auth_method_is_refused(auth_method: object) -> None:
    """An auth_method other than 'vaix', 'iam' or None raises InvalidRequestError naming it."""
    with pytest.raises(InvalidRequestError) as caught:
        make_client(token="tok-1", auth_method=auth_method)  # type: ignore[arg-type]
    assert caught.value.argument == "auth_method"
    assert "auth_method" in str(caught.value)
