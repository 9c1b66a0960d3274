"""The ``vaix-client`` command line: in-process through ``run(argv)``, then over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import click
import pytest

import vaix_client
from vaix_client.cli._commands import run
from vaix_client.errors import APIConnectionError, InvalidRequestError
from vaix_client.testing import FakeVaix, serve

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT: Final = Path(__file__).resolve().parent.parent
CLI: Final = [sys.executable, "-m", "vaix_client"]
SECRET: Final = "sk-SECRET-1"
DEMO_TOKEN: Final = "demo-token"
HEADER: Final = re.compile(r"^GAME\s+STUDIO\s+STARTED\s+DURATION$")
SUBPROCESS_SECONDS: Final = 30
"""Upper bound for any one CLI process (they take about a second)."""

Sessions = list[dict[str, Any]]


# ------------------------------------------------------------------ helpers


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return its exit code, stdout and stderr."""
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _fake_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Sessions:
    """``latest --fake --json`` with ``argv``: the sessions it printed, parsed."""
    code, out, err = _cli(capsys, "latest", "--fake", "--json", *argv)
    assert (code, err) == (0, "")
    sessions = json.loads(out)
    assert isinstance(sessions, list)
    return sessions


def _one_error_line(err: str) -> str:
    """The single line a failure printed on stderr (asserting there is exactly one)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("vaix-client: error: "), err
    assert "Traceback" not in err
    return lines[0]


@contextlib.contextmanager
def _serving(fake: FakeVaix) -> Iterator[str]:
    """Serve ``fake`` on loopback from a background thread (the CLI runs its own event loop)."""
    started: Future[tuple[str, asyncio.AbstractEventLoop, asyncio.Event]] = Future()

    async def main() -> None:
        stop = asyncio.Event()
        try:
            async with serve(fake) as url:
                started.set_result((url, asyncio.get_running_loop(), stop))
                await stop.wait()
        except BaseException as exc:
            if not started.done():
                started.set_exception(exc)
            raise

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    url, loop, stop = started.result(timeout=10)
    try:
        yield url
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        assert not thread.is_alive()


@pytest.fixture(scope="module")
def _served() -> Iterator[tuple[FakeVaix, str]]:
    """One fake on loopback for this module's in-process tests (token t0k, client id acme)."""
    fake = FakeVaix(token="t0k", client_id="acme", seed=0)
    with _serving(fake) as url:
        yield fake, url


@pytest.fixture
def served(_served: tuple[FakeVaix, str]) -> tuple[FakeVaix, str]:
    """The module's served fake, with no request recorded and no fault pending yet."""
    fake, _ = _served
    fake.requests.clear()
    fake.clear_faults()
    return _served


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connecting to it is refused at once."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


@pytest.fixture
def _restore_logging() -> Iterator[None]:
    """Undo what ``--debug`` does to logging (root handlers, the SDK logger's level)."""
    root, sdk = logging.getLogger(), logging.getLogger("vaix_client")
    handlers, level = list(root.handlers), sdk.level
    yield
    root.handlers[:] = handlers
    sdk.setLevel(level)


# ------------------------------------------------------------------ output


def test_latest_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    """``latest --fake -u 7 -n 3`` prints a GAME/STUDIO/STARTED/DURATION header and 3 rows."""
    code, out, err = _cli(capsys, "latest", "--fake", "-u", "7", "-n", "3")
    assert (code, err) == (0, "")
    header, *rows = out.splitlines()
    assert HEADER.match(header), header
    assert len(rows) == 3
    assert all(len(row.split()) >= 4 for row in rows)


def test_latest_json_is_a_list_of_sessions(capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints valid JSON: a list with one object (carrying game_id) per session."""
    sessions = _fake_json(capsys, "--user", "7", "--count", "3")
    assert len(sessions) == 3
    assert all(isinstance(s, dict) and s["game_id"] for s in sessions)


def test_fields_limit_the_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """``--fields game_id,game_name --json`` gives objects with exactly those keys."""
    sessions = _fake_json(capsys, "--user", "7", "--count", "4", "--fields", "game_id,game_name")
    assert len(sessions) == 4
    assert all(set(s) == {"game_id", "game_name"} for s in sessions)


def test_a_user_without_sessions_prints_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    """A user with no sessions gets "No sessions." rather than an empty table (exit 0)."""
    assert _cli(capsys, "latest", "--fake", "--user", "no-such-user") == (0, "No sessions.\n", "")


def _started(session: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(session["started"])


AFTER: Final = dt.datetime(2026, 10, 10, tzinfo=dt.UTC)
BEFORE: Final = dt.datetime(2026, 10, 20, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("options", "holds"),
    [
        (["--count", "7"], lambda sessions: len(sessions) == 7),
        (
            ["--distinction-level", "unique", "--count", "100"],
            lambda sessions: len({s["game_id"] for s in sessions}) == len(sessions),
        ),
        (
            ["--distinction-level", "none", "--count", "100"],
            lambda sessions: len({s["game_id"] for s in sessions}) < len(sessions),
        ),
        (
            ["--minimum-duration", "600", "--count", "100"],
            lambda sessions: all(s["total_duration_in_seconds"] > 600 for s in sessions),
        ),
        (
            ["--after", AFTER.isoformat(), "--before", BEFORE.isoformat(), "--count", "100"],
            lambda sessions: all(AFTER < _started(s) <= BEFORE for s in sessions),
        ),
        (
            ["--after", "2026-10-10T02:00:00+02:00", "--before", "2026-10-20T00:00:00Z"],
            lambda sessions: all(AFTER < _started(s) <= BEFORE for s in sessions),
        ),
        (
            ["--filters", "game_studio:eq:NetEnt", "--count", "100"],
            lambda sessions: {s["game_studio"] for s in sessions} == {"NetEnt"},
        ),
        (
            ["--fields", "game_id, started", "--count", "3"],
            lambda sessions: all(set(s) == {"game_id", "started"} for s in sessions),
        ),
    ],
    ids=[
        "count",
        "unique",
        "none",
        "minimum-duration",
        "window",
        "window-with-offsets",
        "filters",
        "fields-with-spaces",
    ],
)
def test_results_obey_the_options(
    capsys: pytest.CaptureFixture[str], options: list[str], holds: Callable[[Sessions], bool]
) -> None:
    """Each query option changes what ``--fake`` returns as the API documents it."""
    sessions = _fake_json(capsys, "--user", "7", *options)
    assert sessions, "the demo user 7 has sessions matching every case"
    assert holds(sessions), sessions


def test_table_cells(capsys: pytest.CaptureFixture[str], served: tuple[FakeVaix, str]) -> None:
    """The table falls back to the game id and "-" for what is missing, and rounds durations."""
    fake, url = served
    noon = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = [
        {"game_id": "g-long", "game_name": "Long", "game_studio": "NetEnt",
         "total_duration_in_seconds": 3725},
        {"game_id": "g-min", "game_name": "Minutes", "total_duration_in_seconds": 65.4},
        {"game_id": "g-none", "game_name": "Unknown", "total_duration_in_seconds": None},
    ]  # fmt: skip
    for minutes, row in enumerate(rows):
        fake.add_session("table-user", **row, started=noon - dt.timedelta(minutes=minutes))
    code, out, err = _cli(
        capsys, "latest", "-u", "table-user", "--base-url", url, "--token", "t0k",
        "--client-id", "acme",
    )  # fmt: skip
    assert (code, err) == (0, "")
    cells = [re.split(r"\s{2,}", line) for line in out.splitlines()[1:]]
    assert [(row[0], row[1], row[-1]) for row in cells] == [
        ("Long", "NetEnt", "1h 02m"),
        ("Minutes", "-", "1m 05s"),
        ("Unknown", "-", "-"),
    ]
    code, out, err = _cli(
        capsys, "latest", "-u", "table-user", "--fields", "game_id", "--base-url", url,
        "--token", "t0k", "--client-id", "acme",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert [line.split() for line in out.splitlines()[1:]] == [
        ["g-long", "-", "-", "-"],
        ["g-min", "-", "-", "-"],
        ["g-none", "-", "-", "-"],
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--count", "3"], {"count": "3"}),
        (["-n", "4", "-d", "none"], {"count": "4", "distinction_level": "none"}),
        (["--distinction-level", "unique"], {"distinction_level": "unique"}),
        (["--minimum-duration", "600"], {"minimum_duration": "600"}),
        (["--minimum-duration", "0"], {"minimum_duration": "0"}),
        (["--before", "2026-10-20T12:00:00+02:00"], {"before_date": "2026-10-20T12:00:00+02:00"}),
        (["--after", "2026-10-01T00:00:00Z"], {"after_date": "2026-10-01T00:00:00+00:00"}),
        (["--filters", "game_studio:eq:NetEnt"], {"filters": "game_studio:eq:NetEnt"}),
        (["-f", "is_live:eq:1;tags:in:a,b"], {"filters": "is_live:eq:1;tags:in:a,b"}),
        (["--fields", "game_id, game_name"], {"fields": "game_id,game_name"}),
        (["--operator", "acme"], {"operator": "acme"}),
        (
            ["--bookmaker-id", "12", "--sub-bookmaker-id", "34"],
            {"bookmaker_id": "12", "sub_bookmaker_id": "34"},
        ),
        ([], {}),
    ],
    ids=[
        "count",
        "short-options",
        "distinction-level",
        "minimum-duration",
        "minimum-duration-zero",
        "before",
        "after",
        "filters",
        "filters-and-in",
        "fields",
        "operator",
        "bookmaker",
        "nothing-extra",
    ],
)
def test_each_option_reaches_the_wire(
    capsys: pytest.CaptureFixture[str],
    served: tuple[FakeVaix, str],
    options: list[str],
    expected: dict[str, str],
) -> None:
    """Each option is sent as its query parameter, as given; options not given are not sent."""
    fake, url = served
    code, _, err = _cli(
        capsys, "latest", "-u", "7", "--base-url", url, "--token", "t0k", "--client-id", "acme",
        *options,
    )  # fmt: skip
    assert (code, err) == (0, "")
    (request,) = fake.requests
    assert request.path == "/api/casino/game_sessions/latest"
    assert dict(request.query) == {"user": "7", **expected}


@pytest.mark.parametrize(
    ("options", "headers"),
    [
        ([], {"authorization": "Bearer t0k", "x-vaix-client-id": "acme"}),
        (["--auth-method", "vaix"], {"x-vaix-authentication-method": "vaix"}),
    ],
    ids=["credentials", "auth-method"],
)
def test_credentials_reach_the_wire(
    capsys: pytest.CaptureFixture[str],
    served: tuple[FakeVaix, str],
    options: list[str],
    headers: dict[str, str],
) -> None:
    """--token, --client-id and --auth-method become the request's auth headers."""
    fake, url = served
    code, _, err = _cli(
        capsys, "latest", "-u", "7", "--base-url", url, "--token", "t0k", "--client-id", "acme",
        *options,
    )  # fmt: skip
    assert (code, err) == (0, "")
    (request,) = fake.requests
    assert headers.items() <= request.headers.items()
    if not options:
        assert "x-vaix-authentication-method" not in request.headers


def test_settings_come_from_the_environment(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    served: tuple[FakeVaix, str],
) -> None:
    """Without options, VAIX_BASE_URL, VAIX_API_TOKEN and VAIX_CLIENT_ID configure the call."""
    fake, url = served
    monkeypatch.setenv("VAIX_BASE_URL", url)
    monkeypatch.setenv("VAIX_API_TOKEN", "t0k")
    monkeypatch.setenv("VAIX_CLIENT_ID", "acme")
    code, out, err = _cli(capsys, "latest", "--user", "7", "--count", "2")
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 3
    assert fake.requests[0].headers["x-vaix-client-id"] == "acme"


# ------------------------------------------------------------------ failures


@pytest.mark.parametrize(
    ("argv", "mentions"),
    [
        (["latest", "--fake", "--user", "7", "--bogus"], "--bogus"),
        (["latest", "--fake"], "--user"),
        (["latest", "--fake", "--user", "7", "--count", "0"], "--count"),
        (["latest", "--fake", "--user", "7", "--count", "101"], "--count"),
        (["latest", "--fake", "--user", "7", "--count", "three"], "--count"),
        (["latest", "--fake", "--user", "7", "--distinction-level", "no-such"], "no-such"),
        (["latest", "--fake", "--user", "7", "--minimum-duration", "-1"], "--minimum-duration"),
        (["latest", "--fake", "--user", "7", "--before", "2026-01-01T00:00:00"], "time zone"),
        (["latest", "--fake", "--user", "7", "--after", "yesterday"], "--after"),
        (
            ["latest", "--fake", "--user", "7", "--after", "2026-02-01T00:00:00Z",
             "--before", "2026-01-01T00:00:00Z"],
            "after_date",
        ),
        (["latest", "--fake", "--user", "7", "--fields", "game_id,nope"], "'nope'"),
        (["latest", "--fake", "--user", "7", "--filters", "a:eq"], "a:eq"),
        (["latest", "--fake", "--user", "7", "--bookmaker-id", "1"], "sub_bookmaker_id"),
        (["latest", "--fake", "--user", "7", "--timeout", "0"], "--timeout"),
        (["latest", "--fake", "--user", "7", "--auth-method", "basic"], "--auth-method"),
        (["latest", "--user", "7", "--token", "t", "--client-id", "c", "--base-url", "ftp://x"],
         "base_url"),
        (["latest", "--debug", "--fake", "--user", "7"], "--debug"),
        (["nope"], "nope"),
        (["fake-server", "--port", "70000"], "--port"),
    ],
    ids=[
        "unknown-option",
        "missing-user",
        "count-zero",
        "count-too-big",
        "count-not-a-number",
        "distinction-level",
        "negative-minimum-duration",
        "naive-before",
        "unreadable-after",
        "after-later-than-before",
        "unknown-field",
        "bad-filter",
        "bookmaker-without-sub",
        "zero-timeout",
        "auth-method",
        "base-url-scheme",
        "debug-after-the-command",
        "unknown-command",
        "port-out-of-range",
    ],
)  # fmt: skip
def test_bad_usage_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], mentions: str
) -> None:
    """A bad option prints one ``vaix-client: error:`` line naming it, nothing on stdout, exit 2."""
    code, out, err = _cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert mentions in _one_error_line(err)


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        ({}, ("--client-id", "VAIX_CLIENT_ID")),
        ({"VAIX_CLIENT_ID": "acme"}, ("--token", "VAIX_API_TOKEN")),
        ({"VAIX_API_TOKEN": "t"}, ("--client-id", "VAIX_CLIENT_ID")),
        ({"VAIX_CLIENT_ID": "acme", "VAIX_API_TOKEN": ""}, ("--token", "VAIX_API_TOKEN")),
    ],
    ids=["nothing", "no-token", "no-client-id", "empty-token"],
)
def test_missing_credentials_are_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    mentions: tuple[str, ...],
) -> None:
    """Without --fake, a missing token or client id is one line naming the option and variable."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = _cli(capsys, "latest", "--user", "7")
    assert code != 0
    assert out == ""
    line = _one_error_line(err)
    assert all(word in line for word in mentions), line
    assert "=..." not in line, "the CLI's words, not the Python argument's"


def test_unreachable_api_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], closed_port: int
) -> None:
    """A refused connection is one line naming the connection failure, exit 1, no traceback."""
    code, out, err = _cli(
        capsys, "latest", "--user", "7", "--base-url", f"http://127.0.0.1:{closed_port}",
        "--token", SECRET, "--client-id", "c", "--max-retries", "0",
    )  # fmt: skip
    assert (code, out) == (1, "")
    line = _one_error_line(err)
    assert "APIConnectionError" in line
    assert "ConnectError" in line
    assert SECRET not in line


@pytest.mark.usefixtures("_restore_logging")
def test_debug_raises_the_failure_with_its_traceback(
    capsys: pytest.CaptureFixture[str], closed_port: int
) -> None:
    """``--debug`` lets the same failure propagate (Python prints its traceback) instead."""
    with pytest.raises(APIConnectionError, match="ConnectError") as raised:
        run(
            ["--debug", "latest", "--user", "7", "--base-url", f"http://127.0.0.1:{closed_port}",
             "--token", "t", "--client-id", "c", "--max-retries", "0"]
        )  # fmt: skip
    assert raised.value.__cause__ is not None, "the httpx error stays chained"
    assert "vaix-client: error" not in capsys.readouterr().err


@pytest.mark.usefixtures("_restore_logging")
@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["--fields", "nope"], InvalidRequestError),
        (["--count", "0"], click.BadParameter),
    ],
    ids=["sdk-refusal", "click-refusal"],
)
def test_debug_raises_bad_usage_too(
    capsys: pytest.CaptureFixture[str], options: list[str], error: type[Exception]
) -> None:
    """With ``--debug`` before the command, a refused option also propagates with its traceback."""
    with pytest.raises(error):
        run(["--debug", "latest", "--fake", "--user", "7", *options])
    assert capsys.readouterr().err == ""


def test_server_rejection_never_prints_the_token(
    capsys: pytest.CaptureFixture[str], served: tuple[FakeVaix, str]
) -> None:
    """A 401 is one line naming the status, exit 1, and the token sent appears nowhere."""
    fake, url = served
    code, out, err = _cli(
        capsys, "latest", "--user", "7", "--base-url", url, "--token", SECRET,
        "--client-id", "acme",
    )  # fmt: skip
    assert fake.requests[0].headers["authorization"] == f"Bearer {SECRET}", "the token was sent"
    assert (code, out) == (1, "")
    line = _one_error_line(err)
    assert "401" in line
    assert "AuthenticationError" in line
    assert SECRET not in line


@pytest.mark.parametrize(
    ("argv", "mentions"),
    [
        (["--help"], ["latest", "fake-server", "--debug", "--version", "VAIX_API_TOKEN"]),
        (["-h"], ["latest", "fake-server"]),
        (
            ["latest", "--help"],
            [
                "--user", "--count", "--distinction-level", "--minimum-duration", "--before",
                "--after", "--filters", "--fields", "--operator", "--bookmaker-id",
                "--sub-bookmaker-id", "--json", "--fake", "--token", "--client-id", "--base-url",
                "--environment", "--auth-method", "--timeout", "--max-retries",
                "VAIX_API_TOKEN", "VAIX_CLIENT_ID", "VAIX_BASE_URL", "VAIX_ENVIRONMENT",
            ],
        ),
        (
            ["fake-server", "--help"],
            ["--host", "--port", "--seed", "--token", "--client-id", "VAIX_API_TOKEN",
             "VAIX_BASE_URL"],
        ),
    ],
    ids=["group", "group-short", "latest", "fake-server"],
)  # fmt: skip
def test_help_mentions_options_and_environment(
    capsys: pytest.CaptureFixture[str], argv: list[str], mentions: list[str]
) -> None:
    """Each help page lists its options and the environment variables that configure it."""
    code, out, err = _cli(capsys, *argv)
    assert (code, err) == (0, "")
    assert out.startswith("Usage: vaix-client")
    missing = [word for word in mentions if word not in out]
    assert not missing, out


def test_no_command_shows_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    """A bare ``vaix-client`` shows the help (on stderr, exit 2), not an error line."""
    code, out, err = _cli(capsys)
    assert (code, out) == (2, "")
    assert err.startswith("Usage: vaix-client")
    assert "error:" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` prints the package version and exits 0."""
    assert _cli(capsys, "--version") == (0, f"vaix-client, version {vaix_client.__version__}\n", "")


@pytest.mark.parametrize("host", ["10.1.2.3", "0.0.0.0", "example.com", "::"])  # noqa: S104
def test_fake_server_refuses_non_loopback_hosts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    """``fake-server --host`` off loopback is one line and exit 2, before any socket is bound."""

    def no_bind(*_args: object) -> None:
        pytest.fail("fake-server bound a socket")

    monkeypatch.setattr(socket.socket, "bind", no_bind)
    code, out, err = _cli(capsys, "fake-server", "--host", host, "--port", "0")
    assert (code, out) == (2, "")
    line = _one_error_line(err)
    assert "--host" in line
    assert "loopback" in line
    assert "allow_remote" not in line, "a Python argument the CLI does not have"


def test_fake_server_prints_how_to_use_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """fake-server passes its options on, prints the URL and settings, and Ctrl+C exits 0."""
    served: list[tuple[FakeVaix, str, int]] = []

    def fake_run(fake: FakeVaix, host: str, port: int, *, on_ready: Callable[[str], None]) -> None:
        served.append((fake, host, port))
        on_ready("http://127.0.0.1:4321")
        raise KeyboardInterrupt

    monkeypatch.setattr("vaix_client.testing.run", fake_run)
    code, out, err = _cli(
        capsys, "fake-server", "--port", "4321", "--token", "tok-1", "--client-id", "grp"
    )
    assert (code, err) == (0, "")
    ((fake, host, port),) = served
    assert (fake.token, fake.client_id, host, port) == ("tok-1", "grp", "127.0.0.1", 4321)
    assert out.splitlines() == [
        "Fake Vaix API listening on http://127.0.0.1:4321 (demo users 1 to 50). Use it with:",
        "  export VAIX_BASE_URL=http://127.0.0.1:4321 VAIX_API_TOKEN=tok-1 VAIX_CLIENT_ID=grp",
        "Press Ctrl+C to stop.",
    ]


def test_ctrl_c_during_a_query_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while a query runs prints "Aborted." and exits 1, without a traceback."""

    async def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("vaix_client.cli._commands._call", interrupted)
    code, out, err = _cli(capsys, "latest", "--fake", "--user", "7")
    assert (code, out) == (1, "")
    assert err.strip() == "Aborted."


def test_main_reads_sys_argv(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``vaix_client.cli.main()`` without arguments runs the command line in ``sys.argv``."""
    from vaix_client.cli import main

    monkeypatch.setattr(sys, "argv", ["vaix-client", "latest", "--fake", "-u", "7", "-n", "1"])
    assert main() == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


# ------------------------------------------------------------------ over real sockets


def _env(**settings: str) -> dict[str, str]:
    """This process's environment without any VAIX_* variable, plus ``settings``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("VAIX_")}
    return {**env, **settings}


def _run_cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_SECONDS,
        check=False,
    )


class _Lines:
    """The lines a process prints on stdout, read by a thread so that waiting can be bounded."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self._lines: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)

    def next(self, seconds: float) -> str:
        """The next line, waiting at most ``seconds``."""
        try:
            return self._lines.get(timeout=seconds)
        except queue.Empty:
            pytest.fail(f"no output within {seconds} s")


@contextlib.contextmanager
def _fake_server_process(
    *options: str,
) -> Iterator[tuple[subprocess.Popen[str], _Lines, str]]:
    """Run ``vaix-client fake-server --port 0``; yield the process, its output and its URL."""
    with subprocess.Popen(
        [*CLI, "fake-server", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    ) as process:
        try:
            lines = _Lines(process)
            first = lines.next(SUBPROCESS_SECONDS)
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first)
            assert match, first
            yield process, lines, match.group(1)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=SUBPROCESS_SECONDS)


@pytest.fixture(scope="module")
def fake_server_url() -> Iterator[str]:
    """The URL of one ``vaix-client fake-server`` process shared by this module's tests."""
    with _fake_server_process() as (process, _, url):
        yield url
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def _demo_env(url: str, token: str = DEMO_TOKEN) -> dict[str, str]:
    return _env(VAIX_BASE_URL=url, VAIX_API_TOKEN=token, VAIX_CLIENT_ID="demo")


@pytest.mark.slow
def test_end_to_end_table(fake_server_url: str) -> None:
    """``vaix-client latest`` in its own process, configured by VAIX_*, prints 5 rows, exit 0."""
    result = _run_cli("latest", "--user", "7", "--count", "5", env=_demo_env(fake_server_url))
    assert (result.returncode, result.stderr) == (0, "")
    header, *rows = result.stdout.splitlines()
    assert HEADER.match(header), result.stdout
    assert len(rows) == 5


@pytest.mark.slow
def test_end_to_end_json(fake_server_url: str) -> None:
    """``--json`` over the socket parses, with the fields asked for."""
    result = _run_cli(
        "latest", "-u", "3", "-n", "2", "--fields", "game_id,game_name,started", "--json",
        env=_demo_env(fake_server_url),
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    sessions = json.loads(result.stdout)
    assert [set(s) for s in sessions] == [{"game_id", "game_name", "started"}] * 2


@pytest.mark.slow
def test_end_to_end_wrong_token(fake_server_url: str) -> None:
    """A token the server refuses: exit 1, one stderr line naming the 401, without the token."""
    result = _run_cli("latest", "--user", "7", env=_demo_env(fake_server_url, token=SECRET))
    assert (result.returncode, result.stdout) == (1, "")
    line = _one_error_line(result.stderr)
    assert "401" in line
    assert "AuthenticationError" in line
    assert SECRET not in result.stderr


@pytest.mark.slow
def test_end_to_end_bad_option(fake_server_url: str) -> None:
    """A bad option in a real process: exit 2 and one stderr line."""
    result = _run_cli("latest", "--user", "7", "--count", "0", env=_demo_env(fake_server_url))
    assert (result.returncode, result.stdout) == (2, "")
    assert "--count" in _one_error_line(result.stderr)


@pytest.mark.slow
def test_end_to_end_debug_prints_a_traceback(closed_port: int) -> None:
    """``--debug`` in a real process prints the traceback of a connection failure, exit 1."""
    result = _run_cli(
        "--debug", "latest", "--user", "7", "--max-retries", "0",
        env=_env(VAIX_BASE_URL=f"http://127.0.0.1:{closed_port}", VAIX_API_TOKEN=SECRET,
                 VAIX_CLIENT_ID="c"),
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "APIConnectionError" in result.stderr
    assert SECRET not in result.stderr


@pytest.mark.slow
def test_fake_server_prints_its_settings_and_stops_on_sigint() -> None:
    """fake-server prints the VAIX_* settings to use, serves, and exits 0 promptly on SIGINT."""
    with _fake_server_process("--token", "tok-1", "--client-id", "grp") as (process, lines, url):
        export = lines.next(5)
        assert export.split() == [
            "export",
            f"VAIX_BASE_URL={url}",
            "VAIX_API_TOKEN=tok-1",
            "VAIX_CLIENT_ID=grp",
        ]
        env = _env(VAIX_BASE_URL=url, VAIX_API_TOKEN="tok-1", VAIX_CLIENT_ID="grp")
        assert _run_cli("latest", "-u", "1", "-n", "1", env=env).returncode == 0
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        stderr = process.stderr.read()
    assert "Traceback" not in stderr
    assert "Error" not in stderr, stderr


@pytest.mark.slow
def test_fake_server_port_in_use_is_one_line() -> None:
    """fake-server on a port already taken fails with one error line and exit 1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run_cli("fake-server", "--port", str(port), env=_env())
    assert (result.returncode, result.stdout) == (1, "")
    errors = [line for line in result.stderr.splitlines() if line.startswith("vaix-client:")]
    assert len(errors) == 1, result.stderr
    assert str(port) in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_make_demo_script() -> None:
    """``scripts/demo.py`` (``make demo``) runs every query over loopback and exits 0."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert any(HEADER.match(line) for line in result.stdout.splitlines()), result.stdout
    assert '"game_id":' in result.stdout
    json_part = result.stdout[result.stdout.index("[\n") :].split("\n]")[0] + "\n]"
    assert [set(s) for s in json.loads(json_part)] == [{"game_id", "game_name", "started"}] * 2
    assert "Stopped the fake server." in result.stdout
    assert "Traceback" not in result.stderr
