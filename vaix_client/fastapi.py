"""FastAPI integration: one client per app, injected into routes (``fastapi`` extra).

```python
from typing import Any

from fastapi import FastAPI
from vaix_client.fastapi import VaixDep, add_vaix_error_handlers, vaix_lifespan

app = FastAPI(lifespan=vaix_lifespan())  # VaixClient from VAIX_* at start-up, closed at shutdown
add_vaix_error_handlers(app)  # optional: upstream failures -> 502/503/504


@app.get("/recent/{user}")
async def recent(user: str, vaix: VaixDep) -> list[dict[str, Any]]:
    return [s.to_dict() for s in await vaix.game_sessions.latest(user, count=5)]  # JSON-ready
```

In the app's tests, swap the client for one connected to the fake service with
``app.dependency_overrides[get_vaix_client] = lambda: fake_client``.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from vaix_client._client import VaixClient
from vaix_client._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ResponseValidationError,
    VaixError,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from contextlib import AbstractAsyncContextManager

__all__ = [
    "STATE_KEY",
    "VaixDep",
    "add_vaix_error_handlers",
    "get_vaix_client",
    "upstream_error_status",
    "vaix_client_for",
    "vaix_lifespan",
]

#: The attribute of ``app.state`` that holds the client.
STATE_KEY: Final = "vaix_client"

logger = logging.getLogger("vaix_client")


@contextlib.asynccontextmanager
async def vaix_client_for(app: FastAPI, **client_options: Any) -> AsyncIterator[VaixClient]:  # noqa: ANN401
    """Open one ``VaixClient`` for ``app`` and store it on ``app.state``; close it on exit.

    For apps that already have a lifespan: ``async with vaix_client_for(app): yield``.
    ``client_options`` are :class:`VaixClient` arguments; missing ones come
    from the ``VAIX_*`` environment variables.
    """
    client = VaixClient(**client_options)
    setattr(app.state, STATE_KEY, client)
    try:
        async with client:
            yield client
    finally:
        with contextlib.suppress(AttributeError):
            delattr(app.state, STATE_KEY)


def vaix_lifespan(
    **client_options: Any,  # noqa: ANN401 - VaixClient's keyword arguments
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that opens one ``VaixClient`` at start-up and closes it at shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with vaix_client_for(app, **client_options):
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


def add_vaix_error_handlers(app: FastAPI) -> None:
    """Opt in: turn SDK failures into 502/503/504 answers with a safe message.

    Bad arguments (``InvalidRequestError``) are the app's own bug and are left
    to FastAPI's default handling.
    """
    for error in (APIConnectionError, APIStatusError, ResponseValidationError):
        app.add_exception_handler(error, _handle)
