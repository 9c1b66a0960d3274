"""Fast, strict decoding of JSON objects into the generated attrs models.

The generated ``from_dict`` is lax and slow: a wrong type passes through
unchecked (``images="x"`` lands in a ``list[GameImage]`` field) and each
object costs ~11 µs in runtime ``cast(Union[...])`` calls, nested closures and
a dict copy. msgspec and cattrs do not know the generator's ``Unset``
sentinel, so this module compiles, once per model class, a straight-line
decoder from the class's own attrs fields and type hints: every value is
type-checked, date-times are parsed, nested models are decoded, and unknown
keys are kept in ``additional_properties``, exactly as ``from_dict`` would
store them. Because it reads the classes rather than the spec, a regenerated
package is picked up with no change here; a field type it does not know makes
that class fall back to the generated ``from_dict``.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
import types
import typing
from typing import Any, Final, Generic, TypeVar

import attrs
import msgspec

from vaix_client._generated import models as _models
from vaix_client._generated.types import UNSET, Unset

if typing.TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DecodeError", "Decoder", "FastDecoder"]

T = TypeVar("T")

_NONE_TYPE: Final = type(None)
_SHOWN: Final = 40  # characters of a refused string quoted in the error
_PRIMITIVES: Final[dict[object, str]] = {str: "a string", bool: "a boolean", int: "an integer"}


class DecodeError(ValueError):
    """A JSON value does not fit the model: ``path`` says where, the message says why."""

    def __init__(self, where: str, expected: str, value: object) -> None:
        super().__init__(where, expected)
        self.parts = [where]
        self.expected = expected
        self.got = _describe(value)

    def within(self, part: str) -> DecodeError:
        """Prefix the path with an outer part (built only on the error path, never per value)."""
        self.parts.insert(0, part)
        return self

    @property
    def path(self) -> str:
        """Where the value is, e.g. ``data[3].images[0].url``."""
        return "".join(self.parts)

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, got {self.got}"


def position(items: list[Any], item: object) -> int:
    """The index of ``item`` (by identity) in ``items`` (used only to report an error)."""
    return next(index for index, candidate in enumerate(items) if candidate is item)


def locate(items: list[Any], decode: Callable[[Any], object]) -> int:
    """The index of the first item ``decode`` refuses (used only to report an error)."""
    for index, item in enumerate(items):
        try:
            decode(item)
        except DecodeError:
            return index
    return -1  # pragma: no cover - called only after a failure


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"
        return f"string {shown!r}"
    return type(value).__name__


class _Unsupported(Exception):  # noqa: N818 - internal signal: fall back to from_dict
    """A field type this compiler does not handle."""


class _Compiler:
    """Emit Python source for one decoder function per attrs model class."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "UNSET": UNSET,
            "DecodeError": DecodeError,
            "_locate": locate,
            "_position": position,
            "_datetime": dt.datetime.fromisoformat,
            "_date": dt.date.fromisoformat,
        }
        self.done: dict[type, str] = {}
        self._counter = 0

    def name_for(self, cls: type) -> str:
        """Compile ``cls`` (once) and return the name of its decoder function."""
        if cls not in self.done:
            self.done[cls] = f"_decode_{cls.__name__}"
            try:
                source = self._model(cls)
            except _Unsupported:
                self.namespace[f"_fallback_{cls.__name__}"] = cls.from_dict  # type: ignore[attr-defined]
                source = (
                    f"def _decode_{cls.__name__}(d):\n"
                    f"    if type(d) is not dict:\n"
                    f"        raise DecodeError('', 'an object', d)\n"
                    f"    try:\n"
                    f"        return _fallback_{cls.__name__}(d)\n"
                    f"    except (KeyError, TypeError, ValueError, AttributeError) as exc:\n"
                    f"        raise DecodeError('', 'a valid {cls.__name__}', d) from exc\n"
                )
            self._run(source, f"decoder for {cls.__name__}")
        return self.done[cls]

    def _run(self, source: str, label: str) -> None:
        """Define the functions in ``source`` (our own generated code) in the namespace."""
        code = compile(source, f"<vaix_client {label}>", "exec")
        exec(code, self.namespace)  # noqa: S102 - the source is built here, from our models

    def _model(self, cls: type) -> str:
        fields, hints, keys = _model_fields(cls)
        name = cls.__name__
        self.namespace[f"_cls_{name}"] = cls
        self.namespace[f"_known_{name}"] = frozenset(keys.values())
        lines = [
            f"def _decode_{name}(d):",
            "    if type(d) is not dict:",
            "        raise DecodeError('', 'an object', d)",
            "    get = d.get",
        ]
        for index, field in enumerate(fields):
            var = f"v{index}"
            key = keys[field.name]
            lines.append(f"    {var} = get({key!r}, UNSET)")
            checks, _ = self._value(hints[field.name], var, repr(f".{key}"))
            lines += ["    " + line for line in checks]
        lines.append(f"    obj = _cls_{name}({', '.join(f'v{i}' for i in range(len(fields)))})")
        if any(f.name == "additional_properties" and not f.init for f in attrs.fields(cls)):
            lines += [
                f"    if not d.keys() <= _known_{name}:",
                (
                    f"        obj.additional_properties = "
                    f"{{k: v for k, v in d.items() if k not in _known_{name}}}"
                ),
            ]
        lines.append("    return obj")
        return "\n".join(lines) + "\n"

    def _value(self, tp: object, var: str, where: str) -> tuple[list[str], bool]:
        """Lines that check ``var`` against ``tp``, and whether they convert it in place.

        ``where`` is a Python expression for the value's path, evaluated only
        when the value is refused.

        The common case (the value has the expected type) costs one test; the
        ``None``/``UNSET`` alternatives are looked at only when that fails.
        """
        members = typing.get_args(tp) if _is_union(tp) else (tp,)
        others = [m for m in members if m not in (Unset, _NONE_TYPE)]
        if len(others) != 1:
            raise _Unsupported
        allowed = [f"{var} is not UNSET"] if Unset in members else []
        allowed += [f"{var} is not None"] if _NONE_TYPE in members else []
        test, convert, converts = self._test(others[0], var, where)
        bad = f"raise DecodeError({where}, {_expected(others[0])!r}, {var})"
        if test is None:
            return [], False
        otherwise = (
            [f"elif {' and '.join(allowed)}:", f"    {bad}"] if allowed else ["else:", f"    {bad}"]
        )
        if not convert:
            negated = [f"not ({test})", *allowed]
            return [f"if {' and '.join(negated)}:", f"    {bad}"], False
        return [f"if {test}:", *("    " + line for line in convert), *otherwise], converts

    def _test(self, tp: object, var: str, where: str) -> tuple[str | None, list[str], bool]:  # noqa: PLR0911 - one case per type
        """A test that ``var`` has ``tp``'s JSON type, the lines run then, and if they convert it.

        The flag says whether those lines replace ``var`` with a converted value.
        """
        bad = f"raise DecodeError({where}, {_expected(tp)!r}, {var})"
        if tp is typing.Any or tp is object:
            return None, [], False
        if isinstance(tp, type) and tp in _PRIMITIVES:
            return f"type({var}) is {tp.__name__}", [], False
        if tp is float:
            return f"type({var}) is float or type({var}) is int", [], False
        if tp in (dt.datetime, dt.date):
            parse = "_datetime" if tp is dt.datetime else "_date"
            parsing = [
                "try:",
                f"    {var} = {parse}({var})",
                "except ValueError:",
                f"    {bad} from None",
            ]
            return f"type({var}) is str", parsing, True
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            enum_name = self._bind(tp)
            lookup = [
                "try:",
                f"    {var} = {enum_name}({var})",
                "except ValueError:",
                f"    {bad} from None",
            ]
            return f"type({var}) is str or type({var}) is int", lookup, True
        if isinstance(tp, type) and attrs.has(tp):
            decoder = self.name_for(tp)
            nested = [
                "try:",
                f"    {var} = {decoder}({var})",
                "except DecodeError as exc:",
                f"    raise exc.within({where}) from None",
            ]
            return f"type({var}) is dict", nested, True
        if typing.get_origin(tp) is list:
            items, converts = self._items(typing.get_args(tp)[0], var, where)
            return f"type({var}) is list", items, converts
        raise _Unsupported

    def _items(self, item: object, var: str, where: str) -> tuple[list[str], bool]:
        """Lines that check each item of the list ``var``, and whether they convert the list."""
        item_var = f"{var}_item"
        item_where = f"{where} + f'[{{_position({var}, {item_var})}}]'"
        checks, converts = self._value(item, item_var, item_where)
        if not checks:
            return [], False
        if not converts:
            # Items are checked in place: no new list, no call per item.
            return [f"for {item_var} in {var}:", *("    " + line for line in checks)], False
        item_checks, _ = self._value(item, item_var, "''")
        decoder = self._item_decoder(item, item_var, item_checks)
        return [
            "try:",
            f"    {var} = [{decoder}({item_var}) for {item_var} in {var}]",
            "except DecodeError as exc:",
            f"    raise exc.within({where} + f'[{{_locate({var}, {decoder})}}]') from None",
        ], True

    def _item_decoder(self, item: object, item_var: str, checks: list[str]) -> str:
        """A function decoding one list item: the model's decoder, or one made for the item."""
        if isinstance(item, type) and attrs.has(item):
            return self.name_for(item)
        self._counter += 1
        name = f"_item{self._counter}"
        source = "\n".join(
            [
                f"def {name}({item_var}):",
                *("    " + line for line in checks),
                f"    return {item_var}",
            ]
        )
        exec(compile(source, f"<vaix_client item decoder {name}>", "exec"), self.namespace)  # noqa: S102
        return name

    def _bind(self, value: object) -> str:
        self._counter += 1
        name = f"_bound{self._counter}"
        self.namespace[name] = value
        return name


def _convert(var: str, function: str, bad: str) -> list[str]:
    """Lines replacing ``var`` with ``function(var)``, refusing it if that raises ValueError."""
    return ["try:", f"    {var} = {function}({var})", "except ValueError:", f"    {bad} from None"]


def _model_fields(cls: type) -> tuple[list[Any], dict[str, Any], dict[str, str]]:
    """A model's init fields, their resolved type hints, and their JSON keys.

    Every generated optional field defaults to UNSET; a required one (none in
    the Vaix spec today) is left to the generated ``from_dict``.
    """
    hints = typing.get_type_hints(
        cls, globalns=vars(sys.modules[cls.__module__]), localns=vars(_models)
    )
    fields = [f for f in attrs.fields(cls) if f.init]
    if any(f.default is attrs.NOTHING for f in fields):
        raise _Unsupported
    return fields, hints, _json_names(cls, fields, hints)


def _json_names(cls: type, fields: list[Any], hints: dict[str, Any]) -> dict[str, str]:
    """Map each attribute to its JSON key (``type_`` -> ``type``), asking the generated ``to_dict``.

    Each field in turn is set to a sample of its type, the others left UNSET,
    so ``to_dict()`` returns exactly one key: the generator's own naming rule.
    """
    names: dict[str, str] = {}
    for field in fields:
        instance = cls(**{field.name: _sample(hints[field.name])})
        produced = list(instance.to_dict())
        if len(produced) != 1:
            raise _Unsupported
        names[field.name] = produced[0]
    return names


def _sample(tp: object) -> object:  # noqa: PLR0911 - one case per type
    """A value of type ``tp`` that ``to_dict`` can serialise."""
    members = typing.get_args(tp) if _is_union(tp) else (tp,)
    if _NONE_TYPE in members or tp is typing.Any or tp is object:
        return None
    real = next(m for m in members if m is not Unset)
    if real in (str, int, float, bool):
        return real()
    if real is dt.datetime:
        return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    if real is dt.date:
        return dt.date(2000, 1, 1)
    if isinstance(real, type) and issubclass(real, enum.Enum):
        return next(iter(real))
    if isinstance(real, type) and attrs.has(real):
        return real()
    if typing.get_origin(real) is list:
        return []
    raise _Unsupported


def _is_union(tp: object) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


_EXPECTED: Final[dict[object, str]] = {
    **_PRIMITIVES,
    float: "a number",
    dt.datetime: "an ISO 8601 date-time string",
    dt.date: "an ISO 8601 date string",
}


def _expected(tp: object) -> str:
    """What a value of type ``tp`` looks like in JSON, for error messages."""
    if tp in _EXPECTED:
        return _EXPECTED[tp]
    if typing.get_origin(tp) is list:
        return "an array"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(member.value) for member in tp)
    return "an object"


_COMPILER: Final = _Compiler()


class Decoder(Generic[T]):
    """A compiled, strict decoder for one generated model class."""

    def __init__(self, cls: type[T]) -> None:
        self.cls = cls
        self._decode = _COMPILER.namespace[_COMPILER.name_for(cls)]
        self.fallback = f"_fallback_{cls.__name__}" in _COMPILER.namespace

    def __call__(self, data: object) -> T:
        """Decode one JSON value (already parsed) into the model; DecodeError if it does not fit."""
        result: T = self._decode(data)
        return result


# ---------------------------------------------------------------- the fast path


class FastDecoder(Generic[T]):
    """Decode a whole body with msgspec (typed, in C), then build the attrs models.

    msgspec validates a body against Struct types mirroring the models (made
    here from the same attrs fields and hints) several times faster than any
    Python check, but it cannot keep unknown keys. So its Structs forbid them:
    a body with a key the spec does not define, or anything msgspec refuses,
    makes :meth:`decode` return ``None`` and the caller takes the compiled
    decoder's path, which keeps every key and names what is wrong.
    """

    def __init__(self, cls: type[T], *, list_field: str) -> None:
        self._convert: Callable[[Any], T] | None = None
        self._list_field = list_field
        try:
            struct, self._convert = _Mirror().of(cls)
        except _Unsupported:
            self._decoder = None
            return
        items: object = list[struct]  # type: ignore[valid-type]
        envelope = msgspec.defstruct("Envelope", [(list_field, items)], forbid_unknown_fields=False)
        self._decoder = msgspec.json.Decoder(envelope)

    @property
    def available(self) -> bool:
        """Whether the models could be mirrored (else every body takes the slow path)."""
        return self._decoder is not None

    def decode(self, content: bytes) -> list[T] | None:
        """The models in ``content[list_field]``, or ``None`` when the fast path cannot tell."""
        if self._decoder is None or self._convert is None:
            return None
        try:
            envelope = self._decoder.decode(content)
        except (msgspec.DecodeError, RecursionError):  # ValidationError included
            return None
        convert = self._convert
        return [convert(item) for item in getattr(envelope, self._list_field)]


class _Mirror:
    """Build msgspec Struct types (and converters back to attrs) mirroring attrs models."""

    def __init__(self) -> None:
        self._done: dict[type, tuple[type, Callable[[Any], Any]]] = {}

    def of(self, cls: type) -> tuple[type, Callable[[Any], Any]]:
        """The Struct mirroring ``cls`` and the function turning one into a ``cls``."""
        if cls in self._done:
            return self._done[cls]
        fields, hints, keys = _model_fields(cls)
        nested: list[tuple[str, Callable[[Any], Any]]] = []
        spec = []
        for field in fields:
            struct_type, item_convert = self._type(hints[field.name])
            spec.append((keys[field.name], struct_type, UNSET))
            if item_convert is not None:
                nested.append((field.name, item_convert))
        struct = msgspec.defstruct(f"{cls.__name__}Struct", spec, forbid_unknown_fields=True)
        astuple = msgspec.structs.astuple

        def convert(value: Any) -> Any:  # noqa: ANN401 - a Struct in, a model out
            obj = cls(*astuple(value))
            for name, item_convert in nested:
                items = getattr(obj, name)
                if type(items) is list:
                    setattr(obj, name, [item_convert(item) for item in items])
            return obj

        self._done[cls] = (struct, convert)
        return struct, convert

    def _type(self, tp: object) -> tuple[object, Callable[[Any], Any] | None]:
        """The msgspec type for a field, and the converter of its list items if they are models."""
        members = typing.get_args(tp) if _is_union(tp) else (tp,)
        others = [m for m in members if m not in (Unset, _NONE_TYPE)]
        if len(others) != 1:
            raise _Unsupported
        real = others[0]
        nullable = _NONE_TYPE in members
        converter = None
        if real is float:
            mapped: object = int | float  # keep JSON integers as ints, as from_dict does
        elif (
            real in (str, int, bool, dt.datetime, dt.date)
            or real is typing.Any
            or (isinstance(real, type) and issubclass(real, enum.Enum))
        ):
            mapped = real
        elif typing.get_origin(real) is list:
            item = typing.get_args(real)[0]
            if isinstance(item, type) and attrs.has(item):
                item_struct, converter = self.of(item)
                mapped = list[item_struct]  # type: ignore[valid-type]
            elif item in (str, int, bool):
                mapped = list[item]  # type: ignore[valid-type]
            else:
                raise _Unsupported
        else:
            raise _Unsupported  # a nested model outside a list: not in the spec today
        return (mapped | None if nullable else mapped), converter  # type: ignore[operator]
