"""A client's life: the event loop it is bound to, and clients made per request.

Both guard against misuses that work, slowly or until they crash, with no
hint from the SDK:

- A client's pool, token cache and in-flight bookkeeping belong to the event
  loop that first used them. Used from another loop (a second
  ``asyncio.run``, a client kept in a global across tests) the transport
  fails deep inside httpx/anyio or aiohttp with "Event loop is closed";
  :class:`LoopBinding` says so at once, with what to do. It binds to the loop
  of *first use*, not of creation: building a client outside any loop and
  using it in one (FastAPI's ``TestClient``, a module-level client) is fine.
- A client per request pays for a new pool, TLS and connection every call
  (~20x slower). :class:`ChurnWatch` logs one WARNING per process when many
  clients are created and closed in quick succession.
"""

from __future__ import annotations

import collections
import time
from typing import TYPE_CHECKING

from vaix_client._errors import VaixError
from vaix_client._log import logger

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

__all__ = ["ChurnWatch", "LoopBinding", "watch"]


class LoopBinding:
    """The event loop a client (and its ``with_options`` clones) is bound to: its first user's."""

    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None

    def check(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind to ``loop`` on first use; afterwards, refuse any other loop with a clear error."""
        if self.loop is loop:
            return
        if self.loop is None:
            self.loop = loop
            return
        raise VaixError(
            "This VaixClient is bound to the event loop that first used it, and is now used "
            "from another one (for example a second asyncio.run(), or a client kept across "
            "tests). Its connections cannot move between loops: create the client inside the "
            "loop that uses it (in your async main(), or in the FastAPI lifespan) and close it "
            "there with `async with VaixClient(...)` or `await vaix.aclose()`."
        )


class ChurnWatch:
    """One WARNING when ``burst`` clients, each closed within ``short`` s, close in ``window`` s.

    Only clients that own their pool count (a client given an ``http_client``
    shares that pool, and a ``with_options`` clone shares its parent's).
    ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        burst: int = 10,
        window: float = 60.0,
        short: float = 2.0,
    ) -> None:
        self.clock = clock
        self.burst = burst
        self.window = window
        self.short = short
        self.warned = False
        self._closed: collections.deque[float] = collections.deque()

    def opened(self) -> float:
        """A client that owns its pool was created: the time to pass to :meth:`closed`."""
        return self.clock()

    def closed(self, opened_at: float) -> None:
        """That client was closed; warn (once) if clients are being made per request."""
        if self.warned:
            return
        now = self.clock()
        if now - opened_at > self.short:
            return
        closed = self._closed
        closed.append(now)
        while now - closed[0] > self.window:
            closed.popleft()
        if len(closed) < self.burst:
            return
        self.warned = True
        closed.clear()
        logger.warning(
            "%d VaixClients were created and closed within %.0f s, each after less than "
            "%.0f s: a client per request opens a new connection pool (TCP and TLS) for "
            "every call, about 20x slower. Create one VaixClient per process (e.g. in the "
            "FastAPI lifespan), share it between tasks, and use vaix.with_options(...) for "
            "per-call settings. (Logged once.)",
            self.burst,
            self.window,
            self.short,
            extra={"vaix_clients": self.burst},
        )


#: The process-wide watch (tests swap it for one with an injected clock).
watch = ChurnWatch()
