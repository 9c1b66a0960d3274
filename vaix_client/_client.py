"""``VaixClient``: one pooled httpx client, auth, retries, deadlines and typed errors."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Self, TypeVar, get_args

import httpx
import stamina

from vaix_client import _config
from vaix_client._auth import (
    AuthMethod,
    ClientCredentials,
    TokenCache,
    TokenProvider,
    VaixAuth,
)
from vaix_client._errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidRequestError,
    VaixError,
    make_status_error,
)
from vaix_client._generated import Resources
from vaix_client._response import ApiResponse, decode_body
from vaix_client._retry import RetryPolicy, next_wait, parse_retry_after, retry_reason
from vaix_client._rules import prepare

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import TracebackType

    from vaix_client._generated import Operation

__all__ = ["VaixClient"]

logger = logging.getLogger("vaix_client")

_NOT_GIVEN: Any = object()

T = TypeVar("T")


class _RetryableStatus(Exception):  # noqa: N818 - internal signal, never leaves the client
    """A response whose status is worth another attempt."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class VaixClient(Resources):
    """Async client for the Vaix personalization API.

    Create one per service and share it between every task: it owns one
    connection pool (or uses the ``http_client`` you pass, which it never
    closes). Use it as ``async with VaixClient(...) as vaix:`` or call
    :meth:`aclose`.

    Arguments fall back to environment variables: ``token`` to
    ``VAIX_API_TOKEN``, ``client_id`` to ``VAIX_CLIENT_ID``, ``environment``
    to ``VAIX_ENVIRONMENT`` and ``base_url`` to ``VAIX_BASE_URL`` (which wins
    over ``environment``). ``timeout`` applies to each attempt,
    ``total_timeout`` to the whole call (attempts and waits), and
    ``max_retries`` counts retries after the first attempt. ``backend``
    (``VAIX_HTTP_BACKEND``) picks the connection layer of the pool the client
    creates: ``"httpx"`` (httpcore) or ``"aiohttp"`` (the ``aiohttp`` extra,
    through httpx-aiohttp; faster under high concurrency).

    Every operation of the spec is a method of the resource named after its
    tag (``vaix.game_sessions.latest(...)``); the resources are generated.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        token_provider: TokenProvider | ClientCredentials | None = None,
        client_id: str | None = None,
        auth_method: AuthMethod | None = None,
        environment: _config.Environment | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        total_timeout: float | None = _config.DEFAULT_TOTAL_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        backend: _config.Backend | None = None,
        operator: str | None = None,
        bookmaker_id: int | None = None,
        sub_bookmaker_id: int | None = None,
    ) -> None:
        self._base_url, self._environment = _config.resolve_base_url(base_url, environment)
        resolved_client_id = _config.from_env(client_id, _config.ENV_CLIENT_ID)
        if resolved_client_id is None:
            raise InvalidRequestError(
                "client_id is required: pass client_id=... or set VAIX_CLIENT_ID "
                "(the name of your Vaix group, sent as x-vaix-client-id)",
                argument="client_id",
            )
        self._client_id = _config.check_header_value(resolved_client_id, "client_id")
        if auth_method is not None and auth_method not in get_args(AuthMethod):
            raise InvalidRequestError(
                f"auth_method must be 'vaix', 'iam' or None, got {auth_method!r}",
                argument="auth_method",
            )
        self._timeout = _config.resolve_timeout(timeout)
        self._total_timeout = _config.check_positive(total_timeout, "total_timeout")
        self._policy = RetryPolicy(max_retries=_check_retries(max_retries))
        self._operator = operator
        self._bookmaker = (bookmaker_id, sub_bookmaker_id)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidRequestError(
                f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}",
                argument="http_client",
            )
        provider_or_token = _choose_auth(token, token_provider)
        chosen_backend = _config.resolve_backend(backend, given_client=http_client is not None)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=self._timeout,
            limits=_config.DEFAULT_LIMITS,
            transport=_config.make_transport(chosen_backend),
        )
        if isinstance(provider_or_token, str):
            self._auth = VaixAuth(token=provider_or_token)
        elif isinstance(provider_or_token, ClientCredentials):
            provider = provider_or_token.provider(self._http, self._environment)
            self._auth = VaixAuth(cache=TokenCache(provider))
            auth_method = auth_method or "iam"
        else:
            self._auth = VaixAuth(cache=TokenCache(provider_or_token))
        self._auth_method: AuthMethod | None = auth_method
        self._headers = {"User-Agent": _config.user_agent(), "Accept": "application/json"}
        self._closed = False
        self._attach_resources(self)

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        self._ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (only if this client created it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http:
            await self._http.aclose()

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._closed

    def _ensure_open(self) -> None:
        if self._closed:
            raise VaixError("This VaixClient is closed: create a new one (or use `async with`).")

    def __repr__(self) -> str:
        return (
            f"VaixClient(base_url={self._base_url!r}, client_id={self._client_id!r}, "
            f"auth_method={self._auth_method!r}, max_retries={self._policy.max_retries})"
        )

    # ------------------------------------------------------------------ options

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = _NOT_GIVEN,
        total_timeout: float | None = _NOT_GIVEN,
        max_retries: int = _NOT_GIVEN,
    ) -> VaixClient:
        """A client with other timeouts or retries that shares this one's pool and auth.

        Closing the returned client does not close the shared pool.
        """
        self._ensure_open()
        clone = object.__new__(VaixClient)
        clone.__dict__.update(self.__dict__)
        clone._owns_http = False
        clone._closed = False
        if timeout is not _NOT_GIVEN:
            clone._timeout = _config.resolve_timeout(timeout)
        if total_timeout is not _NOT_GIVEN:
            clone._total_timeout = _config.check_positive(total_timeout, "total_timeout")
        if max_retries is not _NOT_GIVEN:
            clone._policy = RetryPolicy(max_retries=_check_retries(max_retries))
        clone._attach_resources(clone)
        return clone

    # ------------------------------------------------------------------ calls

    async def request(
        self, operation: Operation[T], arguments: Mapping[str, object]
    ) -> ApiResponse[T]:
        """Check ``arguments`` against ``operation`` before any I/O, send it, decode the body.

        The one send path of every generated resource method (the ``Sender``
        protocol): the client's defaults, identity headers, auth, retries,
        deadline and typed errors apply to every operation alike.
        """
        self._ensure_open()
        prepared = prepare(
            operation,
            arguments,
            {
                "operator": self._operator,
                "bookmaker_id": self._bookmaker[0],
                "sub_bookmaker_id": self._bookmaker[1],
            },
        )
        headers = {**self._headers, **prepared.headers}
        for parameter in operation.parameters:
            if parameter.identity and parameter.name.lower() == "x-vaix-client-id":
                headers[parameter.name] = self._client_id
            elif parameter.identity and self._auth_method is not None:
                headers[parameter.name] = self._auth_method
        url = self._base_url + prepared.path
        method = operation.http_method.upper()
        model, unwrap = operation.response_model, operation.unwrap
        return await self._send(
            lambda: self._http.build_request(
                method, url, params=prepared.params, headers=headers, timeout=self._timeout
            ),
            lambda response: decode_body(response, model, unwrap),
        )

    async def _send(
        self,
        build: Callable[[], httpx.Request],
        decode: Callable[[httpx.Response], T],
    ) -> ApiResponse[T]:
        """Send with retries, then decode the final 2xx response into ``ApiResponse``."""
        sent = await self._send_with_retries(build)
        return ApiResponse(
            parsed=decode(sent.http_response),
            http_response=sent.http_response,
            attempts=sent.attempts,
            elapsed=sent.elapsed,
        )

    async def _send_with_retries(
        self, build: Callable[[], httpx.Request]
    ) -> ApiResponse[httpx.Response]:
        call = _Call(self, build)
        try:
            async with asyncio.timeout(self._total_timeout):
                # The first attempt runs outside stamina: most calls succeed at
                # once, and a retry context costs ~30 µs to set up.
                try:
                    return await call.attempt()
                except Exception as exc:  # noqa: BLE001 - replayed to the retry hook below
                    first_failure: Exception | None = exc
                async for attempt in stamina.retry_context(
                    on=call.decide, attempts=None, timeout=None, wait_jitter=0
                ):
                    with attempt:
                        if first_failure is not None:
                            failure, first_failure = first_failure, None
                            raise failure  # stamina's hook decides on the first outcome
                        return await call.attempt()
        except (_RetryableStatus, TimeoutError, httpx.HTTPError) as exc:
            raise self._translate(exc, call.attempts) from exc
        raise AssertionError("unreachable: the retry loop returns or raises")  # pragma: no cover

    def _translate(self, exc: Exception, attempts: int) -> VaixError:
        """The vaix-client error for what ended the retry loop."""
        if self._closed:
            return APIConnectionError("The VaixClient was closed while the call was in flight.")
        if isinstance(exc, _RetryableStatus):
            error: VaixError = make_status_error(exc.response)
            error.__suppress_context__ = True
            return error
        if isinstance(exc, TimeoutError):
            return APITimeoutError(
                f"The call did not finish within total_timeout={self._total_timeout} s "
                f"({attempts} attempt(s))."
            )
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"Request to the Vaix API timed out ({type(exc).__name__}) after "
                f"{attempts} attempt(s).",
                request=_request_of(exc),
            )
        # httpx's text for a local protocol error may quote a header (the token): leave it out.
        detail = type(exc).__name__
        if not isinstance(exc, httpx.LocalProtocolError) and str(exc):
            detail = f"{detail}: {exc}"
        return APIConnectionError(
            f"Connection to the Vaix API failed ({detail}) after {attempts} attempt(s).",
            request=_request_of(exc) if isinstance(exc, httpx.RequestError) else None,
        )

    async def _send_once(self, request: httpx.Request, attempt: int) -> httpx.Response:
        if self._closed or self._http.is_closed:
            raise VaixError(
                "This VaixClient (or the httpx client it uses) was closed while the call was "
                "in flight: create a new one (or use `async with`)."
            )
        sent = time.monotonic()
        response = await self._http.send(request, auth=self._auth)
        logger.debug(
            "GET %s -> %d in %.1f ms (attempt %d)",
            request.url.path,
            response.status_code,
            (time.monotonic() - sent) * 1000,
            attempt,
        )
        return response


class _Call:
    """One call's retry state: its attempts, its deadline, and stamina's hook."""

    def __init__(self, client: VaixClient, build: Callable[[], httpx.Request]) -> None:
        self.client = client
        self.build = build
        self.started = time.monotonic()
        total = client._total_timeout  # noqa: SLF001 - the call belongs to its client
        self.deadline = None if total is None else self.started + total
        self.attempts = 0
        self.path = ""

    async def attempt(self) -> ApiResponse[httpx.Response]:
        """Send once; return a 2xx, or raise what the retry hook should judge."""
        self.attempts += 1
        request = self.build()
        self.path = request.url.path
        response = await self.client._send_once(request, self.attempts)  # noqa: SLF001
        if response.is_success:
            return ApiResponse(
                parsed=response,
                http_response=response,
                attempts=self.attempts,
                elapsed=time.monotonic() - self.started,
            )
        if retry_reason(response) is not None:
            raise _RetryableStatus(response)
        raise make_status_error(response)

    def decide(self, exc: BaseException) -> bool | float:
        """Stamina's hook: ``False`` stops, a float is the wait before the next attempt."""
        outcome = exc.response if isinstance(exc, _RetryableStatus) else exc
        reason = retry_reason(outcome)
        if reason is None or self.client.is_closed:
            return False
        retry_after = (
            parse_retry_after(outcome.headers) if isinstance(outcome, httpx.Response) else None
        )
        budget_left = None if self.deadline is None else self.deadline - time.monotonic()
        policy = self.client._policy  # noqa: SLF001
        wait = next_wait(self.attempts, policy, retry_after=retry_after, budget_left=budget_left)
        if wait is None:
            return False
        logger.info(
            "Retrying GET %s after %s: attempt %d of %d in %.2f s",
            self.path,
            reason,
            self.attempts + 1,
            policy.max_retries + 1,
            wait,
        )
        return wait


def _request_of(exc: httpx.RequestError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None


def _choose_auth(
    token: str | None, token_provider: TokenProvider | ClientCredentials | None
) -> str | TokenProvider | ClientCredentials:
    """Validate the auth arguments: a static token (argument or env) or a provider."""
    if token is not None and token_provider is not None:
        raise InvalidRequestError(
            "pass either token or token_provider, not both", argument="token_provider"
        )
    if token_provider is not None:
        if not isinstance(token_provider, ClientCredentials) and not callable(token_provider):
            raise InvalidRequestError(
                "token_provider must be an async callable returning a token, or "
                f"ClientCredentials; got {type(token_provider).__name__}",
                argument="token_provider",
            )
        return token_provider
    static = _config.from_env(token, _config.ENV_TOKEN)
    if static is None:
        raise InvalidRequestError(
            "token is required: pass token=... or token_provider=..., or set VAIX_API_TOKEN",
            argument="token",
        )
    return _config.check_header_value(static, "token", secret=True)


def _check_retries(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequestError(
            f"max_retries must be an int >= 0, got {value!r}", argument="max_retries"
        )
    return value
