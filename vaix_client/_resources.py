"""``vaix.game_sessions``: the casino game-sessions endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vaix_client._validation import build_query

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from vaix_client._client import VaixClient
    from vaix_client._generated.models.game_session import GameSession
    from vaix_client._response import ApiResponse
    from vaix_client.filters import FilterExpression

__all__ = ["GameSessions"]


class GameSessions:
    """Calls on ``GET /api/casino/game_sessions/latest``."""

    def __init__(self, client: VaixClient) -> None:
        self._client = client

    async def latest(
        self,
        user: str,
        *,
        count: int | None = None,
        distinction_level: str | None = None,
        minimum_duration: int | None = None,
        before_date: dt.datetime | None = None,
        after_date: dt.datetime | None = None,
        filters: str | FilterExpression | None = None,
        fields: Iterable[str] | None = None,
        operator: str | None = None,
        bookmaker_id: int | None = None,
        sub_bookmaker_id: int | None = None,
    ) -> list[GameSession]:
        """The user's latest game sessions, newest first, exactly as the server ordered them.

        ``None`` means "not sent" (the server's default applies): ``count`` 1..100
        (default 10); ``distinction_level`` ``"daily"`` (default: one session per
        game per day), ``"none"`` or ``"unique"``; ``minimum_duration`` keeps
        sessions that lasted more than that many seconds; ``before_date``
        (inclusive) and ``after_date`` (exclusive) are timezone-aware datetimes;
        ``filters`` is a wire string or an expression from
        :mod:`vaix_client.filters`; ``fields`` selects property names.
        ``operator``, ``bookmaker_id`` and ``sub_bookmaker_id`` (the last two
        together) default to the client's. Bad arguments raise
        :class:`~vaix_client.errors.InvalidRequestError` before any I/O.
        """
        detailed = await self.latest_detailed(
            user,
            count=count,
            distinction_level=distinction_level,
            minimum_duration=minimum_duration,
            before_date=before_date,
            after_date=after_date,
            filters=filters,
            fields=fields,
            operator=operator,
            bookmaker_id=bookmaker_id,
            sub_bookmaker_id=sub_bookmaker_id,
        )
        return detailed.parsed

    async def latest_detailed(
        self,
        user: str,
        *,
        count: int | None = None,
        distinction_level: str | None = None,
        minimum_duration: int | None = None,
        before_date: dt.datetime | None = None,
        after_date: dt.datetime | None = None,
        filters: str | FilterExpression | None = None,
        fields: Iterable[str] | None = None,
        operator: str | None = None,
        bookmaker_id: int | None = None,
        sub_bookmaker_id: int | None = None,
    ) -> ApiResponse[list[GameSession]]:
        """Like :meth:`latest`, with the raw response: status, headers, body, attempts, timing."""
        operator, bookmaker_id, sub_bookmaker_id = self._client.resolve_defaults(
            operator, bookmaker_id, sub_bookmaker_id
        )
        query = build_query(
            user=user,
            count=count,
            distinction_level=distinction_level,
            minimum_duration=minimum_duration,
            before_date=before_date,
            after_date=after_date,
            filters=filters,
            fields=fields,
            operator=operator,
            bookmaker_id=bookmaker_id,
            sub_bookmaker_id=sub_bookmaker_id,
        )
        return await self._client.send_latest(query)
