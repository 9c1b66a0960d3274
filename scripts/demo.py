"""``make demo``: start the fake Vaix API on loopback and query it with the CLI.

Everything crosses a real socket: ``vaix-client fake-server`` runs in its own
process on a free 127.0.0.1 port, and each query is a separate
``vaix-client latest`` process configured through ``VAIX_*`` variables, as a
user would run it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "vaix_client"]
QUERIES = [
    (
        "The 5 latest sessions of user 7, one per game per day (the server's default)",
        ["latest", "--user", "7", "--count", "5"],
    ),
    (
        "Every session of user 7 (no distinction), longer than 10 minutes",
        ["latest", "--user", "7", "--count", "5", "--distinction-level", "none",
         "--minimum-duration", "600"],
    ),
    (
        "User 12's most recent session per game, on Evolution or Pragmatic Play live games",
        ["latest", "--user", "12", "--distinction-level", "unique", "--count", "5",
         "--filters", "game_studio:in:Evolution,Pragmatic Play;is_live:eq:1"],
    ),
    (
        "Only some fields, as JSON",
        ["latest", "--user", "3", "--count", "2", "--fields", "game_id,game_name,started",
         "--json"],
    ),
]  # fmt: skip


def start_server() -> tuple[subprocess.Popen[str], str]:
    """Start the fake server on a free port and wait for the URL it prints."""
    server = subprocess.Popen(
        [*CLI, "fake-server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if server.stdout is None:  # pragma: no cover - stdout=PIPE always gives one
        raise SystemExit("no pipe to the fake server")
    deadline = time.monotonic() + 20
    for line in server.stdout:
        print(f"  [fake-server] {line.rstrip()}")
        if match := re.search(r"listening on (http://\S+)", line):
            return server, match.group(1)
        if time.monotonic() > deadline:
            break
    server.kill()
    raise SystemExit("the fake server did not start")


def main() -> int:
    """Run the demo; return the exit code."""
    print("Starting the fake Vaix API (vaix-client fake-server) on loopback...")
    server, url = start_server()
    env = {
        **os.environ,
        "VAIX_BASE_URL": url,
        "VAIX_API_TOKEN": "demo-token",
        "VAIX_CLIENT_ID": "demo",
        "TZ": os.environ.get("TZ", "UTC"),
    }
    failed = 0
    try:
        for title, args in QUERIES:
            print(f"\n# {title}\n$ vaix-client {shlex.join(args)}")
            result = subprocess.run([*CLI, *args], env=env, check=False)
            failed += result.returncode != 0
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print("\nStopped the fake server." if not failed else f"\n{failed} query(ies) failed.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
