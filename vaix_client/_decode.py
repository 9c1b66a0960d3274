"""One strict decode path from JSON bytes to the generated attrs models.

msgspec decodes the bytes straight into the generated classes (in C), checking
every value against the model's annotations: no value of the wrong JSON type
gets through, date-times are parsed as RFC 3339, an absent key stays ``UNSET``
(each model's ``__attrs_pre_init__``, which msgspec calls first, sets every
default, so an absent key costs one store) and ``null`` is ``None`` only where
the spec allows it. A key the generator only suffixed (``type`` -> ``type_``) keeps
its JSON name as the attribute, so it decodes directly too.

Decoding into attrs classes ignores keys a class does not define. So the same
bytes are first read into a mirror of the models made of msgspec Structs that
refuse unknown keys and keep each value as a raw slice (a key check in C, about
a third of ``json.loads``); a key renamed beyond a suffix (``gameId`` ->
``game_id``) is read there and copied over. When the mirror finds a key the
spec does not define, or the direct decode refuses a value, the body takes the
reference path instead: msgspec parses it into dicts, a short pass sets the
unknown keys aside (they land on each model's ``additional_properties``, so
nothing the server sent is lost) and renames renamed keys, and
``msgspec.convert(strict=True)`` builds the classes, with the same strictness.
Both end in the same models; a property test holds them equal. A model with no
unknown key holds one shared, read-only empty ``additional_properties`` (fewer
objects for the garbage collector; ``model[key] = value`` gives it its own).

What the passes need is read from the classes themselves (their attrs fields,
type hints and the ``_json_keys`` map the project's generator template emits),
so a regenerated package is picked up with no change here, and nothing is
compiled at run time. Every failure is one ``DecodeError`` naming the JSON path,
e.g. ``data[3].images[1].url: expected a string, got int``.
"""

from __future__ import annotations

import re
import sys
import threading
import types
import typing
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import msgspec

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DecodeError", "decode_model"]

T = TypeVar("T")

_SHOWN: Final = 40  # characters of a refused string quoted in an error
_EXPECTED_TYPE: Final = re.compile(r"Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`")
_AT: Final = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_SEGMENT: Final = re.compile(r"\.(?P<key>[^.\[]+)|\[(?P<index>\d+)\]")
#: msgspec's type names, as a JSON reader says them.
_WORDS: Final[dict[str, str]] = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "array": "an array",
    "object": "an object",
    "datetime": "an RFC 3339 date-time string",
    "date": "an RFC 3339 date string",
    "time": "an RFC 3339 time string",
}
_INVALID: Final[dict[str, str]] = {
    "Invalid RFC3339 encoded datetime": "an RFC 3339 date-time string",
    "Invalid RFC3339 encoded date": "an RFC 3339 date string",
}
_PARSE: Final = msgspec.json.Decoder().decode  # untyped: JSON objects become dicts
_JSON_TYPE: Final[dict[type, str]] = {dict: "object", list: "array", bool: "bool", int: "int"}


class DecodeError(ValueError):
    """A body does not fit the model: ``path`` says where (``""`` for the whole body)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


def decode_model(content: bytes, cls: type[T]) -> T:
    """Decode a JSON body into the generated attrs model ``cls``, checking every value.

    Keys the spec does not define end up on each model's ``additional_properties``.
    Raises ``DecodeError`` (a ``ValueError``) when the body is not JSON or a value
    does not fit, naming the JSON path.
    """
    plan = _plan(cls)
    fast = plan.fast
    if fast is not None:
        try:
            mirror = fast.mirror(content)
            if not plan.renamed_below:
                mirror = None  # only its verdict was needed: freed before the second read
            result = fast.direct(content)
        except (msgspec.DecodeError, RecursionError):
            pass  # an unknown key, or a value refused: the reference path says what and where
        else:
            if mirror is not None:
                plan.copy_renamed(result, mirror)
            return result  # type: ignore[return-value]
    return _reference(content, cls, plan)


def _reference(content: bytes, cls: type[T], plan: _Plan) -> T:
    """The reference path: parse into dicts, set unknown keys aside, convert strictly."""
    try:
        raw = _PARSE(content)
    except msgspec.DecodeError as exc:
        raise DecodeError("", f"the body is not JSON ({exc})") from None
    except RecursionError:
        raise DecodeError("", "the body is not JSON (nested too deeply)") from None
    found: _Found = []
    if type(raw) is dict and not plan.rename_if_all_known(raw):
        plan.prepare(raw, (), found)  # unknown keys somewhere: the walk that says where
    try:
        result = msgspec.convert(raw, cls, strict=True)
    except msgspec.ValidationError as exc:
        raise _error(str(exc), raw, plan) from None
    for where, extra in found:
        target: Any = result
        for step in where:
            target = target[step] if isinstance(step, int) else getattr(target, step)
        target.additional_properties = extra
    return result


_Found = list[tuple[tuple[str | int, ...], dict[str, Any]]]


@attrs.frozen
class _Fast:
    """The direct path of one model: the mirror's decode, then the decode into the classes."""

    mirror: Callable[[bytes], object]  # refuses keys the models do not define
    direct: Callable[[bytes], object]  # bytes straight into the attrs classes


@attrs.frozen
class _Child:
    """A field holding a nested model (or a list of them)."""

    attribute: str
    key: str  # its JSON key
    model: type
    plan: _Plan
    is_list: bool

    def values(self, parents: list[Any]) -> list[Any]:
        """The nested models (or mirrors) held by this field of each parent, in order."""
        name, found = self.attribute, []
        for parent in parents:
            value = getattr(parent, name)
            if value is None or value is msgspec.UNSET:
                continue
            if self.is_list:
                found.extend(value)
            else:
                found.append(value)
        return found


@attrs.define
class _Plan:
    """What the pass does to one model's JSON objects, read once from the class."""

    known: frozenset[str]  # the JSON keys the model defines
    renames: tuple[tuple[str, str], ...]  # (JSON key, attribute) where they differ
    keys: dict[str, str]  # attribute -> JSON key, to report paths in JSON terms
    keeps_extra: bool  # whether the class has additional_properties
    hints: dict[str, Any] = attrs.field(factory=dict)  # each field's resolved type
    children: tuple[_Child, ...] = ()
    renamed_below: bool = False  # whether this model or one it nests renames a key
    fast: _Fast | None = None  # the direct path, when the model tree allows it

    def copy_renamed(self, root: object, mirror: object) -> None:
        """Copy the values of renamed keys (read by the Struct ``mirror``) onto the models.

        Only for a key the generator renamed beyond appending ``_`` (``gameId`` ->
        ``game_id``): msgspec decodes into attrs classes by attribute name.
        """
        todo: list[tuple[_Plan, list[Any], list[Any]]] = [(self, [root], [mirror])]
        while todo:
            plan, models, mirrors = todo.pop()
            for _, attribute in plan.renames:
                for model, image in zip(models, mirrors, strict=True):
                    value = getattr(image, attribute)
                    if value is not msgspec.UNSET:
                        setattr(model, attribute, value)
            todo.extend(
                (child.plan, child.values(models), child.values(mirrors))
                for child in plan.children
                if child.plan.renamed_below
            )

    def rename_if_all_known(self, root: dict[str, Any]) -> bool:
        """Rename renamed keys everywhere if no object has a key its model does not define.

        The common case, checked level by level with C loops (no Python work per
        key); ``False`` (nothing changed) sends the body to :meth:`prepare`.
        """
        levels = self._levels(root)
        if not all(plan.known.issuperset(chain.from_iterable(objects)) for plan, objects in levels):
            return False
        for plan, objects in levels:
            for key, attribute in plan.renames:
                for value in objects:
                    if key in value:
                        value[attribute] = value.pop(key)
        return True

    def _levels(self, root: dict[str, Any]) -> list[tuple[_Plan, list[dict[str, Any]]]]:
        """Every parsed object meant for this model or one it nests, with its plan."""
        levels: list[tuple[_Plan, list[dict[str, Any]]]] = []
        todo = [(self, [root])]
        while todo:
            plan, objects = todo.pop()
            levels.append((plan, objects))
            for child in plan.children:
                key = child.key
                values = [value[key] for value in objects if key in value]
                if child.is_list:
                    values = [item for value in values if type(value) is list for item in value]
                nested = [value for value in values if type(value) is dict]
                if nested:
                    todo.append((child.plan, nested))
        return levels

    def prepare(self, value: object, where: tuple[str | int, ...], found: _Found) -> None:
        """Set aside unknown keys and rename renamed ones in ``value`` (a parsed object).

        Anything that is not the expected shape is left for msgspec to refuse.
        """
        if type(value) is dict:
            self.prepare_items([value], where, found, single=True)

    def prepare_items(
        self, items: list[Any], where: tuple[str | int, ...], found: _Found, *, single: bool = False
    ) -> None:
        """``prepare`` each object of a parsed list, recording where unknown keys were found."""
        known, renames, children = self.known, self.renames, self.children
        for index, value in enumerate(items):
            if type(value) is not dict:
                continue
            if not known.issuperset(value):
                extra = {key: value[key] for key in value if key not in known}
                for key in extra:
                    del value[key]
                if self.keeps_extra:
                    found.append((where if single else (*where, index), extra))
            for key, attribute in renames:
                if key in value:
                    value[attribute] = value.pop(key)
            if children:
                self._prepare_children(value, where if single else (*where, index), found)

    def _prepare_children(
        self, value: dict[str, Any], where: tuple[str | int, ...], found: _Found
    ) -> None:
        """``prepare`` the nested models of one object."""
        for child in self.children:
            nested = value.get(child.attribute)
            if child.is_list:
                if type(nested) is list:
                    child.plan.prepare_items(nested, (*where, child.attribute), found)
            else:
                child.plan.prepare(nested, (*where, child.attribute), found)


_PLANS: Final[dict[type, _Plan]] = {}
_PLANS_LOCK: Final = threading.Lock()


def _plan(cls: type) -> _Plan:
    """The pass for ``cls`` and the models it nests, built once per class."""
    plan = _PLANS.get(cls)
    if plan is None:
        with _PLANS_LOCK:
            plan = _PLANS.get(cls)
            if plan is None:
                building: dict[type, _Plan] = {}
                plan = _build(cls, building)
                for model, built in building.items():
                    built.renamed_below = _renames_below(built, set())
                    built.fast = _fast(model, built)  # each, for it may be decoded alone too
                _PLANS.update(building)  # published complete, cycles included
    return plan


def _build(cls: type, building: dict[type, _Plan]) -> _Plan:
    """Build the plans of ``cls`` and the models it nests into ``building``, cycles included."""
    if not attrs.has(cls):
        msg = f"{cls!r} is not a generated attrs model"
        raise TypeError(msg)
    fields = [field for field in attrs.fields(cls) if field.init]
    keys: dict[str, str] = {field.name: field.name for field in fields}
    keys.update(getattr(cls, "_json_keys", {}))
    plan = building[cls] = _Plan(
        known=frozenset(keys.values()),
        renames=tuple((key, name) for name, key in keys.items() if key != name),
        keys=keys,
        keeps_extra=any(field.name == "additional_properties" for field in attrs.fields(cls)),
        hints=typing.get_type_hints(cls, vars(sys.modules[cls.__module__])),
    )
    children = []
    for field in fields:
        nested = _nested_model(plan.hints[field.name])
        if nested is not None:
            model, is_list = nested
            child = _PLANS.get(model) or building.get(model) or _build(model, building)
            children.append(_Child(field.name, keys[field.name], model, child, is_list))
    plan.children = tuple(children)
    return plan


def _renames_below(plan: _Plan, seen: set[int]) -> bool:
    """Whether ``plan`` or a model it nests renames a key."""
    if plan.renames:
        return True
    seen.add(id(plan))
    return any(
        _renames_below(child.plan, seen) for child in plan.children if id(child.plan) not in seen
    )


class _OutsideDirectPathError(Exception):
    """The model tree has a shape the direct path does not cover (it takes the reference path)."""


def _fast(cls: type, plan: _Plan) -> _Fast | None:
    """The direct path for ``cls``, or ``None`` when its model tree is outside what it covers.

    Covered: nested models as a field's type or a list's items (optional or nullable),
    renamed keys on fields that hold no model, no recursion. Anything else is decoded
    by the reference path, with the same result.
    """
    try:
        mirror = _mirror(cls, plan, set())
    except _OutsideDirectPathError:
        return None
    return _Fast(
        mirror=msgspec.json.Decoder(mirror).decode,
        direct=msgspec.json.Decoder(cls, strict=True).decode,
    )


def _mirror(cls: type, plan: _Plan, building: set[type]) -> type:
    """A Struct with the JSON keys of ``cls`` that refuses any other key.

    Each value is kept as a raw slice of the body (nothing is built), except nested
    models (their own mirror) and renamed keys (decoded with the field's type, to be
    copied onto the model).
    """
    if cls in building:
        raise _OutsideDirectPathError
    building.add(cls)
    hints = plan.hints
    children = {child.attribute: child for child in plan.children}
    fields: list[tuple[str, object, object]] = []
    for name, key in plan.keys.items():
        child = children.get(name)
        if child is not None:
            if key != name:
                raise _OutsideDirectPathError
            nested = _mirror(child.model, child.plan, building)
            tp: object = list[nested] if child.is_list else nested  # type: ignore[valid-type]
            fields.append((name, tp | None | msgspec.UnsetType, msgspec.UNSET))  # type: ignore[operator]
        elif _holds_model(hints[name]):
            # A model nested some other way (a dict's values, a list of lists).
            raise _OutsideDirectPathError
        elif key != name:
            fields.append((name, hints[name], msgspec.UNSET))
        else:
            fields.append((name, msgspec.Raw, msgspec.UNSET))
    building.discard(cls)
    return msgspec.defstruct(
        f"{cls.__name__}Mirror",
        fields,
        rename={name: key for name, key in plan.keys.items() if key != name},
        forbid_unknown_fields=True,
        gc=False,
    )


def _holds_model(tp: object) -> bool:
    """Whether a type mentions an attrs model anywhere in it."""
    if isinstance(tp, type) and attrs.has(tp):
        return True
    return any(_holds_model(arg) for arg in typing.get_args(tp))


def _nested_model(tp: object) -> tuple[type, bool] | None:
    """The attrs model inside a field's type (``X | None | Unset``, ``list[X] | ...``), if any."""
    members = (
        typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else (tp,)
    )
    for member in members:
        if isinstance(member, type) and attrs.has(member):
            return member, False
        if typing.get_origin(member) is list:
            [item] = typing.get_args(member)
            if isinstance(item, type) and attrs.has(item):
                return item, True
    return None


def _error(message: str, raw: object, plan: _Plan) -> DecodeError:
    """Turn msgspec's message about ``raw`` into a DecodeError in JSON terms."""
    at = _AT.search(message)
    steps: list[str | int] = []
    if at is not None:
        message = message[: at.start()]
        steps = [
            int(match["index"]) if match["index"] is not None else match["key"]
            for match in _SEGMENT.finditer(at["path"])
        ]
    path, value, found = _walk(raw, plan, steps)
    expected = _EXPECTED_TYPE.match(message)
    if expected is not None:
        wanted = " or ".join(
            _WORDS.get(word, f"`{word}`") for word in expected["expected"].split(" | ")
        )
        got = _describe(value) if found else expected["got"]
        return DecodeError(path, f"expected {wanted}, got {got}")
    for prefix, wanted in _INVALID.items():
        if message.startswith(prefix):
            return DecodeError(path, f"expected {wanted}, got {_describe(value)}")
    return DecodeError(path, message[:1].lower() + message[1:])


def _walk(raw: object, plan: _Plan | None, steps: list[str | int]) -> tuple[str, object, bool]:
    """Follow msgspec's path (attribute names) in the parsed body: the JSON path and the value."""
    path = ""
    value: object = raw
    found = True
    for step in steps:
        if isinstance(step, int):
            path += f"[{step}]"
            found = found and type(value) is list and step < len(value)
            value = value[step] if found else None  # type: ignore[index]
            continue
        path += f".{plan.keys.get(step, step) if plan else step}"
        found = found and type(value) is dict and step in value
        value = value[step] if found else None  # type: ignore[index]
        child = next((c for c in plan.children if c.attribute == step), None) if plan else None
        plan = child.plan if child else None
    return path.removeprefix("."), value, found


def _describe(value: object) -> str:
    """A JSON value's type, with a refused string quoted (shortened)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"
        return f"string {shown!r}"
    return _JSON_TYPE.get(type(value), type(value).__name__)
