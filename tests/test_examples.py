"""The scripts in ``examples/`` run against the fake: in-process, and as a user runs them."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import httpx
import pytest

from vaix_client.testing import (
    DelayFault,
    DropConnectionFault,
    FakeVaix,
    Fault,
    StatusFault,
    serve,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from vaix_client import GameSession

EXAMPLES: Final = Path(__file__).resolve().parent.parent / "examples"
QUICKSTART: Final = EXAMPLES / "quickstart.py"
RETRIES: Final = EXAMPLES / "retries_and_timeouts.py"
SLOW_ANSWER: Final = DelayFault(1.5)
"""Longer than the latency-sensitive call's budget (0.5 s per attempt, 1 s in all)."""


def _main(path: Path) -> Callable[..., Awaitable[Any]]:
    """The ``main`` coroutine function of the example script at ``path``."""
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return cast("Callable[..., Awaitable[Any]]", module.main)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeVaix:
    """The demo fake; VAIX_API_TOKEN and VAIX_CLIENT_ID hold its credentials, as for a user."""
    service = FakeVaix(seed=0)
    monkeypatch.setenv("VAIX_API_TOKEN", service.token)
    monkeypatch.setenv("VAIX_CLIENT_ID", service.client_id)
    return service


@pytest.fixture
async def http(fake: FakeVaix) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client wired in-process to ``fake``, passed to the examples as ``http_client``."""
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        yield client


async def test_quickstart_prints_the_filtered_sessions(
    fake: FakeVaix, http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quickstart prints one line per session it got, with the filter and fields on the wire."""
    sessions = cast(
        "list[GameSession]", await _main(QUICKSTART)("7", base_url="http://fake", http_client=http)
    )
    assert sessions
    assert {s.game_studio for s in sessions} <= {"NetEnt", "Relax Gaming"}
    assert len({s.game_id for s in sessions}) == len(sessions)
    header, *lines = capsys.readouterr().out.splitlines()
    assert header == "User 7's latest games from NetEnt or Relax Gaming:"
    assert len(lines) == len(sessions)
    for session, line in zip(sessions, lines, strict=True):
        assert str(session.game_name) in line
        assert " min)" in line
    (request,) = fake.requests
    assert request.query["filters"] == "game_studio:in:NetEnt,Relax Gaming"
    assert (
        request.query["fields"] == "game_id,game_name,game_studio,started,total_duration_in_seconds"
    )


async def test_quickstart_without_sessions(
    fake: FakeVaix, http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quickstart says "(none)" for a user without matching sessions."""
    assert await _main(QUICKSTART)("nobody", base_url="http://fake", http_client=http) == []
    assert capsys.readouterr().out.splitlines()[1:] == ["  (none)"]


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        pytest.param(
            [],
            ("History: 5 session(s) after 1 attempt(s) in ", "Recently played: "),
            id="no-fault",
        ),
        pytest.param(
            # Faults meet requests in order: the history call gets the 503, then a slow
            # answer (within its 5 s); the widget's own request is slower than its
            # per-attempt timeout (0.5 s), which the in-process fake honours too, and
            # so is its retry: its one-second budget ends the call.
            [(StatusFault(503), 1), (SLOW_ANSWER, 3)],
            (
                "History: 5 session(s) after 2 attempt(s) in ",
                "Recently played: skipped (APITimeoutError: ",
            ),
            id="503-then-slow",
        ),
        pytest.param(
            [(StatusFault(429, retry_after="0", headers={"x-request-id": "req-429"}), 4)],
            ("History: rate limited (retry after 0 s), request id req-429", "Recently played: "),
            id="rate-limited",
        ),
        pytest.param(
            [(StatusFault(401, headers={"x-request-id": "req-401"}), 1)],
            (
                "History: the API answered 401 'Unauthorized', request id req-401",
                "Recently played: ",
            ),
            id="unauthorized",
        ),
        pytest.param(
            [(DropConnectionFault(), 4 + 2)],
            (
                (
                    "History: the API could not be reached (Connection to the Vaix API failed "
                    "(RemoteProtocolError: Server disconnected without sending a response.) "
                    "after 4 attempt(s).)"
                ),
                "Recently played: skipped (APIConnectionError: ",
            ),
            id="unreachable",
        ),
    ],
)
async def test_retries_example_handles_each_outcome(
    fake: FakeVaix,
    http: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    faults: list[tuple[Fault, int]],
    expected: tuple[str, str],
) -> None:
    """The retries example retries what is transient and prints one line per call's outcome."""
    for fault, times in faults:
        fake.inject(fault, times=times)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _main(RETRIES)("7", base_url="http://fake", http_client=http)
    assert loop.time() - started < 5, "the widget's budget bounds the slow case"
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), line
    assert fake.pending_faults == (), "every fault was met: the retries really happened"


# ------------------------------------------------------------------ as a user runs them


def _env(url: str, fake: FakeVaix) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("VAIX_")}
    return {
        **env,
        "VAIX_BASE_URL": url,
        "VAIX_API_TOKEN": fake.token,
        "VAIX_CLIENT_ID": fake.client_id,
    }


async def _run_example(path: Path, fake: FakeVaix, *args: str) -> tuple[int, str, str]:
    """Run the example at ``path`` in its own process against ``fake`` served on loopback."""
    async with serve(fake) as url:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(path),
            *args,
            env=_env(url, fake),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.slow
async def test_retries_example_over_a_socket() -> None:
    """As a script with VAIX_* set: a 503 is retried (and logged), a slow answer times out."""
    fake = FakeVaix(seed=0)
    fake.inject(StatusFault(503))
    # Over a socket the per-attempt timeout (0.5 s) also applies: the widget's
    # retry meets a slow answer as well, and its one-second budget ends the call.
    fake.inject(SLOW_ANSWER, times=3)
    code, out, err = await _run_example(RETRIES, fake, "7")
    assert code == 0, err
    first, second = out.splitlines()
    assert first.startswith("History: 5 session(s) after 2 attempt(s)"), out
    assert second.startswith("Recently played: skipped (APITimeoutError: "), out
    assert "vaix_client: Retrying GET /api/casino/game_sessions/latest after" in err
    assert "Traceback" not in err


@pytest.mark.slow
async def test_quickstart_over_a_socket() -> None:
    """As a script with VAIX_* set and the user as its argument: prints that user's sessions."""
    code, out, err = await _run_example(QUICKSTART, FakeVaix(seed=0), "12")
    assert (code, err) == (0, "")
    header, *lines = out.splitlines()
    assert header == "User 12's latest games from NetEnt or Relax Gaming:"
    assert lines
    assert all(line.startswith("  2026-") for line in lines), out
