"""The commands: one per operation of the spec (query the API or the fake), and ``fake-server``.

``vaix-client <tag> <method>`` (``vaix-client game-sessions latest``) exists for
every generated operation, its options, choices, ranges and help taken from the
operation's description; ``vaix-client <method>`` is a short alias when no other
tag has a method of that name.

Expected failures (bad options, API errors, network errors) print one line on
stderr and exit non-zero: 2 for bad usage, 1 for everything else. ``--debug``
shows the traceback and the SDK's log lines instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import attrs
import click
import httpx

from vaix_client import VaixClient, VaixError
from vaix_client._config import ENV_BASE_URL, ENV_CLIENT_ID, ENV_ENVIRONMENT, ENV_TOKEN
from vaix_client._generated import OPERATIONS
from vaix_client.errors import InvalidRequestError
from vaix_client.models import UNSET, Unset

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from vaix_client._generated import Operation, Parameter

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


class _DateTime(click.ParamType[dt.datetime]):
    """An ISO 8601 date-time with a time zone (we never guess one)."""

    name = "datetime"

    def convert(
        self,
        value: object,
        param: click.Parameter | None,  # noqa: ARG002 - click's signature
        ctx: click.Context | None,  # noqa: ARG002
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time such as 2026-11-20T18:00:00Z")
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no time zone: add Z or an offset such as +01:00")
        return parsed


class _Date(click.ParamType[dt.date]):
    """An ISO 8601 calendar date (2026-11-20)."""

    name = "date"

    def convert(
        self,
        value: object,
        param: click.Parameter | None,  # noqa: ARG002 - click's signature
        ctx: click.Context | None,  # noqa: ARG002
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date such as 2026-11-20")


class _Names(click.ParamType[list[str]]):
    """A comma-separated list of names, given to the SDK as a list."""

    name = "names"

    def convert(
        self,
        value: object,
        param: click.Parameter | None,  # noqa: ARG002 - click's signature
        ctx: click.Context | None,  # noqa: ARG002
    ) -> list[str]:
        if isinstance(value, list):
            return value
        return [name.strip() for name in str(value).split(",")]


#: Short flags and historical names, keyed by parameter name (the rest is derived).
_FLAGS: Final[dict[str, tuple[str, ...]]] = {
    "user": ("-u",),
    "count": ("-n",),
    "distinction_level": ("-d",),
    "filters": ("-f",),
    "before_date": ("--before",),
    "after_date": ("--after",),
}
#: Parameters whose CLI value is a comma-separated list (the SDK takes a list).
_LISTS: Final = frozenset({"fields"})


def _option_type(parameter: Parameter) -> click.ParamType[Any] | None:  # noqa: PLR0911 - one case per kind
    """The click type of a parameter, with the spec's choices and ranges."""
    if parameter.python_name in _LISTS:
        return _Names()
    if parameter.enum is not None:
        return click.Choice([str(value) for value in parameter.enum])
    if parameter.kind == "integer":
        low, high = parameter.minimum, parameter.maximum
        return click.IntRange(
            None if low is None else int(low), None if high is None else int(high)
        )
    if parameter.kind == "number":
        return click.FloatRange(parameter.minimum, parameter.maximum)
    if parameter.kind == "boolean":
        return click.BOOL
    if parameter.kind == "date-time":
        return _DateTime()
    if parameter.kind == "date":
        return _Date()
    return None


def _help(parameter: Parameter) -> str:
    """The spec's description of a parameter, on one line, with the server's default."""
    text = " ".join(parameter.description.split()) or parameter.python_name
    if parameter.default is not None and not parameter.required:
        text += f" (server default: {parameter.default})"
    return text.replace("%", "%%")


def _operation_options(operation: Operation[Any]) -> list[click.Option]:
    options = []
    for parameter in operation.arguments:
        long_name = "--" + parameter.python_name.replace("_", "-")
        flags = _FLAGS.get(parameter.python_name, ())
        if any(flag.startswith("--") for flag in flags):
            long_name = ""  # a historical long name replaces the derived one
        decls = [flag for flag in (long_name, *flags) if flag]
        options.append(
            click.Option(
                [*decls, parameter.python_name],
                type=_option_type(parameter),
                required=parameter.required,
                help=_help(parameter),
                metavar="DATETIME" if parameter.kind == "date-time" else None,
            )
        )
    return options


_CLIENT_OPTIONS: Final = [
    click.Option(["--json", "as_json"], is_flag=True, help="Print JSON instead of a table."),
    click.Option(
        ["--fake"], is_flag=True, help="Query a built-in fake service (demo data) instead."
    ),
    click.Option(["--token"], envvar=ENV_TOKEN, show_envvar=True, help="API token."),
    click.Option(["--client-id"], envvar=ENV_CLIENT_ID, show_envvar=True, help="Vaix group name."),
    click.Option(["--base-url"], envvar=ENV_BASE_URL, show_envvar=True, help="API root URL."),
    click.Option(
        ["--environment"],
        type=click.Choice(["production", "staging"]),
        envvar=ENV_ENVIRONMENT,
        show_envvar=True,
        help="Which Vaix API (ignored with --base-url).",
    ),
    click.Option(
        ["--auth-method"], type=click.Choice(["vaix", "iam"]), help="How the token is checked."
    ),
    click.Option(
        ["--timeout"], type=click.FloatRange(min=0, min_open=True), help="Seconds per attempt."
    ),
    click.Option(["--max-retries"], type=click.IntRange(min=0), default=2, show_default=True),
]


def _command(operation: Operation[Any], name: str) -> click.Command:
    """One command for one operation: its options come from the operation's description."""
    summary = " ".join(operation.summary.split()) or operation.operation_id

    def callback(**options: Any) -> None:  # noqa: ANN401 - click's keyword bag
        arguments = {p.python_name: options.pop(p.python_name) for p in operation.arguments}
        as_json = options.pop("as_json")
        result = asyncio.run(_call(operation, arguments, options))
        click.echo(_to_json(result) if as_json else _table(result, operation))

    return click.Command(
        name,
        callback=callback,
        params=[*_operation_options(operation), *_CLIENT_OPTIONS],
        help=f"{summary}.\n\n{operation.http_method} {operation.path}",
        short_help=summary,
    )


async def _call(
    operation: Operation[Any], arguments: dict[str, Any], options: dict[str, Any]
) -> object:
    """Call ``operation`` on the API or on the fake."""
    fake = options.pop("fake")
    client_options = {key: value for key, value in options.items() if value is not None}
    if not fake:
        async with VaixClient(**client_options) as vaix:
            return await _invoke(vaix, operation, arguments)
    from vaix_client.testing import FakeVaix  # noqa: PLC0415 - only with --fake

    demo = FakeVaix(seed=0)
    client_options.update(token=demo.token, client_id=demo.client_id, base_url=FAKE_BASE_URL)
    async with (
        httpx.AsyncClient(transport=demo.transport()) as http,
        VaixClient(http_client=http, **client_options) as vaix,
    ):
        return await _invoke(vaix, operation, arguments)


async def _invoke(vaix: VaixClient, operation: Operation[Any], arguments: dict[str, Any]) -> object:
    """The send path every generated method uses (``vaix.<tag>.<method>`` is a typed front)."""
    return (await vaix.request(operation, arguments)).parsed


def _add_operation_commands(group: click.Group) -> None:
    """``<tag> <method>`` for every operation, and ``<method>`` alone when it is unambiguous."""
    names = [operation.method_name for operation in OPERATIONS]
    for operation in OPERATIONS:
        tag_name = operation.resource.replace("_", "-")
        tag_group = group.commands.get(tag_name)
        if not isinstance(tag_group, click.Group):
            tag_group = click.Group(
                tag_name, help=f"The operations tagged {operation.tag}.", no_args_is_help=True
            )
            group.add_command(tag_group)
        command_name = operation.method_name.replace("_", "-")
        tag_group.add_command(_command(operation, command_name))
        if names.count(operation.method_name) == 1 and command_name not in group.commands:
            group.add_command(_command(operation, command_name))


_add_operation_commands(cli)


def _plain(value: object) -> object:
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def _to_json(result: object) -> str:
    rows = result if isinstance(result, list) else _plain(result)
    if isinstance(rows, list):
        rows = [_plain(row) for row in rows]
    return json.dumps(rows, indent=2, ensure_ascii=False, default=str)


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


def _game(row: object) -> str:
    name = getattr(row, "game_name", UNSET)
    return _text(getattr(row, "game_id", UNSET) if isinstance(name, Unset) else name)


#: Table columns: header, the model attribute it needs, and how a row shows it.
_COLUMNS: Final[tuple[tuple[str, str, Callable[[object], str]], ...]] = (
    ("GAME", "game_id", _game),
    ("STUDIO", "game_studio", lambda row: _text(getattr(row, "game_studio", UNSET))),
    ("STARTED", "started", lambda row: _started(getattr(row, "started", UNSET))),
    (
        "DURATION",
        "total_duration_in_seconds",
        lambda row: _duration(getattr(row, "total_duration_in_seconds", UNSET)),
    ),
)


def _nothing(operation: Operation[Any]) -> str:
    """What an empty list is called: ``GameSession`` items -> "No sessions."."""
    model = operation.item_model or operation.response_model
    words = re.findall(r"[A-Z][a-z0-9]*", model.__name__ if model is not None else "")
    return f"No {words[-1].lower()}s." if words else "No results."


def _table(result: object, operation: Operation[Any]) -> str:
    """A readable table of a list of sessions; JSON for any other result."""
    if not isinstance(result, list):
        return _to_json(result)
    if not result:
        return _nothing(operation)
    model = type(result[0])
    # Only items with every column's field (sessions) get the table: a table of some
    # of them would hide the rest of another model's fields (JSON shows them all).
    names = attrs.fields_dict(model) if attrs.has(model) else {}
    if not all(field in names for _, field, _ in _COLUMNS):
        return _to_json(result)
    columns = _COLUMNS
    headers = tuple(header for header, _, _ in columns)
    rows = [tuple(show(row) for _, _, show in columns) for row in result]
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
