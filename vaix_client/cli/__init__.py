"""The ``vaix-client`` command line (installed with the ``cli`` extra)."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    try:
        from vaix_client.cli._commands import run  # noqa: PLC0415 - click is an optional extra
    except ImportError as exc:  # pragma: no cover - depends on what is installed
        missing = exc.name or "a dependency"
        print(  # noqa: T201
            f"vaix-client: the command line needs {missing}: "
            "pip install 'vaix-client[cli,testing]'",
            file=sys.stderr,
        )
        return 1
    return run(argv)
