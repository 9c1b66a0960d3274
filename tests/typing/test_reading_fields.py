"""Every GameSession field read the documented way: checked by mypy and pyright, never run.

``if s.<field> is not UNSET:`` narrows ``T | Unset`` to ``T``; ``tests/test_typing.py``
also checks that the same reads without the narrowing fail both checkers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, assert_type

from vaix_client import UNSET, GameImage, GameSession

__test__ = False  # pytest: this module holds no tests, only code for the type checkers


def read_every_field(s: GameSession) -> list[object]:  # noqa: C901, PLR0912, PLR0915 - a branch per field
    """Each optional field, narrowed by ``is not UNSET`` (and ``is not None`` where nullable)."""
    seen: list[object] = []
    if s.category is not UNSET and s.category is not None:
        seen.append(s.category.upper())
    if s.channels is not UNSET and s.channels is not None:
        seen.append([channel.upper() for channel in s.channels])
    if s.enabled is not UNSET and s.enabled is not None:
        seen.append(s.enabled > 0)
    if s.first_transaction is not UNSET and s.first_transaction is not None:
        seen.append(s.first_transaction.isoformat())
    if s.game_id is not UNSET:
        assert_type(s.game_id, str)
        seen.append(s.game_id.upper())
    if s.game_image_url is not UNSET and s.game_image_url is not None:
        seen.append(s.game_image_url.startswith("https://"))
    if s.game_link is not UNSET and s.game_link is not None:
        seen.append(s.game_link.strip())
    if s.game_name is not UNSET:
        seen.append(s.game_name.title())
    if s.game_studio is not UNSET and s.game_studio is not None:
        seen.append(s.game_studio.lower())
    flags = (s.has_avalanche, s.has_bonus, s.has_buy, s.has_jackpot, s.has_megaways)
    seen.extend(not flag for flag in flags if flag is not UNSET and flag is not None)
    if s.has_sticky is not UNSET and s.has_sticky is not None:
        seen.append(not s.has_sticky)
    if s.images is not UNSET and s.images is not None:
        for image in s.images:
            assert_type(image, GameImage)
            if image.url is not UNSET:
                seen.append(image.url.split("/"))
            if image.type_ is not UNSET:
                seen.append(image.type_.upper())
    if s.internal_game_id is not UNSET and s.internal_game_id is not None:
        seen.append(s.internal_game_id.upper())
    if s.is_live is not UNSET and s.is_live is not None:
        seen.append(not s.is_live)
    if s.max_bet is not UNSET and s.max_bet is not None:
        seen.append(round(s.max_bet, 2))
    if s.min_bet is not UNSET and s.min_bet is not None:
        seen.append(round(s.min_bet, 2))
    if s.release_date is not UNSET and s.release_date is not None:
        seen.append(s.release_date.year)
    if s.started is not UNSET:
        assert_type(s.started, dt.datetime)
        seen.append(s.started.isoformat())
    if s.total_duration_in_seconds is not UNSET and s.total_duration_in_seconds is not None:
        seen.append(s.total_duration_in_seconds / 60)
    if s.vaix_category is not UNSET and s.vaix_category is not None:
        seen.append(s.vaix_category.upper())
    if s.vaix_game_studio is not UNSET and s.vaix_game_studio is not None:
        seen.append(s.vaix_game_studio.upper())
    if s.vaix_tags is not UNSET and s.vaix_tags is not None:
        seen.append(sorted(s.vaix_tags))
    extra: dict[str, Any] = s.additional_properties
    seen.append(extra)
    return seen


def as_json(sessions: list[GameSession]) -> list[dict[str, Any]]:
    """What a FastAPI route returns: ``to_dict()`` is JSON-ready."""
    return [s.to_dict() for s in sessions]
