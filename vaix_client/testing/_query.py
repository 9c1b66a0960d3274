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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from vaix_client._rules import selectable_fields
from vaix_client.errors import InvalidRequestError
from vaix_client.filters import And, matches, parse_filters
from vaix_client.testing._spec import BadRequest, Unprocessable, check_query, operation_at
from vaix_client.testing._store import SessionStore, distinct

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = [
    "SESSIONS_PATH",
    "BadRequest",
    "SessionQuery",
    "Unprocessable",
    "parse_query",
    "run_query",
]

SESSIONS_PATH: Final = "/api/casino/game_sessions/latest"
"""The operation whose documented semantics the fake implements (the rest come from the spec)."""
LATEST: Final = operation_at(SESSIONS_PATH)


def _default(name: str, fallback: Any) -> Any:  # noqa: ANN401 - the spec's default, as typed there
    parameter = LATEST.parameter(name)
    return fallback if parameter is None or parameter.default is None else parameter.default


def _enum(name: str) -> tuple[str, ...]:
    parameter = LATEST.parameter(name)
    return () if parameter is None or parameter.enum is None else tuple(map(str, parameter.enum))


DISTINCTION_LEVELS: Final = _enum("distinction_level")
"""The spec's distinction levels."""
SELECTABLE_FIELDS: Final = selectable_fields(LATEST)
"""Names ``fields`` accepts: the spec's ``fields`` list plus every GameSession property."""
DEFAULT_COUNT: Final[int] = _default("count", 10)
DEFAULT_DISTINCTION: Final[str] = _default("distinction_level", "daily")


@dataclass(frozen=True)
class SessionQuery:
    """A validated query of the sessions endpoint."""

    user: str
    count: int = DEFAULT_COUNT
    distinction_level: str = DEFAULT_DISTINCTION
    minimum_duration: int | None = None
    before_date: datetime | None = None
    after_date: datetime | None = None
    filters: And | None = None
    fields: tuple[str, ...] | None = None


def parse_query(params: Mapping[str, str]) -> SessionQuery:
    """Read and validate the parameters; raise :class:`BadRequest` or :class:`Unprocessable`.

    The types, limits and enums come from the operation's description; the
    filter grammar, field names and the bookmaker pair are the documented rules.
    """
    values, errors = check_query(LATEST, params)
    filters: And | None = None
    if (wire := params.get("filters")) is not None:
        try:
            filters = parse_filters(wire)
        except InvalidRequestError as exc:
            raise BadRequest(f"parameter 'filters' is malformed: {exc}") from None
    fields = None if (names := params.get("fields")) is None else tuple(names.split(","))
    unknown = [name for name in fields or () if name not in SELECTABLE_FIELDS]
    if unknown:
        errors["fields"] = [f"unknown field {name!r}" for name in unknown]
    if "bookmaker_id" in values and "sub_bookmaker_id" not in values:
        errors["sub_bookmaker_id"] = ["is required together with bookmaker_id"]
    if "sub_bookmaker_id" in values and "bookmaker_id" not in values:
        errors["bookmaker_id"] = ["is required together with sub_bookmaker_id"]
    if errors:
        raise Unprocessable(errors)
    return SessionQuery(
        user=str(values["user"]),
        count=int(values.get("count", DEFAULT_COUNT)),  # type: ignore[call-overload]
        distinction_level=str(values.get("distinction_level", DEFAULT_DISTINCTION)),
        minimum_duration=values.get("minimum_duration"),  # type: ignore[arg-type]
        before_date=values.get("before_date"),  # type: ignore[arg-type]
        after_date=values.get("after_date"),  # type: ignore[arg-type]
        filters=filters,
        fields=fields,
    )


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
