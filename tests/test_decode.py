"""The compiled decoder: strict types, exact paths, and the generated from_dict's results."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import httpx
import pytest

from vaix_client._decode import DecodeError, Decoder, FastDecoder
from vaix_client._response import decode_body
from vaix_client.errors import ResponseValidationError
from vaix_client.models import DistinctionLevel, Error, Errors, GameImage, GameSession, Unset

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
decode = Decoder(GameSession)


def test_decodes_exactly_like_the_generated_from_dict() -> None:
    """On valid data the compiled decoder builds the same model as from_dict."""
    data = {**FULL, "tags": ["x"], "has_respin": True}
    assert decode(data) == GameSession.from_dict(data)
    assert decode(data).additional_properties == {"tags": ["x"], "has_respin": True}
    assert not decode.fallback


def test_absent_and_null_stay_distinct() -> None:
    """An absent key is UNSET and an explicit null is None, as in the generated model."""
    session = decode({"game_id": "g", "category": None})
    assert session.category is None
    assert isinstance(session.game_studio, Unset)
    assert session.additional_properties == {}


def test_json_names_follow_the_generator() -> None:
    """Attributes renamed by the generator (``type_``) are read from their JSON key."""
    image = Decoder(GameImage)({"type": "thumb", "url": "u"})
    assert image.type_ == "thumb"
    assert image.additional_properties == {}


def test_dates_are_parsed_with_their_offset() -> None:
    """Date-times become aware datetimes, keeping the offset the server sent."""
    session = decode(FULL)
    assert session.started == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    assert isinstance(session.release_date, dt.datetime)
    assert session.release_date.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        ({"game_id": 5}, ".game_id", "expected a string, got int"),
        ({"game_name": None}, ".game_name", "expected a string, got null"),
        ({"enabled": "1"}, ".enabled", "expected a number, got string '1'"),
        ({"enabled": True}, ".enabled", "expected a number, got bool"),
        ({"has_bonus": 1}, ".has_bonus", "expected a boolean, got int"),
        ({"started": "yesterday"}, ".started", "expected an ISO 8601 date-time string"),
        ({"started": 1700000000}, ".started", "expected an ISO 8601 date-time string, got int"),
        ({"channels": "web"}, ".channels", "expected an array, got string 'web'"),
        ({"channels": ["web", 3]}, ".channels[1]", "expected a string, got int"),
        ({"images": "x"}, ".images", "expected an array"),
        ({"images": [{"url": "a"}, 1]}, ".images[1]", "expected an object, got int"),
        ({"images": [{"url": "a"}, {"url": 2}]}, ".images[1].url", "expected a string, got int"),
        ({"vaix_tags": [None]}, ".vaix_tags[0]", "expected a string, got null"),
    ],
)
def test_wrong_types_are_refused_with_their_path(
    change: dict[str, Any], path: str, expected: str
) -> None:
    """A value of the wrong JSON type is refused, naming where it is and what was expected."""
    with pytest.raises(DecodeError) as info:
        decode({**FULL, **change})
    assert info.value.path == path
    assert expected in str(info.value)


def test_non_objects_are_refused() -> None:
    """Only a JSON object can be a model."""
    with pytest.raises(DecodeError, match="expected an object, got list"):
        decode([])


def test_long_strings_are_shortened_in_errors() -> None:
    """A long refused string is quoted only in part."""
    with pytest.raises(DecodeError) as info:
        decode({"started": "x" * 500})
    assert len(str(info.value)) < 150


def test_response_errors_name_the_item() -> None:
    """Through decode_sessions, the path starts with the item's index in ``data``."""
    body = b'{"data": [{"game_id": "a"}, {"game_id": "b"}, {"game_id": ["c"]}]}'
    response = httpx.Response(200, content=body, request=httpx.Request("GET", "https://x"))
    with pytest.raises(ResponseValidationError, match=r"data\[2\]\.game_id: expected a string"):
        decode_body(response, GameSession, "data")


def test_enum_fields_are_converted_and_checked() -> None:
    """An enum-typed field is converted to the enum, and an unknown value is refused."""

    @attrs.define
    class WithEnum:
        level: DistinctionLevel | Unset = attrs.field(default=Unset())

        def to_dict(self) -> dict[str, Any]:
            return {} if isinstance(self.level, Unset) else {"level": self.level.value}

    decoder = Decoder(WithEnum)
    assert decoder({"level": "daily"}).level is DistinctionLevel.DAILY
    with pytest.raises(DecodeError, match="one of 'daily', 'none', 'unique'"):
        decoder({"level": "weekly"})


@pytest.mark.parametrize("model", [Error, Errors])
def test_other_generated_models_compile(model: type[Any]) -> None:
    """Every generated model with plain fields compiles; Errors' free-form object falls back."""
    decoder = Decoder(model)
    assert decoder({}) == model.from_dict({})


def test_unsupported_types_fall_back_to_from_dict() -> None:
    """A class with a field type the compiler does not know uses its own from_dict."""

    @attrs.define
    class Odd:
        value: int | str | Unset = attrs.field(default=Unset())

        def to_dict(self) -> dict[str, Any]:
            return {"value": self.value}

        @classmethod
        def from_dict(cls, data: dict[str, Any]) -> Odd:
            return cls(value=data["value"])

    decoder = Decoder(Odd)
    assert decoder.fallback
    assert decoder({"value": 3}).value == 3
    with pytest.raises(DecodeError, match="expected a valid Odd"):
        decoder({})
    with pytest.raises(DecodeError, match="expected an object"):
        decoder(1)


@attrs.define
class _Dated:
    """A model with the field types the Vaix spec does not use yet."""

    days: list[dt.date] | Unset = attrs.field(default=Unset())
    moments: list[dt.datetime] | Unset | None = attrs.field(default=Unset())
    anything: Any = attrs.field(default=Unset())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("days", "moments", "anything"):
            value = getattr(self, name)
            if not isinstance(value, Unset):
                out[name] = value
        return out


def test_lists_of_converted_items() -> None:
    """Items that need converting (dates) are converted, and a bad one is named by index."""
    decoder = Decoder(_Dated)
    value = decoder({"days": ["2026-01-02"], "moments": None, "anything": {"x": [1]}})
    assert value.days == [dt.date(2026, 1, 2)]
    assert value.moments is None
    assert value.anything == {"x": [1]}
    with pytest.raises(DecodeError) as info:
        decoder({"moments": ["2026-01-02T00:00:00Z", "soon"]})
    assert info.value.path == ".moments[1]"


def test_required_fields_fall_back() -> None:
    """A model with a required field (none in the Vaix spec today) falls back to from_dict."""

    @attrs.define
    class Required:
        name: str

        def to_dict(self) -> dict[str, Any]:
            return {"name": self.name}

        @classmethod
        def from_dict(cls, data: dict[str, Any]) -> Required:
            return cls(name=data["name"])

    assert Decoder(Required).fallback


def test_fast_path_mirrors_the_session_models() -> None:
    """GameSession has a msgspec mirror; a body without unknown keys takes it."""
    fast = FastDecoder(GameSession, list_field="data")
    assert fast.available
    [session] = fast.decode(json_body({"data": [FULL]})) or []
    assert session == decode(FULL)
    assert fast.decode(b"not json") is None
    assert fast.decode(json_body({"data": [{**FULL, "game_id": 5}]})) is None


def test_models_the_fast_path_cannot_mirror_take_the_compiled_path() -> None:
    """Field types outside what msgspec mirrors here leave the fast path off, not wrong."""
    fast = FastDecoder(_Dated, list_field="items")
    assert not fast.available
    assert fast.decode(b'{"items": []}') is None


def json_body(value: object) -> bytes:
    """JSON bytes for a test body."""
    return json.dumps(value).encode()
