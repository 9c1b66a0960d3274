"""The clients under test, each one request of ``GET /api/casino/game_sessions/latest``.

A client is opened with a base URL (loopback) or, for httpx-based clients, an
httpx transport (in-process, over ``httpx.MockTransport``), and yields a
``call``: one awaitable request that returns how many sessions it decoded, so
that every measurement also checks the client did the whole job.

Each client imports its libraries only when opened: a worker process loads
exactly what the client under test needs, which keeps its RSS and import
cost its own.
"""

# Lazy imports are the point of this module (see above).

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeAlias

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx

__all__ = [
    "CLIENTS",
    "CLIENT_ID",
    "PATH",
    "PEER_PACKAGE",
    "TOKEN",
    "USER",
    "Call",
    "Client",
    "by_name",
    "vaix_aiohttp_mode",
]

TOKEN: Final = "bench-token"  # noqa: S105 - a made-up token for a loopback server
CLIENT_ID: Final = "bench"
USER: Final = "1"
PATH: Final = "/api/casino/game_sessions/latest"
#: The OpenAPI Generator peer's package name (generated into build/bench/peer at bench time).
PEER_PACKAGE: Final = "vaix_peer"
#: What the raw clients send: the same headers as the SDK (auth, group, accept).
_RAW_HEADERS: Final = {
    "Authorization": f"Bearer {TOKEN}",
    "x-vaix-client-id": CLIENT_ID,
    "Accept": "application/json",
}
#: The raw clients' per-attempt timeout: vaix-client's default, so none is unfairly strict.
_TIMEOUT_SECONDS: Final = 30.0

#: One request; returns the number of sessions decoded.
Call: TypeAlias = Callable[[], Awaitable[int]]
#: ``open(base_url, sessions)``.
Opener: TypeAlias = Callable[[str, int], AbstractAsyncContextManager[Call]]
#: ``open(transport, sessions)``.
InProcessOpener: TypeAlias = Callable[
    ["httpx.AsyncBaseTransport", int], AbstractAsyncContextManager[Call]
]


@dataclass(frozen=True)
class Client:
    """A client under test."""

    name: str
    label: str
    #: Modules a program imports to use this client (timed by the import benchmark).
    modules: tuple[str, ...]
    #: ``open(base_url, sessions)``: a call over a real socket.
    open: Opener
    #: ``open(transport, sessions)``: a call over an httpx transport; None if not httpx-based.
    open_inprocess: InProcessOpener | None
    #: Whether this is a raw baseline (ratios are taken against those).
    baseline: bool = False


def _check(count: int, expected: int) -> int:
    if count != expected:
        raise AssertionError(f"decoded {count} sessions, expected {expected}")
    return count


# ---------------------------------------------------------------- raw httpx


@contextlib.asynccontextmanager
async def _httpx_client(
    base_url: str, sessions: int, transport: httpx.AsyncBaseTransport | None
) -> AsyncIterator[Call]:
    import httpx

    params = {"user": USER, "count": str(sessions)}
    async with httpx.AsyncClient(
        base_url=base_url,
        headers=_RAW_HEADERS,
        timeout=httpx.Timeout(_TIMEOUT_SECONDS, connect=5.0),
        transport=transport,
    ) as client:

        async def call() -> int:
            response = await client.get(PATH, params=params)
            response.raise_for_status()
            return _check(len(response.json()["data"]), sessions)

        yield call


def _raw_httpx(base_url: str, sessions: int) -> AbstractAsyncContextManager[Call]:
    return _httpx_client(base_url, sessions, None)


def _raw_httpx_inprocess(
    transport: httpx.AsyncBaseTransport, sessions: int
) -> AbstractAsyncContextManager[Call]:
    return _httpx_client("http://bench.test", sessions, transport)


# ---------------------------------------------------------------- raw aiohttp


@contextlib.asynccontextmanager
async def _raw_aiohttp(base_url: str, sessions: int) -> AsyncIterator[Call]:
    import aiohttp

    params = {"user": USER, "count": str(sessions)}
    async with aiohttp.ClientSession(base_url=base_url, headers=_RAW_HEADERS) as session:

        async def call() -> int:
            async with session.get(PATH, params=params) as response:
                response.raise_for_status()
                body = await response.read()
            return _check(len(json.loads(body)["data"]), sessions)

        yield call


# ---------------------------------------------------------------- stock generated


@contextlib.asynccontextmanager
async def _generated_client(
    base_url: str, sessions: int, transport: httpx.AsyncBaseTransport | None
) -> AsyncIterator[Call]:
    from vaix_client._generated.api.game_sessions import get_latest_game_sessions
    from vaix_client._generated.client import AuthenticatedClient
    from vaix_client._generated.models.game_sessions_response import GameSessionsResponse

    httpx_args = {} if transport is None else {"transport": transport}
    async with AuthenticatedClient(base_url=base_url, token=TOKEN, httpx_args=httpx_args) as client:

        async def call() -> int:
            response = await get_latest_game_sessions.asyncio_detailed(
                client=client, user=USER, count=sessions, x_vaix_client_id=CLIENT_ID
            )
            parsed = response.parsed
            if not isinstance(parsed, GameSessionsResponse) or not isinstance(parsed.data, list):
                raise TypeError(f"unexpected response {response.status_code}: {parsed!r}")
            return _check(len(parsed.data), sessions)

        yield call


def _generated(base_url: str, sessions: int) -> AbstractAsyncContextManager[Call]:
    return _generated_client(base_url, sessions, None)


def _generated_inprocess(
    transport: httpx.AsyncBaseTransport, sessions: int
) -> AbstractAsyncContextManager[Call]:
    return _generated_client("http://bench.test", sessions, transport)


# ---------------------------------------------------------------- vaix-client


@contextlib.asynccontextmanager
async def _vaix(base_url: str, sessions: int) -> AsyncIterator[Call]:
    from vaix_client import VaixClient

    # The httpx backend explicitly: with the aiohttp extra installed it is not the default.
    async with VaixClient(
        token=TOKEN, client_id=CLIENT_ID, base_url=base_url, backend="httpx"
    ) as vaix:

        async def call() -> int:
            return _check(len(await vaix.game_sessions.latest(USER, count=sessions)), sessions)

        yield call


@contextlib.asynccontextmanager
async def _vaix_inprocess(
    transport: httpx.AsyncBaseTransport, sessions: int
) -> AsyncIterator[Call]:
    import httpx

    from vaix_client import VaixClient

    async with (
        httpx.AsyncClient(transport=transport) as http,
        VaixClient(
            token=TOKEN, client_id=CLIENT_ID, base_url="http://bench.test", http_client=http
        ) as vaix,
    ):

        async def call() -> int:
            return _check(len(await vaix.game_sessions.latest(USER, count=sessions)), sessions)

        yield call


def vaix_aiohttp_mode() -> str:
    """How the aiohttp-backed vaix-client is built."""
    return 'VaixClient(backend="aiohttp")'


@contextlib.asynccontextmanager
async def _vaix_aiohttp(base_url: str, sessions: int) -> AsyncIterator[Call]:

    from vaix_client import VaixClient

    async with VaixClient(
        token=TOKEN, client_id=CLIENT_ID, base_url=base_url, backend="aiohttp"
    ) as vaix:

        async def call() -> int:
            return _check(len(await vaix.game_sessions.latest(USER, count=sessions)), sessions)

        yield call


# ---------------------------------------------------------------- OpenAPI Generator peer


@contextlib.asynccontextmanager
async def _peer(base_url: str, sessions: int) -> AsyncIterator[Call]:
    # Generated at bench time (benchmarks/peer.py) and put on sys.path by the runner:
    # untyped as far as mypy knows, hence the module object.
    peer = importlib.import_module(PEER_PACKAGE)
    configuration = peer.Configuration(host=base_url, access_token=TOKEN)
    async with peer.ApiClient(configuration) as api_client:
        api = peer.GameSessionsApi(api_client)

        async def call() -> int:
            result = await api.get_latest_game_sessions(
                x_vaix_client_id=CLIENT_ID, user=USER, count=sessions
            )
            return _check(len(result.data), sessions)

        yield call


CLIENTS: Final = (
    Client(
        name="httpx",
        label="raw httpx + response.json()",
        modules=("httpx",),
        open=_raw_httpx,
        open_inprocess=_raw_httpx_inprocess,
        baseline=True,
    ),
    Client(
        name="aiohttp",
        label="raw aiohttp + json.loads",
        modules=("aiohttp",),
        open=_raw_aiohttp,
        open_inprocess=None,
        baseline=True,
    ),
    Client(
        name="generated",
        label="stock generated (openapi-python-client)",
        modules=(
            "vaix_client._generated.client",
            "vaix_client._generated.api.game_sessions.get_latest_game_sessions",
        ),
        open=_generated,
        open_inprocess=_generated_inprocess,
    ),
    Client(
        name="vaix",
        label="vaix-client (httpx transport)",
        modules=("vaix_client:VaixClient",),
        open=_vaix,
        open_inprocess=_vaix_inprocess,
    ),
    Client(
        name="vaix-aiohttp",
        label="vaix-client (aiohttp transport)",
        modules=("vaix_client:VaixClient", "vaix_client._aiohttp"),
        open=_vaix_aiohttp,
        open_inprocess=None,
    ),
    Client(
        name="peer",
        label="OpenAPI Generator python (asyncio: aiohttp + pydantic)",
        modules=(PEER_PACKAGE,),
        open=_peer,
        open_inprocess=None,
    ),
)


def by_name(name: str) -> Client:
    """The client called ``name``."""
    for client in CLIENTS:
        if client.name == name:
            return client
    known = ", ".join(c.name for c in CLIENTS)
    raise KeyError(f"unknown client {name!r} (known: {known})")
