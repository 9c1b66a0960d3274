"""decode_model: strict types, exact JSON paths, unknown keys kept, any generated model."""

from __future__ import annotations

import collections
import copy
import datetime as dt
import json
import pickle
import typing
from pathlib import Path
from typing import Any, ClassVar

import attrs
import httpx
import pytest

import vaix_client
from vaix_client._decode import DecodeError, decode_model
from vaix_client._response import decode_body
from vaix_client.errors import ResponseValidationError
from vaix_client.models import (
    UNSET,
    Error,
    Errors,
    GameImage,
    GameSession,
    GameSessionsResponse,
    Unset,
)

FULL: dict[str, Any] = {
    "category": "Gaming: Slots",
    "channels": ["web", "mobile"],
    "enabled": 1,
    "first_transaction": "2026-01-01T10:00:00Z",
    "game_id": "g1",
    "game_image_url": "https://img.test/g1.png",
    "game_link": None,
    "game_name": "Book",
    "game_studio": "NetEnt",
    "has_avalanche": True,
    "has_bonus": False,
    "has_buy": None,
    "has_jackpot": False,
    "has_megaways": True,
    "has_sticky": False,
    "images": [{"type": "thumb", "url": "https://img.test/1.png"}],
    "internal_game_id": "int-1",
    "is_live": False,
    "max_bet": 100,
    "min_bet": 0.1,
    "release_date": "2025-05-05T00:00:00+02:00",
    "started": "2026-11-20T10:00:00Z",
    "total_duration_in_seconds": 321.5,
    "vaix_category": "slots",
    "vaix_game_studio": "netent",
    "vaix_tags": ["egypt"],
}


def body(value: object) -> bytes:
    """JSON bytes for a test body."""
    return json.dumps(value).encode()


def session(item: dict[str, Any]) -> GameSession:
    """Decode one session object."""
    return decode_model(body(item), GameSession)


def test_decodes_like_the_generated_from_dict_on_valid_data() -> None:
    """On valid data, decode_model builds the model from_dict builds (numbers as floats)."""
    data = {**FULL, "tags": ["x"], "has_respin": True}
    decoded = session(data)
    assert decoded == GameSession.from_dict({**data, "enabled": 1.0, "max_bet": 100.0})
    assert decoded.additional_properties == {"tags": ["x"], "has_respin": True}
    assert decoded.enabled == 1.0
    assert type(decoded.enabled) is float


def test_absent_and_null_stay_distinct() -> None:
    """An absent key is UNSET and an explicit null is None."""
    decoded = session({"game_id": "g", "category": None})
    assert decoded.category is None
    assert decoded.game_studio is UNSET
    assert isinstance(decoded.game_studio, Unset)
    assert decoded.additional_properties == {}


def test_renamed_keys_are_read_and_kept_apart() -> None:
    """``type`` fills ``type_``; a body key named ``type_`` is an unknown key, kept aside."""
    image = decode_model(b'{"type": "thumb", "url": "u", "type_": 1}', GameImage)
    assert image.type_ == "thumb"
    assert image.additional_properties == {"type_": 1}


def test_unknown_keys_are_kept_at_every_level() -> None:
    """Keys the spec does not define stay on each model, the envelope's included."""
    content = body(
        {
            "status": "partial",
            "next": "cursor",
            "data": [{"game_id": "a"}, {"x": 1, "images": [{"url": "u"}, {"w": 2}]}],
        }
    )
    envelope = decode_model(content, GameSessionsResponse)
    assert envelope.additional_properties == {"next": "cursor"}
    assert isinstance(envelope.data, list)
    first, second = envelope.data
    assert first.additional_properties == {}
    assert second.additional_properties == {"x": 1}
    assert isinstance(second.images, list)
    assert [image.additional_properties for image in second.images] == [{}, {"w": 2}]


def test_a_key_named_additional_properties_is_data() -> None:
    """A body key that matches the attribute's name is kept as data, not taken as the dict."""
    decoded = session({"additional_properties": 5})
    assert decoded.additional_properties == {"additional_properties": 5}


def test_dates_are_parsed_with_their_offset() -> None:
    """Date-times become aware datetimes, keeping the offset the server sent."""
    decoded = session(FULL)
    assert decoded.started == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    assert isinstance(decoded.release_date, dt.datetime)
    assert decoded.release_date.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        ({"game_id": 5}, "game_id", "expected a string, got int"),
        ({"game_name": None}, "game_name", "expected a string, got null"),
        ({"enabled": "1"}, "enabled", "expected a number or null, got string '1'"),
        ({"enabled": True}, "enabled", "expected a number or null, got bool"),
        ({"has_bonus": 1}, "has_bonus", "expected a boolean or null, got int"),
        ({"started": "yesterday"}, "started", "expected an RFC 3339 date-time string, got string"),
        ({"started": 1700000000}, "started", "expected an RFC 3339 date-time string, got int"),
        ({"channels": "web"}, "channels", "expected an array or null, got string 'web'"),
        ({"channels": ["web", 3]}, "channels[1]", "expected a string, got int"),
        ({"images": "x"}, "images", "expected an array or null, got string 'x'"),
        ({"images": [{"url": "a"}, 1]}, "images[1]", "expected an object, got int"),
        ({"images": [{"url": "a"}, {"url": 2}]}, "images[1].url", "expected a string, got int"),
        ({"images": [{"type": []}]}, "images[0].type", "expected a string, got array"),
        ({"vaix_tags": [None]}, "vaix_tags[0]", "expected a string, got null"),
    ],
)
def test_wrong_types_are_refused_with_their_path(
    change: dict[str, Any], path: str, reason: str
) -> None:
    """A value of the wrong JSON type is refused, naming its JSON path and what was expected."""
    with pytest.raises(DecodeError) as info:
        session({**FULL, **change})
    assert info.value.path == path
    assert info.value.reason.startswith(reason)
    assert str(info.value) == f"{path}: {info.value.reason}"


def test_non_objects_and_non_json_are_refused() -> None:
    """Only a JSON object can be a model; bytes that are not JSON say so."""
    with pytest.raises(DecodeError, match=r"^expected an object, got array$") as info:
        decode_model(b"[]", GameSession)
    assert info.value.path == ""
    with pytest.raises(DecodeError, match="the body is not JSON"):
        decode_model(b"{", GameSession)
    with pytest.raises(DecodeError, match="the body is not JSON"):
        decode_model(b"[" * 100_000, GameSession)


def test_long_strings_are_shortened_in_errors() -> None:
    """A long refused string is quoted only in part."""
    with pytest.raises(DecodeError) as info:
        session({"started": "x" * 500})
    assert len(str(info.value)) < 150


def test_sessions_errors_name_the_item() -> None:
    """Through decode_body, the path starts with the item's index in ``data``."""
    content = b'{"data": [{"game_id": "a"}, {"game_id": "b"}, {"game_id": ["c"]}]}'
    response = httpx.Response(200, content=content, request=httpx.Request("GET", "https://x"))
    with pytest.raises(ResponseValidationError, match=r"data\[2\]\.game_id: expected a string"):
        decode_body(response, GameSessionsResponse, "data")


def test_a_missing_data_array_is_refused() -> None:
    """An envelope without ``data`` is not a result."""
    response = httpx.Response(200, content=b'{"status": "success"}')
    with pytest.raises(ResponseValidationError, match="the 'data' array is missing"):
        decode_body(response, GameSessionsResponse, "data")


def test_error_models_decode_with_their_free_form_parts() -> None:
    """Error and Errors decode too; the free-form ``errors`` object keeps every key."""
    errors = decode_model(b'{"errors": {"user": ["required"]}, "trace": 1}', Errors)
    assert not isinstance(errors.errors, Unset)
    assert errors.errors.additional_properties == {"user": ["required"]}
    assert errors.additional_properties == {"trace": 1}
    assert decode_model(b'{"error": "bad", "status": "error"}', Error) == Error("bad", "error")
    with pytest.raises(DecodeError, match=r"^errors: expected an object"):
        decode_model(b'{"errors": []}', Errors)


@attrs.define
class _Node:
    """A model that contains itself (the Vaix spec has none today)."""

    name: str | Unset = UNSET
    children: list[_Node] | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


def test_models_that_nest_themselves_decode() -> None:
    """Recursive models get their unknown keys kept at every depth."""
    node = decode_model(b'{"name": "a", "children": [{"children": [{"x": 1}]}]}', _Node)
    assert isinstance(node.children, list)
    [child] = node.children
    assert isinstance(child.children, list)
    assert child.children[0].additional_properties == {"x": 1}


def test_only_attrs_models_can_be_decoded() -> None:
    """Asking for a class that is not a model is a programming error, said at once."""
    with pytest.raises(TypeError, match="not a generated attrs model"):
        decode_model(b"{}", dict)


def test_models_print_pickle_and_copy_cleanly() -> None:
    """A model's repr shows UNSET; pickle and copy give an equal model."""
    decoded = session({"game_id": "g", "extra": [1]})
    assert "game_name=UNSET" in repr(decoded)
    assert "object at 0x" not in repr(decoded)
    unpickled = pickle.loads(pickle.dumps(decoded))  # noqa: S301 - our own bytes
    for clone in (unpickled, copy.copy(decoded), copy.deepcopy(decoded)):
        assert clone == decoded
        assert clone.game_name is UNSET


def test_to_dict_is_json_ready() -> None:
    """to_dict() gives only JSON values: ISO dates, nested dicts, unknown keys, no UNSET."""
    decoded = session({**FULL, "extra": {"a": [1]}})
    as_dict = decoded.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["started"] == "2026-11-20T10:00:00+00:00"
    assert as_dict["extra"] == {"a": [1]}
    assert "game_id" not in session({}).to_dict()


def test_unset_is_exported_where_users_look() -> None:
    """UNSET and Unset come from vaix_client and vaix_client.models alike."""
    assert vaix_client.UNSET is UNSET
    assert vaix_client.Unset is Unset
    assert isinstance(UNSET, Unset)
    assert not UNSET


def test_no_source_is_compiled_at_run_time() -> None:
    """The package never builds code at run time (no exec, eval or compile of source)."""
    package = Path(vaix_client.__file__).parent
    for module in package.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        for call in ("exec(", "eval(", "compile("):
            assert call not in text.replace("re.compile(", ""), f"{module}: {call}"


def test_a_body_with_only_known_keys_takes_the_direct_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A body the spec fully describes never reaches the reference path (parse, pass, convert)."""
    from vaix_client import _decode

    def refuse(*args: object) -> None:
        raise AssertionError("the reference path ran")

    monkeypatch.setattr(_decode, "_reference", refuse)
    decoded = decode_model(body({"data": [FULL, {}], "status": "success"}), GameSessionsResponse)
    assert isinstance(decoded.data, list)
    first = decoded.data[0]
    assert first.images == [GameImage(type_="thumb", url="https://img.test/1.png")]
    assert first.started == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    assert decoded.data[1] == GameSession()
    with pytest.raises(AssertionError, match="reference path"):
        decode_model(body({"data": [{**FULL, "new_key": 1}]}), GameSessionsResponse)


def test_decoded_models_share_only_a_read_only_empty_additional_properties() -> None:
    """Models without unknown keys share one read-only empty dict; setting a key still works."""
    decoded = decode_model(body({"data": [{}, {"game_id": "g"}], "x": 1}), GameSessionsResponse)
    assert isinstance(decoded.data, list)
    first, second = decoded.data
    assert first.additional_properties == {}
    assert isinstance(first.additional_properties, dict)
    with pytest.raises(TypeError, match=r"model\[key\] = value"):
        first.additional_properties["note"] = 1
    first["note"] = 1
    second["other"] = 2
    assert first.additional_properties == {"note": 1}
    assert second.additional_properties == {"other": 2}
    assert decoded.additional_properties == {"x": 1}
    assert GameSession().additional_properties == {}
    assert type(GameSession().additional_properties) is dict  # a model made by hand has its own
    with pytest.raises(KeyError):
        del GameSession()["missing"]
    assert json.loads(json.dumps(GameSession(game_id="g").to_dict())) == {"game_id": "g"}
    # A dict of the user's own kind, assigned, is written to as it is (not replaced).
    second.additional_properties = collections.OrderedDict(kept=1)
    second["more"] = 2
    del second["kept"]
    assert second.additional_properties == collections.OrderedDict(more=2)
    assert type(second.additional_properties) is collections.OrderedDict


def test_a_suffixed_key_is_the_attribute_and_the_generator_name_still_works() -> None:
    """``type`` is the attribute (decoded directly); ``type_`` stays for __init__ and reading."""
    image = GameImage(type_="icon", url="u")
    assert image.type == image.type_ == "icon"
    image.type_ = "thumb"
    assert image.type == "thumb"
    assert attrs.evolve(image, type_="x").type == "x"
    assert image.to_dict() == {"type": "thumb", "url": "u"}
    assert GameImage.from_dict({"type": "a"}) == GameImage(type_="a")


def test_an_absent_key_is_at_its_default() -> None:
    """A sparse body decodes to the model its keys make, every other field at its default."""
    decoded = session({"game_id": "g"})
    assert decoded.game_name is UNSET
    assert decoded == GameSession(game_id="g")


@attrs.define
class _Leaf:
    """A model whose JSON key the generator renamed beyond a suffix (``gameId`` -> ``game_id``)."""

    game_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)
    _json_keys: ClassVar[dict[str, str]] = {"game_id": "gameId"}


@attrs.define
class _Branch:
    """A model holding renamed leaves, one and a list."""

    leaf: _Leaf | Unset = UNSET
    leaves: list[_Leaf] | Unset | None = UNSET
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


def test_keys_renamed_beyond_a_suffix_are_copied_on_the_direct_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``gameId`` reaches ``game_id`` at every depth without the reference path."""
    from vaix_client import _decode

    content = body({"leaf": {"gameId": "a"}, "leaves": [{"gameId": "b"}, {}, {"gameId": "c"}]})
    reference = decode_model(content, _Branch)  # the first call plans the class
    monkeypatch.setattr(_decode, "_reference", None)
    decoded = decode_model(content, _Branch)
    assert decoded == reference
    assert decoded.leaf == _Leaf(game_id="a")
    assert decoded.leaves == [_Leaf(game_id="b"), _Leaf(), _Leaf(game_id="c")]


def test_annotations_resolve_in_each_model_namespace() -> None:
    """An attribute named after a builtin (``type``) hides it from no annotation of its class."""
    import inspect
    import sys

    from vaix_client import models

    for name in models.__all__:
        cls = getattr(models, name)
        if not (isinstance(cls, type) and attrs.has(cls)):
            continue
        namespace = vars(sys.modules[cls.__module__])
        typing.get_type_hints(cls, namespace, dict(vars(cls)))
        for member in vars(cls).values():
            function = getattr(member, "__func__", member)
            if inspect.isfunction(function):
                typing.get_type_hints(function, namespace, dict(vars(cls)))


def test_a_model_first_planned_inside_another_still_takes_the_direct_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decoding an envelope plans its sessions too; a session decoded alone then goes direct."""
    from vaix_client import _decode

    monkeypatch.setattr(_decode, "_PLANS", {})
    decode_model(body({"data": [FULL]}), GameSessionsResponse)
    monkeypatch.setattr(_decode, "_reference", None)
    assert decode_model(body(FULL), GameSession) == session(FULL)
