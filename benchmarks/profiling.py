"""Where a call spends its time: cProfile over sequential calls of one client.

::

    python -m benchmarks.profiling                      # vaix-client, then raw httpx
    python -m benchmarks.profiling --client generated --top 25 --sort tottime
    python -m benchmarks.profiling --loopback --client vaix-aiohttp --client aiohttp

In-process (the default) calls go through ``httpx.MockTransport``; with
``--loopback`` they cross a real socket to the bench server (started here,
127.0.0.1 only, stopped at the end), so non-httpx clients can be profiled too.
Each client makes a warm-up, then ``--calls`` sequential calls under the
profiler; the report is pstats' top entries (cumulative time by default).
cProfile slows Python-level calls more than C ones, so compare shapes, not
absolute times, with the benchmark's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import pstats
import sys
from typing import TYPE_CHECKING

import httpx

from benchmarks.clients import CLIENTS, by_name
from benchmarks.payload import SIZES, make_body
from benchmarks.peer import PEER_DIR, generate_peer
from benchmarks.runner import bench_server

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from benchmarks.clients import Call

__all__ = ["main", "profile_client"]


def _opened(name: str, sessions: int, base_url: str | None) -> AbstractAsyncContextManager[Call]:
    client = by_name(name)
    if base_url is not None:
        return client.open(base_url, sessions)
    if client.open_inprocess is None:
        raise SystemExit(f"{name} is not httpx-based: profile it with --loopback")
    body = make_body(sessions)
    headers = {"content-type": "application/json; charset=utf-8"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=body, request=request)

    return client.open_inprocess(httpx.MockTransport(handler), sessions)


async def _calls(
    name: str, sessions: int, calls: int, base_url: str | None, profiler: cProfile.Profile
) -> None:
    async with _opened(name, sessions, base_url) as call:
        for _ in range(min(calls, 50)):
            await call()
        profiler.enable()
        for _ in range(calls):
            await call()
        profiler.disable()


def profile_client(
    name: str, *, sessions: int = 100, calls: int = 1000, base_url: str | None = None
) -> pstats.Stats:
    """Profile ``calls`` calls of client ``name``, in-process or against ``base_url``."""
    profiler = cProfile.Profile()
    asyncio.run(_calls(name, sessions, calls, base_url, profiler))
    return pstats.Stats(profiler, stream=io.StringIO())


def main(argv: list[str] | None = None) -> int:
    """Print the top entries for each client asked (default: vaix, then raw httpx)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client", action="append", choices=[c.name for c in CLIENTS])
    parser.add_argument("--loopback", action="store_true", help="over 127.0.0.1, not in-process")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--sessions", type=int, choices=SIZES, default=100)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    args = parser.parse_args(argv)
    if not 1 <= args.calls <= 100_000:  # noqa: PLR2004 - bounded
        parser.error("--calls must be between 1 and 100000")
    names = args.client or ["vaix", "httpx"]
    with contextlib.ExitStack() as stack:
        base_url = None
        if args.loopback:
            if "peer" in names:
                if not PEER_DIR.exists():
                    generate_peer()
                sys.path.insert(0, str(PEER_DIR))
            base_url, _ = stack.enter_context(bench_server(args.sessions, deadline=600))
        for name in names:
            stats = profile_client(
                name, sessions=args.sessions, calls=args.calls, base_url=base_url
            )
            out = io.StringIO()
            stats.stream = out  # type: ignore[attr-defined]  # pstats keeps its stream here
            per_call_us = stats.total_tt * 1e6 / args.calls  # type: ignore[attr-defined]
            stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
            where = "loopback" if args.loopback else "in-process"
            print(f"== {name} ({where}): {args.calls} calls, {per_call_us:.0f} µs/call profiled")
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
