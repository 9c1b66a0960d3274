"""The sessions endpoint's query parameters: reading, validation and their semantics.

Bad parameters, our reading (the documentation lists 400 and 422 without
saying which is which):

* **400** with an ``Error`` body (``{"error": "...", "status": "error"}``) when
  the request cannot be read: ``user`` missing or empty; ``count`` or
  ``minimum_duration`` not an integer; ``before_date`` or ``after_date`` not
  ISO 8601; ``bookmaker_id`` or ``sub_bookmaker_id`` not an integer;
  ``filters`` not in the filter grammar. Only the first such problem, in that
  order, is reported.
* **422** with an ``Errors`` body (``{"errors": {"count": ["must be between 1
  and 100"]}}``) when every value reads but some are not allowed: ``count``
  outside 1..100, an unknown ``distinction_level``, a negative
  ``minimum_duration``, an unknown name in ``fields``, ``bookmaker_id``
  without ``sub_bookmaker_id`` or the reverse. Every such problem is reported,
  keyed by parameter.

Semantics, applied in this order: the date window (``after_date`` exclusive,
``before_date`` inclusive; anything ``datetime.fromisoformat`` reads is
accepted, a naive timestamp or a bare date being UTC; ``after_date`` later than
``before_date`` simply selects nothing), ``minimum_duration`` (keeps sessions
that lasted *more* than the value; a session without a duration is dropped;
absent means no filtering, as the parameter's description says, although its
schema declares a default of 60), ``filters`` (on the session as sent, with
:func:`vaix_client.filters.matches`; a field name is never refused, since the
spec's own list names fields sessions lack: a missing field passes only
``neq``/``nin``),
``distinction_level`` (``daily``: the newest session per game and UTC calendar
day; ``unique``: the newest per game; ``none``), then ``count`` (default 10),
then ``fields``. Absent ``fields`` sends every field: the schema's declared
default ``game_id`` is not applied (our reading: the endpoint exists to
return sessions). ``operator``, ``bookmaker_id`` and ``sub_bookmaker_id`` are
validated and otherwise ignored (the fake has one operator); unknown
parameters are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from vaix_client.errors import InvalidRequestError
from vaix_client.filters import And, matches, parse_filters
from vaix_client.models import GameSessionField
from vaix_client.testing._store import (
    GAME_SESSION_PROPERTIES,
    SessionStore,
    distinct,
    parse_timestamp,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["BadRequest", "SessionQuery", "Unprocessable", "parse_query", "run_query"]

DISTINCTION_LEVELS: Final = ("daily", "none", "unique")
SELECTABLE_FIELDS: Final = frozenset(GAME_SESSION_PROPERTIES) | {f.value for f in GameSessionField}
"""Names ``fields`` accepts: the spec's ``fields`` list plus every GameSession property."""
MAX_COUNT: Final = 100
DEFAULT_COUNT: Final = 10
_INTEGER: Final = re.compile(r"[+-]?\d+", re.ASCII)


class BadRequest(Exception):  # noqa: N818 - named after the status it answers
    """A parameter cannot be read: answered 400 with an ``Error`` body."""


class Unprocessable(Exception):  # noqa: N818 - named after the status it answers
    """Parameters read but are not allowed: answered 422 with an ``Errors`` body."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class SessionQuery:
    """A validated query of the sessions endpoint."""

    user: str
    count: int = DEFAULT_COUNT
    distinction_level: str = "daily"
    minimum_duration: int | None = None
    before_date: datetime | None = None
    after_date: datetime | None = None
    filters: And | None = None
    fields: tuple[str, ...] | None = None


def _integer(params: Mapping[str, str], name: str) -> int | None:
    text = params.get(name)
    if text is None:
        return None
    if not _INTEGER.fullmatch(text):
        raise BadRequest(f"parameter {name!r} must be an integer, got {text!r}")
    return int(text)


def _timestamp(params: Mapping[str, str], name: str) -> datetime | None:
    text = params.get(name)
    if text is None:
        return None
    try:
        return parse_timestamp(text, naive_is_utc=True)
    except ValueError:
        raise BadRequest(
            f"parameter {name!r} must be an ISO 8601 date-time (e.g. 2026-10-31T12:00:00Z),"
            f" got {text!r}"
        ) from None


def parse_query(params: Mapping[str, str]) -> SessionQuery:
    """Read and validate the parameters; raise :class:`BadRequest` or :class:`Unprocessable`."""
    user = params.get("user")
    if not user:
        raise BadRequest("missing required parameter 'user'")
    count = _integer(params, "count")
    query = SessionQuery(
        user=user,
        count=DEFAULT_COUNT if count is None else count,
        distinction_level=params.get("distinction_level", "daily"),
        minimum_duration=_integer(params, "minimum_duration"),
        before_date=_timestamp(params, "before_date"),
        after_date=_timestamp(params, "after_date"),
        fields=None if (names := params.get("fields")) is None else tuple(names.split(",")),
    )
    bookmaker_id = _integer(params, "bookmaker_id")
    sub_bookmaker_id = _integer(params, "sub_bookmaker_id")
    if (wire := params.get("filters")) is not None:
        try:
            query = replace(query, filters=parse_filters(wire))
        except InvalidRequestError as exc:
            raise BadRequest(f"parameter 'filters' is malformed: {exc}") from None
    errors = _problems(query)
    if bookmaker_id is not None and sub_bookmaker_id is None:
        errors["sub_bookmaker_id"] = ["is required together with bookmaker_id"]
    if sub_bookmaker_id is not None and bookmaker_id is None:
        errors["bookmaker_id"] = ["is required together with sub_bookmaker_id"]
    if errors:
        raise Unprocessable(errors)
    return query


def _problems(query: SessionQuery) -> dict[str, list[str]]:
    """The values that read but are not allowed, by parameter."""
    errors: dict[str, list[str]] = {}
    if not 1 <= query.count <= MAX_COUNT:
        errors["count"] = [f"must be between 1 and {MAX_COUNT}"]
    if query.distinction_level not in DISTINCTION_LEVELS:
        errors["distinction_level"] = [f"must be one of {', '.join(DISTINCTION_LEVELS)}"]
    if query.minimum_duration is not None and query.minimum_duration < 0:
        errors["minimum_duration"] = ["must be greater than or equal to 0"]
    unknown = [name for name in query.fields or () if name not in SELECTABLE_FIELDS]
    if unknown:
        errors["fields"] = [f"unknown field {name!r}" for name in unknown]
    return errors


def run_query(
    store: SessionStore, query: SessionQuery, *, default_before: datetime | None
) -> list[dict[str, object]]:
    """The response's ``data``: the user's sessions with every parameter applied."""
    sessions = store.newest_first(query.user)
    before = query.before_date or default_before
    if before is not None:
        sessions = [s for s in sessions if s.started <= before]
    if query.after_date is not None:
        after = query.after_date
        sessions = [s for s in sessions if s.started > after]
    if query.minimum_duration is not None:
        least = query.minimum_duration
        sessions = [s for s in sessions if s.duration is not None and s.duration > least]
    if query.filters is not None:
        expr = query.filters
        sessions = [s for s in sessions if matches(expr, s.body)]
    if query.distinction_level == "daily":
        sessions = distinct(sessions, lambda s: (s.body["game_id"], s.started.date()))
    elif query.distinction_level == "unique":
        sessions = distinct(sessions, lambda s: s.body["game_id"])
    chosen = sessions[: query.count]
    if query.fields is None:
        return [dict(s.body) for s in chosen]
    return [{k: s.body[k] for k in query.fields if k in s.body} for s in chosen]
