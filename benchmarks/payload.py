"""Canned, realistic ``GET /api/casino/game_sessions/latest`` bodies.

Every ``GameSession`` property is set (none null, no unknown keys), with the
kind of values a casino operator sends: long CDN URLs, a few images, themes,
channels, ISO 8601 timestamps in UTC. The output is deterministic for a seed,
so every client in a run (and every run) decodes the same bytes. 100 sessions
make about 103 kB of JSON.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from vaix_client._generated.api import SPEC, resolve

__all__ = ["GAME_SESSION_FIELDS", "SIZES", "SPARSE", "SPARSE_FIELDS", "make_body", "make_sessions"]

#: The session counts the benchmarks serve.
SIZES: Final = (10, 100)

_SCHEMA: Final = resolve(SPEC["components"]["schemas"]["GameSession"])
#: Every property of the spec's ``GameSession`` schema (read from the generated package,
#: so a property upstream adds is filled too, with a value of its type).
GAME_SESSION_FIELDS: Final = tuple(_SCHEMA.get("properties", {}))

_REFERENCE: Final = datetime(2026, 11, 1, 21, 30, tzinfo=UTC)
_STUDIOS: Final = (
    "Pragmatic Play",
    "NetEnt",
    "Play'n GO",
    "Evolution Gaming",
    "Big Time Gaming",
    "Hacksaw Gaming",
    "Relax Gaming",
    "Nolimit City",
    "Push Gaming",
    "Red Tiger",
)
_WORDS: Final = (
    "Gates",
    "Olympus",
    "Sweet",
    "Bonanza",
    "Book",
    "Dead",
    "Wolf",
    "Gold",
    "Starlight",
    "Princess",
    "Big",
    "Bass",
    "Wanted",
    "Dragon",
    "Fire",
    "Joker",
    "Crazy",
    "Time",
    "Lightning",
    "Roulette",
    "Reactoonz",
    "Money",
    "Train",
    "Megaways",
    "Legacy",
    "Aztec",
    "Fortune",
    "Pirate",
)
_CATEGORIES: Final = (
    ("Gaming: Slots", "slots"),
    ("Gaming: Video Slots", "slots"),
    ("Live Casino: Roulette", "live-roulette"),
    ("Live Casino: Blackjack", "live-blackjack"),
    ("Live Casino: Game Shows", "game-shows"),
    ("Gaming: Dice", "dice"),
)
_TAGS: Final = (
    "adventure",
    "ancient-greece",
    "animals",
    "asian",
    "candy",
    "classic",
    "egypt",
    "fantasy",
    "fishing",
    "fruits",
    "gems",
    "mythology",
    "pirates",
    "western",
    "high-volatility",
    "cluster-pays",
)
_CHANNELS: Final = ("desktop", "mobile", "tablet", "app-ios", "app-android")
_IMAGE_TYPES: Final = ("thumbnail", "background", "logo", "banner")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the API sends it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _session(rng: random.Random, index: int, started: datetime) -> dict[str, object]:
    name = " ".join(rng.sample(_WORDS, rng.randint(2, 3)))
    studio = rng.choice(_STUDIOS)
    category, vaix_category = rng.choice(_CATEGORIES)
    live = category.startswith("Live")
    slot = "Slots" in category
    slug = _slug(name)
    studio_slug = _slug(studio)
    game_id = f"{studio_slug.replace('-', '')[:4]}-{rng.randint(10_000, 99_999)}"
    cdn = f"https://cdn.operator.example/games/{studio_slug}/{slug}"
    known = {
        "category": category,
        "channels": rng.sample(_CHANNELS, rng.randint(1, 3)),
        "enabled": 1,
        "first_transaction": _timestamp(started + timedelta(seconds=rng.uniform(0.5, 4.0))),
        "game_id": game_id,
        "game_image_url": f"{cdn}/thumbnail-640x480.webp",
        "game_link": f"https://www.operator.example/casino/play/{slug}",
        "game_name": name,
        "game_studio": studio,
        "has_avalanche": slot and _chance(rng, 0.3),
        "has_bonus": slot and _chance(rng, 0.7),
        "has_buy": slot and _chance(rng, 0.4),
        "has_jackpot": _chance(rng, 0.15),
        "has_megaways": "Megaways" in name,
        "has_sticky": slot and _chance(rng, 0.3),
        "images": [
            {"type": kind, "url": f"{cdn}/{kind}-{1280 if kind == 'background' else 640}.webp"}
            for kind in _IMAGE_TYPES[: rng.randint(1, 3)]
        ],
        "internal_game_id": f"{slug}-{index % 7}",
        "is_live": live,
        "max_bet": float(rng.choice((100, 250, 500, 1000, 5000))),
        "min_bet": rng.choice((0.5, 1.0, 5.0) if live else (0.1, 0.2, 0.25, 0.5)),
        "release_date": _timestamp(_REFERENCE - timedelta(days=rng.randint(20, 2500), hours=21.5)),
        "started": _timestamp(started),
        "total_duration_in_seconds": round(60 + rng.expovariate(1 / 600), 3),
        "vaix_category": vaix_category,
        "vaix_game_studio": studio_slug,
        "vaix_tags": rng.sample(_TAGS, rng.randint(1, 4)),
    }
    return {
        name: known[name] if name in known else _filler(rng, name, schema, started)
        for name, schema in _SCHEMA.get("properties", {}).items()
    }


def _filler(rng: random.Random, name: str, schema: dict[str, Any], started: datetime) -> object:
    """A non-null value of ``schema``'s type, for a property with no realistic value above."""
    schema = resolve(schema)
    kind = schema.get("type")
    if schema.get("enum"):
        value: object = rng.choice(schema["enum"])
    elif kind == "string":
        value = (
            _timestamp(started)
            if schema.get("format") == "date-time"
            else f"{name}-{rng.randint(1, 99)}"
        )
    elif kind == "integer":
        value = rng.randint(1, 1000)
    elif kind == "number":
        value = round(rng.uniform(1, 1000), 2)
    elif kind == "boolean":
        value = _chance(rng, 0.5)
    elif kind == "array":
        value = [_filler(rng, name, schema.get("items", {}), started)]
    elif kind == "object":
        properties = schema.get("properties", {}).items()
        value = {key: _filler(rng, key, inner, started) for key, inner in properties}
    else:
        value = name
    return value


def make_sessions(count: int, *, seed: int = 2026) -> list[dict[str, object]]:
    """``count`` sessions of one user, newest first, every ``GameSession`` field set."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    rng = random.Random(seed)
    started = _REFERENCE
    sessions: list[dict[str, object]] = []
    for index in range(count):
        started -= timedelta(seconds=rng.randint(120, 7200), milliseconds=rng.randint(0, 999))
        sessions.append(_session(rng, index, started))
    return sessions


#: The fields of the sparse body, as a call selecting ``fields=game_id,game_name,started`` gets.
SPARSE_FIELDS: Final = ("game_id", "game_name", "started")
#: The prefix of the decode benchmark's rows measured on the sparse body.
SPARSE: Final = "sparse: "


def make_body(count: int, *, seed: int = 2026, fields: tuple[str, ...] | None = None) -> bytes:
    """The 200 response body (``{"data": [...], "status": "success"}``) as compact JSON bytes.

    ``fields`` keeps only those keys of each session (``None``: all of them).
    """
    sessions = make_sessions(count, seed=seed)
    if fields is not None:
        sessions = [{key: item[key] for key in fields} for item in sessions]
    envelope = {"data": sessions, "status": "success"}
    return json.dumps(envelope, separators=(",", ":")).encode()
