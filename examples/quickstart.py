"""Quickstart: a player's latest game sessions, filtered, with only the fields you need.

Against the real API (token and group name from the environment)::

    VAIX_API_TOKEN=... VAIX_CLIENT_ID=acme python examples/quickstart.py 123

Against the fake (start ``vaix-client fake-server`` in another terminal; it
prints the settings to export)::

    export VAIX_BASE_URL=http://127.0.0.1:8000 VAIX_API_TOKEN=demo-token VAIX_CLIENT_ID=demo
    python examples/quickstart.py 7
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from vaix_client import UNSET, GameSession, VaixClient
from vaix_client.filters import in_

if TYPE_CHECKING:
    import httpx

STUDIOS = ["NetEnt", "Relax Gaming"]
FIELDS = ["game_id", "game_name", "game_studio", "started", "total_duration_in_seconds"]


def describe(session: GameSession) -> str:
    """One line per session; a field the server did not send (UNSET) prints as "-"."""
    when = session.started.strftime("%Y-%m-%d %H:%M %Z") if session.started is not UNSET else "-"
    seconds = session.total_duration_in_seconds
    duration = f"{seconds / 60:.0f} min" if seconds is not UNSET and seconds is not None else "-"
    return f"{when}  {session.game_name}  ({session.game_studio}, {duration})"


async def main(
    user: str = "7",
    *,
    base_url: str | None = None,
    http_client: httpx.AsyncClient | None = None,
) -> list[GameSession]:
    """Print ``user``'s five latest sessions on games from ``STUDIOS``; return them.

    The token, client id and API root come from ``VAIX_API_TOKEN``,
    ``VAIX_CLIENT_ID`` and ``VAIX_BASE_URL`` (or ``VAIX_ENVIRONMENT``) unless
    given; ``http_client`` brings your own httpx client (proxies, tests).
    """
    async with VaixClient(base_url=base_url, http_client=http_client) as vaix:
        sessions = await vaix.game_sessions.latest(
            user,
            count=5,
            distinction_level="unique",  # the most recent session of each game
            filters=in_("game_studio", STUDIOS),  # sent as game_studio:in:NetEnt,Relax Gaming
            fields=FIELDS,  # only what we print
        )
    print(f"User {user}'s latest games from {' or '.join(STUDIOS)}:")
    for session in sessions:
        print(f"  {describe(session)}")
    if not sessions:
        print("  (none)")
    return sessions


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:2]))
