"""The public API as a user writes it: type-checked by mypy --strict, never run.

``tests/test_typing.py`` runs mypy on this file (and ``make typecheck`` checks
it too), so a change that loosens a public type to ``Any``, narrows an
argument, or renames an attribute fails the build. Nothing here is called:
the functions only have to type-check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, assert_type

import httpx

from vaix_client import (
    AccessToken,
    ApiResponse,
    ClientCredentials,
    GameImage,
    GameSession,
    VaixClient,
)
from vaix_client.auth import TokenProvider
from vaix_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InvalidRequestError,
    RateLimitError,
    ResponseValidationError,
    VaixError,
)
from vaix_client.filters import (
    And,
    Condition,
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
from vaix_client.models import UNSET, Error, Errors, GameSessionField, Unset

__test__ = False  # pytest: this module holds no tests, only code for mypy


async def _fetch_token() -> str:
    return "token"


async def _fetch_access_token() -> AccessToken:
    return AccessToken("token", expires_in=3600.0)


async def construct_clients(shared: httpx.AsyncClient) -> None:
    """Every documented way to build a client."""
    plain = VaixClient(token="token", client_id="acme")
    assert_type(plain, VaixClient)
    tuned = VaixClient(
        token="token",
        client_id="acme",
        auth_method="vaix",
        environment="staging",
        timeout=5,
        total_timeout=30.0,
        max_retries=0,
        operator="operator",
        bookmaker_id=1,
        sub_bookmaker_id=2,
    )
    custom = VaixClient(
        token="token",
        client_id="acme",
        base_url="https://vaix.internal",
        timeout=httpx.Timeout(10.0, connect=2.0),
        http_client=shared,
    )
    from_str_provider = VaixClient(token_provider=_fetch_token, client_id="acme")
    from_token_provider = VaixClient(token_provider=_fetch_access_token, client_id="acme")
    credentials = ClientCredentials(
        client_id="oauth-client",
        client_secret="oauth-secret",
        token_url="https://auth.example/oauth/token",
        audience="api.vaix.ai",
    )
    iam = VaixClient(token_provider=credentials, client_id="acme", auth_method="iam")
    for client in (tuned, custom, from_str_provider, from_token_provider, iam):
        await client.aclose()
    async with VaixClient(token="token", client_id="acme") as vaix:
        assert_type(vaix, VaixClient)
        assert_type(vaix.is_closed, bool)
        faster = vaix.with_options(timeout=1.0, total_timeout=5.0, max_retries=1)
        assert_type(faster, VaixClient)
        assert_type(vaix.with_options(timeout=httpx.Timeout(2.0)), VaixClient)
        assert_type(vaix.with_options(total_timeout=None), VaixClient)
    await plain.aclose()


async def call_latest(vaix: VaixClient) -> None:
    """Calls with every argument, and what they return."""
    sessions: list[GameSession] = await vaix.game_sessions.latest(user="123", count=5)
    assert_type(sessions, list[GameSession])
    assert_type(await vaix.game_sessions.latest("123"), list[GameSession])
    everything = await vaix.game_sessions.latest(
        "123",
        count=100,
        distinction_level="unique",
        minimum_duration=0,
        before_date=dt.datetime.now(dt.UTC),
        after_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        filters=eq("enabled", True) & in_("game_studio", ["NetEnt", "Pragmatic"]),
        fields=["game_id", "game_name", GameSessionField.VAIX_TAGS],
        operator="operator",
        bookmaker_id=1,
        sub_bookmaker_id=2,
    )
    assert_type(everything, list[GameSession])
    assert_type(await vaix.game_sessions.latest("1", filters="enabled:eq:1"), list[GameSession])
    assert_type(await vaix.game_sessions.latest("1", fields=("game_id",)), list[GameSession])

    detailed = await vaix.game_sessions.latest_detailed("123", count=5)
    assert_type(detailed, ApiResponse[list[GameSession]])
    assert_type(detailed.parsed, list[GameSession])
    assert_type(detailed.status_code, int)
    assert_type(detailed.headers, httpx.Headers)
    assert_type(detailed.content, bytes)
    assert_type(detailed.request_id, str | None)
    assert_type(detailed.attempts, int)
    assert_type(detailed.elapsed, float)
    assert_type(detailed.http_response, httpx.Response)


def read_a_session(session: GameSession) -> None:
    """Model attributes keep their types (optional ones include ``Unset``)."""
    assert_type(session.game_id, str | Unset)
    assert_type(session.started, dt.datetime | Unset)
    assert_type(session.total_duration_in_seconds, float | None | Unset)
    assert_type(session.images, list[GameImage] | None | Unset)
    assert_type(session.vaix_tags, list[str] | None | Unset)
    assert_type(session.additional_properties, dict[str, Any])
    assert_type(session.to_dict(), dict[str, Any])
    if session.game_name is not UNSET:
        assert_type(session.game_name, str)
    if not isinstance(session.game_name, Unset):
        assert_type(session.game_name, str)


def build_filters() -> None:
    """Filter builders and their combinations."""
    assert_type(eq("enabled", 1), Condition)
    assert_type(neq("category", "Gaming: Dice"), Condition)
    assert_type(gt("min_bet", 0.5), Condition)
    assert_type(lt("max_bet", 100), Condition)
    assert_type(in_("vaix_tags", ["egypt", "fruit"]), Condition)
    assert_type(nin("game_id", [1, 2, 3]), Condition)
    assert_type(eq("a", 1) & eq("b", 2), And)
    assert_type(eq("a", 1) | eq("b", 2), Or | And)
    assert_type(compile_filters(eq("a", 1) & (eq("b", 2) | eq("c", 3))), str)
    assert_type(compile_filters("enabled:eq:1"), str)
    assert_type(parse_filters("enabled:eq:1;is_live:eq:1|has_bonus:eq:1"), And)


async def handle_errors(vaix: VaixClient) -> None:
    """The attributes a user reads on each error class."""
    try:
        await vaix.game_sessions.latest("123")
    except InvalidRequestError as exc:
        assert_type(exc.argument, str | None)
        as_value_error: ValueError = exc  # InvalidRequestError is also a ValueError
        assert isinstance(as_value_error, InvalidRequestError)
    except RateLimitError as exc:
        assert_type(exc.status_code, int)
        assert_type(exc.response, httpx.Response)
    except AuthenticationError as exc:
        assert_type(exc.status_code, int)
        assert_type(exc.body, Error | Errors | None)
    except APIStatusError as exc:
        assert_type(exc.status_code, int)
        assert_type(exc.body, Error | Errors | None)
        assert_type(exc.request_id, str | None)
        assert_type(exc.message, str)
        assert_type(exc.response, httpx.Response)
    except APITimeoutError as exc:
        assert_type(exc.request, httpx.Request | None)
    except APIConnectionError as exc:
        assert_type(exc.request, httpx.Request | None)
    except ResponseValidationError as exc:
        assert_type(exc.request_id, str | None)
        assert_type(exc.response, httpx.Response | None)
    except VaixError as exc:
        assert_type(str(exc), str)


def auth_helpers() -> None:
    """Tokens, providers and client credentials."""
    token = AccessToken("token", expires_in=60.0)
    assert_type(token.token, str)
    assert_type(token.expires_in, float | None)
    assert_type(AccessToken("token").expires_in, float | None)
    # The assignments are the check: both kinds of coroutine function are providers.
    providers: list[TokenProvider] = [_fetch_token, _fetch_access_token]
    assert_type(providers, list[TokenProvider])
    credentials = ClientCredentials(client_id="id", client_secret="secret")
    assert_type(credentials.client_id, str)
    assert_type(credentials.token_url, str | None)
    assert_type(credentials.audience, str | None)
