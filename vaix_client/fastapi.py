"""FastAPI integration: one client per app, injected into routes (``fastapi`` extra).

```python
from typing import Any

from fastapi import FastAPI
from vaix_client.fastapi import VaixDep, add_vaix_error_handlers, vaix_lifespan

app = FastAPI(lifespan=vaix_lifespan())  # VaixClient from VAIX_* at start-up, closed at shutdown
add_vaix_error_handlers(app)  # optional: upstream failures -> 502/503/504, bad query -> 422


@app.get("/recent/{user}")
async def recent(user: str, vaix: VaixDep) -> list[dict[str, Any]]:
    return [s.to_dict() for s in await vaix.game_sessions.latest(user, count=5)]  # JSON-ready
```

In the app's tests, swap the client for one connected to the fake service with
``app.dependency_overrides[get_vaix_client] = lambda: fake_client``; the lifespan
then opens no client of its own, so ``with TestClient(app)`` needs no ``VAIX_*``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Final

from vaix_client._client import VaixClient
from vaix_client._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidRequestError,
    RateLimitError,
    ResponseValidationError,
    VaixError,
)
from vaix_client._extras import missing_extra

try:
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import JSONResponse
except ImportError as _missing:
    raise missing_extra("vaix_client.fastapi", "fastapi", _missing) from _missing

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from contextlib import AbstractAsyncContextManager

__all__ = [
    "STATE_KEY",
    "ClientSource",
    "VaixDep",
    "add_vaix_error_handlers",
    "get_vaix_client",
    "upstream_error_status",
    "vaix_client_for",
    "vaix_lifespan",
]

#: The attribute of ``app.state`` that holds the client.
STATE_KEY: Final = "vaix_client"

logger: logging.Logger = logging.getLogger("vaix_client")


#: What :func:`vaix_lifespan` and :func:`vaix_client_for` accept instead of options:
#: a ready client (the caller's: never closed here) or a factory called at start-up
#: (its client is closed at shutdown).
ClientSource = VaixClient | Callable[[], VaixClient]


@contextlib.asynccontextmanager
async def vaix_client_for(
    app: FastAPI,
    client: ClientSource | None = None,
    /,
    **client_options: Any,  # noqa: ANN401 - VaixClient's keyword arguments
) -> AsyncIterator[VaixClient]:
    """Put one ``VaixClient`` on ``app.state`` for the duration of the block.

    For apps that already have a lifespan: ``async with vaix_client_for(app): yield``.
    Without ``client``, one is made from ``client_options`` (:class:`VaixClient`
    arguments; missing ones come from the ``VAIX_*`` environment variables) and
    closed on exit; a factory's client is closed on exit too. A ready client is
    used as is and left open: whoever made it closes it, as with ``http_client``.
    """
    if client is not None and client_options:
        raise InvalidRequestError(
            "vaix_client_for/vaix_lifespan take either a client (or factory) or "
            f"VaixClient options, not both (got options {sorted(client_options)})",
            argument="client",
        )
    owned = not isinstance(client, VaixClient)
    if isinstance(client, VaixClient):
        opened = client
    elif client is not None:
        opened = client()
        if not isinstance(opened, VaixClient):
            raise InvalidRequestError(
                f"the client factory must return a VaixClient, got {type(opened).__name__}",
                argument="client",
            )
    else:
        opened = VaixClient(**client_options)
    setattr(app.state, STATE_KEY, opened)
    try:
        if owned:
            async with opened:
                yield opened
        else:
            yield opened
    finally:
        with contextlib.suppress(AttributeError):
            delattr(app.state, STATE_KEY)


def vaix_lifespan(
    client: ClientSource | None = None,
    /,
    **client_options: Any,  # noqa: ANN401 - VaixClient's keyword arguments
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that opens one ``VaixClient`` at start-up and closes it at shutdown.

    ``client`` and ``client_options`` are as for :func:`vaix_client_for`:
    ``vaix_lifespan()`` reads ``VAIX_*`` at start-up,
    ``vaix_lifespan(make_client)`` calls a factory then, and
    ``vaix_lifespan(client)`` serves a ready client (left open).

    When ``get_vaix_client`` is overridden at start-up
    (``app.dependency_overrides``, as in tests), the lifespan opens no client
    at all: routes get the override's, and no ``VAIX_*`` variable is needed.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if get_vaix_client in app.dependency_overrides:
            logger.debug("get_vaix_client is overridden: the lifespan opens no VaixClient")
            yield
            return
        async with vaix_client_for(app, client, **client_options):
            yield

    return lifespan


def get_vaix_client(request: Request) -> VaixClient:
    """The app's ``VaixClient`` (a FastAPI dependency)."""
    client = getattr(request.app.state, STATE_KEY, None)
    if not isinstance(client, VaixClient):
        raise VaixError(
            "No VaixClient on app.state: create the app with "
            "FastAPI(lifespan=vaix_lifespan()) or open one with vaix_client_for(app) "
            "in your lifespan (or override get_vaix_client in tests)."
        )
    return client


#: Annotate a route parameter with this to receive the app's client.
VaixDep = Annotated[VaixClient, Depends(get_vaix_client)]


def upstream_error_status(error: VaixError) -> int:
    """The status an app answers when Vaix fails: 504 timeout, 503 overloaded, else 502."""
    if isinstance(error, APITimeoutError):
        return 504
    if isinstance(error, RateLimitError) or (
        isinstance(error, APIStatusError) and error.status_code == 503  # noqa: PLR2004
    ):
        return 503
    return 502


_MESSAGES: Final = {
    502: "The game sessions service is unavailable.",
    503: "The game sessions service is busy; try again shortly.",
    504: "The game sessions service did not answer in time.",
}


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    """Answer an upstream failure with a safe body: no token, no upstream body."""
    if not isinstance(exc, VaixError):  # pragma: no cover - registered for VaixError types only
        raise exc
    status = upstream_error_status(exc)
    request_id = getattr(exc, "request_id", None)
    logger.warning(
        "Upstream Vaix failure on %s %s: %s -> %d",
        request.method,
        request.url.path,
        type(exc).__name__,
        status,
    )
    content: dict[str, Any] = {"detail": _MESSAGES[status]}
    if request_id:
        content["upstream_request_id"] = request_id
    headers = {"Retry-After": "5"} if status == 503 else None  # noqa: PLR2004
    return JSONResponse(content, status_code=status, headers=headers)


async def _handle_invalid(request: Request, exc: Exception) -> JSONResponse:
    """Answer 422 for a query the SDK refused before any I/O, saying which argument and why."""
    if not isinstance(exc, InvalidRequestError):  # pragma: no cover - registered for it only
        raise exc
    logger.info("Vaix query refused on %s %s: %s", request.method, request.url.path, exc.argument)
    return JSONResponse({"detail": str(exc), "argument": exc.argument}, status_code=422)


def add_vaix_error_handlers(app: FastAPI) -> None:
    """Opt in: turn SDK failures into answers with a safe message.

    Upstream failures become 502/503/504 (:func:`upstream_error_status`).
    An ``InvalidRequestError`` (a query the SDK refuses before any I/O, such
    as a ``count`` out of range passed on from the app's caller) becomes 422
    with the SDK's message and the argument's name: it is the same kind of
    answer FastAPI gives for its own parameter validation, so an app's callers
    see one status for "these parameters are not acceptable". The message
    names the SDK's argument and the allowed values, never a token.
    """
    for error in (APIConnectionError, APIStatusError, ResponseValidationError):
        app.add_exception_handler(error, _handle)
    app.add_exception_handler(InvalidRequestError, _handle_invalid)
