"""The fake Vaix service: :class:`FakeVaix` and its ASGI app.

Authentication, our reading of VAIX_API.md: ``x-vaix-authentication-method``
is ``vaix`` (the default; the configured long-lived token) or ``iam`` (a token
this fake issued from ``POST /oauth/token`` and that has not expired by the
fake's clock). A request without a bearer token is 401 whatever else it
carries (authenticate first); then another method is 400; then an unknown
token is 401, then a missing or different ``x-vaix-client-id`` is 403 (the
token is good but not for that group). All of them carry an ``Error`` body and
come before any parameter is looked at. Unknown paths and methods get 404/405
with an ``Error`` body.

Every operation of the spec is served: ``GET /api/casino/game_sessions/latest``
with its documented semantics; every other one with its parameters checked
against the generated description (400/422 as for the sessions endpoint) and
a deterministic, schema-valid answer.
"""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vaix_client._generated import OPERATIONS
from vaix_client.testing._faults import Fault, FaultQueue, FaultTransport, apply_fault
from vaix_client.testing._query import (
    SESSIONS_PATH,
    BadRequest,
    Unprocessable,
    parse_query,
    run_query,
)
from vaix_client.testing._spec import check_query, example
from vaix_client.testing._store import DEMO_REFERENCE, SessionStore, demo_sessions

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping
    from typing import Any

    import httpx
    from starlette.requests import Request
    from starlette.types import ASGIApp, Receive, Scope, Send

    from vaix_client._generated import Operation

__all__ = ["SESSIONS_PATH", "TOKEN_PATH", "FakeVaix", "RecordedRequest"]

TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 - a path, not a password
DEFAULT_DURATION: Final = 120
"""Seconds a session lasts when the test does not say."""
DEMO_CLIENT_CREDENTIALS: Final = {"demo": "demo-secret"}
"""OAuth clients accepted by ``POST /oauth/token`` when none are configured."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received: header names lower-case, last query value wins."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]


def _record(scope: Scope) -> RecordedRequest:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    return RecordedRequest(scope["method"], scope["path"], query, headers)


def _error(status: int, message: str) -> JSONResponse:
    """An ``Error`` body, the spec's shape for 400, 401, 403 and 500."""
    return JSONResponse({"error": message, "status": "error"}, status_code=status)


def _oauth_error(status: int, code: str, description: str) -> JSONResponse:
    body = {"error": code, "error_description": description}
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})


def _token_form(raw: bytes, content_type: str) -> tuple[str, str] | Response:
    """Read a client-credentials request (JSON, or form-encoded as RFC 6749 has it)."""
    form: object
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(raw.decode()))
        else:
            form = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        form = None
    if not isinstance(form, dict):
        return _oauth_error(400, "invalid_request", "the body must be a JSON object")
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "use client_credentials")
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(secret, str):
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required")
    if not isinstance(form.get("audience", ""), str):
        return _oauth_error(400, "invalid_request", "audience must be a string")
    return client_id, secret


class FakeVaix:
    """A fake Vaix service, in-process (:meth:`transport`) or on loopback (``serve``).

    Args:
        token: the long-lived token accepted with the ``vaix`` method.
        client_id: the group name expected in ``x-vaix-client-id``.
        client_credentials: OAuth client id -> secret accepted by ``/oauth/token``
            (default: ``{"demo": "demo-secret"}``).
        seed: when given, :meth:`seed_demo` is called with it.
        now: the fake's clock (aware datetimes). It decides ``iam`` token expiry
            (wall clock without it), is the default ``before_date`` (no upper
            bound without it: the fake never reads the wall clock for data) and
            the demo catalogue's reference date (2026-11-01T00:00Z without it).
        token_ttl: seconds an issued ``iam`` token lives (its ``expires_in``).
    """

    def __init__(
        self,
        *,
        token: str = "demo-token",  # noqa: S107 - the fake's documented demo token
        client_id: str = "demo",
        client_credentials: Mapping[str, str] | None = None,
        seed: int | None = None,
        now: Callable[[], datetime] | None = None,
        token_ttl: float = 3600,
    ) -> None:
        self._token = token
        self._client_id = client_id
        self._credentials = dict(
            DEMO_CLIENT_CREDENTIALS if client_credentials is None else client_credentials
        )
        if not (math.isfinite(token_ttl) and token_ttl > 0):
            raise ValueError(f"token_ttl must be a positive number of seconds, got {token_ttl}")
        self._now = now
        self._token_ttl = token_ttl
        self._iam_tokens: dict[str, datetime] = {}
        self._store = SessionStore()
        self._faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        """Every request received, oldest first (clear it freely)."""
        self._api_paths = frozenset(operation.path for operation in OPERATIONS)
        self._starlette = Starlette(
            routes=[
                Route(SESSIONS_PATH, self._latest, methods=["GET"]),
                *(
                    Route(op.path, self._from_spec(op), methods=[op.http_method])
                    for op in OPERATIONS
                    if op.path != SESSIONS_PATH
                ),
                Route(TOKEN_PATH, self._issue_token, methods=["POST"]),
            ],
            exception_handlers={HTTPException: self._http_error},
        )
        if seed is not None:
            self.seed_demo(seed)

    # ------------------------------------------------------------ public API
    @property
    def app(self) -> ASGIApp:
        """The ASGI app (drop and truncation faults need :meth:`transport` or ``serve``)."""
        return self._asgi

    def transport(self) -> httpx.AsyncBaseTransport:
        """An in-process httpx transport to this fake; dropped connections raise httpx errors."""
        return FaultTransport(self._asgi)

    @property
    def token(self) -> str:
        """The long-lived token the ``vaix`` method accepts."""
        return self._token

    @property
    def client_id(self) -> str:
        """The group name expected in ``x-vaix-client-id``."""
        return self._client_id

    @property
    def tokens_issued(self) -> int:
        """How many tokens ``POST /oauth/token`` has issued."""
        return len(self._iam_tokens)

    def add_session(
        self,
        user: str,
        *,
        game_id: str,
        game_name: str,
        started: datetime,
        total_duration_in_seconds: float = DEFAULT_DURATION,
        **fields: object,
    ) -> dict[str, object]:
        """Store a session for ``user``; return its body as the API sends it (treat as read-only).

        ``fields`` may hold any other GameSession property, and keys the spec
        does not define, which are sent back as given. Datetimes must be aware.
        """
        record: dict[str, object] = {
            "game_id": game_id,
            "game_name": game_name,
            "started": started,
            "total_duration_in_seconds": total_duration_in_seconds,
        }
        return self._store.add(user, {**fields, **record})

    def add_sessions(
        self, user: str, sessions: Iterable[Mapping[str, object]]
    ) -> list[dict[str, object]]:
        """Store several sessions given as dicts, with :meth:`add_session`'s defaults.

        ``started`` may also be an ISO 8601 string with an offset; other strings are sent as is.
        """
        return [
            self._store.add(user, {"total_duration_in_seconds": DEFAULT_DURATION, **session})
            for session in sessions
        ]

    def seed_demo(self, seed: int = 0) -> None:
        """Add the deterministic demo catalogue: 40 games, 8 studios, users "1" to "50".

        Sessions cover the six weeks before the clock's now (2026-11-01T00:00Z
        without a clock); the same seed always gives the same data.
        """
        reference = DEMO_REFERENCE if self._now is None else self._now()
        for user, session in demo_sessions(seed, reference):
            self._store.add(user, session)

    def inject(self, fault: Fault, times: int = 1) -> None:
        """Make the next ``times`` calls to the API (any operation) fail with ``fault``.

        Faults are consumed in the order injected, one per call, before auth.
        """
        self._faults.inject(fault, times)

    def clear_faults(self) -> None:
        """Forget every fault not yet consumed."""
        self._faults.clear()

    @property
    def pending_faults(self) -> tuple[Fault, ...]:
        """The faults not yet consumed, next first."""
        return self._faults.pending

    # ------------------------------------------------------------ ASGI
    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests.append(_record(scope))
            if scope["path"] in self._api_paths and (fault := self._faults.pop()) is not None:
                await apply_fault(fault, self._starlette, scope, receive, send)
                return
        await self._starlette(scope, receive, send)

    def _clock(self) -> datetime:
        return datetime.now(UTC) if self._now is None else self._now()

    def _authenticate(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _error(401, "missing bearer token in the Authorization header")
        method = request.headers.get("x-vaix-authentication-method", "vaix")
        if method not in {"vaix", "iam"}:
            return _error(400, f"unsupported authentication method {method!r}: use vaix or iam")
        if method == "vaix":
            valid = secrets.compare_digest(token.encode(), self._token.encode())
        else:
            expiry = self._iam_tokens.get(token)
            valid = expiry is not None and self._clock() < expiry
        if not valid:
            return _error(401, f"invalid or expired token for authentication method {method}")
        client_id = request.headers.get("x-vaix-client-id")
        if client_id is None:
            return _error(403, "missing x-vaix-client-id header")
        if client_id != self._client_id:
            return _error(403, f"the token gives no access to client id {client_id!r}")
        return None

    async def _latest(self, request: Request) -> Response:
        if (denied := self._authenticate(request)) is not None:
            return denied
        try:
            query = parse_query(request.query_params)
        except BadRequest as exc:
            return _error(400, str(exc))
        except Unprocessable as exc:
            return JSONResponse({"errors": exc.errors}, status_code=422)
        default_before = None if self._now is None else self._now()
        data = run_query(self._store, query, default_before=default_before)
        return JSONResponse({"status": "success", "data": data})

    def _from_spec(self, operation: Operation[Any]) -> Callable[[Request], Awaitable[Response]]:
        """A handler for an operation the fake knows only from the spec."""

        async def handle(request: Request) -> Response:
            if (denied := self._authenticate(request)) is not None:
                return denied
            try:
                values, errors = check_query(operation, request.query_params)
            except BadRequest as exc:
                return _error(400, str(exc))
            if errors:
                return JSONResponse({"errors": errors}, status_code=422)
            count = values.get("count")
            items = count if isinstance(count, int) else 1
            return JSONResponse(example(operation.response_schema, items=items))

        return handle

    async def _issue_token(self, request: Request) -> Response:
        form = _token_form(await request.body(), request.headers.get("content-type", ""))
        if isinstance(form, Response):
            return form
        client_id, secret = form
        expected = self._credentials.get(client_id)
        if expected is None or not secrets.compare_digest(expected.encode(), secret.encode()):
            return _oauth_error(401, "access_denied", "Unauthorized")
        token = secrets.token_urlsafe(32)
        ttl = self._token_ttl
        self._iam_tokens[token] = self._clock() + timedelta(seconds=ttl)
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(ttl) if ttl == int(ttl) else ttl,  # an integer whenever it is one
        }
        return JSONResponse(body, headers={"cache-control": "no-store"})

    async def _http_error(self, _request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HTTPException):  # pragma: no cover - registered for HTTPException
            raise exc
        body = {"error": exc.detail, "status": "error"}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
