"""Medians, the Markdown report and the pass/fail lines for the performance targets."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from benchmarks.clients import CLIENTS
from benchmarks.imports import ImportLine, by_package
from benchmarks.payload import SPARSE

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from benchmarks.clients import Client


__all__ = ["Results", "Target", "render", "targets"]

#: The raw baselines every ratio is taken against, in this order.
BASELINES: Final = ("httpx", "aiohttp")
VAIX: Final = ("vaix", "vaix-aiohttp")


@dataclass
class Results:
    """Everything one run measured (raw samples: one per repetition)."""

    clients: Sequence[Client]
    sessions: int
    body_bytes: int
    levels: tuple[int, ...]
    parse_us: dict[str, float] = field(default_factory=dict)
    imports_ms: dict[str, list[float]] = field(default_factory=dict)
    #: The same, with httpx's command-line dependencies hidden (see benchmarks.imports).
    imports_lean_ms: dict[str, list[float]] = field(default_factory=dict)
    #: ``from vaix_client import VaixClient`` in a venv with only the core install
    #: (benchmarks.imports).
    import_core_ms: list[float] = field(default_factory=list)
    inprocess_us: dict[str, list[float]] = field(default_factory=dict)
    #: Open-loop runs (fixed arrival rate): client -> one result per repetition.
    openloop: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    loopback: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    #: Why a client (or a whole measurement) has no numbers.
    failures: dict[str, str] = field(default_factory=dict)
    #: Clients that could not run at all (e.g. the peer failed to generate): name -> why.
    unavailable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    import_top: list[ImportLine] = field(default_factory=list)

    def import_ms(self, client: str) -> float | None:
        """Median import time of ``client``'s modules."""
        return _median(self.imports_ms.get(client, []))

    def import_lean_ms(self, client: str) -> float | None:
        """Median import time without click, pygments and rich (httpx's CLI)."""
        return _median(self.imports_lean_ms.get(client, []))

    def inprocess(self, client: str) -> float | None:
        """Median in-process µs per call."""
        return _median(self.inprocess_us.get(client, []))

    def loop(self, client: str, concurrency: int, key: str) -> float | None:
        """Median over repetitions of a loopback figure (``rps``, ``p99_ms``, ...)."""
        samples = self.loopback.get((client, concurrency), [])
        return _median([s[key] for s in samples if s.get(key) is not None and s["completed"]])

    def open(self, client: str, key: str) -> float | None:
        """Median over repetitions of an open-loop figure (``p50_ms``, ``rate``, ...)."""
        samples = self.openloop.get(client, [])
        return _median([s[key] for s in samples if s.get(key) is not None and s["completed"]])

    def paired(self, client: str, base: str, key: str, level: int | None = None) -> list[float]:
        """``client``'s figure over ``base``'s, per repetition (both ran in it, back to back).

        ``level`` is a loopback concurrency; ``None`` means the open loop. Drift
        between repetitions (the machine's load) cancels out of each ratio.
        """
        if level is None:
            ours, theirs = self.openloop.get(client, []), self.openloop.get(base, [])
        else:
            ours = self.loopback.get((client, level), [])
            theirs = self.loopback.get((base, level), [])
        return [
            a[key] / b[key]
            for a, b in zip(ours, theirs, strict=False)
            if a["completed"] and b["completed"] and a.get(key) and b.get(key)
        ]

    def loop_errors(self, client: str) -> tuple[int, str | None]:
        """Failed calls of ``client`` over all loopback runs, and the first error."""
        errors, first = 0, None
        for (name, _), samples in self.loopback.items():
            if name == client:
                for sample in samples:
                    errors += sample["errors"]
                    first = first or sample["first_error"]
        return errors, first


def _median(values: Sequence[float]) -> float | None:
    finite = [v for v in values if not math.isnan(v)]
    return statistics.median(finite) if finite else None


# ---------------------------------------------------------------- formatting


def _number(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or base is None or base == 0:
        return "-"
    return f"{value / base:.2f}x"


def _cell(value: float | None, bases: Sequence[float | None], digits: int) -> str:
    if value is None:
        return "-"
    return f"{_number(value, digits)} ({' · '.join(_ratio(value, b) for b in bases)})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _client_table(
    results: Results,
    header: Sequence[str],
    columns: Sequence[Callable[[str], float | None]],
    digits: int,
) -> list[str]:
    rows = []
    for client in results.clients:
        cells = [
            _cell(value(client.name), [value(b) for b in BASELINES], digits) for value in columns
        ]
        label = client.label
        if client.name in results.unavailable:
            label += " *(not measured: see notes)*"
        rows.append([label, *cells])
    return _table(["client", *header], rows)


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """One performance target: its figure and outcome (``passed`` None: not measured)."""

    text: str
    figure: str
    passed: bool | None

    def line(self) -> str:
        """``PASS  ...``, ``FAIL  ...`` or ``SKIP  ...``."""
        word = {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]
        return f"{word}  {self.text}: {self.figure}"

    def row(self) -> list[str]:
        """The target's row in the report's table."""
        word = {True: "met", False: "**missed**", None: "not measured"}[self.passed]
        return [self.text, self.figure, word]


def _beside(what: str, value: float | None) -> str:
    """`` (raw httpx: 96.0 ms in this run)``: what else the machine did in the same run."""
    return "" if value is None else f" ({what}: {value:.1f} ms in this run)"


def _label(name: str) -> str:
    return next((c.label for c in CLIENTS if c.name == name), name)


def _compare(
    text: str,
    value: float | None,
    base: float | None,
    check: Callable[[float], bool],
    digits: int = 0,
    *,
    paired: Sequence[float] = (),
) -> Target:
    """Met or not by the ratio of the medians; ``paired`` adds the per-repetition range."""
    if value is None or base is None or base == 0 or math.isnan(value) or math.isnan(base):
        return Target(text, "not measured", None)
    ratio = value / base
    figure = f"{ratio:.2f}x ({value:,.{digits}f} vs {base:,.{digits}f})"
    if len(paired) > 1:
        figure += f"; per repetition {min(paired):.2f}-{max(paired):.2f}x"
    return Target(text, figure, check(ratio))


#: The client the targets are checked on: vaix-client on its aiohttp backend (its default
#: when the extra is installed). The httpx backend is reported beside it in every table.
SUBJECT: Final = "vaix-aiohttp"


def targets(results: Results) -> list[Target]:
    """The performance issue's targets (issue 12), checked against this run's medians."""
    top = max(results.levels)
    name = SUBJECT
    out = [
        _compare(
            f"c={level} req/s >= 1.0x raw aiohttp + json.loads",
            results.loop(name, level, "rps"),
            results.loop("aiohttp", level, "rps"),
            lambda r: r >= 1.0,
            paired=results.paired(name, "aiohttp", "rps", level),
        )
        for level in results.levels
    ]
    out.append(
        _compare(
            f"c={top} p99 <= 1.1x raw aiohttp's (ms)",
            results.loop(name, top, "p99_ms"),
            results.loop("aiohttp", top, "p99_ms"),
            lambda r: r <= 1.1,  # noqa: PLR2004 - the target
            1,
            paired=results.paired(name, "aiohttp", "p99_ms", top),
        )
    )
    out.extend(
        _compare(
            f"c={level} req/s >= 3x the OpenAPI Generator peer",
            results.loop(name, level, "rps"),
            results.loop("peer", level, "rps"),
            lambda r: r >= 3.0,  # noqa: PLR2004 - the target
        )
        for level in results.levels
    )
    rate = results.open("aiohttp", "rate")
    at = "" if rate is None else f" ({rate:,.0f}/s)"
    out.extend(
        _compare(
            f"open loop at 70% of raw aiohttp's capacity{at}: {p} <= 1.1x raw aiohttp's (ms)",
            results.open(name, f"{p}_ms"),
            results.open("aiohttp", f"{p}_ms"),
            lambda r: r <= 1.1,  # noqa: PLR2004 - the target
            1,
            paired=results.paired(name, "aiohttp", f"{p}_ms"),
        )
        for p in ("p50", "p99")
    )
    out += [
        _compare(
            "in-process typed call <= 0.8x raw httpx + .json() (µs; vaix-client on httpx)",
            results.inprocess("vaix"),
            results.inprocess("httpx"),
            lambda r: r <= 0.8,  # noqa: PLR2004 - the target
        ),
        _compare(
            f"client CPU per request at c={top} <= raw aiohttp's + 10% (ms)",
            results.loop(name, top, "cpu_ms_per_request"),
            results.loop("aiohttp", top, "cpu_ms_per_request"),
            lambda r: r <= 1.1,  # noqa: PLR2004 - the target
            2,
            paired=results.paired(name, "aiohttp", "cpu_ms_per_request", top),
        ),
        _compare(
            f"peak RSS at c={top} <= 1.2x raw aiohttp's (MB)",
            results.loop(name, top, "peak_rss_mb"),
            results.loop("aiohttp", top, "peak_rss_mb"),
            lambda r: r <= 1.2,  # noqa: PLR2004 - the target
            1,
        ),
    ]
    core = _median(results.import_core_ms)
    text = "`from vaix_client import VaixClient` < 150 ms, core-only venv"
    out.append(
        Target(text, "not measured", None)
        if core is None
        else Target(
            text,
            f"{core:.1f} ms" + _beside("raw httpx", results.import_lean_ms("httpx")),
            core < 150,  # noqa: PLR2004 - the target
        )
    )
    return out


def _openloop_section(results: Results) -> list[str]:
    rate = results.open("aiohttp", "rate")
    if rate is None:
        return []
    rows = []
    for client in results.clients:
        if client.name not in results.openloop:
            continue
        cells = [client.label]
        for key, digits in (("p50_ms", 1), ("p99_ms", 1), ("cpu_ms_per_request", 2)):
            value = results.open(client.name, key)
            cells.append(_cell(value, [results.open("aiohttp", key)], digits))
        behind = _median([s["in_flight_at_end"] for s in results.openloop[client.name]])
        cells.append(_number(behind, 0))
        rows.append(cells)
    return [
        f"### Open loop: {rate:,.0f} calls started per second (70% of raw aiohttp's capacity)",
        "",
        "Each cell: median (x raw aiohttp). Latency from each call's scheduled start.",
        "",
        *_table(["client", "p50 ms", "p99 ms", "CPU ms/request", "in flight at end"], rows),
        "",
    ]


# ---------------------------------------------------------------- report


def _parse_section(results: Results) -> list[str]:
    lines = [
        f"## Decode only ({results.sessions} sessions, {results.body_bytes:,} bytes)",
        "",
        (
            "µs per body, median of interleaved repetitions in one process. Both raw clients "
            "decode with `json.loads` (httpx's `Response.json()` is `json.loads(content)`)."
        ),
        "",
    ]
    if not results.parse_us:
        why = results.failures.get("parse", "not run")
        return [*lines, f"Not measured: {why}", ""]
    # A "sparse: ..." row (3 of the 26 fields) compares with the sparse json.loads row.
    sparse_base = results.parse_us.get(f"{SPARSE}json.loads")
    base = results.parse_us.get("json.loads")
    rows = [
        [name, _number(us, 0), _ratio(us, sparse_base if name.startswith(SPARSE) else base)]
        for name, us in results.parse_us.items()
    ]
    return [*lines, *_table(["decoder", "µs", "x json.loads"], rows), ""]


def _client_sections(results: Results) -> list[str]:
    levels = results.levels
    top = max(levels)
    lines = [
        "## Clients",
        "",
        (
            "Each cell: median value (x raw httpx · x raw aiohttp). The ratios divide the value "
            "itself: above 1 is better for req/s, worse for everything else."
        ),
        "",
        "### Loopback throughput (req/s, higher is better)",
        "",
    ]

    def loop_column(level: int, key: str) -> Callable[[str], float | None]:
        return lambda name: results.loop(name, level, key)

    header = [f"c={c}" for c in levels]
    lines += _client_table(results, header, [loop_column(c, "rps") for c in levels], 0)
    lines += ["", "### Loopback latency p50 (ms)", ""]
    lines += _client_table(results, header, [loop_column(c, "p50_ms") for c in levels], 1)
    lines += ["", "### Loopback latency p99 (ms)", ""]
    lines += _client_table(results, header, [loop_column(c, "p99_ms") for c in levels], 1)
    lines += ["", "### Client CPU per request (ms, loopback)", ""]
    lines += _client_table(
        results, header, [loop_column(c, "cpu_ms_per_request") for c in levels], 2
    )
    lines += ["", "### In-process, memory, import", ""]
    lines += _client_table(
        results,
        ["in-process µs/call", f"peak RSS MB (c={top}) ¹", "import ms ¹", "import ms, this venv"],
        [
            results.inprocess,
            loop_column(top, "peak_rss_mb"),
            results.import_lean_ms,
            results.import_ms,
        ],
        1,
    )
    lines += [
        "",
        (
            "¹ As in an application without click, pygments and rich: every worker makes them "
            "unimportable. This venv has them (dev tools), and then `import httpx` also loads "
            "its command line (`httpx._main`): about +40 ms and +5 MB for every httpx-based "
            "client, as the last column shows. The rest of the table is measured that way too."
        ),
    ]
    return [*lines, ""]


def _notes(results: Results) -> list[str]:
    lines = ["## Notes", ""]
    for name, why in results.failures.items():
        lines.append(f"- **{name}**: {why}")
    for client in results.clients:
        errors, first = results.loop_errors(client.name)
        if errors:
            lines.append(f"- **{client.label}**: {errors} failed calls on loopback ({first})")
    shares = [
        s["server_cpu_share"]
        for samples in results.loopback.values()
        for s in samples
        if s.get("server_cpu_share") is not None
    ]
    if shares:
        lines.append(
            f"- Bench server CPU while measured: at most {max(shares):.0%} of one core "
            "(it is not the bottleneck while well under 100%)."
        )
    lines += [f"- {note}" for note in results.notes]
    lines += _import_notes(results.import_top)
    lines += ["", "Environment: " + ", ".join(f"{k} {v}" for k, v in results.environment.items())]
    return [*lines, ""]


def _import_notes(breakdown: Sequence[ImportLine]) -> list[str]:
    if not breakdown:
        return []
    # Every module's own time: names imported on first use load outside the package's line.
    total_ms = sum(line.self_us for line in breakdown) / 1000
    rows = [[f"`{name}`", f"{us / 1000:.1f}"] for name, us in by_package(breakdown)[:12]]
    return [
        "",
        (
            "`python -X importtime -c 'from vaix_client import VaixClient'` "
            f"({total_ms:.0f} ms with the profiler's overhead; without click, pygments and rich "
            "as in ¹), own time by top-level package:"
        ),
        "",
        *_table(["package", "ms"], rows),
    ]


def render(results: Results) -> tuple[str, list[Target]]:
    """The Markdown report (targets included) and the targets."""
    checked = targets(results)
    lines = [
        "# vaix-client benchmarks",
        "",
        (
            "Generated by `make bench` (`benchmarks/run.py`); numbers are from one machine and "
            "one run, comparable only within this file."
        ),
        "",
        *_parse_section(results),
        *_client_sections(results),
        *_openloop_section(results),
        f"## Targets (issue 12), on {_label(SUBJECT)}",
        "",
        *_table(["target", "figure", "outcome"], [t.row() for t in checked]),
        "",
        *_notes(results),
    ]
    return "\n".join(lines), checked
