"""A small real service: "recently played games" for the signed-in player.

Run it with ``uvicorn examples.fastapi_app:app`` (VAIX_API_TOKEN and
VAIX_CLIENT_ID set, or VAIX_BASE_URL pointing at ``vaix-client fake-server``).
Its tests (tests/test_example_fastapi_app.py) drive it against the fake.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query

from vaix_client.fastapi import VaixDep, add_vaix_error_handlers, vaix_lifespan

app = FastAPI(title="Recently played", lifespan=vaix_lifespan(max_retries=1, total_timeout=10))
add_vaix_error_handlers(app)


@app.get("/me/recently-played")
async def recently_played(
    vaix: VaixDep,
    x_player_id: Annotated[str, Header(description="The signed-in player (set by the gateway).")],
    count: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[dict[str, Any]]:
    """The player's most recent session per game, newest first (only the fields asked for)."""
    if not x_player_id.strip():
        raise HTTPException(status_code=401, detail="Sign in first.")
    sessions = await vaix.game_sessions.latest(
        x_player_id,
        count=count,
        distinction_level="unique",
        fields=["game_id", "game_name", "game_studio", "started"],
    )
    # to_dict() is JSON-ready: ISO 8601 dates, no UNSET (fields not sent are left out).
    return [session.to_dict() for session in sessions]
