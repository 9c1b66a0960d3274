"""Authentication: static tokens, token providers, and OAuth client credentials.

Auth is an ``httpx.Auth`` flow (layered on httpx, not wrapped around it): it
adds ``Authorization: Bearer`` to each request and, when the token came from a
provider, answers one 401 with one refresh and one replay of the same request.
A replay is not a retry: it never counts against ``max_retries``.

Tokens from a provider are cached; many concurrent requests that need a new
token share one call to the provider (single flight), and nobody holds a lock
while it runs.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import attrs
import httpx

from vaix_client._config import check_header_value, user_agent
from vaix_client._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InvalidRequestError,
    VaixError,
)

if TYPE_CHECKING:
    from vaix_client._config import Environment

__all__ = [
    "AccessToken",
    "ClientCredentials",
    "StaticToken",
    "TokenProvider",
]

#: A token is renewed this many seconds before the expiry its issuer announced.
EXPIRY_LEEWAY: Final = 30.0

_TOKEN_URLS: Final[dict[str, str]] = {
    "production": "https://auth.sportradar.com/oauth/token",
    "staging": "https://stg-auth.sportradar.com/oauth/token",
}
_AUDIENCES: Final[dict[str, str]] = {
    "production": "api.vaix.ai",
    "staging": "staging-api.vaix.ai",
}


@attrs.frozen(repr=False)
class AccessToken:
    """A token and, when its issuer said so, how many seconds it stays valid."""

    token: str
    expires_in: float | None = None

    def __repr__(self) -> str:
        return f"AccessToken(token='***', expires_in={self.expires_in!r})"


#: Any async callable returning a token (a ``str``, cached until a 401) or an
#: :class:`AccessToken` (cached until shortly before it expires).
TokenProvider: TypeAlias = Callable[[], Awaitable[str | AccessToken]]


@attrs.frozen(repr=False)
class StaticToken:
    """A long-lived token issued by Vaix (the ``vaix`` authentication method)."""

    token: str

    def __repr__(self) -> str:
        return "StaticToken('***')"


@attrs.frozen(repr=False)
class ClientCredentials:
    """OAuth 2.0 client credentials for the ``iam`` authentication method.

    Exchanged at ``token_url`` (default: Sportradar's, per the client's
    environment) for an access token with audience ``audience`` (default:
    ``api.vaix.ai`` or ``staging-api.vaix.ai``). The client caches the token
    until shortly before ``expires_in`` and sends
    ``x-vaix-authentication-method: iam``.
    """

    client_id: str
    client_secret: str
    token_url: str | None = None
    audience: str | None = None

    def __repr__(self) -> str:
        return (
            f"ClientCredentials(client_id={self.client_id!r}, client_secret='***', "
            f"token_url={self.token_url!r}, audience={self.audience!r})"
        )

    def provider(self, http: httpx.AsyncClient, environment: Environment) -> TokenProvider:
        """Return a token provider that exchanges these credentials over ``http``."""
        url = self.token_url or _TOKEN_URLS[environment]
        audience = self.audience or _AUDIENCES[environment]

        async def fetch() -> AccessToken:
            return await _exchange(http, url, self, audience)

        return fetch


async def _exchange(
    http: httpx.AsyncClient, url: str, credentials: ClientCredentials, audience: str
) -> AccessToken:
    """POST the client-credentials grant; every failure becomes a vaix-client error."""
    payload = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "audience": audience,
    }
    try:
        response = await http.post(
            url,
            json=payload,
            headers={"Accept": "application/json", "User-Agent": user_agent()},
        )
    except httpx.TimeoutException as exc:
        raise APITimeoutError("The OAuth token endpoint timed out.", request=exc.request) from exc
    except httpx.TransportError as exc:
        raise APIConnectionError(
            f"Could not reach the OAuth token endpoint: {type(exc).__name__}."
        ) from exc
    if response.is_error:
        raise AuthenticationError(
            f"the OAuth token endpoint refused the client credentials ({_oauth_error(response)})",
            response=response,
            body=None,
        )
    try:
        data = json.loads(response.content)
        token = data["access_token"]
        expires_in = data.get("expires_in")
        if not isinstance(token, str) or not token:
            raise TypeError("access_token is not a non-empty string")  # noqa: TRY301
        if expires_in is not None and (
            isinstance(expires_in, bool) or not isinstance(expires_in, int | float)
        ):
            raise TypeError("expires_in is not a number")  # noqa: TRY301
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AuthenticationError(
            f"the OAuth token endpoint sent an unusable token response ({type(exc).__name__})",
            response=response,
            body=None,
        ) from None
    return AccessToken(token, None if expires_in is None else float(expires_in))


def _oauth_error(response: httpx.Response) -> str:
    try:
        data = json.loads(response.content)
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(data, dict):
        parts = [data.get("error"), data.get("error_description")]
        text = ": ".join(str(part) for part in parts if part)
        if text:
            return text[:200]
    return f"HTTP {response.status_code}"


class TokenCache:
    """Cache a provider's token, refreshing once for all concurrent waiters."""

    def __init__(
        self,
        provider: TokenProvider,
        *,
        leeway: float = EXPIRY_LEEWAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider = provider
        self._leeway = leeway
        self._clock = clock
        self._token: str | None = None
        self._expires_at: float | None = None
        self._inflight: asyncio.Future[str] | None = None
        self._task: asyncio.Task[None] | None = None
        self.fetches = 0

    async def get(self) -> str:
        """A valid token: the cached one, or a fresh one when it is missing or expiring."""
        if self._token is not None and (
            self._expires_at is None or self._clock() < self._expires_at
        ):
            return self._token
        return await self._fetch()

    async def refresh(self, rejected: str) -> str:
        """A new token after ``rejected`` got a 401, unless another caller already replaced it."""
        if self._token is not None and self._token != rejected:
            return self._token
        self._token = None
        return await self._fetch()

    async def _fetch(self) -> str:
        if self._inflight is None:
            loop = asyncio.get_running_loop()
            self._inflight = loop.create_future()
            # Keep a reference: the event loop holds tasks only weakly.
            self._task = loop.create_task(self._run_provider(self._inflight))
        # shield: one waiter being cancelled must not cancel the shared fetch.
        return await asyncio.shield(self._inflight)

    async def _run_provider(self, future: asyncio.Future[str]) -> None:
        started = self._clock()
        try:
            self.fetches += 1
            result = await self._provider()
            token, expires_in = _unpack(result)
        except VaixError as exc:
            self._fail(future, exc)
            return
        except Exception as exc:  # noqa: BLE001 - handed to every waiter, chained
            error = VaixError(f"The token provider failed: {type(exc).__name__}.")
            error.__cause__ = exc
            self._fail(future, error)
            return
        except BaseException as exc:  # cancellation: the waiters see it as it is
            self._fail(future, exc)
            raise
        self._token = token
        # Renew `leeway` seconds early, but a short-lived token still serves half its life.
        self._expires_at = (
            None
            if expires_in is None
            else started + max(0.0, expires_in - min(self._leeway, expires_in / 2))
        )
        self._inflight = None
        future.set_result(token)

    def _fail(self, future: asyncio.Future[str], exc: BaseException) -> None:
        self._inflight = None
        if not future.done():
            future.set_exception(exc)
            future.exception()  # mark it retrieved: the waiters re-raise it


def _unpack(result: object) -> tuple[str, float | None]:
    """Split a provider's answer into token and lifetime, refusing anything else."""
    token, expires_in = (
        (result.token, result.expires_in) if isinstance(result, AccessToken) else (result, None)
    )
    if not isinstance(token, str) or not token.strip():
        raise InvalidRequestError(
            "token_provider must return a non-empty str or an AccessToken, "
            f"got {type(token).__name__}",
            argument="token_provider",
        )
    check_header_value(token, "token_provider", secret=True)
    if expires_in is None:
        return token, None
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, int | float)
        or not math.isfinite(expires_in)
    ):
        raise InvalidRequestError(
            f"token_provider returned an AccessToken whose expires_in is not a number of "
            f"seconds: {type(expires_in).__name__}",
            argument="token_provider",
        )
    return token, float(expires_in)


AuthMethod: TypeAlias = Literal["vaix", "iam"]


class VaixAuth(httpx.Auth):
    """Adds the bearer token; with a provider, one 401 gets one refresh and one replay."""

    requires_request_body = False
    requires_response_body = False

    def __init__(self, *, token: str | None = None, cache: TokenCache | None = None) -> None:
        self._token = token
        self.cache = cache

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send with the current token; a 401 on a provider's token: refresh, replay once."""
        if self.cache is None:
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request
            return
        token = await self.cache.get()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:  # noqa: PLR2004
            await response.aread()
            token = await self.cache.refresh(token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request
