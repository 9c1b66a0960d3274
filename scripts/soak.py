"""Soak: tens of thousands of calls with seeded faults, on both backends; every outcome typed.

A loopback server (tests/loopback.py, 127.0.0.1 only) answers each request with
an action drawn from a seeded table: the 200 body, retryable and final error
statuses, dropped connections, truncated and malformed responses, gzip bombs,
deeply nested error bodies, hangs. Some calls are cancelled by their caller
and, at the end of each round, ``aclose()`` runs with calls in flight.

Reports, per backend: outcomes by type, RSS and open descriptors at start and
end. Exits non-zero when an outcome is not a result, a ``VaixError`` or the
caller's own cancellation, or when descriptors leak.

    python scripts/soak.py [--calls 20000] [--concurrency 100] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import gzip
import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from loopback import (
    Delay,
    DropBeforeResponse,
    DropMidResponse,
    Hang,
    LoopbackServer,
    Raw,
    Reply,
    Respond,
)

from vaix_client import VaixClient
from vaix_client.errors import VaixError

if TYPE_CHECKING:
    from loopback import Action, RecordedRequest

OK_BODY = b'{"status": "success", "data": [{"game_id": "g1", "game_name": "Book"}]}'
JSON = {"Content-Type": "application/json"}
_DEEP = b"[" * 50_000 + b"]" * 50_000
_BOMB = gzip.compress(b"[" + b" " * 40_000_000 + b"]")

#: (weight, action): what the server does with a request.
FAULTS: list[tuple[int, Action]] = [
    (700, Reply(200, JSON, OK_BODY)),
    (40, Reply(503, JSON, b'{"error": "down"}')),
    (30, Reply(429, {"Retry-After": "0"})),
    (20, Reply(404, {"Content-Type": "text/html"}, b"<html>not here</html>")),
    (20, Reply(401, JSON, b'{"error": "bad token"}')),
    (30, DropBeforeResponse()),
    (30, DropMidResponse(200, JSON, b'{"status": "succ', 400)),
    (20, Raw(b"HTTP/1.1 abc OK\r\n\r\n")),
    (20, Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")),
    (20, Raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n")),
    (10, Raw(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(64)))),
    (20, Reply(200, JSON, b'{"status": "success", "data": [{"game_id": ')),
    (10, Reply(500, JSON, b'{"error": ' + _DEEP + b"}")),
    (10, Reply(200, {**JSON, "Content-Encoding": "gzip"}, _BOMB)),
    (10, Reply(200, {"Content-Length": "2000000000"}, b"")),
    (20, Delay(0.02, Reply(200, JSON, OK_BODY))),
    (10, Hang()),
]


#: The share of calls their caller cancels after a random short delay.
CANCELLED_SHARE = 0.01


def rss_kib() -> int:
    """Resident memory of this process, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def open_fds() -> int:
    """How many descriptors this process has open (Linux)."""
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


class Soak:
    """One backend's run: a server, a client, and the tally of outcomes."""

    def __init__(self, backend: str, seed: int) -> None:
        self.backend = backend
        self.rng = random.Random(seed)  # noqa: S311 - seeded faults, not secrets
        self.weights = [weight for weight, _ in FAULTS]
        self.actions = [action for _, action in FAULTS]
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.untyped: list[BaseException] = []

    def pick(self, _request: RecordedRequest) -> Action:
        """The seeded action for the next request."""
        return self.rng.choices(self.actions, self.weights)[0]

    async def one(self, vaix: VaixClient, n: int) -> None:
        """One call, its outcome counted by type."""
        try:
            await vaix.game_sessions.latest(str(n))
        except VaixError as exc:
            cause = exc.__cause__
            detail = "" if cause is None else f" <- {type(cause).__name__}"
            self.outcomes[type(exc).__name__ + detail] += 1
        except asyncio.CancelledError:
            self.outcomes["CancelledError (by the caller)"] += 1
            raise
        except BaseException as exc:  # noqa: BLE001 - the point of the soak: none expected
            self.outcomes[f"UNTYPED {type(exc).__module__}.{type(exc).__name__}"] += 1
            self.untyped.append(exc)
        else:
            self.outcomes["ok"] += 1

    async def round(self, server: LoopbackServer, calls: int, concurrency: int) -> None:
        """``calls`` calls on one client, ``concurrency`` at a time; then aclose mid-flight."""
        vaix = VaixClient(
            token="tok",  # noqa: S106 - the loopback server checks nothing
            client_id="acme",
            base_url=server.base_url,
            backend=self.backend,  # type: ignore[arg-type]
            timeout=0.5,
            total_timeout=2.0,
            max_retries=2,
            max_response_bytes=1_000_000,
        )
        limit = asyncio.Semaphore(concurrency)

        async def guarded(n: int) -> None:
            async with limit:
                task = asyncio.ensure_future(self.one(vaix, n))
                if self.rng.random() < CANCELLED_SHARE:  # the caller gives up on this one
                    asyncio.get_running_loop().call_later(self.rng.random() * 0.05, task.cancel)
                await asyncio.wait([task])

        await asyncio.gather(*(guarded(n) for n in range(calls)))
        # Close with calls in flight: each must end typed, leaving no socket.
        server.default = Hang()
        closing = [asyncio.ensure_future(self.one(vaix, n)) for n in range(concurrency)]
        await asyncio.sleep(0.2)
        await vaix.aclose()
        await asyncio.gather(*closing, return_exceptions=True)
        server.default = Respond(self.pick)


async def run(backend: str, calls: int, concurrency: int, seed: int) -> bool:
    """Soak one backend; print its report; return whether it passed."""
    soak = Soak(backend, seed)
    async with LoopbackServer(default=Respond(soak.pick)) as server:
        await soak.round(server, 500, concurrency)  # warm-up: imports, pools, caches
        server.requests.clear()
        gc.collect()
        fds0, rss0 = open_fds(), rss_kib()
        started = time.monotonic()
        rounds = 4
        for number in range(1, rounds + 1):
            await soak.round(server, calls // rounds, concurrency)
            server.requests.clear()  # the test server's own log, not the client's memory
            gc.collect()
            print(
                f"   [{backend}] round {number}/{rounds}: RSS {rss_kib() / 1024:.1f} MiB, "
                f"{open_fds()} fds",
                flush=True,
            )
        elapsed = time.monotonic() - started
        await server.wait_for(lambda: server.open_connections == 0, timeout=5)
    gc.collect()
    fds1, rss1 = open_fds(), rss_kib()
    total = sum(soak.outcomes.values())
    print(f"\n== backend {backend}: {total} calls in {elapsed:.1f} s, seed {seed}")
    for name, count in soak.outcomes.most_common():
        print(f"   {count:7d}  {name}")
    print(f"   RSS  start {rss0 / 1024:7.1f} MiB  end {rss1 / 1024:7.1f} MiB")
    print(f"   fds  start {fds0:7d}      end {fds1:7d}")
    ok = not soak.untyped and fds1 <= fds0
    for exc in soak.untyped[:5]:
        print(f"   untyped: {exc!r}")
    print(f"   {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    """Parse the options and soak each backend in turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=["httpx", "aiohttp", "both"], default="both")
    options = parser.parse_args()
    backends = ["httpx", "aiohttp"] if options.backend == "both" else [options.backend]
    results = [
        asyncio.run(run(backend, options.calls, options.concurrency, options.seed))
        for backend in backends
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
