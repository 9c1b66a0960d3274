"""Retries, timeouts and errors: how a service keeps its own latency under control.

* ``timeout`` bounds each attempt (an ``httpx.Timeout``, so connect, read,
  write and pool waits can differ); ``total_timeout`` bounds the whole call,
  every retry and backoff wait included; ``max_retries`` counts retries after
  the first attempt. Connection errors, timeouts, 408, 425, 429 and 5xx are
  retried with backoff, honouring ``Retry-After``.
* ``with_options`` gives a client for one latency-sensitive call site that
  shares the connection pool and credentials.
* ``latest_detailed`` tells how many attempts a call took.
* Errors carry the server's ``x-request-id``: log it, support will ask for it.

Run it against the fake (``vaix-client fake-server`` in another terminal)::

    export VAIX_BASE_URL=http://127.0.0.1:8000 VAIX_API_TOKEN=demo-token VAIX_CLIENT_ID=demo
    python examples/retries_and_timeouts.py 7

Each retry is logged at INFO by the ``vaix_client`` logger (shown on stderr here).
"""

from __future__ import annotations

import asyncio
import logging
import sys

import httpx

from vaix_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    GameSession,
    RateLimitError,
    VaixClient,
)

#: Per attempt: 2 s to connect, 5 s for each read, write or pool wait.
ATTEMPT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
#: The whole call, however many attempts it takes.
TOTAL_TIMEOUT = 15.0
MAX_RETRIES = 3

#: The latency-sensitive call: one quick retry at most, and never more than a second.
WIDGET_TIMEOUT = httpx.Timeout(0.5)
WIDGET_TOTAL_TIMEOUT = 1.0
WIDGET_MAX_RETRIES = 1


def _ref(request_id: str | None) -> str:
    """``, request id ...`` when the server (or a gateway) sent one."""
    return f", request id {request_id}" if request_id else ""


async def history(vaix: VaixClient, user: str) -> list[GameSession]:
    """A call that may take its time: retried by the client, each error explained."""
    try:
        response = await vaix.game_sessions.latest_detailed(user, count=5)
    except RateLimitError as exc:  # still 429 after every retry
        retry_after = exc.response.headers.get("retry-after", "?")
        print(f"History: rate limited (retry after {retry_after} s){_ref(exc.request_id)}")
        return []
    except APITimeoutError as exc:  # before APIConnectionError: it is a subclass
        print(f"History: timed out ({exc})")
        return []
    except APIConnectionError as exc:
        print(f"History: the API could not be reached ({exc})")
        return []
    except APIStatusError as exc:  # any other error status: 401, 403, 5xx after retries...
        print(f"History: the API answered {exc.status_code} {exc.message!r}{_ref(exc.request_id)}")
        return []
    print(
        f"History: {len(response.parsed)} session(s) after {response.attempts} attempt(s) "
        f"in {response.elapsed:.2f} s{_ref(response.request_id)}"
    )
    return response.parsed


async def recently_played(vaix: VaixClient, user: str) -> list[GameSession]:
    """A page widget that would rather show nothing than make the page wait."""
    fast = vaix.with_options(
        timeout=WIDGET_TIMEOUT, total_timeout=WIDGET_TOTAL_TIMEOUT, max_retries=WIDGET_MAX_RETRIES
    )
    try:
        sessions = await fast.game_sessions.latest(user, count=3, fields=["game_id", "game_name"])
    except APIConnectionError as exc:  # timeouts included
        print(f"Recently played: skipped ({type(exc).__name__}: {exc})")
        return []
    print(f"Recently played: {', '.join(str(s.game_name) for s in sessions) or 'nothing yet'}")
    return sessions


async def main(
    user: str = "7",
    *,
    base_url: str | None = None,
    http_client: httpx.AsyncClient | None = None,
) -> None:
    """Run both calls for ``user`` with one shared client.

    The token, client id and API root come from ``VAIX_API_TOKEN``,
    ``VAIX_CLIENT_ID`` and ``VAIX_BASE_URL`` unless given.
    """
    async with VaixClient(
        base_url=base_url,
        http_client=http_client,
        timeout=ATTEMPT_TIMEOUT,
        total_timeout=TOTAL_TIMEOUT,
        max_retries=MAX_RETRIES,
    ) as vaix:
        await history(vaix, user)
        await recently_played(vaix, user)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("vaix_client").setLevel(logging.INFO)
    asyncio.run(main(*sys.argv[1:2]))
