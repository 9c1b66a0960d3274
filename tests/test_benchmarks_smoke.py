"""Smoke test of the benchmark kit: its payload and its loopback server (no timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import attrs
import httpx
import pytest

from benchmarks.clients import CLIENTS
from benchmarks.imports import ImportLine
from benchmarks.payload import GAME_SESSION_FIELDS, SIZES, make_body
from benchmarks.report import Results, _import_notes, targets
from vaix_client import GameImage, GameSession
from vaix_client._generated.types import UNSET
from vaix_client._response import decode_body
from vaix_client.models import GameSessionsResponse

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_the_payload_fills_every_game_session_field() -> None:
    """The generator's field list is the model's: a new spec property must be filled too."""
    model_fields = {f.name for f in attrs.fields(GameSession)} - {"additional_properties"}
    assert set(GAME_SESSION_FIELDS) == model_fields


@pytest.mark.parametrize("count", SIZES)
def test_the_payload_decodes_into_complete_sessions(count: int) -> None:
    """vaix-client decodes the canned body into ``count`` sessions with every field set."""
    body = make_body(count)
    assert body == make_body(count), "the payload is deterministic"

    sessions = decode_body(httpx.Response(200, content=body), GameSessionsResponse, "data")

    assert len(sessions) == count
    for session in sessions:
        assert session.additional_properties == {}
        for name in GAME_SESSION_FIELDS:
            value = getattr(session, name)
            assert value is not UNSET, name
            assert value is not None, name
        assert isinstance(session.images, list)
        assert session.images
        for image in session.images:
            assert isinstance(image, GameImage)
            assert isinstance(image.type_, str)
            assert isinstance(image.url, str)
    starts = [s.started for s in sessions if isinstance(s.started, datetime)]
    assert len(starts) == count
    assert starts == sorted(starts, reverse=True), "newest first"


def test_the_hundred_session_payload_is_about_103_kb() -> None:
    """The size the performance targets were set on."""
    assert 95_000 <= len(make_body(100)) <= 110_000


def test_the_bench_server_answers_on_loopback_and_stops_by_itself() -> None:
    """One request over 127.0.0.1 gets the canned body; the deadline ends the process."""
    command = [sys.executable, "-m", "benchmarks.server", "--sessions", "10", "--deadline", "2"]
    with subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout is not None
        try:
            port = int(server.stdout.readline().removeprefix("PORT "))
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                response = client.get("/api/casino/game_sessions/latest", params={"user": "1"})
                missing = client.get("/elsewhere")
            # stdin stays open: only the deadline can stop it.
            returncode = server.wait(timeout=30)
        finally:
            if server.poll() is None:  # pragma: no cover - only if the deadline failed
                server.kill()

    assert response.status_code == 200
    assert len(json.loads(response.content)["data"]) == 10
    assert response.content == make_body(10)
    assert missing.status_code == 404
    assert returncode == 0


def test_the_targets_show_the_per_repetition_range_beside_the_ratio_of_medians() -> None:
    """Each repetition's ratio pairs the two clients' runs in it; the verdict stays on medians."""

    def run(rps: float) -> dict[str, object]:
        return {"rps": rps, "completed": 10, "p99_ms": 5.0, "cpu_ms_per_request": 1.0}

    results = Results(clients=CLIENTS, sessions=100, body_bytes=1, levels=(32,))
    results.loopback[("aiohttp", 32)] = [run(1000), run(500), run(900)]
    results.loopback[("vaix-aiohttp", 32)] = [run(1100), run(400), run(950)]
    results.imports_lean_ms["httpx"] = [70.0, 80.0, 90.0]
    results.import_core_ms.extend([120.0, 130.0, 140.0])
    by_text = {target.text: target for target in targets(results)}
    rps = by_text["c=32 req/s >= 1.0x raw aiohttp + json.loads"]
    assert rps.figure == "1.06x (950 vs 900); per repetition 0.80-1.10x"
    assert rps.passed is True
    cpu = by_text["client CPU per request at c=32 <= raw aiohttp's + 10% (ms)"]
    assert cpu.figure.endswith("per repetition 1.00-1.00x")
    imported = by_text["`from vaix_client import VaixClient` < 150 ms, core-only venv"]
    assert imported.figure == "130.0 ms (raw httpx: 80.0 ms in this run)"


def test_the_import_breakdown_totals_every_module_loaded() -> None:
    """Names loaded on first use sit on their own top-level lines: the total counts them too."""
    lines = [
        ImportLine("vaix_client", 500, 500),  # the package alone: its names load afterwards
        ImportLine("httpx._api", 30_000, 30_000),
        ImportLine("httpx", 10_000, 40_000),
        ImportLine("vaix_client._client", 2_000, 2_000),
    ]
    notes = "\n".join(_import_notes(lines))
    assert "(42 ms with the profiler's overhead" in notes
    assert "| `httpx` | 40.0 |" in notes
