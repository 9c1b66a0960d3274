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
import contextvars
import json
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import attrs
import httpx

from vaix_client._body import DEFAULT_MAX_RESPONSE_BYTES, read_limited
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
    "Secret",
    "StaticToken",
    "TokenProvider",
]

#: A token is renewed this many seconds before the expiry its issuer announced.
EXPIRY_LEEWAY: Final = 30.0
#: How long a token provider may take when the call has no total_timeout.
PROVIDER_TIMEOUT: Final = 60.0

#: The running call's deadline (event-loop time) and body limit, set by the client
#: so the auth flow bounds a token fetch and a 401 body by the call's own.
CALL_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "vaix_call_deadline", default=None
)
CALL_MAX_BYTES: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "vaix_call_max_bytes", default=DEFAULT_MAX_RESPONSE_BYTES
)


class Secret:
    """A token or password whose ``repr`` and ``str`` hide it.

    Error reporters that capture locals and attributes (Sentry's default)
    print what they find with ``repr``: holding secrets in this type keeps
    them out of those reports. :meth:`reveal` gives the value to the code
    that sends it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


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


def _grant(credentials: ClientCredentials, audience: str) -> bytes:
    """The client-credentials grant as JSON bytes (built here so no caller's local holds it)."""
    return json.dumps(
        {
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "audience": audience,
        }
    ).encode()


async def _exchange(
    http: httpx.AsyncClient, url: str, credentials: ClientCredentials, audience: str
) -> AccessToken:
    """POST the client-credentials grant; every failure becomes a vaix-client error."""
    try:
        response = await http.send(
            http.build_request(
                "POST",
                url,
                content=_grant(credentials, audience),
                headers={
                    "Accept": "application/json",
                    "Content-Type": "application/json",
                    "User-Agent": user_agent(),
                },
            ),
            stream=True,
        )
        try:
            await read_limited(response, CALL_MAX_BYTES.get())
        finally:
            await response.aclose()
    except httpx.TimeoutException as exc:
        raise APITimeoutError("The OAuth token endpoint timed out.", request=exc.request) from exc
    except httpx.HTTPError as exc:
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
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise AuthenticationError(
            f"the OAuth token endpoint sent an unusable token response ({type(exc).__name__})",
            response=response,
            body=None,
        ) from None
    return AccessToken(token, None if expires_in is None else float(expires_in))


def _oauth_error(response: httpx.Response) -> str:
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):
        return f"HTTP {response.status_code}"
    if isinstance(data, dict):
        parts = [data.get("error"), data.get("error_description")]
        text = ": ".join(str(part) for part in parts if part)
        if text:
            return text[:200]
    return f"HTTP {response.status_code}"


class TokenCache:
    """Cache a provider's token, refreshing once for all concurrent waiters.

    A fetch is bounded by the deadline of the call that started it (or
    ``PROVIDER_TIMEOUT`` without one) and forgotten when it fails or times
    out, so a provider that hung or failed once is asked again by the next
    call. A provider that raises ``CancelledError`` of its own fails the
    fetch; the callers' tasks stay uncancelled.
    """

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
        self._token: Secret | None = None
        self._expires_at: float | None = None
        self._inflight: asyncio.Future[Secret] | None = None
        self._deadline = 0.0  # the in-flight fetch's, in event-loop time
        self._task: asyncio.Task[None] | None = None
        self.fetches = 0

    async def get(self) -> Secret:
        """A valid token: the cached one, or a fresh one when it is missing or expiring."""
        if self._token is not None and (
            self._expires_at is None or self._clock() < self._expires_at
        ):
            return self._token
        return await self._fetch()

    async def refresh(self, rejected: str) -> Secret:
        """A new token after ``rejected`` got a 401, unless another caller already replaced it."""
        if self._token is not None and self._token.reveal() != rejected:
            return self._token
        self._token = None
        return await self._fetch()

    def cancel(self) -> None:
        """Stop a fetch in flight (the client is closing); its waiters get a VaixError."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _fetch(self) -> Secret:
        loop = asyncio.get_running_loop()
        if self._inflight is not None and loop.time() >= self._deadline:
            # Its deadline passed (the timeout may not have run yet): ask again now.
            self._fail(self._inflight, APITimeoutError("The token provider timed out."))
            self.cancel()
        if self._inflight is None:
            self._inflight = loop.create_future()
            deadline = CALL_DEADLINE.get()
            if deadline is None:
                deadline = loop.time() + PROVIDER_TIMEOUT
            self._deadline = deadline
            # Keep a reference: the event loop holds tasks only weakly.
            self._task = loop.create_task(self._run_provider(self._inflight, deadline))
        # shield: one waiter being cancelled must not cancel the shared fetch.
        return await asyncio.shield(self._inflight)

    async def _run_provider(self, future: asyncio.Future[Secret], deadline: float) -> None:
        started = self._clock()
        task = asyncio.current_task()
        try:
            self.fetches += 1
            async with asyncio.timeout_at(deadline):
                result = await self._provider()
            token, expires_in = _unpack(result)
        except VaixError as exc:
            self._fail(future, exc)
            return
        except TimeoutError as exc:
            error: VaixError = APITimeoutError(
                "The token provider did not return a token within the call's time budget."
            )
            error.__cause__ = exc
            self._fail(future, error)
            return
        except asyncio.CancelledError as exc:
            if task is not None and task.cancelling():  # the client is closing: stop here
                self._fail(future, APIConnectionError("The VaixClient was closed."))
                raise
            # The provider raised CancelledError of its own: a failure, not our cancellation.
            error = VaixError("The token provider raised CancelledError.")
            error.__cause__ = exc
            self._fail(future, error)
            return
        except Exception as exc:  # noqa: BLE001 - handed to every waiter, chained
            error = VaixError(f"The token provider failed: {type(exc).__name__}.")
            error.__cause__ = exc
            self._fail(future, error)
            return
        self._token = Secret(token)
        # Renew `leeway` seconds early, but a short-lived token still serves half its life.
        self._expires_at = (
            None
            if expires_in is None
            else started + max(0.0, expires_in - min(self._leeway, expires_in / 2))
        )
        if self._inflight is future:
            self._inflight = None
        if not future.done():
            future.set_result(self._token)

    def _fail(self, future: asyncio.Future[Secret], exc: BaseException) -> None:
        if self._inflight is future:
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
    """Adds the bearer token; with a provider, one 401 gets one refresh and one replay.

    Tokens are held as :class:`Secret` and revealed only into the header, so
    no local or attribute here shows one to a locals-capturing error reporter.
    """

    requires_request_body = False
    requires_response_body = False

    def __init__(self, *, token: str | None = None, cache: TokenCache | None = None) -> None:
        self._token = None if token is None else Secret(token)
        self.cache = cache

    @property
    def static(self) -> bool:
        """Whether the token is a static one (no provider, so no 401 refresh and replay)."""
        return self._token is not None

    def apply_static(self, request: httpx.Request) -> None:
        """Put the static token on ``request`` (what the auth flow does, without the generator).

        The client's direct lane uses this instead of httpx's auth flow: a static
        token needs no 401 replay.
        """
        assert self._token is not None  # noqa: S101 - only called when static
        request.headers["Authorization"] = "Bearer " + self._token.reveal()

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send with the current token; a 401 on a provider's token: refresh, replay once."""
        if self.cache is None:
            assert self._token is not None  # noqa: S101 - one of the two is always set
            request.headers["Authorization"] = "Bearer " + self._token.reveal()
            yield request
            return
        request.headers["Authorization"] = "Bearer " + (await self.cache.get()).reveal()
        response = yield request
        if response.status_code == 401:  # noqa: PLR2004
            try:  # the 401 is dropped for the replay: read it, bounded, then let it go
                await read_limited(response, CALL_MAX_BYTES.get())
            finally:
                await response.aclose()
            request.headers["Authorization"] = (
                "Bearer "
                + (
                    await self.cache.refresh(request.headers["Authorization"][len("Bearer ") :])
                ).reveal()
            )
            yield request
