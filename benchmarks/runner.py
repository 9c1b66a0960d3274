"""Run every benchmark, interleaved, each measurement in a fresh process; write the report.

Order of work: generate the OpenAPI Generator peer, time the decoders, start the
loopback server (its own process), then for each repetition: import time of
every client, in-process calls of every httpx-based client, and loopback runs
at each concurrency for every client. Medians over the repetitions go into
``benchmarks/results.md`` (and stdout); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from benchmarks.clients import CLIENTS, PEER_PACKAGE, Client, vaix_aiohttp_mode
from benchmarks.imports import HTTPX_CLI_DEPS, core_python, import_breakdown, import_seconds
from benchmarks.payload import SIZES, make_body
from benchmarks.peer import PeerError, generate_peer, peer_env
from benchmarks.report import Results, render

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["FULL", "QUICK", "Plan", "main"]

ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT: Final = ROOT / "benchmarks" / "results.md"
#: The default pool size of httpx, aiohttp, vaix-client and the peer.
_POOL_SIZE: Final = 100
#: The open-loop arrival rate, as a share of raw aiohttp's capacity (its best closed-loop req/s).
OPEN_LOOP_SHARE: Final = 0.7
#: The clients measured open-loop: the fixed rate is beyond the httpx-based clients'
#: capacity, and their queue would only grow (and take minutes to drain).
_OPEN_LOOP_CLIENTS: Final = ("aiohttp", "vaix-aiohttp")
_CORE_VENV: Final = ROOT / "build" / "bench" / "core-venv"
#: What a program writes to use the SDK; ``import vaix_client`` alone imports names on first use.
_VAIX_IMPORT: Final = "vaix_client:VaixClient"
_DISTRIBUTIONS: Final = (
    "vaix-client",
    "httpx",
    "httpcore",
    "aiohttp",
    "attrs",
    "orjson",
    "pydantic",
    "openapi-python-client",
    "openapi-generator-cli",
)
# Variables that would make a child measure something else (coverage's start-up hook;
# no bytecode cache, which makes every import of the working tree compile it, as no
# installed package does).
_SCRUBBED_ENV: Final = (
    "COVERAGE_PROCESS_START",
    "COVERAGE_PROCESS_CONFIG",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONDONTWRITEBYTECODE",
)


@dataclass(frozen=True)
class Plan:
    """How much to measure; every loop is bounded by a count and a time."""

    reps: int
    levels: tuple[int, ...]
    loop_requests: int
    loop_seconds: float
    inprocess_calls: int
    inprocess_seconds: float
    parse_reps: int
    parse_seconds: float
    import_reps: int
    #: No repetition starts if it would end after this many seconds of the run.
    budget_seconds: float


FULL: Final = Plan(
    reps=3,
    levels=(1, 32, 256),
    loop_requests=5000,
    loop_seconds=4.0,
    inprocess_calls=4000,
    inprocess_seconds=2.5,
    parse_reps=15,
    parse_seconds=0.4,
    import_reps=3,
    budget_seconds=540.0,
)
QUICK: Final = Plan(
    reps=1,
    levels=(1, 32, 256),
    loop_requests=600,
    loop_seconds=1.0,
    inprocess_calls=400,
    inprocess_seconds=0.6,
    parse_reps=3,
    parse_seconds=0.05,
    import_reps=1,
    budget_seconds=90.0,
)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _child_env(*, with_peer: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return peer_env(env) if with_peer else env


def _worker(argv: Sequence[str], *, timeout: float, with_peer: bool) -> dict[str, Any]:
    """Run ``python -m benchmarks.worker ARGV`` and return its JSON result (raises on failure)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", *argv],
            cwd=ROOT,
            env=_child_env(with_peer=with_peer),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"worker timed out after {timeout:.0f} s") from exc
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"worker exited {done.returncode}: {last[0]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextlib.contextmanager
def bench_server(sessions: int, deadline: float) -> Iterator[tuple[str, int]]:
    """The loopback server in its own process: yields its base URL and pid."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.server",
            "--sessions",
            str(sessions),
            "--deadline",
            f"{deadline:.0f}",
        ],
        cwd=ROOT,
        env=_child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None  # noqa: S101 - stdout=PIPE
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=30)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("PORT "):
            raise RuntimeError(f"the bench server did not start (said {line!r})")
        yield f"http://127.0.0.1:{int(line.split()[1])}", process.pid
    finally:
        if process.stdin is not None:
            process.stdin.close()  # the server stops at EOF on stdin
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _environment() -> dict[str, str]:
    env = {
        "Python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "CPUs": str(os.cpu_count()),
        "event loop": "asyncio (default)",
    }
    for name in _DISTRIBUTIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            env[name] = metadata.version(name)
    return env


class _Run:
    """One invocation: the plan, the clients, and what was measured so far."""

    def __init__(self, plan: Plan, clients: Sequence[Client], sessions: int) -> None:
        self.plan = plan
        self.clients = list(clients)
        self.sessions = sessions
        self.started = time.monotonic()
        self.results = Results(
            clients=clients,
            sessions=sessions,
            body_bytes=len(make_body(sessions)),
            levels=plan.levels,
            environment=_environment(),
        )
        self.peer_ready = False

    def _fail(self, key: str, why: str) -> None:
        one_line = " / ".join(line.strip() for line in why.splitlines() if line.strip())
        self.results.failures.setdefault(key, one_line)
        _progress(f"  ! {key}: {one_line}")

    def generate_peer(self) -> None:
        if not any(c.name == "peer" for c in self.clients):
            return
        _progress("generating the OpenAPI Generator peer (build/bench/peer) ...")
        try:
            generate_peer()
        except PeerError as exc:
            self._fail("OpenAPI Generator peer", f"not generated, so not measured: {exc}")
            self.results.unavailable["peer"] = str(exc)
            self.clients = [c for c in self.clients if c.name != "peer"]
        else:
            self.peer_ready = True

    def parse(self) -> None:
        _progress("decode-only timings ...")
        plan = self.plan
        argv = [
            "--sessions",
            str(self.sessions),
            "parse",
            "--reps",
            str(plan.parse_reps),
            "--seconds",
            str(plan.parse_seconds),
        ]
        if self.peer_ready:
            argv.append("--peer")
        timeout = 60 + 20 * plan.parse_reps * plan.parse_seconds * 6
        try:
            result = _worker(argv, timeout=timeout, with_peer=self.peer_ready)
        except RuntimeError as exc:
            self._fail("parse", str(exc))
        else:
            self.results.parse_us = result["us"]

    def imports(self) -> None:
        for client in self.clients:
            modules = client.modules
            env = _child_env(with_peer=client.name == "peer")
            # Untimed: writes the bytecode cache an installed package would have.
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                import_seconds(modules, cwd=ROOT, env=env)
            for hide, into in (
                ((), self.results.imports_ms),
                (HTTPX_CLI_DEPS, self.results.imports_lean_ms),
            ):
                try:
                    seconds = [
                        import_seconds(modules, cwd=ROOT, env=env, hide=hide)
                        for _ in range(self.plan.import_reps)
                    ]
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    self._fail(f"{client.label} import", str(exc))
                    break
                into.setdefault(client.name, []).extend(s * 1000 for s in seconds)

    def core_import(self) -> None:
        """``from vaix_client import VaixClient`` in a venv of only the core install (made once)."""
        if not any(c.name in {"vaix", "vaix-aiohttp"} for c in self.clients):
            return
        try:
            python = core_python(ROOT, _CORE_VENV)
            import_seconds((_VAIX_IMPORT,), cwd=ROOT, env=_child_env(), python=python)  # warm
            seconds = [
                import_seconds((_VAIX_IMPORT,), cwd=ROOT, env=_child_env(), python=python)
                for _ in range(self.plan.import_reps)
            ]
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            self._fail("from vaix_client import VaixClient (core-only venv)", str(exc))
            return
        self.results.import_core_ms.extend(s * 1000 for s in seconds)

    def openloop(self, base_url: str) -> None:
        """Each open-loop client at a fixed rate: a share of raw aiohttp's capacity this rep."""
        samples = self.results.loopback
        capacity = max(
            (runs[-1]["rps"] for (name, _), runs in samples.items() if name == "aiohttp" and runs),
            default=None,
        )
        if not capacity:
            return
        rate = round(OPEN_LOOP_SHARE * capacity)
        for client in self.clients:
            if client.name not in _OPEN_LOOP_CLIENTS:
                continue
            argv = [
                "--sessions",
                str(self.sessions),
                "openloop",
                "--client",
                client.name,
                "--base-url",
                base_url,
                "--rate",
                str(rate),
                "--seconds",
                str(self.plan.loop_seconds),
            ]
            try:
                result = _worker(argv, timeout=120 + 8 * self.plan.loop_seconds, with_peer=False)
            except RuntimeError as exc:
                self._fail(f"{client.label} open loop", str(exc))
                continue
            self.results.openloop.setdefault(client.name, []).append(result)
            _progress(
                f"  open loop {rate:5d}/s {client.name:13} p50 {result['p50_ms']:7.1f} ms  "
                f"p99 {result['p99_ms']:7.1f} ms  behind at end {result['in_flight_at_end']}"
                + (f"  errors {result['errors']}" if result["errors"] else "")
            )

    def inprocess(self) -> None:
        plan = self.plan
        for client in self.clients:
            if client.open_inprocess is None:
                continue
            argv = [
                "--sessions",
                str(self.sessions),
                "inprocess",
                "--client",
                client.name,
                "--max-calls",
                str(plan.inprocess_calls),
                "--seconds",
                str(plan.inprocess_seconds),
            ]
            try:
                result = _worker(argv, timeout=60 + 3 * plan.inprocess_seconds, with_peer=False)
            except RuntimeError as exc:
                self._fail(f"{client.label} in-process", str(exc))
                continue
            self.results.inprocess_us.setdefault(client.name, []).append(result["us_per_call"])
            _progress(f"  in-process {client.name:13} {result['us_per_call']:8.0f} µs/call")

    def loopback(self, base_url: str, server_pid: int) -> None:
        plan = self.plan
        for level in plan.levels:
            for client in self.clients:
                argv = [
                    "--sessions",
                    str(self.sessions),
                    "loopback",
                    "--client",
                    client.name,
                    "--base-url",
                    base_url,
                    "--concurrency",
                    str(level),
                    "--max-requests",
                    str(plan.loop_requests),
                    "--seconds",
                    str(plan.loop_seconds),
                    "--server-pid",
                    str(server_pid),
                ]
                # Start-up, warm-up, the run and the drain of calls in flight.
                timeout = 90 + 4 * plan.loop_seconds
                try:
                    result = _worker(argv, timeout=timeout, with_peer=client.name == "peer")
                except RuntimeError as exc:
                    self._fail(f"{client.label} loopback c={level}", str(exc))
                    continue
                self.results.loopback.setdefault((client.name, level), []).append(result)
                _progress(
                    f"  loopback c={level:<3} {client.name:13} {result['rps']:7.0f} req/s  "
                    f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
                    f"cpu {result['cpu_ms_per_request']:5.2f} ms/req  "
                    f"rss {result['peak_rss_mb']:5.1f} MB"
                    + (f"  errors {result['errors']}" if result["errors"] else "")
                )

    def repetitions(self) -> None:
        plan = self.plan
        deadline = plan.budget_seconds + 120 * plan.reps  # the server's own hard stop
        with bench_server(self.sessions, deadline) as (base_url, server_pid):
            rep_seconds = 0.0
            for rep in range(plan.reps):
                elapsed = time.monotonic() - self.started
                if rep and elapsed + rep_seconds > plan.budget_seconds:
                    self.results.notes.append(
                        f"Stopped after {rep} of {plan.reps} repetitions (time budget)."
                    )
                    break
                begun = time.monotonic()
                _progress(f"repetition {rep + 1}/{plan.reps}")
                self.imports()
                self.core_import()
                self.inprocess()
                self.loopback(base_url, server_pid)
                self.openloop(base_url)
                rep_seconds = time.monotonic() - begun

    def annotate(self, argv_text: str) -> None:
        plan = self.plan
        results = self.results
        if any(c.name == "vaix" for c in self.clients):
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                results.import_top = import_breakdown(
                    _VAIX_IMPORT, cwd=ROOT, env=_child_env(), hide=HTTPX_CLI_DEPS
                )
        if any(c.name == "vaix-aiohttp" for c in self.clients):
            results.notes.append(f"vaix-client on aiohttp is built as `{vaix_aiohttp_mode()}`.")
        results.notes += [
            (
                f"Command: `{argv_text}`; {plan.reps} repetition(s), interleaved (each repetition "
                "runs every client once, in the same order), medians shown."
            ),
            (
                f"Loopback: one fresh process per client and concurrency; a warm-up, then at most "
                f"{plan.loop_requests} calls or {plan.loop_seconds:g} s (calls in flight finish); "
                "req/s counts calls completed within the window; every call checks it decoded "
                f"{self.sessions} sessions. Latency is per call, queueing for a connection "
                "included. CPU is the client process's own (user + system) per completed call."
            ),
            (
                "Connection pools are each client's default (100 connections in httpx, aiohttp "
                "and the peer); raw httpx gets vaix-client's timeouts (30 s, 5 s to connect); "
                "the stock generated client has no timeout, by default."
            ),
            (
                f"In-process: `httpx.MockTransport` answering the canned body; at most "
                f"{plan.inprocess_calls} sequential calls or {plan.inprocess_seconds:g} s, "
                "median of 5 batches. Raw aiohttp, vaix-client on aiohttp and the peer are not "
                "httpx-based: '-'."
            ),
            (
                f"Import: `__import__` timed inside a fresh interpreter (start-up excluded), "
                f"{plan.import_reps} per repetition and column; the stock generated client's "
                "modules import "
                f"the `vaix_client` package first (they live inside it); vaix-client on aiohttp "
                "adds its transport `vaix_client._aiohttp` (aiohttp); "
                f"the peer is `import {PEER_PACKAGE}`."
            ),
            "Peak RSS: the client process's maximum resident set (`ru_maxrss`).",
            (
                f"Open loop: one call started every 1/rate s for {plan.loop_seconds:g} s "
                f"(rate = {OPEN_LOOP_SHARE:.0%} of raw aiohttp's best closed-loop req/s in the "
                "same repetition), whether or not earlier calls finished; latency from each "
                "call's scheduled start to its end, so falling behind is charged."
            ),
            (
                "Import, core-only: `from vaix_client import VaixClient` timed the same way in a "
                f"venv ({_CORE_VENV.relative_to(ROOT)}) holding only the core dependencies of "
                "pyproject.toml, the working tree on PYTHONPATH. Every import is timed with "
                "the bytecode cache in place (one untimed import first), as after an install."
            ),
        ]
        if max(plan.levels) > _POOL_SIZE:
            results.notes.append(
                f"At c={max(plan.levels)} there are more calls than pooled connections "
                f"({_POOL_SIZE}), and neither aiohttp's nor httpx's pool serves waiting calls "
                "first come, first served under this closed loop: a few calls wait for most of "
                f"the window, so p99 there grows with the window ({plan.loop_seconds:g} s) "
                "rather than telling clients apart. Compare req/s, p50 and CPU at that level; "
                "p99 at the lower ones."
            )


def _select(only: Sequence[str] | None) -> list[Client]:
    if not only:
        return list(CLIENTS)
    names = {name.strip() for item in only for name in item.split(",") if name.strip()}
    known = {c.name for c in CLIENTS}
    unknown = names - known
    if unknown:
        raise SystemExit(
            f"unknown client(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
        )
    return [c for c in CLIENTS if c.name in names]


def _parser() -> argparse.ArgumentParser:
    names = ", ".join(c.name for c in CLIENTS)
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (about a minute)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"measure only these clients (repeat or comma-separate): {names}",
    )
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 3; quick 1)")
    parser.add_argument("--sessions", type=int, choices=SIZES, default=100)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the Markdown report")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 if a target fails")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    args = _parser().parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.reps is not None:
        if not 1 <= args.reps <= 10:  # noqa: PLR2004 - a sane bound on the run's length
            raise SystemExit("--reps must be between 1 and 10")
        plan = Plan(**{**plan.__dict__, "reps": args.reps})
    run = _Run(plan, _select(args.only), args.sessions)
    run.generate_peer()
    run.parse()
    run.repetitions()
    run.annotate(" ".join(["benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]))
    report, checked = render(run.results)
    args.output.write_text(report, encoding="utf-8")
    print(report)
    _progress(f"wrote {args.output} in {time.monotonic() - run.started:.0f} s")
    return 1 if args.check_targets and any(t.passed is False for t in checked) else 0


if __name__ == "__main__":
    sys.exit(main())
