"""The vendored spec, and the fixes of ``spec/fixes.json`` applied to it.

Three tiers: the vendored file is the upstream document (a valid OpenAPI spec,
untouched by the fixes); the fixes produce what each promises, with expectations
derived from the upstream spec rather than written out; and every guard (a
``test`` op of a targeted fix, an ``expect`` of a rule) is proven to guard
something, by an upstream change that makes ``make generate`` fail at that
guard, naming it (one table row per guard at least, and a check that no guard
lacks a row).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _support import (
    OPERATION,
    SPEC_PATH,
    SpecFixError,
    fixes_document,
    generate_script,
    parent_and_key,
    patch_spec,
    patched_spec,
    resolve,
    upstream_spec,
)
from hypothesis import given
from hypothesis import strategies as st
from openapi_spec_validator import validate

PARAMS = f"{OPERATION}/parameters"
SCHEMAS = "/components/schemas"
ENVELOPE = f"{OPERATION}/responses/200/content/application~1json/schema"


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


def field_names() -> list[str]:
    """The names upstream's ``fields`` enum lists, duplicates dropped, in order."""
    return list(dict.fromkeys(parameter(upstream_spec(), "fields")["schema"]["enum"]))


# ------------------------------------------------------------ the vendored spec


def test_vendored_spec_is_an_openapi_document() -> None:
    """openapi.json is an OpenAPI 3.0 document with operations (as published: not yet valid)."""
    spec = json.loads(SPEC_PATH.read_bytes())
    assert spec["openapi"].startswith("3.0.")
    assert list(generate_script.operations(spec))


def test_patch_does_not_touch_its_input() -> None:
    """Applying the fixes leaves the spec and the fixes it was given unchanged."""
    spec, fixes = upstream_spec(), fixes_document()
    patch_spec(spec, fixes)
    assert spec == upstream_spec()
    assert fixes == fixes_document()


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


def test_user_is_required_non_empty_and_without_default() -> None:
    """User stays required, loses its default '0' and must not be empty (minLength 1)."""
    user = parameter(patched_spec(), "user")
    assert user["required"] is True
    assert "default" not in user["schema"]
    assert user["schema"]["minLength"] == 1


def test_no_required_parameter_keeps_a_default() -> None:
    """No required parameter of any operation has a default after the fixes."""
    for param in generate_script.parameters(patched_spec()):
        if param.value.get("required"):
            assert "default" not in param.value.get("schema", {}), param.pointer


@pytest.mark.parametrize("name", ["filters", "fields"])
def test_filters_and_fields_are_plain_strings(name: str) -> None:
    """Filters and fields are strings: no enum of field names constrains them."""
    schema = parameter(patched_spec(), name)["schema"]
    assert schema["type"] == "string"
    assert "enum" not in schema


def test_fields_names_move_to_game_session_field() -> None:
    """The fields enum survives, duplicates dropped, as the named schema GameSessionField."""
    field = resolve(patched_spec(), f"{SCHEMAS}/GameSessionField")
    assert field["type"] == "string"
    assert field["enum"] == field_names()
    assert field["description"]


def fields_pattern() -> re.Pattern[str]:
    """The pattern the patched spec puts on ``fields``."""
    return re.compile(parameter(patched_spec(), "fields")["schema"]["pattern"])


@given(st.lists(st.sampled_from(field_names()), min_size=1, max_size=6))
def test_fields_pattern_accepts_every_list_of_known_names(names: list[str]) -> None:
    """Any non-empty comma-separated list of GameSessionField names matches the fields pattern."""
    assert fields_pattern().fullmatch(",".join(names))


@pytest.mark.parametrize(
    "value", ["", ",", "game_id,", ",game_id", "game_id,,game_name", "game_id, game_name",
              "game_idx", "unknown", "game_id;game_name"],
)  # fmt: skip
def test_fields_pattern_refuses_anything_else(value: str) -> None:
    """Empty, unknown names, stray commas and spaces do not match the fields pattern."""
    assert fields_pattern().search(value) is None


def test_the_fields_default_matches_its_pattern() -> None:
    """The default upstream gives fields is itself a valid value under the pattern."""
    schema = parameter(patched_spec(), "fields")["schema"]
    assert fields_pattern().fullmatch(schema["default"])


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
    assert [p["name"] for p in params] == [p["name"] for p in resolve(upstream_spec(), PARAMS)]
    for param in params:
        assert param["description"]
        assert param["schema"]["description"] == param["description"], param["name"]


def test_no_gitbook_markup_left() -> None:
    """No GitBook '{%' markup is left anywhere, and the operation description keeps all its text."""
    patched, upstream = patched_spec(), upstream_spec()
    assert "{%" not in json.dumps(patched)
    assert "{%" in json.dumps(upstream)

    def text(description: str) -> list[str]:
        return [line for line in description.splitlines() if line.strip() and "{%" not in line]

    before = resolve(upstream, f"{OPERATION}/description")
    after = resolve(patched, f"{OPERATION}/description")
    assert text(before) == text(after) == [line for line in after.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a\n\n{% hint style="info" %}\n\nb\n\n{% endhint %}\n\n', "a\n\nb\n"),
        ("a {% hint %}b{% endhint %} c", "a b c"),
        ("a\n\n\nb\n", "a\n\n\nb\n"),
        ("{%- tabs -%}\nx", "x"),
    ],
    ids=["tag-lines", "inline-tags", "no-tags-untouched", "trim-syntax"],
)
def test_strip_gitbook(text: str, expected: str) -> None:
    """Tags go (a tag-only line with the blank line after it); other text stays as it was."""
    assert generate_script.strip_gitbook(text) == expected


def test_envelope_status_is_an_open_string() -> None:
    """The envelope's status is a string without enum, its known values named in the description."""
    status = resolve(patched_spec(), f"{ENVELOPE}/properties/status")
    assert status["type"] == "string"
    assert "enum" not in status
    for value in resolve(upstream_spec(), f"{ENVELOPE}/properties/status/enum"):
        assert f"`{value}`" in status["description"]


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


def param(name: str, change: Callable[[dict[str, Any]], None]) -> Mutation:
    """Upstream changes the parameter called ``name`` (wherever it sits in the list)."""

    def mutate(spec: dict[str, Any]) -> None:
        change(parameter(spec, name))

    return mutate


def rename_everywhere(old: str, new: str) -> Mutation:
    """Upstream renames ``old`` to ``new`` in every key, ``$ref`` and text of the spec."""

    def mutate(spec: dict[str, Any]) -> None:
        renamed = json.loads(json.dumps(spec).replace(old, new))
        spec.clear()
        spec.update(renamed)

    return mutate


@dataclass(frozen=True)
class Breakage:
    """An upstream change that must trip one guard of one fix (a rule or a targeted patch)."""

    change: str  # what upstream did (the test id)
    fix: str  # the fix's name in spec/fixes.json
    guard: str  # the guard's pointer as spec/fixes.json writes it (its `at` or `path`)
    mutate: Mutation


def by_name(name: str) -> str:
    """The guard pointer of the operation's parameter ``name``, as the fixes write it."""
    return f"{PARAMS}/[name={name}]"


S, UEE = SCHEMAS, f"{SCHEMAS}/UnprocessableEntityError"
DT, REQ, FILT, LIST, NONEMPTY = (
    "drop-invalid-date-time-defaults", "drop-required-parameter-defaults",
    "filter-expression-parameters", "comma-separated-list-parameters",
    "non-empty-required-query-strings",
)  # fmt: skip
OPEN, STATUS, GITBOOK, REFS = (
    "open-response-objects", "open-status-enums", "strip-gitbook-markup",
    "unprocessable-entity-refs",
)  # fmt: skip
BREAKAGES = [
    Breakage("before_date-renamed", DT, f"{by_name('before_date')}/schema/default",
             param("before_date", lambda p: p.update(name="until"))),
    Breakage("before_date-default-changed", DT, f"{by_name('before_date')}/schema/default",
             param("before_date", lambda p: p["schema"].update(default="today"))),
    Breakage("before_date-default-now-valid", DT, f"{by_name('before_date')}/schema/default",
             param("before_date", lambda p: p["schema"].update(default="2026-01-01T00:00:00Z"))),
    Breakage("before_date-default-dropped", DT, f"{by_name('before_date')}/schema/default",
             param("before_date", lambda p: p["schema"].pop("default"))),
    Breakage("user-renamed", REQ, f"{by_name('user')}/schema/default",
             param("user", lambda p: p.update(name="user_id"))),
    Breakage("user-made-optional", REQ, f"{by_name('user')}/schema/default",
             param("user", lambda p: p.update(required=False))),
    Breakage("user-default-dropped", REQ, f"{by_name('user')}/schema/default",
             param("user", lambda p: p["schema"].pop("default"))),
    Breakage("user-given-min-length", NONEMPTY, f"{by_name('user')}/schema/minLength",
             param("user", lambda p: p["schema"].update(minLength=3))),
    Breakage("user-becomes-an-integer", NONEMPTY, f"{by_name('user')}/schema/minLength",
             param("user", lambda p: p["schema"].update(type="integer"))),
    Breakage("filters-removed", FILT, f"{by_name('filters')}/schema/enum",
             edit(PARAMS, lambda ps: [p for p in ps if p["name"] != "filters"])),
    Breakage("filters-enum-dropped", FILT, f"{by_name('filters')}/schema/enum",
             param("filters", lambda p: p["schema"].pop("enum"))),
    Breakage("fields-renamed", LIST, f"{by_name('fields')}/schema/enum",
             param("fields", lambda p: p.update(name="select"))),
    Breakage("fields-enum-dropped", LIST, f"{by_name('fields')}/schema/enum",
             param("fields", lambda p: p["schema"].pop("enum"))),
    Breakage("game-session-renamed", LIST, f"{S}/GameSessionField",
             rename_everywhere("GameSession", "Session")),
    Breakage("game-session-field-taken", LIST, f"{S}/GameSessionField",
             put(f"{S}/GameSessionField", {"type": "string", "enum": ["game_id"]})),
    Breakage("422-inline-error-changed", REFS, f"{UEE}/oneOf",
             put(f"{UEE}/oneOf/0/properties/code", {"type": "string"})),
    Breakage("error-gains-a-property", REFS, f"{S}/Error/properties",
             put(f"{S}/Error/properties/code", {"type": "integer"})),
    Breakage("errors-becomes-an-array", REFS, f"{S}/Errors/properties",
             put(f"{S}/Errors/properties/errors/type", "array")),
    Breakage("markup-removed-upstream", GITBOOK, f"{OPERATION}/description",
             edit(f"{OPERATION}/description", lambda text: text.replace("{%", "(%"))),
    Breakage("status-gains-a-value", STATUS, f"{ENVELOPE}/properties/status/enum",
             edit(f"{ENVELOPE}/properties/status/enum", lambda values: [*values, "partial"])),
    Breakage("status-opened-upstream", STATUS, f"{ENVELOPE}/properties/status/enum",
             drop(f"{ENVELOPE}/properties/status/enum")),
    Breakage("envelope-opened", OPEN, f"{ENVELOPE}/additionalProperties",
             drop(f"{ENVELOPE}/additionalProperties")),
    Breakage("game-image-opened", OPEN, f"{S}/GameImage/additionalProperties",
             put(f"{S}/GameImage/additionalProperties", True)),
    Breakage("error-opened", OPEN, f"{S}/Error/additionalProperties",
             drop(f"{S}/Error/additionalProperties")),
    Breakage("errors-opened", OPEN, f"{S}/Errors/additionalProperties",
             drop(f"{S}/Errors/additionalProperties")),
]  # fmt: skip


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.change for b in BREAKAGES])
def test_upstream_change_trips_its_guard(breakage: Breakage) -> None:
    """An upstream change under a fix fails the whole patch at that fix's guard, naming both."""
    broken = upstream_spec()
    breakage.mutate(broken)
    with pytest.raises(SpecFixError) as raised:
        patch_spec(broken, fixes_document())
    error: Any = raised.value
    assert (error.fix, error.target) == (breakage.fix, breakage.guard)
    message = str(error)
    assert message.startswith(f"spec/fixes.json no longer fits openapi.json: fix `{breakage.fix}`")
    assert f"why:      {error.why}" in message
    assert error.why
    assert f"target:   {breakage.guard}" in message
    assert "found:    " in message


def guards() -> list[tuple[str, str]]:
    """Every guard of spec/fixes.json: (fix name, pointer) of each ``test`` op and ``expect``."""
    document = fixes_document()
    found = [
        (fix["name"], op["path"]) for fix in document["fixes"] for op in fix["patch"]
        if op["op"] == "test"
    ]  # fmt: skip
    found += [(rule["rule"], e["at"]) for rule in document["rules"] for e in rule["expect"]]
    return found


def test_every_guard_has_a_breaking_change() -> None:
    """Each guard in spec/fixes.json has a row above that trips it; each row names a guard."""
    known = guards()
    assert len(known) == len(set(known)), "a fix guards the same place twice"
    rows = {(b.fix, b.guard) for b in BREAKAGES}
    assert sorted(set(known) - rows) == [], "guards that no upstream change is shown to trip"
    assert sorted(rows - set(known)) == [], "rows naming a guard that does not exist"


def test_every_fix_says_why_and_guards_or_says_why_not() -> None:
    """A targeted fix opens with a test op; a rule is known and guards or says why not."""
    document = fixes_document()
    assert set(document) == {"fixes", "rules"}
    for fix in document["fixes"]:
        assert fix["name"]
        assert fix["why"].strip()
        assert fix["patch"][0]["op"] == "test", fix["name"]
    names = [rule["rule"] for rule in document["rules"]]
    assert len(names) == len(set(names))
    assert set(names) == set(generate_script.RULES), "a rule that never runs, or runs unlisted"
    for rule in document["rules"]:
        assert rule["why"].strip(), rule["rule"]
        assert rule["expect"] or rule.get("finds_nothing", "").startswith("by design"), rule["rule"]


def test_an_unknown_rule_fails_naming_it() -> None:
    """A rule name spec/fixes.json uses but the script does not know fails the patch, named."""
    fixes = fixes_document()
    fixes["rules"].append({"rule": "make-it-nice", "why": "because", "expect": []})
    with pytest.raises(SpecFixError, match="make-it-nice"):
        patch_spec(upstream_spec(), fixes)


def test_additions_overwrite_nothing() -> None:
    """Each add, copy or move of a targeted fix writes where the spec has nothing yet.

    JSON Patch cannot test that a path is absent, so an upstream value already
    at the target would be overwritten silently: this test is that missing guard.
    (The rules never overwrite: they skip what upstream already set.)
    """
    spec = upstream_spec()
    for fix in fixes_document()["fixes"]:
        for op in fix["patch"]:
            if op["op"] in {"add", "copy", "move"}:
                parent, key = parent_and_key(spec, op["path"])
                assert key not in parent, (
                    f"{op['op']} {op['path']} would overwrite upstream content"
                )
            spec = patch_spec(spec, {"fixes": [{**fix, "patch": [op]}], "rules": []})


def destructive_ops() -> Iterator[Any]:
    """Each targeted op removing or overwriting upstream content, with its fix's ops before it."""
    for fix in fixes_document()["fixes"]:
        ops = fix["patch"]
        for position, op in enumerate(ops):
            if op["op"] not in {"remove", "replace", "move"}:
                continue
            target = op["from"] if op["op"] == "move" else op["path"]
            yield pytest.param(target, ops[:position], id=f"{op['op']}:{target}")


@pytest.mark.parametrize(("target", "before"), list(destructive_ops()))
def test_destructive_ops_are_guarded(target: str, before: list[dict[str, Any]]) -> None:
    """A remove, replace or move of upstream content follows, in its fix, a test of that content."""
    assert any(op["op"] == "test" and op["path"] == target for op in before)


# ------------------------------------------------------------ name selectors


QUERY_PARAMS = sum(p["in"] == "query" for p in resolve(upstream_spec(), PARAMS))


@pytest.mark.parametrize(
    ("pointer", "problem"),
    [
        (f"{PARAMS}/[name=nope]/schema", "0 items with name 'nope'"),
        (f"{PARAMS}/[in=query]/schema", f"{QUERY_PARAMS} items with in 'query'"),
        (f"{OPERATION}/[name=user]", "is not a list"),
        (f"{OPERATION}/nothing/here", "nothing at"),
    ],
    ids=["no-match", "several-match", "not-a-list", "missing-parent"],
)
def test_a_selector_that_does_not_pick_one_item_fails(pointer: str, problem: str) -> None:
    """A targeted fix whose selector matches nothing, or several items, fails naming what it saw."""
    fixes = {
        "fixes": [{"name": "probe", "why": "a test", "patch": [{"op": "remove", "path": pointer}]}],
        "rules": [],
    }
    with pytest.raises(SpecFixError, match=re.escape(problem)) as raised:
        patch_spec(upstream_spec(), fixes)
    assert "fix `probe`" in str(raised.value)


def test_a_selector_follows_a_parameter_ref() -> None:
    """A $ref parameter is selected by its referenced name; the fix lands on the component."""
    spec = upstream_spec()
    params = resolve(spec, PARAMS)
    index = next(i for i, p in enumerate(params) if p["name"] == "user")
    spec["components"]["parameters"] = {"User": params[index]}
    params[index] = {"$ref": "#/components/parameters/User"}
    patched = patch_spec(spec, fixes_document())
    user = patched["components"]["parameters"]["User"]
    assert "default" not in user["schema"]
    assert user["schema"]["minLength"] == 1
    assert resolve(patched, PARAMS)[index] == {"$ref": "#/components/parameters/User"}
