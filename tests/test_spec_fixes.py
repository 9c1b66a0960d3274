"""The vendored spec, and the guarded fixes of ``spec/fixes.json`` applied to it.

Three tiers: the vendored file is exactly upstream's; the patch produces what
each fix promises; and every ``test`` op of the patch is proven to guard
something, by an upstream change that makes it fail (one table row per guard,
and a check that no guard lacks a row).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _support import (
    OPERATION,
    SPEC_PATH,
    SpecFixError,
    fix_ops,
    fixes_by_reason,
    parent_and_key,
    patch_spec,
    patched_spec,
    resolve,
    upstream_spec,
)
from openapi_spec_validator import validate

UPSTREAM_SHA256 = "8f7ac6b46e312c79810a82be383ada611f999d94ee0efe4dddd51c32ebd0e6ee"
PARAMS = f"{OPERATION}/parameters"
SCHEMAS = "/components/schemas"
ENVELOPE = f"{OPERATION}/responses/200/content/application~1json/schema"
PARAMETER_NAMES = (
    "x-vaix-client-id",
    "x-vaix-authentication-method",
    "user",
    "count",
    "distinction_level",
    "minimum_duration",
    "before_date",
    "after_date",
    "filters",
    "fields",
    "operator",
    "bookmaker_id",
    "sub_bookmaker_id",
)


def parameter(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """The operation's parameter called ``name``."""
    params: list[dict[str, Any]] = resolve(spec, PARAMS)
    (found,) = (p for p in params if p["name"] == name)
    return found


def walk(node: object) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``node``, ``node`` included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# ------------------------------------------------------------ the vendored spec


def test_vendored_spec_is_upstream_verbatim() -> None:
    """openapi.json is valid JSON, byte for byte upstream's (re-vendoring updates the digest)."""
    raw = SPEC_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == UPSTREAM_SHA256
    spec = json.loads(raw)
    assert spec["openapi"] == "3.0.1"
    assert [p["name"] for p in resolve(spec, PARAMS)] == list(PARAMETER_NAMES)


def test_patch_does_not_touch_its_input() -> None:
    """Applying the patch leaves the spec it was given unchanged (it works on a copy)."""
    spec = upstream_spec()
    patch_spec(spec, fix_ops())
    assert spec == upstream_spec()


def test_patched_spec_is_valid_openapi() -> None:
    """The spec the generator sees passes the OpenAPI 3.0 validator."""
    validate(patched_spec())


# ------------------------------------------------------------ what each fix promises


def test_before_date_has_no_default() -> None:
    """before_date keeps its date-time format but loses the bogus default 'now'."""
    schema = parameter(patched_spec(), "before_date")["schema"]
    assert schema == {
        "type": "string",
        "format": "date-time",
        "description": parameter(upstream_spec(), "before_date")["description"],
    }


def test_user_is_required_without_default() -> None:
    """User stays required and loses its default '0'."""
    user = parameter(patched_spec(), "user")
    assert user["required"] is True
    assert "default" not in user["schema"]


@pytest.mark.parametrize("name", ["filters", "fields"])
def test_filters_and_fields_are_plain_strings(name: str) -> None:
    """Filters and fields are free strings: no enum of field names constrains them."""
    schema = parameter(patched_spec(), name)["schema"]
    assert schema["type"] == "string"
    assert "enum" not in schema


def test_fields_names_move_to_game_session_field() -> None:
    """The fields enum survives, unchanged, as the named schema GameSessionField."""
    field = resolve(patched_spec(), f"{SCHEMAS}/GameSessionField")
    assert field["type"] == "string"
    assert field["enum"] == parameter(upstream_spec(), "fields")["schema"]["enum"]
    assert field["description"]


def test_unprocessable_entity_error_references_error_and_errors() -> None:
    """UnprocessableEntityError is an anyOf of references to Error and Errors, not inline copies."""
    assert resolve(patched_spec(), f"{SCHEMAS}/UnprocessableEntityError") == {
        "anyOf": [
            {"$ref": "#/components/schemas/Error"},
            {"$ref": "#/components/schemas/Errors"},
        ]
    }


def test_parameter_descriptions_are_copied_to_schemas() -> None:
    """Every parameter's description is also on its schema, where the generator reads it."""
    params = resolve(patched_spec(), PARAMS)
    assert [p["name"] for p in params] == list(PARAMETER_NAMES)
    for param in params:
        assert param["description"]
        assert param["schema"]["description"] == param["description"], param["name"]


def test_no_gitbook_markup_left() -> None:
    """No GitBook '{%' markup is left anywhere, and the operation description keeps all its text."""
    patched, upstream = patched_spec(), upstream_spec()
    assert "{%" not in json.dumps(patched)

    def text(description: str) -> list[str]:
        return [line for line in description.splitlines() if line.strip() and "{%" not in line]

    before = resolve(upstream, f"{OPERATION}/description")
    after = resolve(patched, f"{OPERATION}/description")
    assert text(before) == text(after) == [line for line in after.splitlines() if line.strip()]


def test_envelope_status_is_an_open_string() -> None:
    """The envelope's status is a string without enum, its known values named in the description."""
    status = resolve(patched_spec(), f"{ENVELOPE}/properties/status")
    assert status["type"] == "string"
    assert "enum" not in status
    assert "`success`" in status["description"]
    assert "`error`" in status["description"]


def test_no_closed_objects_left() -> None:
    """No schema keeps additionalProperties: false, so unknown keys reach the models."""
    closed = [node for node in walk(patched_spec()) if node.get("additionalProperties") is False]
    assert closed == []
    assert any(node.get("additionalProperties") is False for node in walk(upstream_spec()))


# ------------------------------------------------------------ every guard guards


Mutation = Callable[[dict[str, Any]], None]


def put(pointer: str, value: object) -> Mutation:
    """Upstream sets ``pointer`` to ``value``."""

    def mutate(spec: dict[str, Any]) -> None:
        parent, key = parent_and_key(spec, pointer)
        parent[key] = value

    return mutate


def drop(pointer: str) -> Mutation:
    """Upstream removes ``pointer``."""

    def mutate(spec: dict[str, Any]) -> None:
        parent, key = parent_and_key(spec, pointer)
        del parent[key]

    return mutate


def edit(pointer: str, change: Callable[[Any], Any]) -> Mutation:
    """Upstream replaces the value at ``pointer`` with ``change(value)``."""

    def mutate(spec: dict[str, Any]) -> None:
        parent, key = parent_and_key(spec, pointer)
        parent[key] = change(parent[key])

    return mutate


@dataclass(frozen=True)
class Breakage:
    """An upstream change that must trip one guard (a ``test`` op) of one fix."""

    change: str  # what upstream did (the test id)
    fix: str  # a phrase of the fix's "why", naming the fix
    guard: str  # the path of the ``test`` op that must fail
    mutate: Mutation


P, S, UEE = PARAMS, SCHEMAS, f"{SCHEMAS}/UnprocessableEntityError"
BREAKAGES = [
    Breakage("before_date-renamed", "before_date declares", f"{P}/6/name",
             put(f"{P}/6/name", "until")),
    Breakage("before_date-default-changed", "before_date declares", f"{P}/6/schema/default",
             put(f"{P}/6/schema/default", "today")),
    Breakage("user-renamed", "user is required", f"{P}/2/name",
             put(f"{P}/2/name", "user_id")),
    Breakage("user-made-optional", "user is required", f"{P}/2/required",
             put(f"{P}/2/required", False)),
    Breakage("user-default-dropped", "user is required", f"{P}/2/schema/default",
             drop(f"{P}/2/schema/default")),
    Breakage("filters-and-fields-reordered", "filters carries", f"{P}/8/name",
             edit(P, lambda ps: [*ps[:8], ps[9], ps[8], *ps[10:]])),
    Breakage("filters-enum-grows", "filters carries", f"{P}/8/schema/enum",
             edit(f"{P}/8/schema/enum", lambda names: [*names, "game_type"])),
    Breakage("fields-removed", "fields carries", f"{P}/9/name",
             edit(P, lambda ps: [*ps[:9], *ps[10:]])),
    Breakage("fields-enum-shrinks", "fields carries", f"{P}/9/schema/enum",
             edit(f"{P}/9/schema/enum", lambda names: [n for n in names if n != "tags"])),
    Breakage("game-session-renamed", "fields carries", f"{S}/GameSession/type",
             edit(S, lambda schemas: {k.replace("GameSession", "Session"): v
                                      for k, v in schemas.items()})),
    Breakage("422-inline-error-changed", "UnprocessableEntityError is a oneOf", f"{UEE}/oneOf",
             put(f"{UEE}/oneOf/0/properties/code", {"type": "string"})),
    Breakage("error-gains-a-property", "UnprocessableEntityError is a oneOf",
             f"{S}/Error/properties", put(f"{S}/Error/properties/code", {"type": "integer"})),
    Breakage("errors-becomes-an-array", "UnprocessableEntityError is a oneOf",
             f"{S}/Errors/properties", put(f"{S}/Errors/properties/errors/type", "array")),
    *(
        Breakage(f"{name}-renamed-descriptions", "descriptions sit on the parameter",
                 f"{P}/{index}/name", put(f"{P}/{index}/name", f"{name}_v2"))
        for index, name in enumerate(PARAMETER_NAMES)
    ),
    Breakage("description-reworded", "GitBook", f"{OPERATION}/description",
             edit(f"{OPERATION}/description", lambda text: text + "Rate limited.\n")),
    Breakage("status-gains-a-value", "envelope's status", f"{ENVELOPE}/properties/status/enum",
             edit(f"{ENVELOPE}/properties/status/enum", lambda values: [*values, "partial"])),
    Breakage("status-description-reworded", "envelope's status",
             f"{ENVELOPE}/properties/status/description",
             edit(f"{ENVELOPE}/properties/status/description", lambda text: text + ".")),
    Breakage("envelope-opened", "additionalProperties: false", f"{ENVELOPE}/additionalProperties",
             drop(f"{ENVELOPE}/additionalProperties")),
    Breakage("game-image-opened", "additionalProperties: false",
             f"{S}/GameImage/additionalProperties",
             put(f"{S}/GameImage/additionalProperties", True)),
    Breakage("error-opened", "additionalProperties: false", f"{S}/Error/additionalProperties",
             drop(f"{S}/Error/additionalProperties")),
    Breakage("errors-opened", "additionalProperties: false", f"{S}/Errors/additionalProperties",
             drop(f"{S}/Errors/additionalProperties")),
]  # fmt: skip


def fix_index(phrase: str) -> int:
    """The position of the one fix whose "why" contains ``phrase``."""
    matches = [i for i, (why, _) in enumerate(fixes_by_reason()) if phrase in why]
    assert len(matches) == 1, f"{phrase!r} names {len(matches)} fixes, not one"
    return matches[0]


def first_failure(spec: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Apply ``ops`` one by one; return the first that the patch refuses, if any."""
    for op in ops:
        try:
            spec = patch_spec(spec, [op])
        except SpecFixError:
            return op
    return None


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.change for b in BREAKAGES])
def test_upstream_change_trips_its_guard(breakage: Breakage) -> None:
    """An upstream change under a fix makes the whole patch fail, at that fix's own guard."""
    broken = upstream_spec()
    breakage.mutate(broken)
    with pytest.raises(SpecFixError, match=r"spec/fixes\.json no longer fits openapi\.json"):
        patch_spec(broken, fix_ops())

    # Which guard fired: the fix sees the spec as the fixes before it left it.
    fixes = fixes_by_reason()
    index = fix_index(breakage.fix)
    earlier = [op for _, ops in fixes[:index] for op in ops]
    seen_by_fix = patch_spec(upstream_spec(), earlier)
    breakage.mutate(seen_by_fix)
    failed = first_failure(seen_by_fix, fixes[index][1])
    assert failed is not None, "the change slipped past every op of the fix"
    assert (failed["op"], failed["path"]) == ("test", breakage.guard)


def test_every_guard_has_a_breaking_change() -> None:
    """Each test op in spec/fixes.json has a row above that trips it; each row names a guard."""
    guards = [
        (index, op["path"])
        for index, (_, ops) in enumerate(fixes_by_reason())
        for op in ops
        if op["op"] == "test"
    ]
    assert len(guards) == len(set(guards)), "a fix tests the same path twice"
    rows = [(fix_index(b.fix), b.guard) for b in BREAKAGES]
    assert len(rows) == len(set(rows)), "two rows target the same guard"
    assert sorted(set(guards) - set(rows)) == [], "guards that no upstream change is shown to trip"
    assert sorted(set(rows) - set(guards)) == [], "rows naming a guard that does not exist"


def test_every_fix_opens_with_a_guard_and_a_reason() -> None:
    """Each fix (a run of ops from one "why" to the next) starts with a test op saying why."""
    fixes = fixes_by_reason()
    assert fixes
    for why, ops in fixes:
        assert why.strip()
        assert ops[0]["op"] == "test", why


def test_additions_overwrite_nothing() -> None:
    """Each add, copy or move writes where the spec (as the ops before it left it) has nothing.

    JSON Patch cannot test that a path is absent, so an upstream schema named
    GameSessionField, or a description upstream puts on a parameter's schema,
    would be overwritten silently: this test is that missing guard.
    """
    spec = upstream_spec()
    for op in fix_ops():
        if op["op"] in {"add", "copy", "move"}:
            parent, key = parent_and_key(spec, op["path"])
            assert key not in parent, f"{op['op']} {op['path']} would overwrite upstream content"
        spec = patch_spec(spec, [op])


def destructive_ops() -> Iterator[Any]:
    """Each op that removes or overwrites upstream content, with the ops of its fix before it."""
    for _, ops in fixes_by_reason():
        for position, op in enumerate(ops):
            if op["op"] not in {"remove", "replace", "move"}:
                continue
            target = op["from"] if op["op"] == "move" else op["path"]
            yield pytest.param(target, ops[:position], id=f"{op['op']}:{target}")


@pytest.mark.parametrize(("target", "before"), list(destructive_ops()))
def test_destructive_ops_are_guarded(target: str, before: list[dict[str, Any]]) -> None:
    """A remove, replace or move of upstream content follows, in its fix, a test of that content."""
    assert any(op["op"] == "test" and op["path"] == target for op in before)
