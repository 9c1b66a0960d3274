"""``VaixClient``: one pooled httpx client, auth, retries, deadlines and typed errors."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import importlib
import logging
import re
import time
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar, get_args
from urllib.parse import quote_plus

import attrs
import httpx

from vaix_client import _config, _lifecycle, _observe
from vaix_client._auth import (
    CALL_DEADLINE,
    CALL_MAX_BYTES,
    AuthMethod,
    ClientCredentials,
    TokenCache,
    TokenProvider,
    VaixAuth,
)
from vaix_client._body import DEFAULT_MAX_RESPONSE_BYTES, MAX_BYTES_EXTENSION, read_limited
from vaix_client._errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidRequestError,
    ResponseValidationError,
    VaixError,
    make_status_error,
)
from vaix_client._generated import Resources
from vaix_client._response import ApiResponse, decode_body
from vaix_client._retry import RetryPolicy, next_wait, parse_retry_after, retry_reason
from vaix_client._rules import prepare

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence
    from types import TracebackType

    from vaix_client._generated import Operation

__all__ = ["VaixClient"]

T = TypeVar("T")

_NOT_GIVEN: Any = object()
#: The retry loop's wait and clock for new clients; the test suite swaps these
#: for instant, recorded waits (see tests/conftest.py).
default_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
default_clock: Callable[[], float] = time.monotonic
#: Bodies larger than this are decoded in a worker thread, so that the call's
#: deadline can end the wait instead of the event loop being held by the parse.
_DECODE_IN_THREAD_ABOVE: Final = 1024 * 1024


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
    creates: ``"httpx"`` (httpcore) or ``"aiohttp"`` (the ``aiohttp`` extra;
    faster under high concurrency). ``max_response_bytes`` (default 16 MiB,
    ``None`` for no limit) bounds every response body, raw and decompressed:
    a larger one raises ``ResponseTooLargeError`` and is not retried.

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
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
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
        self._max_response_bytes = _check_max_bytes(max_response_bytes)
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
        # Performance (issue 12): the direct lane. Requests are built as httpx.Request
        # objects (no build_request merging of base URL, cookies and default headers,
        # which parses the URL three times) and handed straight to the transport httpx
        # would pick (no httpx send machinery: auth flow generator, redirects, cookie
        # jar, event hooks), with a static token set by VaixAuth.apply_static.
        # Timeouts, the size limit, the retry loop and every typed error are the same
        # code as the other lane. It is taken only where httpx's client path would do
        # nothing more (see _lane): a token provider (401 refresh and replay) always
        # keeps httpx's path, and so does a bring-your-own http_client whose hooks,
        # cookies, redirects, params, logging or wrapped send would make a difference.
        transport_for = getattr(self._http, "_transport_for_url", None)  # httpx's own router
        self._direct: Callable[[httpx.URL], httpx.AsyncBaseTransport] | None = (
            transport_for
            if self._auth.static and (self._owns_http or _plain_client(self._http))
            else None
        )
        # The client-wide headers build_request merges ours over (Accept-Encoding,
        # Connection...), as given; read once (a given client's are compared per call).
        self._http_raw = self._http.headers.raw
        self._http_headers = _raw_headers(self._http_raw)
        # The last class-level send found to be httpx's own (see _lane).
        self._stock_send: object = None
        # The client's defaults for the parameters it may fill (see _rules.CLIENT_DEFAULTS);
        # only those given (an empty mapping fills nothing, and costs nothing per call).
        self._defaults: dict[str, object] = {
            name: value
            for name, value in (
                ("operator", operator),
                ("bookmaker_id", bookmaker_id),
                ("sub_bookmaker_id", sub_bookmaker_id),
            )
            if value is not None
        }
        # Per operation, what its requests share on this client (shared with clones:
        # nothing in it depends on what with_options changes).
        self._plans: dict[int, tuple[Operation[Any], _Plan]] = {}
        # How the retry loop waits and reads the time (tests inject instant, recorded waits).
        self._sleep: Callable[[float], Awaitable[None]] = default_sleep
        self._clock: Callable[[], float] = default_clock
        self._closed = False
        self._is_clone = False
        self._calls = _InFlight()  # shared with with_options() clones
        self._loop = _lifecycle.LoopBinding()  # shared with clones too
        self._opened_at = _lifecycle.watch.opened()
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
        """Close the client: end calls in flight, then close the pool if this client made it.

        Each call still in flight ends at once with ``APIConnectionError``
        ("closed while in flight"), and the pool is closed only after they
        have, so no socket stays open. A client from :meth:`with_options`
        only marks itself closed. Idempotent.
        """
        if self._closed:
            return
        self._closed = True
        if self._is_clone:
            return
        if self._auth.cache is not None:
            self._auth.cache.cancel()
        await self._calls.end_all()
        if self._owns_http:
            await self._http.aclose()
            _lifecycle.watch.closed(self._opened_at)

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
        max_response_bytes: int | None = _NOT_GIVEN,
    ) -> VaixClient:
        """A client with other timeouts or retries that shares this one's pool and auth.

        Closing the returned client does not close the shared pool.
        """
        self._ensure_open()
        clone = object.__new__(VaixClient)
        clone.__dict__.update(self.__dict__)
        clone._owns_http = False
        clone._is_clone = True
        clone._closed = False
        if timeout is not _NOT_GIVEN:
            clone._timeout = _config.resolve_timeout(timeout)
        if total_timeout is not _NOT_GIVEN:
            clone._total_timeout = _config.check_positive(total_timeout, "total_timeout")
        if max_retries is not _NOT_GIVEN:
            clone._policy = RetryPolicy(max_retries=_check_retries(max_retries))
        if max_response_bytes is not _NOT_GIVEN:
            clone._max_response_bytes = _check_max_bytes(max_response_bytes)
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
        prepared = prepare(operation, arguments, self._defaults)
        plan = self._plan(operation)
        url = self._base_url + prepared.path
        method = plan.method
        model, unwrap = operation.response_model, operation.unwrap
        headers = plan.headers
        if prepared.headers:  # header arguments: over the defaults, per call
            headers = _merged(headers, prepared.headers)
        http = self._http

        def build(direct: bool) -> httpx.Request:  # noqa: FBT001 - the lane, per attempt
            """The attempt's request: for the direct lane (see __init__), or httpx's path."""
            if direct:
                template = plan.template
                if prepared.headers:
                    template = httpx.Headers([*plan.auto, *self._direct_list(headers)])
                extensions = {"timeout": self._timeout.as_dict()}
                return _direct_request(
                    method, _direct_url(url, prepared.params), template, extensions
                )
            if not http.params:
                # httpx's client path, given the URL with its query already built (as
                # httpx builds it; see _direct_url): build_request then parses no URL.
                return http.build_request(
                    method,
                    _direct_url(url, prepared.params),
                    headers=headers,
                    timeout=self._timeout,
                )
            # The http_client's own query parameters: httpx merges ours into them.
            return http.build_request(
                method, url, params=prepared.params, headers=headers, timeout=self._timeout
            )

        observer = _observe.start(operation, self._base_url)
        sending = self._send(build, lambda response: decode_body(response, model, unwrap), observer)
        return await (sending if observer is None else observer.run(sending))

    def _lane(self) -> Callable[[httpx.URL], httpx.AsyncBaseTransport] | None:
        """The transport router of httpx, when the direct lane sends what httpx's path would.

        Checked per call, as all of it can change after construction: httpx's
        ``AsyncClient.send`` wrapped (Sentry's httpx integration wraps it) or
        overridden on the instance; and on a bring-your-own client, event hooks,
        ``follow_redirects``, cookies in its jar, its own query params, its headers
        changed since this client read them, or httpx's own request log enabled.
        """
        direct = self._direct
        if direct is None:
            return None
        http = self._http
        send = type(http).send
        if send is not self._stock_send:
            if not _is_httpx_send(send):
                return None
            self._stock_send = send
        if "send" in vars(http):
            return None
        if self._owns_http:
            return direct
        hooks = http.event_hooks
        if (
            hooks["request"]
            or hooks["response"]
            or http.follow_redirects
            or http.params
            or http.cookies
            or http.headers.raw != self._http_raw
            or _HTTPX_LOG.isEnabledFor(logging.INFO)
        ):
            return None
        return direct

    def _plan(self, operation: Operation[Any]) -> _Plan:
        """What every request of ``operation`` shares on this client (computed once).

        Keyed by identity: hashing a frozen description hashes every parameter.
        """
        cached = self._plans.get(id(operation))
        if cached is None or cached[0] is not operation:
            cached = self._plans[id(operation)] = (operation, self._make_plan(operation))
        return cached[1]

    def _direct_list(self, headers: Mapping[str, str]) -> list[tuple[str, str]]:
        """What build_request sends: the httpx client's headers ours leave, then ours.

        (``httpx.Headers.update`` drops a header the update names, case-insensitively,
        and appends the update's.)
        """
        names = {name.lower() for name in headers}
        kept = [(name, value) for name, value in self._http_headers if name.lower() not in names]
        return [*kept, *headers.items()]

    def _make_plan(self, operation: Operation[Any]) -> _Plan:
        """The method, identity headers and (direct lane) header template of ``operation``."""
        identity: dict[str, str] = {}
        for parameter in operation.parameters:
            if parameter.identity and parameter.name.lower() == "x-vaix-client-id":
                identity[parameter.name] = self._client_id
            elif parameter.identity and self._auth_method is not None:
                identity[parameter.name] = self._auth_method
        headers = _merged(self._headers, identity)
        method = operation.http_method.upper()
        # The headers httpx's Request adds itself (Host from the URL, first; a
        # Content-Length: 0 for a body-less POST), asked of httpx: the base URL's host
        # (checked in __init__) is the same whatever the path.
        sent = self._direct_list(headers)
        template = httpx.Request(method, self._base_url, headers=sent)
        auto = [
            (name.decode("ascii"), value.decode("ascii"))  # Host (IDNA) and a length: ASCII
            for name, value in template.headers.raw[: len(template.headers) - len(sent)]
        ]
        return _Plan(
            method=method,
            headers=headers,
            auto=auto,
            template=template.headers,
        )

    async def _send(
        self,
        build: Callable[[bool], httpx.Request],
        decode: Callable[[httpx.Response], T],
        observer: _observe.Observer | None = None,
    ) -> ApiResponse[T]:
        """Run one call: auth, retries, deadline, size limit, decoding, typed errors.

        ``build(direct)`` makes the request (called once per attempt, told whether
        the attempt takes the direct lane, see :meth:`_lane`); ``decode`` turns
        the final 2xx response into ``parsed``, inside the call's time budget.
        Every outcome is the ``ApiResponse`` or a ``VaixError`` carrying
        ``attempts`` and ``elapsed``; the caller's own cancellation passes
        through untouched. ``observer`` (None when nothing listens) logs each
        attempt and retry.
        """
        self._ensure_open()
        if self._http.is_closed:
            raise VaixError(
                "The httpx client this VaixClient uses is closed: create a new one "
                "(or use `async with`)."
            )
        loop = asyncio.get_running_loop()
        self._loop.check(loop)
        call = _Call(self._clock(), None if self._total_timeout is None else self._total_timeout)
        call.observer = observer
        deadline = None if call.total is None else loop.time() + call.total
        call.deadline = deadline
        self._calls.add(call, loop)
        # The token provider's fetch (and its 401 replay) read these; a static token does not.
        tokens = None
        if self._auth.cache is not None:
            tokens = (CALL_DEADLINE.set(deadline), CALL_MAX_BYTES.set(self._max_response_bytes))
        try:
            # The scope has no timer of its own: the in-flight watch expires it at the
            # deadline (or aclose() at once), one timer for every call in flight.
            async with asyncio.timeout_at(None) as scope:
                call.scope = scope
                return await self._run(call, build, decode)
        except VaixError as exc:
            if exc.attempts is None and call.attempts:
                self._ended(exc, call)
            raise
        except TimeoutError as exc:
            if call.closed:
                raise self._ended(
                    APIConnectionError("The VaixClient was closed while in flight."), call
                ) from None
            raise self._ended(
                APITimeoutError(
                    f"The call did not finish within total_timeout={self._total_timeout} s "
                    f"({call.attempts} attempt(s))."
                ),
                call,
            ) from exc
        finally:
            if tokens is not None:
                CALL_MAX_BYTES.reset(tokens[1])
                CALL_DEADLINE.reset(tokens[0])
            self._calls.discard(call)

    async def _run(
        self,
        call: _Call,
        build: Callable[[bool], httpx.Request],
        decode: Callable[[httpx.Response], T],
    ) -> ApiResponse[T]:
        """The retry loop: attempt, judge the outcome, wait, again (inside the call's scope)."""
        policy = self._policy
        while True:
            # Per attempt: a cookie kept from the last response, say, moves a retry to
            # httpx's path, which sends it.
            direct = self._lane()
            request = _build(build, direct is not None)
            call.attempts += 1
            request.extensions[MAX_BYTES_EXTENSION] = self._max_response_bytes
            outcome: httpx.Response | httpx.HTTPError | VaixError
            sent = self._clock()
            try:
                outcome = await self._send_once(request, direct)
            except (httpx.HTTPError, VaixError) as exc:
                outcome = exc
            if call.observer is not None:
                call.observer.attempt(call.attempts, request, outcome, self._clock() - sent)
            if isinstance(outcome, VaixError):  # too large, token provider, closed: final
                raise self._ended(outcome, call) from outcome.__cause__
            if isinstance(outcome, httpx.Response) and outcome.is_success:
                return ApiResponse(
                    parsed=await self._decode(decode, outcome),
                    http_response=outcome,
                    attempts=call.attempts,
                    elapsed=self._clock() - call.started,
                )
            reason = retry_reason(outcome)
            wait: float | None = None
            if reason is not None and not self._closed:
                retry_after = (
                    parse_retry_after(outcome.headers)
                    if isinstance(outcome, httpx.Response)
                    else None
                )
                budget_left = (
                    None if call.total is None else call.total - (self._clock() - call.started)
                )
                wait = next_wait(
                    call.attempts, policy, retry_after=retry_after, budget_left=budget_left
                )
            if wait is None:
                if isinstance(outcome, httpx.Response):
                    error: VaixError = make_status_error(outcome)
                    raise self._ended(error, call) from None
                raise self._ended(self._translate(outcome, call.attempts), call) from outcome
            if call.observer is not None:
                call.observer.retry(
                    call.attempts + 1, policy.max_retries + 1, reason, wait, outcome
                )
            await self._sleep(wait)

    async def _decode(self, decode: Callable[[httpx.Response], T], response: httpx.Response) -> T:
        """``decode(response)``; a large body is decoded off the loop, so the deadline holds."""
        try:
            if len(response.content) > _DECODE_IN_THREAD_ABOVE:
                return await asyncio.to_thread(decode, response)
            return decode(response)
        except VaixError:
            raise
        except Exception as exc:
            raise ResponseValidationError(
                f"The Vaix API sent a {response.status_code} response that could not be "
                f"decoded ({type(exc).__name__}).",
                response=response,
            ) from exc

    def _ended(self, error: VaixError, call: _Call) -> VaixError:
        """``error`` with the call's attempts and elapsed time on it."""
        error.attempts = call.attempts
        error.elapsed = self._clock() - call.started
        return error

    def _translate(self, exc: httpx.HTTPError, attempts: int) -> VaixError:
        """The vaix-client error for the transport failure that ended the call."""
        if self._closed:
            return APIConnectionError("The VaixClient was closed while in flight.")
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"Request to the Vaix API timed out ({type(exc).__name__}) after "
                f"{attempts} attempt(s).",
                request=_request_of(exc),
            )
        # httpx's text for a local protocol error may quote a header (the token): leave it out.
        detail = type(exc).__name__
        if not isinstance(exc, httpx.LocalProtocolError) and str(exc):
            detail = f"{detail}: {str(exc)[:200]}"
        return APIConnectionError(
            f"Connection to the Vaix API failed ({detail}) after {attempts} attempt(s).",
            request=_request_of(exc) if isinstance(exc, httpx.RequestError) else None,
        )

    async def _send_once(
        self,
        request: httpx.Request,
        direct: Callable[[httpx.URL], httpx.AsyncBaseTransport] | None,
    ) -> httpx.Response:
        """One request on the given lane, its body read under ``max_response_bytes``."""
        if self._closed or self._http.is_closed:
            raise APIConnectionError("The VaixClient was closed while in flight.")
        if direct is None:
            response = await self._http.send(request, auth=self._auth, stream=True)
        else:
            # The direct lane (see __init__): straight to the transport httpx would use.
            sent = self._clock()
            self._auth.apply_static(request)
            try:
                response = await direct(request.url).handle_async_request(request)
            except httpx.RequestError as exc:
                if _request_of(exc) is None:  # as httpx's path sets it (request_context)
                    exc.request = request
                raise
            response.request = request
            if not self._owns_http and "set-cookie" in response.headers:
                # Kept as httpx's path keeps them; the next call then takes that path,
                # which sends them.
                self._http.cookies.extract_cookies(response)
        try:
            await read_limited(response, self._max_response_bytes)
        finally:
            if direct is not None and isinstance(response.stream, httpx.ByteStream):
                response.is_closed = True  # a body in memory: closing releases nothing
            else:
                await response.aclose()
        if direct is not None:  # httpx's send sets elapsed; the direct lane sets it here
            response.elapsed = dt.timedelta(seconds=self._clock() - sent)
        return response


@attrs.frozen
class _Plan:
    """What every request of one operation shares on one client (see ``VaixClient._plan``)."""

    method: str
    #: Our defaults and the identity headers (what build_request merges over the client's).
    headers: dict[str, str]
    #: The headers httpx's Request adds itself (Host; Content-Length for a POST).
    auto: list[tuple[str, str]]
    #: The direct lane's: ``auto``, the client's left, ``headers``; one list copy per request.
    template: httpx.Headers


#: The body of every direct-lane request (read-only bytes, so one is shared).
_NO_BODY: Final = httpx.ByteStream(b"")


def _direct_request(
    method: str, url: httpx.URL, headers: httpx.Headers, extensions: dict[str, Any]
) -> httpx.Request:
    """The request ``httpx.Request(method, url, headers=...)`` builds for a body-less call.

    With ``stream`` given, httpx adds no headers of its own (the template already
    holds Host first, where httpx puts it) and copies ``headers`` as one list; the
    empty body is then read, as httpx reads a ``ByteStream``.
    """
    request = httpx.Request(method, url, headers=headers, stream=_NO_BODY, extensions=extensions)
    request.read()
    return request


class _Call:
    """One call's state: when it started, its budget, its attempts and its timeout scope."""

    __slots__ = ("attempts", "closed", "deadline", "observer", "scope", "started", "total")

    def __init__(self, started: float, total: float | None) -> None:
        self.started = started
        self.total = total
        self.deadline: float | None = None  # on the event loop's clock
        self.attempts = 0
        self.closed = False  # ended by aclose()
        self.scope: asyncio.Timeout | None = None
        self.observer: _observe.Observer | None = None  # None: nothing listens

    def end_now(self) -> None:
        """End the call at its next await (aclose): its scope expires, the call sees why."""
        self.closed = True
        self.expire()

    def expire(self) -> None:
        """End the call at its next await: its scope expires (a TimeoutError inside it)."""
        if self.scope is not None:
            with contextlib.suppress(RuntimeError):  # the scope already exited
                self.scope.reschedule(asyncio.get_running_loop().time())


#: httpx's request log (``HTTP Request: GET ...`` at INFO), which only its client path writes.
_HTTPX_LOG: Final = logging.getLogger("httpx")


def _plain_client(http: httpx.AsyncClient) -> bool:
    """Whether a given client is httpx's own class, decoding text as UTF-8 (the default).

    A subclass may override any step of httpx's client path; a client with its own
    ``default_encoding`` gives it to every response. Both keep httpx's path.
    """
    return type(http) is httpx.AsyncClient and getattr(http, "_default_encoding", None) == "utf-8"


def _is_httpx_send(send: object) -> bool:
    """Whether ``send`` is httpx's own ``AsyncClient.send``, not a wrapper of it.

    A wrapper (an instrumentation's) is defined elsewhere, or carries ``__wrapped__``
    (``functools.wraps``), whatever name it copied.
    """
    code = getattr(send, "__code__", None)
    return (
        code is not None
        and not hasattr(send, "__wrapped__")
        and code.co_filename == _HTTPX_CLIENT_FILE
        and code.co_name == "send"
    )


_HTTPX_CLIENT_FILE: Final = importlib.import_module("httpx._client").__file__


def _build(build: Callable[[bool], httpx.Request], direct: bool) -> httpx.Request:  # noqa: FBT001
    """``build(direct)``; a URL httpx cannot encode is a bad argument, reported before any I/O."""
    try:
        return build(direct)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise InvalidRequestError(
            f"the request cannot be sent: {type(exc).__name__}: {str(exc)[:200]}"
        ) from exc


@functools.lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed (and checked) once per distinct base URL and path."""
    return httpx.URL(url)


#: httpx's parsed-URL record, when it has the layout this module knows (httpx 0.28).
_PARSE_RESULT: Any = getattr(importlib.import_module("httpx._urlparse"), "ParseResult", None)
if getattr(_PARSE_RESULT, "_fields", None) != (
    "scheme", "userinfo", "host", "port", "path", "query", "fragment"
):  # fmt: skip
    _PARSE_RESULT = None


def _direct_url(url: str, params: Sequence[tuple[str, object]]) -> httpx.URL:
    """The request URL httpx would build from ``url`` and ``params``, parsing ``url`` once.

    httpx parses the whole URL again for every request (twice with params); here
    the base is parsed once (cached) and only the query is encoded per call, as
    httpx encodes it (``QueryParams``), which its parser would leave as is. On an
    httpx whose internals differ, this is httpx's own ``URL(url, params=...)``.
    """
    if not params:
        return _parsed_url(url)
    if _PARSE_RESULT is None:
        return httpx.URL(_parsed_url(url), params=params)
    base = _parsed_url(url)._uri_reference  # noqa: SLF001 - see the docstring
    query = _query(params)
    built = httpx.URL.__new__(httpx.URL)
    built._uri_reference = _PARSE_RESULT(  # noqa: SLF001 - see the docstring
        base.scheme, base.userinfo, base.host, base.port, base.path, query, None
    )
    return built


#: What ``quote_plus`` leaves as it is (its always-safe set, ``safe=""``).
_QUOTE_SAFE: Final = re.compile(r"[A-Za-z0-9_.~-]*")


def _query(params: Sequence[tuple[str, object]]) -> str:
    """``str(httpx.QueryParams(params))``: httpx's encoding, without quoting what is safe.

    As httpx does: values become ``"true"``, ``"false"``, ``""`` (None) or ``str()``;
    a repeated name groups its values at its first place; names and values are
    ``quote_plus``-encoded, which leaves ``[A-Za-z0-9_.~-]`` as is.
    """
    grouped: dict[str, list[str]] = {}
    safe = _QUOTE_SAFE.fullmatch
    for name, value in params:
        if value.__class__ is not str:
            value = (  # noqa: PLW2901 - rendered as httpx renders it
                ("true" if value else "false")
                if value is True or value is False
                else ("" if value is None else str(value))
            )
        if not safe(value):
            value = quote_plus(value)  # noqa: PLW2901
        key = name if name.__class__ is str else str(name)
        if key in grouped:
            grouped[key].append(value)
        else:
            grouped[key] = [value]
    pieces = []
    for key, values in grouped.items():
        prefix = (key if safe(key) else quote_plus(key)) + "="
        pieces.extend([prefix + value for value in values])
    return "&".join(pieces)


def _merged(base: Mapping[str, str], over: Mapping[str, str]) -> dict[str, str]:
    """``base`` updated with ``over``, names compared case-insensitively (as HTTP does)."""
    names = {name.lower() for name in over}
    return {
        **{name: value for name, value in base.items() if name.lower() not in names},
        **over,
    }


def _raw_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """``httpx.Headers.raw`` as text, names as given (``items()`` lowercases them)."""
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw]


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


class _InFlight:
    """The calls in flight on a client (and its clones): their deadlines, and aclose().

    One timer (the watch) stands at the earliest deadline of the calls in flight,
    rather than one timer per call: a call that starts with a later deadline (the
    usual case, as every call of a client has the same ``total_timeout``) sets
    none. When the watch fires it expires every call whose deadline has come and
    stands again at the earliest one left; a call that ended needs no
    bookkeeping (the watch finds it gone).
    """

    def __init__(self) -> None:
        self._calls: set[_Call] = set()
        self._drained: asyncio.Future[None] | None = None
        self._watch: asyncio.TimerHandle | None = None

    def add(self, call: _Call, loop: asyncio.AbstractEventLoop) -> None:
        """A call started (its scope is entered before the loop runs anything else)."""
        self._calls.add(call)
        deadline = call.deadline
        if deadline is not None and (self._watch is None or deadline < self._watch.when()):
            self._stand_at(deadline, loop)

    def _stand_at(self, when: float, loop: asyncio.AbstractEventLoop) -> None:
        if self._watch is not None:
            self._watch.cancel()
        self._watch = loop.call_at(when, self._expire_due, loop)

    def _expire_due(self, loop: asyncio.AbstractEventLoop) -> None:
        """The watch fired: expire the calls whose deadline has come; stand at the next one."""
        self._watch = None
        now = loop.time()
        earliest: float | None = None
        for call in self._calls:
            deadline = call.deadline
            if deadline is None:
                continue
            if deadline <= now:
                call.expire()
            elif earliest is None or deadline < earliest:
                earliest = deadline
        if earliest is not None:
            self._stand_at(earliest, loop)

    def discard(self, call: _Call) -> None:
        """A call ended, however."""
        self._calls.discard(call)
        if not self._calls and self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    async def end_all(self) -> None:
        """End every call in flight and wait until each has unwound."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if not self._calls:
            return
        self._drained = asyncio.get_running_loop().create_future()
        for call in list(self._calls):
            call.end_now()
        await asyncio.shield(self._drained)


def _check_max_bytes(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(
            f"max_response_bytes must be an int >= 1 (or None for no limit), got {value!r}",
            argument="max_response_bytes",
        )
    return value


def _check_retries(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequestError(
            f"max_retries must be an int >= 0, got {value!r}", argument="max_retries"
        )
    return value
