"""Sessions per user, kept in the form the API sends them, and the demo catalogue.

A stored session is its JSON body (every ``GameSession`` property present, ``None``
when unset, date-times as ISO 8601 with ``Z``, extra keys kept as given) beside the
parsed ``started`` and an insertion number, so queries sort and window without
re-parsing and the fake can send back exactly what a test stored.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

import attrs

from vaix_client.models import GameSession

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "DEMO_REFERENCE",
    "GAME_SESSION_PROPERTIES",
    "SessionStore",
    "StoredSession",
    "demo_sessions",
    "distinct",
    "parse_timestamp",
    "wire_timestamp",
]

GAME_SESSION_PROPERTIES: Final = tuple(
    a.name for a in attrs.fields(GameSession) if a.name != "additional_properties"
)
"""Every property of the spec's ``GameSession`` (read from the generated model)."""

DEMO_REFERENCE: Final = datetime(2026, 11, 1, tzinfo=UTC)
"""The demo catalogue's "now" when the fake has no clock: fixed, so data is deterministic."""


def wire_timestamp(value: datetime) -> str:
    """Render an aware datetime as the API does: ISO 8601 in UTC with a ``Z``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: give it a timezone")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_timestamp(text: str, *, naive_is_utc: bool) -> datetime:
    """Parse ISO 8601 (offset or ``Z``); a naive value is UTC only if ``naive_is_utc``."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise ValueError(f"naive timestamp {text!r}: give it an offset or 'Z'")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class StoredSession:
    """One session: its wire body, parsed start and duration, and insertion number."""

    seq: int
    started: datetime
    duration: float | None
    body: dict[str, object]


def _wire_value(key: str, value: object) -> object:
    if isinstance(value, datetime):
        try:
            return wire_timestamp(value)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    return value


class SessionStore:
    """Sessions per user; :meth:`newest_first` hands them out sorted for a query."""

    def __init__(self) -> None:
        self._by_user: dict[str, list[StoredSession]] = {}
        self._seq = 0

    def add(self, user: str, fields: Mapping[str, object]) -> dict[str, object]:
        """Store one session for ``user`` and return its wire body.

        ``game_id``, ``game_name`` (strings) and ``started`` (an aware datetime or
        an ISO 8601 string with an offset) are required; ``datetime`` values of
        any key are rendered with ``Z``; keys the spec does not define are kept.
        """
        for key in ("game_id", "game_name"):
            if not isinstance(fields.get(key), str):
                raise TypeError(f"a session needs a string {key!r}, got {fields.get(key)!r}")
        started = fields.get("started")
        if isinstance(started, str):
            started = parse_timestamp(started, naive_is_utc=False)
        if not isinstance(started, datetime):
            raise TypeError(f"'started' must be an aware datetime, got {started!r}")
        duration = fields.get("total_duration_in_seconds")
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, int | float)
        ):
            raise TypeError(f"'total_duration_in_seconds' must be a number, got {duration!r}")
        body: dict[str, object] = dict.fromkeys(GAME_SESSION_PROPERTIES)
        body.update({key: _wire_value(key, value) for key, value in fields.items()})
        body["started"] = wire_timestamp(started)
        self._seq += 1
        entry = StoredSession(self._seq, started.astimezone(UTC), duration, body)
        self._by_user.setdefault(user, []).append(entry)
        return body

    def newest_first(self, user: str) -> list[StoredSession]:
        """The user's sessions, newest ``started`` first; ties: last stored first."""
        entries = self._by_user.get(user, [])
        return sorted(entries, key=lambda s: (s.started, s.seq), reverse=True)

    def users(self) -> list[str]:
        """The users that have sessions, in the order they were first given one."""
        return list(self._by_user)


def distinct(
    sessions: Iterable[StoredSession], key: Callable[[StoredSession], object]
) -> list[StoredSession]:
    """Keep the first session (the newest, given newest-first input) of each key."""
    seen: set[object] = set()
    kept = []
    for session in sessions:
        k = key(session)
        if k not in seen:
            seen.add(k)
            kept.append(session)
    return kept


# ------------------------------------------------------------------ demo catalogue
# name | studio | category | Vaix themes. Invented names: demo data, not a real
# operator's catalogue. Feature flags, bets and dates are drawn from the seed.
_CATALOGUE: Final = """
Pharaoh's Fortune Megaways|Big Time Gaming|Gaming: Slots|egyptian,adventure
Sugar Rush Deluxe|Pragmatic Play|Gaming: Slots|candy
Wild Buffalo Run|Pragmatic Play|Gaming: Slots|animals,western
Golden Koi Pond|Play'n GO|Gaming: Slots|asian
Book of Ancients|Play'n GO|Gaming: Slots|egyptian,adventure
Starlight Gems|NetEnt|Gaming: Slots|gems,space
Fruit Stack Classic|NetEnt|Gaming: Slots|fruits,classic
Viking Thunder|Relax Gaming|Gaming: Slots|mythology
Olympus Rising|Pragmatic Play|Gaming: Slots|mythology
Dead Man's Gulch|Nolimit City|Gaming: Slots|western,horror
Crypt of Shadows|Nolimit City|Gaming: Slots|horror
Lucky Leprechaun Gold|Hacksaw Gaming|Gaming: Slots|irish
Pirate's Plunder|Hacksaw Gaming|Gaming: Slots|pirates,adventure
Neon Galaxy|NetEnt|Gaming: Slots|space
Jungle Quest Megaways|Big Time Gaming|Gaming: Slots|adventure,animals
Dragon's Hoard|Relax Gaming|Gaming: Slots|asian,mythology
Candy Cascade|Hacksaw Gaming|Gaming: Slots|candy
Diamond Mine Megaways|Big Time Gaming|Gaming: Slots|gems
Samurai Spirit|Play'n GO|Gaming: Slots|asian
Wolf Moon Howl|Pragmatic Play|Gaming: Slots|animals,horror
Gold Rush Express|Relax Gaming|Gaming: Slots|western
Aztec Sun Temple|Nolimit City|Gaming: Slots|adventure
Cherry Bomb 7s|NetEnt|Gaming: Slots|fruits,classic
Frozen Fjord|Relax Gaming|Gaming: Slots|mythology
Safari Kings|Big Time Gaming|Gaming: Slots|animals
Mystic Tarot|Play'n GO|Gaming: Slots|magic
Big Bass Harbour|Pragmatic Play|Gaming: Slots|fishing
Cosmic Cash|Hacksaw Gaming|Gaming: Slots|space
Dice Duel|Hacksaw Gaming|Gaming: Dice|classic
Lucky Dice 5|Pragmatic Play|Gaming: Dice|classic
Dice Tower|Play'n GO|Gaming: Dice|classic
Rocket Crash|Hacksaw Gaming|Gaming: Crash|space
Plane Dash|Pragmatic Play|Gaming: Crash|adventure
Thunder Roulette Live|Evolution|Live Casino: Roulette|classic
Auto Roulette VIP|Evolution|Live Casino: Roulette|classic,vip
Speed Roulette Live|Pragmatic Play|Live Casino: Roulette|classic
Blackjack Classic Live|Evolution|Live Casino: Blackjack|classic
Infinite Blackjack Live|Evolution|Live Casino: Blackjack|classic
Money Wheel Live|Evolution|Live Casino: Game Shows|game-show
Dice Party Live|Evolution|Live Casino: Dice|game-show
"""
_VAIX_CATEGORY: Final = {
    "Slots": "slots",
    "Dice": "dice",
    "Crash": "crash",
    "Roulette": "roulette",
    "Blackjack": "blackjack",
    "Game Shows": "game-show",
}
DEMO_WEEKS: Final = 6
_NO_IMAGE: Final = frozenset({4, 13, 22, 31})  # games with null image fields
_NO_RELEASE_DATE: Final = frozenset({7, 18, 29})  # games with a null release_date
_DISABLED: Final = frozenset({13, 30})  # games with enabled = 0


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _demo_games(rng: random.Random, reference: datetime) -> list[dict[str, object]]:
    games: list[dict[str, object]] = []
    for index, line in enumerate(_CATALOGUE.strip().splitlines()):
        name, studio, category, themes = line.split("|")
        slug, kind = _slug(name), category.split(": ")[1]
        slot, live = kind == "Slots", category.startswith("Live")
        image = None if index in _NO_IMAGE else f"https://cdn.casino.example/games/{slug}.jpg"
        game: dict[str, object] = {
            "game_id": str(1001 + index),
            "game_name": name,
            "game_studio": studio,
            "vaix_game_studio": _slug(studio),
            "category": category,
            "vaix_category": _VAIX_CATEGORY[kind],
            "vaix_tags": themes.split(","),
            "channels": ["desktop", "mobile"] if index % 5 else ["mobile"],
            "enabled": 0 if index in _DISABLED else 1,
            "internal_game_id": f"{_slug(studio)[:4]}-{slug}",
            "game_link": f"https://casino.example/play/{slug}",
            "game_image_url": image,
            "images": None
            if image is None
            else [{"type": "thumbnail", "url": image}, {"type": "background", "url": image}],
            "is_live": live,
            "has_megaways": "Megaways" in name,
            "has_bonus": slot and _chance(rng, 0.7),
            "has_buy": slot and _chance(rng, 0.4),
            "has_jackpot": _chance(rng, 0.15),
            "has_sticky": slot and _chance(rng, 0.3),
            "has_avalanche": slot and _chance(rng, 0.3),
            "min_bet": rng.choice([0.5, 1.0, 5.0] if live else [0.1, 0.2, 0.25, 0.5]),
            "max_bet": float(rng.choice([100, 250, 500, 1000, 5000])),
            "release_date": None
            if index in _NO_RELEASE_DATE
            else _midnight(reference) - timedelta(days=rng.randint(20, 2500)),
        }
        if slot:  # keys the spec's `fields` list names but GameSession does not define
            game["tags"] = ["popular"] if _chance(rng, 0.3) else []
            game["has_free_spin"] = _chance(rng, 0.6)
            game["has_wilds"] = _chance(rng, 0.8)
        games.append(game)
    return games


def demo_sessions(seed: int, reference: datetime) -> list[tuple[str, dict[str, object]]]:
    """Deterministic sessions for users ``"1"`` to ``"50"`` over the weeks before ``reference``.

    Each user has a few favourite games, plays on some days (sometimes across
    midnight UTC), often the same game several times in a row, with short
    (< 60 s) and long sessions.
    """
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    games = _demo_games(rng, reference)
    start = reference - timedelta(weeks=DEMO_WEEKS)
    sessions: list[tuple[str, dict[str, object]]] = []
    for user in (str(n) for n in range(1, 51)):
        favourites = rng.sample(games, rng.randint(3, 10))
        activity = rng.uniform(0.15, 0.8)
        for day in range(DEMO_WEEKS * 7):
            if rng.random() >= activity:
                continue
            moment = start + timedelta(days=day, seconds=rng.randint(6 * 3600, 86399))
            game = rng.choice(favourites)
            for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 6])):
                if _chance(rng, 0.4):
                    game = rng.choice(favourites)
                short = _chance(rng, 0.25)
                duration = (
                    rng.randint(3, 59) if short else min(60 + int(rng.expovariate(1 / 600)), 14400)
                )
                if moment >= reference:
                    break
                first = moment + timedelta(seconds=rng.randint(1, 3))
                fields = dict(game, started=moment, first_transaction=first)
                sessions.append((user, dict(fields, total_duration_in_seconds=duration)))
                moment += timedelta(seconds=duration + rng.randint(5, 900))
    return sessions
