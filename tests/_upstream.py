"""Upstream's likely changes to ``openapi.json``, as functions that mutate a spec.

Shared by the in-memory tests of the fixes (``test_spec_upstream_changes.py``)
and the end-to-end regeneration tests (``test_new_endpoint.py``). Each writes
what upstream would publish, defects included, never what our fixes make of it.
"""

from __future__ import annotations

import copy
from typing import Any

from _support import OPERATION, resolve

PARAMS = f"{OPERATION}/parameters"
"""JSON pointer of today's operation's parameter list."""
POPULAR = "/api/casino/games/popular"
"""The path of the new endpoint."""

LANGUAGE: dict[str, Any] = {
    "name": "language",
    "in": "query",
    "required": False,
    "description": "Language of the game names, e.g. `en`.",
    "schema": {"type": "string"},
}
LANGUAGES = ("en", "de", "el")
"""The values of the enum variant of ``language``."""
NEW_PROPERTY = "studio_country"
"""The optional property upstream adds to GameSession."""
NEW_LEVEL = "weekly"
"""The distinction level upstream adds."""


def insert_language(spec: dict[str, Any], *, enum: bool = False) -> None:
    """Upstream adds an optional query parameter in the middle of the list (a string or enum)."""
    params = resolve(spec, PARAMS)
    language = copy.deepcopy(LANGUAGE)
    if enum:
        language["schema"]["enum"] = list(LANGUAGES)
    params.insert(len(params) // 2, language)


def add_session_property(spec: dict[str, Any]) -> None:
    """Upstream adds an optional, nullable string property to GameSession."""
    spec["components"]["schemas"]["GameSession"]["properties"][NEW_PROPERTY] = {
        "description": "The studio's country (ISO 3166-1 alpha-2).",
        "type": "string",
        "nullable": True,
    }


def add_distinction_level(spec: dict[str, Any]) -> None:
    """Upstream adds a value to the distinction_level enum."""
    param = next(p for p in resolve(spec, PARAMS) if p["name"] == "distinction_level")
    param["schema"]["enum"].append(NEW_LEVEL)


def _header(name: str, description: str, *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    """A query parameter as upstream writes them: the description on the parameter only."""
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **extra}  # fmt: skip


def add_popular_games(spec: dict[str, Any]) -> None:
    """Upstream adds GET /api/casino/games/popular (tag Games) with the defects /latest has.

    Descriptions only on the parameters, GitBook markup, a date-time ``default:
    "now"``, a required parameter with a default, ``additionalProperties: false``
    and a closed ``status`` enum on the envelope, repeated enum values, filters
    and fields carrying enums of names, the identity headers declared as today.
    """
    spec["tags"].append({"name": "Games", "description": "Casino games"})
    spec["components"]["schemas"]["PopularGame"] = {
        "description": "A popular game",
        "type": "object",
        "properties": {
            "game_id": {"description": "The unique game id", "type": "string"},
            "plays": {"description": "How often it was played.", "type": "integer"},
        },
        "additionalProperties": False,
    }
    errors = {
        status: {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
        }
        for status, text, ref in [
            ("400", "Bad Request", "Error"),
            ("401", "Unauthorized", "Error"),
            ("403", "Forbidden", "Error"),
            ("422", "Unprocessable Entity", "UnprocessableEntityError"),
            ("500", "Internal Server Error", "Error"),
        ]
    }
    spec["paths"][POPULAR] = {
        "get": {
            "operationId": "get_popular_games",
            "tags": ["Games"],
            "summary": "The most played games",
            "description": 'The most played games.\n\n{% hint style="info" %}\n\n'
            "Cached for a minute.\n\n{% endhint %}\n\n",
            "parameters": [
                _header(
                    "x-vaix-client-id",
                    "Custom client header, the value should be the name of the group"
                    " the user belongs to",
                    required=True,
                ),
                _header(
                    "x-vaix-authentication-method",
                    "Authentication method to be used, supported values [`vaix`, `iam`]."
                    " Defaults to `vaix`",
                    required=False,
                ),
                _query(
                    "user",
                    "The user to rank games for.",
                    {"type": "string", "default": "0"},
                    required=True,
                ),
                _query(
                    "count",
                    "Number of games.",
                    {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                ),
                _query(
                    "since",
                    "Plays since this {% hint %}timestamp{% endhint %}.",
                    {"type": "string", "format": "date-time", "default": "now"},
                ),
                _query(
                    "order",
                    "Ranking order.",
                    {"type": "string", "enum": ["plays", "recent", "plays"]},
                ),
                _query(
                    "filters",
                    "A filter expression, e.g. `plays:gt:10`.",
                    {"type": "string", "enum": ["plays", "game_id", "plays"]},
                ),
                _query(
                    "fields",
                    "A comma separated list, e.g. `game_id,plays`.",
                    {"type": "string", "enum": ["game_id", "plays", "game_id"]},
                ),
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "data": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/PopularGame"},
                                    },
                                    "status": {
                                        "description": "The status of the request",
                                        "type": "string",
                                        "enum": ["success", "error"],
                                    },
                                },
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                **errors,
            },
        }
    }


def every_change(spec: dict[str, Any]) -> None:
    """All four at once: a property, a parameter mid-list (enum), an enum value, an endpoint."""
    add_session_property(spec)
    insert_language(spec, enum=True)
    add_distinction_level(spec)
    add_popular_games(spec)


def without_changes(spec: dict[str, Any]) -> bool:
    """Take out of ``spec`` whatever the changes above add; say whether there was any.

    Once upstream has published one of these changes for real, the tests that
    simulate it start from the spec without it, so they keep proving the same.
    """
    before = copy.deepcopy(spec)
    params = resolve(spec, PARAMS)
    params[:] = [p for p in params if p.get("name") != LANGUAGE["name"]]
    for param in params:
        if param.get("name") == "distinction_level":
            enum = param["schema"].get("enum", [])
            enum[:] = [value for value in enum if value != NEW_LEVEL]
    spec["components"]["schemas"]["GameSession"]["properties"].pop(NEW_PROPERTY, None)
    spec["paths"].pop(POPULAR, None)
    spec["components"]["schemas"].pop("PopularGame", None)
    spec["tags"] = [tag for tag in spec.get("tags", []) if tag.get("name") != "Games"]
    return spec != before
