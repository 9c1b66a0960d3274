"""The commands: ``latest`` (query the API or the fake) and ``fake-server``.

Expected failures (bad options, API errors, network errors) print one line on
stderr and exit non-zero: 2 for bad usage, 1 for everything else. ``--debug``
shows the traceback and the SDK's log lines instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import click
import httpx

from vaix_client import VaixClient, VaixError
from vaix_client._config import ENV_BASE_URL, ENV_CLIENT_ID, ENV_ENVIRONMENT, ENV_TOKEN
from vaix_client.errors import InvalidRequestError
from vaix_client.models import GameSession, Unset

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["run"]

FAKE_BASE_URL: Final = "http://fake-vaix.local"
EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2


@dataclass
class _State:
    """What :func:`run` needs to know once the group's options are parsed."""

    debug: bool = False


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show tracebacks and the SDK's log lines.")
@click.version_option(package_name="vaix-client", prog_name="vaix-client")
@click.pass_obj
def cli(state: _State | None, *, debug: bool) -> None:
    """Query the Vaix personalization API, or serve a fake of it for tests and demos.

    Configuration comes from options or the VAIX_API_TOKEN, VAIX_CLIENT_ID,
    VAIX_BASE_URL and VAIX_ENVIRONMENT environment variables.
    """
    if state is not None:
        state.debug = debug
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
        logging.getLogger("vaix_client").setLevel(logging.DEBUG)


def _parse_datetime(value: str | None, option: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date-time such as 2026-11-20T18:00:00Z",
            param_hint=option,
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no time zone: add Z or an offset such as +01:00", param_hint=option
        )
    return parsed


@cli.command()
@click.option("--user", "-u", required=True, help="The player whose sessions to list.")
@click.option("--count", "-n", type=click.IntRange(1, 100), help="How many sessions (1-100).")
@click.option(
    "--distinction-level",
    "-d",
    type=click.Choice(["daily", "none", "unique"]),
    help="daily: one session per game per day (server default); none: all; unique: one per game.",
)
@click.option(
    "--minimum-duration", type=click.IntRange(min=0), help="Seconds a session must exceed."
)
@click.option(
    "--before", "before", metavar="DATETIME", help="Sessions up to this time (inclusive)."
)
@click.option("--after", "after", metavar="DATETIME", help="Sessions after this time (exclusive).")
@click.option(
    "--filters", "-f", help="A filter expression, e.g. 'game_studio:in:NetEnt,Pragmatic'."
)
@click.option("--fields", help="Comma-separated field names, e.g. game_id,game_name,started.")
@click.option("--operator", help="Operator, for accounts with several operators.")
@click.option("--bookmaker-id", type=int, help="Bookmaker id (with --sub-bookmaker-id).")
@click.option("--sub-bookmaker-id", type=int, help="Sub-bookmaker id (with --bookmaker-id).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--fake", is_flag=True, help="Query a built-in fake service (demo data) instead.")
@click.option("--token", envvar=ENV_TOKEN, show_envvar=True, help="API token.")
@click.option("--client-id", envvar=ENV_CLIENT_ID, show_envvar=True, help="Vaix group name.")
@click.option("--base-url", envvar=ENV_BASE_URL, show_envvar=True, help="API root URL.")
@click.option(
    "--environment",
    type=click.Choice(["production", "staging"]),
    envvar=ENV_ENVIRONMENT,
    show_envvar=True,
    help="Which Vaix API (ignored with --base-url).",
)
@click.option("--auth-method", type=click.Choice(["vaix", "iam"]), help="How the token is checked.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per attempt.")
@click.option("--max-retries", type=click.IntRange(min=0), default=2, show_default=True)
def latest(**options: Any) -> None:  # noqa: ANN401 - click's keyword bag
    """List a user's latest game sessions, newest first."""
    before = _parse_datetime(options.pop("before"), "--before")
    after = _parse_datetime(options.pop("after"), "--after")
    fields = options.pop("fields")
    query = {
        "count": options.pop("count"),
        "distinction_level": options.pop("distinction_level"),
        "minimum_duration": options.pop("minimum_duration"),
        "before_date": before,
        "after_date": after,
        "filters": options.pop("filters"),
        "fields": None if fields is None else [name.strip() for name in fields.split(",")],
        "operator": options.pop("operator"),
        "bookmaker_id": options.pop("bookmaker_id"),
        "sub_bookmaker_id": options.pop("sub_bookmaker_id"),
    }
    as_json = options.pop("as_json")
    sessions = asyncio.run(_fetch(options, options.pop("user"), query))
    click.echo(_to_json(sessions) if as_json else _table(sessions))


async def _fetch(options: dict[str, Any], user: str, query: dict[str, Any]) -> list[GameSession]:
    fake = options.pop("fake")
    client_options = {key: value for key, value in options.items() if value is not None}
    if not fake:
        async with VaixClient(**client_options) as vaix:
            return await vaix.game_sessions.latest(user, **query)
    from vaix_client.testing import FakeVaix  # noqa: PLC0415 - only with --fake

    demo = FakeVaix(seed=0)
    client_options.update(token=demo.token, client_id=demo.client_id, base_url=FAKE_BASE_URL)
    async with (
        httpx.AsyncClient(transport=demo.transport()) as http,
        VaixClient(http_client=http, **client_options) as vaix,
    ):
        return await vaix.game_sessions.latest(user, **query)


def _to_json(sessions: Sequence[GameSession]) -> str:
    return json.dumps([session.to_dict() for session in sessions], indent=2, ensure_ascii=False)


def _duration(seconds: object) -> str:
    if isinstance(seconds, Unset) or not isinstance(seconds, int | float):
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _started(value: object) -> str:
    if not isinstance(value, dt.datetime):
        return "-"
    return value.astimezone().strftime("%a %d %b %Y %H:%M")


def _text(value: object) -> str:
    return "-" if value is None or isinstance(value, Unset) else str(value)


def _table(sessions: Sequence[GameSession]) -> str:
    if not sessions:
        return "No sessions."
    headers = ("GAME", "STUDIO", "STARTED", "DURATION")
    rows = [
        (
            _text(s.game_name if not isinstance(s.game_name, Unset) else s.game_id),
            _text(s.game_studio),
            _started(s.started),
            _duration(s.total_duration_in_seconds),
        )
        for s in sessions
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [headers, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


@cli.command("fake-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to bind.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="0: any free port.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the demo catalogue.")
@click.option("--token", default="demo-token", show_default=True, help="Token the fake accepts.")
@click.option("--client-id", default="demo", show_default=True, help="Client id the fake accepts.")
def fake_server(host: str, port: int, seed: int, token: str, client_id: str) -> None:
    """Serve a fake Vaix API with demo data (users 1 to 50) on loopback, until Ctrl+C.

    It prints its URL and the VAIX_BASE_URL, VAIX_API_TOKEN and VAIX_CLIENT_ID
    settings that point `vaix-client latest` (or any VaixClient) at it.
    """
    from vaix_client.testing import FakeVaix, run  # noqa: PLC0415 - needs the testing extra

    fake = FakeVaix(token=token, client_id=client_id, seed=seed)

    def ready(url: str) -> None:
        click.echo(f"Fake Vaix API listening on {url} (demo users 1 to 50). Use it with:")
        click.echo(f"  export {ENV_BASE_URL}={url} {ENV_TOKEN}={token} {ENV_CLIENT_ID}={client_id}")
        click.echo("Press Ctrl+C to stop.")
        sys.stdout.flush()

    try:
        run(fake, host, port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    except ValueError:
        raise click.BadParameter(
            f"refusing to serve the fake on {host!r}: use a loopback address"
            " (127.0.0.1, ::1, localhost)",
            param_hint="--host",
        ) from None


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv``; turn expected failures into one line on stderr."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Set by the group once its own options are parsed: ``latest --debug`` (a usage
    # error) or ``--user --debug`` (a value) must not turn tracebacks on.
    state = _State()
    try:
        result = cli.main(args=args, prog_name="vaix-client", standalone_mode=False, obj=state)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except click.exceptions.NoArgsIsHelpError as exc:  # bare ``vaix-client``: help, not an error
        exc.show()
        return exc.exit_code
    except click.ClickException as exc:
        if state.debug:
            raise
        click.echo(f"vaix-client: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except InvalidRequestError as exc:
        if state.debug:
            raise
        click.echo(f"vaix-client: error: {_for_the_command_line(exc)}", err=True)
        return EXIT_USAGE
    except (VaixError, OSError) as exc:
        if state.debug:
            raise
        click.echo(f"vaix-client: error: {_one_line(exc)}", err=True)
        return EXIT_ERROR
    return result if isinstance(result, int) else 0


_MISSING_SETTING: Final = {
    "token": f"no API token: pass --token or set {ENV_TOKEN}",
    "client_id": f"no client id: pass --client-id or set {ENV_CLIENT_ID} (your Vaix group name)",
}


def _for_the_command_line(exc: InvalidRequestError) -> str:
    """The SDK's message, or the CLI's words when the SDK names a Python argument to pass."""
    message = _MISSING_SETTING.get(exc.argument or "")
    return message if message is not None and "required" in str(exc) else str(exc)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
