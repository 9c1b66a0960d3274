"""Check ``game_sessions.latest`` arguments before any I/O and turn them into query values.

The limits come from the spec (count 1..100, minimum_duration >= 0, the
distinction levels, the selectable field names) and from VAIX_API.md (aware
datetimes, paired bookmaker ids). Every refusal is an
:class:`~vaix_client.errors.InvalidRequestError` naming the argument and what
is allowed. ``None`` always means "not sent": the server's default applies.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import attrs

from vaix_client._errors import InvalidRequestError
from vaix_client._generated.models.game_session import GameSession
from vaix_client._generated.models.game_session_field import GameSessionField
from vaix_client._generated.models.get_latest_game_sessions_distinction_level import (
    GetLatestGameSessionsDistinctionLevel as DistinctionLevel,
)
from vaix_client._generated.types import UNSET
from vaix_client.filters import FilterExpression, compile_filters

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["SELECTABLE_FIELDS", "LatestQuery", "build_query"]

MIN_COUNT: Final = 1
MAX_COUNT: Final = 100

#: Names ``fields`` may select: the spec's list, plus every GameSession
#: property (``started``, ``total_duration_in_seconds``... are not in the list).
SELECTABLE_FIELDS: Final = frozenset(
    [member.value for member in GameSessionField]
    + [field.name for field in attrs.fields(GameSession) if field.name != "additional_properties"]
)
_DISTINCTION_LEVELS: Final = tuple(level.value for level in DistinctionLevel)


@attrs.frozen
class LatestQuery:
    """Validated query arguments, ready for the generated ``_get_kwargs``."""

    kwargs: dict[str, Any]


def build_query(
    *,
    user: str,
    count: int | None,
    distinction_level: str | None,
    minimum_duration: int | None,
    before_date: dt.datetime | None,
    after_date: dt.datetime | None,
    filters: str | FilterExpression | None,
    fields: Iterable[str] | None,
    operator: str | None,
    bookmaker_id: int | None,
    sub_bookmaker_id: int | None,
) -> LatestQuery:
    """Validate every argument and map it to the generated function's keyword arguments."""
    if not isinstance(user, str) or not user.strip():
        raise InvalidRequestError(
            f"user must be a non-empty str (the player id), got {user!r}", argument="user"
        )
    kwargs: dict[str, Any] = {
        "user": user,
        # The generated signature has defaults (count=10...); pass UNSET so
        # that only what the caller gave goes on the wire.
        "count": UNSET if count is None else _int_in(count, "count", MIN_COUNT, MAX_COUNT),
        "distinction_level": _distinction(distinction_level),
        "minimum_duration": UNSET
        if minimum_duration is None
        else _int_in(minimum_duration, "minimum_duration", 0, None),
        "before_date": _aware(before_date, "before_date"),
        "after_date": _aware(after_date, "after_date"),
        "filters": UNSET if filters is None else compile_filters(filters),
        "fields": _fields(fields),
        "operator": _operator(operator),
        "bookmaker_id": UNSET,
        "sub_bookmaker_id": UNSET,
    }
    if before_date is not None and after_date is not None and after_date > before_date:
        raise InvalidRequestError(
            f"after_date ({after_date.isoformat()}) must not be later than before_date "
            f"({before_date.isoformat()})",
            argument="after_date",
        )
    if (bookmaker_id is None) != (sub_bookmaker_id is None):
        given, missing = (
            ("bookmaker_id", "sub_bookmaker_id")
            if sub_bookmaker_id is None
            else ("sub_bookmaker_id", "bookmaker_id")
        )
        raise InvalidRequestError(
            f"{given} and {missing} go together: pass both or neither", argument=missing
        )
    if bookmaker_id is not None and sub_bookmaker_id is not None:
        kwargs["bookmaker_id"] = _int_in(bookmaker_id, "bookmaker_id", 0, None)
        kwargs["sub_bookmaker_id"] = _int_in(sub_bookmaker_id, "sub_bookmaker_id", 0, None)
    return LatestQuery(kwargs)


def _int_in(value: object, argument: str, low: int, high: int | None) -> int:
    allowed = f"an int from {low} to {high}" if high is not None else f"an int >= {low}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(
            f"{argument} must be {allowed}, got {type(value).__name__} {value!r}",
            argument=argument,
        )
    if value < low or (high is not None and value > high):
        raise InvalidRequestError(f"{argument} must be {allowed}, got {value}", argument=argument)
    return value


def _distinction(value: str | None) -> object:
    if value is None:
        return UNSET
    try:
        return DistinctionLevel(value)
    except ValueError:
        raise InvalidRequestError(
            f"distinction_level must be one of {', '.join(map(repr, _DISTINCTION_LEVELS))}, "
            f"got {value!r}",
            argument="distinction_level",
        ) from None


def _aware(value: dt.datetime | None, argument: str) -> object:
    if value is None:
        return UNSET
    if not isinstance(value, dt.datetime):
        raise InvalidRequestError(
            f"{argument} must be a timezone-aware datetime, got {type(value).__name__}",
            argument=argument,
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRequestError(
            f"{argument} must be timezone-aware (we never guess a zone): "
            f"use e.g. datetime(..., tzinfo=datetime.UTC), got naive {value.isoformat()}",
            argument=argument,
        )
    return value


def _fields(value: Iterable[str] | None) -> object:
    if value is None:
        return UNSET
    if isinstance(value, str):
        raise InvalidRequestError(
            "fields must be a list of names such as ['game_id', 'game_name'], not one str",
            argument="fields",
        )
    names: list[str] = []
    for name in value:
        plain = name.value if isinstance(name, GameSessionField) else name
        if not isinstance(plain, str) or plain not in SELECTABLE_FIELDS:
            raise InvalidRequestError(
                f"fields: unknown field name {plain!r}; allowed: "
                f"{', '.join(sorted(SELECTABLE_FIELDS))}",
                argument="fields",
            )
        if plain not in names:
            names.append(plain)
    if not names:
        raise InvalidRequestError(
            "fields must name at least one field (None selects the server's default)",
            argument="fields",
        )
    return ",".join(names)


def _operator(value: str | None) -> object:
    if value is None:
        return UNSET
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            f"operator must be a non-empty str, got {value!r}", argument="operator"
        )
    return value
