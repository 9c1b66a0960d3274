r"""One measurement in a fresh process; prints one JSON object on its last stdout line.

The runner starts ``python -m benchmarks.worker MODE ...`` once per client and
measurement, so each gets a clean heap, its own CPU clock and peak RSS, and
imports only its own libraries::

    python -m benchmarks.worker loopback --client vaix --concurrency 32 \
        --base-url http://127.0.0.1:PORT --max-requests 4000 --seconds 4
    python -m benchmarks.worker openloop --client vaix-aiohttp --rate 900 \
        --base-url http://127.0.0.1:PORT --seconds 4
    python -m benchmarks.worker inprocess --client httpx --max-calls 3000 --seconds 2
    python -m benchmarks.worker parse --reps 5 --seconds 0.15 [--peer]

Every loop is bounded by a count and a time budget. Workers run without
click, pygments and rich (see :mod:`benchmarks.imports`), as an application would.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from benchmarks.clients import PEER_PACKAGE, by_name
from benchmarks.imports import HTTPX_CLI_DEPS

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from benchmarks.clients import Call

__all__ = ["closed_loop", "main", "open_loop", "percentile"]

_WARMUP_SECONDS: Final = 1.5
_INPROCESS_BATCHES: Final = 5


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (``nan`` if empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def _process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds used so far by another process (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    # After the command name: state is field 3; utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _LoopStats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.completions: list[float] = []
        self.errors = 0
        self.first_error: str | None = None


async def closed_loop(
    call: Call, *, concurrency: int, max_requests: int, seconds: float
) -> tuple[_LoopStats, float, float]:
    """``concurrency`` workers call back to back until ``max_requests`` or ``seconds``.

    No call is started after the budget; calls in flight finish (none is
    cancelled). Returns the stats, the start time and the deadline.
    """
    stats = _LoopStats()
    issued = 0
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        nonlocal issued
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            sent = time.perf_counter()
            try:
                await call()
            except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
                stats.errors += 1
                stats.first_error = stats.first_error or f"{type(exc).__name__}: {exc}"[:300]
                continue
            done = time.perf_counter()
            stats.latencies.append(done - sent)
            stats.completions.append(done)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return stats, start, deadline


async def open_loop(call: Call, *, rate: float, seconds: float) -> tuple[_LoopStats, int]:
    """Start one call every ``1/rate`` s for ``seconds``, whether or not earlier ones finished.

    Each latency runs from the call's scheduled start (so a client that falls
    behind its schedule is charged for it, not hidden by coordinated omission)
    to its end. Every call started finishes. Returns the stats and how many
    calls were still in flight at the end of the schedule.
    """
    stats = _LoopStats()
    loop = asyncio.get_running_loop()
    interval = 1.0 / rate
    start = time.perf_counter()
    tasks: set[asyncio.Task[None]] = set()

    async def one(scheduled: float) -> None:
        try:
            await call()
        except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
            stats.errors += 1
            stats.first_error = stats.first_error or f"{type(exc).__name__}: {exc}"[:300]
            return
        done = time.perf_counter()
        stats.latencies.append(done - scheduled)
        stats.completions.append(done)

    count = int(rate * seconds)
    for index in range(count):
        scheduled = start + index * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = loop.create_task(one(scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    behind = len(tasks)
    if tasks:
        await asyncio.gather(*tasks)
    return stats, behind


async def _openloop(args: argparse.Namespace) -> dict[str, Any]:
    client = by_name(args.client)
    async with client.open(args.base_url, args.sessions) as call:
        await closed_loop(  # warm-up: the pool's connections, caches
            call, concurrency=32, max_requests=200, seconds=min(_WARMUP_SECONDS, args.seconds)
        )
        gc.collect()
        cpu_before = time.process_time()
        stats, behind = await open_loop(call, rate=args.rate, seconds=args.seconds)
        cpu = time.process_time() - cpu_before
    latencies = sorted(stats.latencies)
    completed = len(latencies)
    return {
        "client": client.name,
        "rate": args.rate,
        "completed": completed,
        "errors": stats.errors,
        "first_error": stats.first_error,
        "in_flight_at_end": behind,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "cpu_ms_per_request": cpu * 1000 / completed if completed else float("nan"),
    }


async def _loopback(args: argparse.Namespace) -> dict[str, Any]:
    client = by_name(args.client)
    async with client.open(args.base_url, args.sessions) as call:
        # Warm-up: open the pool's connections, fill caches; bounded like the run.
        await closed_loop(
            call,
            concurrency=args.concurrency,
            max_requests=max(2 * args.concurrency, 20),
            seconds=min(_WARMUP_SECONDS, args.seconds),
        )
        gc.collect()
        server_cpu_before = _process_cpu_seconds(args.server_pid) if args.server_pid else None
        cpu_before = time.process_time()
        stats, start, deadline = await closed_loop(
            call,
            concurrency=args.concurrency,
            max_requests=args.max_requests,
            seconds=args.seconds,
        )
        cpu = time.process_time() - cpu_before
        finished = time.perf_counter()
    server_cpu_after = _process_cpu_seconds(args.server_pid) if args.server_pid else None
    # Throughput over the window: up to the deadline (calls still draining after it
    # are not counted), or to the last completion if the count ran out first.
    window_end = min(deadline, max(stats.completions, default=start))
    in_window = sum(1 for t in stats.completions if t <= window_end)
    latencies = sorted(stats.latencies)
    completed = len(latencies)
    server_share = (
        None
        if server_cpu_before is None or server_cpu_after is None
        else (server_cpu_after - server_cpu_before) / (finished - start)
    )
    return {
        "client": client.name,
        "concurrency": args.concurrency,
        "completed": completed,
        "errors": stats.errors,
        "first_error": stats.first_error,
        "rps": in_window / (window_end - start) if window_end > start else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "cpu_ms_per_request": cpu * 1000 / completed if completed else float("nan"),
        "peak_rss_mb": _peak_rss_mb(),
        "server_cpu_share": server_share,
        "wall_s": finished - start,
    }


async def _inprocess(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    from benchmarks.payload import make_body

    client = by_name(args.client)
    if client.open_inprocess is None:
        raise SystemExit(f"{client.name} is not httpx-based: no in-process measurement")
    body = make_body(args.sessions)
    headers = {"content-type": "application/json; charset=utf-8", "x-request-id": "bench"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=body, request=request)

    per_batch = max(args.max_calls // _INPROCESS_BATCHES, 1)
    batch_seconds = args.seconds / _INPROCESS_BATCHES
    async with client.open_inprocess(httpx.MockTransport(handler), args.sessions) as call:
        for _ in range(min(50, per_batch)):
            await call()
        results: list[float] = []
        total = 0
        for _ in range(_INPROCESS_BATCHES):
            gc.collect()
            calls = 0
            start = time.perf_counter()
            end = start + batch_seconds
            while calls < per_batch and time.perf_counter() < end:
                await call()
                calls += 1
            results.append((time.perf_counter() - start) / calls * 1e6)
            total += calls
    return {"client": client.name, "us_per_call": statistics.median(results), "calls": total}


def _decoders(sessions: int, *, with_peer: bool) -> dict[str, Callable[[], object]]:
    """Decode-only callables over the canned body (every one checked to decode it all)."""
    # Lazy: the parse worker is the only one that needs all of these.
    import importlib

    import httpx
    import msgspec
    import orjson

    from benchmarks.payload import SPARSE, SPARSE_FIELDS, make_body
    from vaix_client._generated.models.game_sessions_response import (
        GameSessionsResponse,
    )
    from vaix_client._response import decode_body

    body = make_body(sessions)
    response = httpx.Response(200, content=body)
    decoders: dict[str, Callable[[], object]] = {
        "json.loads": lambda: json.loads(body),
        "orjson.loads": lambda: orjson.loads(body),
        "msgspec.json.decode (untyped)": lambda: msgspec.json.decode(body),
        "stock generated: GameSessionsResponse.from_dict(json.loads)": lambda: (
            GameSessionsResponse.from_dict(json.loads(body))
        ),
        # The one decode path: the Struct mirror's key check, then bytes straight into attrs.
        "vaix-client: decode_body (typed, strict, unknown keys kept)": lambda: decode_body(
            response, GameSessionsResponse, "data"
        ),
    }
    # The same sessions with 3 of their 26 fields, as a call selecting `fields` gets them.
    sparse = make_body(sessions, fields=SPARSE_FIELDS)
    sparse_response = httpx.Response(200, content=sparse)
    decoders[f"{SPARSE}json.loads"] = lambda: json.loads(sparse)
    decoders[f"{SPARSE}vaix-client decode_body"] = lambda: decode_body(
        sparse_response, GameSessionsResponse, "data"
    )
    if with_peer:
        models = importlib.import_module(f"{PEER_PACKAGE}.models")
        envelope = models.GetLatestGameSessions200Response
        decoders["OpenAPI Generator peer: pydantic from_dict(json.loads)"] = lambda: (
            envelope.from_dict(json.loads(body))
        )
    return decoders


def _parse(args: argparse.Namespace) -> dict[str, Any]:
    decoders = _decoders(args.sessions, with_peer=args.peer)
    iterations: dict[str, int] = {}
    for name, decode in decoders.items():  # warm up and size each batch to ~args.seconds
        start = time.perf_counter()
        for _ in range(10):
            decode()
        each = (time.perf_counter() - start) / 10
        iterations[name] = max(5, min(args.max_iterations, int(args.seconds / each)))
    samples: dict[str, list[float]] = {name: [] for name in decoders}
    for _ in range(args.reps):  # interleaved: drift hits every decoder alike
        for name, decode in decoders.items():
            gc.collect()
            count = iterations[name]
            start = time.perf_counter()
            for _ in range(count):
                decode()
            samples[name].append((time.perf_counter() - start) / count * 1e6)
    return {"us": {name: statistics.median(values) for name, values in samples.items()}}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100)
    modes = parser.add_subparsers(dest="mode", required=True)
    loop = modes.add_parser("loopback")
    loop.add_argument("--client", required=True)
    loop.add_argument("--base-url", required=True)
    loop.add_argument("--concurrency", type=int, required=True)
    loop.add_argument("--max-requests", type=int, required=True)
    loop.add_argument("--seconds", type=float, required=True)
    loop.add_argument("--server-pid", type=int, default=0)
    opened = modes.add_parser("openloop")
    opened.add_argument("--client", required=True)
    opened.add_argument("--base-url", required=True)
    opened.add_argument("--rate", type=float, required=True, help="calls started per second")
    opened.add_argument("--seconds", type=float, required=True)
    inproc = modes.add_parser("inprocess")
    inproc.add_argument("--client", required=True)
    inproc.add_argument("--max-calls", type=int, required=True)
    inproc.add_argument("--seconds", type=float, required=True)
    parse = modes.add_parser("parse")
    parse.add_argument("--reps", type=int, default=5)
    parse.add_argument("--seconds", type=float, default=0.15, help="per decoder and rep")
    parse.add_argument("--max-iterations", type=int, default=5000)
    parse.add_argument("--peer", action="store_true", help="include the generated peer")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one measurement and print its JSON result."""
    args = _parser().parse_args(argv)
    # Run as an application would: without httpx's command-line dependencies
    # (dev tools here), which `import httpx` would otherwise load (~40 ms, ~5 MB).
    for name in HTTPX_CLI_DEPS:
        sys.modules[name] = None  # type: ignore[assignment]  # the documented import block
    if args.mode in {"loopback", "openloop"}:
        if not args.base_url.startswith("http://127.0.0.1:"):
            raise SystemExit("loopback runs only target http://127.0.0.1")
        result = asyncio.run(_loopback(args) if args.mode == "loopback" else _openloop(args))
    elif args.mode == "inprocess":
        result = asyncio.run(_inprocess(args))
    else:
        result = _parse(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
