"""Check ``game_sessions.latest`` arguments before any I/O and turn them into query values.

The limits come from the spec (count 1..100, minimum_duration >= 0, the
distinction levels, the selectable field names) and from VAIX_API.md (aware
datetimes, paired bookmaker ids). Every refusal is an
:class:`~vaix_client.errors.InvalidRequestError` naming the argument and what
is allowed. ``None`` always means "not sent": the server's default applies.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
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


def _httpx_max_url_length() -> int:
    """The longest URL httpx accepts (its private constant; 64 KiB if it moves)."""
    try:
        from httpx._urlparse import MAX_URL_LENGTH  # noqa: PLC0415 - private, may go away
    except ImportError:  # pragma: no cover - a future httpx
        return 65536
    return int(MAX_URL_LENGTH)


_MAX_SHOWN: Final = 80
_MAX_URL_LENGTH: Final[int] = _httpx_max_url_length()
#: Room left for the base URL, the path and the parameter names.
_URL_SLACK: Final = 2048


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
            f"user must be a non-empty str (the player id), got {_shown(user)}", argument="user"
        )
    _encodable(user, "user")
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
        "filters": UNSET if filters is None else _encodable(compile_filters(filters), "filters"),
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
    _check_url_length(kwargs)
    return LatestQuery(kwargs)


def _shown(value: object) -> str:
    """``repr(value)`` cut short: a huge argument must not make a huge message."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real problem
        text = f"<{type(value).__name__}>"
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _encodable(value: str, argument: str) -> str:
    """Refuse text that cannot travel as UTF-8 (a lone surrogate from a bad decode)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequestError(
            f"{argument} contains a character that cannot be sent ({value[exc.start]!r} at "
            f"index {exc.start}: a lone surrogate, usually from decoding bytes wrongly)",
            argument=argument,
        ) from None
    return value


def _check_url_length(kwargs: dict[str, Any]) -> None:
    """Refuse a query that would not fit in a URL, naming its longest argument."""
    lengths = {
        name: len(urllib.parse.quote(str(value), safe=""))
        for name, value in kwargs.items()
        if isinstance(value, str)
    }
    if sum(lengths.values()) + _URL_SLACK <= _MAX_URL_LENGTH:
        return
    longest = max(lengths, key=lengths.__getitem__)
    raise InvalidRequestError(
        f"{longest} is too long to send: {lengths[longest]} characters once URL-encoded, and "
        f"the whole URL may have at most {_MAX_URL_LENGTH}",
        argument=longest,
    )


def _int_in(value: object, argument: str, low: int, high: int | None) -> int:
    allowed = f"an int from {low} to {high}" if high is not None else f"an int >= {low}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(
            f"{argument} must be {allowed}, got {type(value).__name__} {_shown(value)}",
            argument=argument,
        )
    if value < low or (high is not None and value > high):
        raise InvalidRequestError(
            f"{argument} must be {allowed}, got {_shown(value)}", argument=argument
        )
    try:
        str(value)
    except ValueError:  # more digits than Python will write (sys.get_int_max_str_digits)
        raise InvalidRequestError(
            f"{argument} is too large to send ({value.bit_length()} bits)", argument=argument
        ) from None
    return value


def _distinction(value: str | None) -> object:
    if value is None:
        return UNSET
    try:
        return DistinctionLevel(value)
    except ValueError:
        raise InvalidRequestError(
            f"distinction_level must be one of {', '.join(map(repr, _DISTINCTION_LEVELS))}, "
            f"got {_shown(value)}",
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
    try:
        items = list(value)
    except TypeError:
        raise InvalidRequestError(
            f"fields must be a list of names such as ['game_id', 'game_name'], "
            f"got {type(value).__name__}",
            argument="fields",
        ) from None
    names: list[str] = []
    for name in items:
        plain = name.value if isinstance(name, GameSessionField) else name
        if not isinstance(plain, str) or plain not in SELECTABLE_FIELDS:
            raise InvalidRequestError(
                f"fields: unknown field name {_shown(plain)}; allowed: "
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
            f"operator must be a non-empty str, got {_shown(value)}", argument="operator"
        )
    return _encodable(value, "operator")
