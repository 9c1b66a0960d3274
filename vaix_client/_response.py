"""The raw-response view of a call, and decoding of successful bodies into models.

``ApiResponse`` is defined by the generated package (the resource methods
return it); the core re-exports it as ``vaix_client.ApiResponse``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, TypeVar

import msgspec

from vaix_client._decode import DecodeError, Decoder, FastDecoder, locate
from vaix_client._errors import ResponseValidationError
from vaix_client._generated.api import ApiResponse

if TYPE_CHECKING:
    import httpx

__all__ = ["ApiResponse", "decode_body"]

T = TypeVar("T")

_decoders: Final[dict[type[Any], Decoder[Any]]] = {}
_fast: Final[dict[tuple[type[Any], str], FastDecoder[Any]]] = {}


def _decoder(cls: type[T]) -> Decoder[T]:
    decoder = _decoders.get(cls)
    if decoder is None:
        decoder = _decoders[cls] = Decoder(cls)
    return decoder


def _fast_decoder(cls: type[T], unwrap: str) -> FastDecoder[T]:
    decoder = _fast.get((cls, unwrap))
    if decoder is None:
        decoder = _fast[cls, unwrap] = FastDecoder(cls, list_field=unwrap)
    return decoder


def decode_body(response: httpx.Response, model_cls: type[Any] | None, unwrap: str | None) -> Any:  # noqa: ANN401 - the operation's description types the result
    """Decode a 2xx body for an operation, or raise ResponseValidationError.

    With ``unwrap`` (an envelope such as ``{"status": ..., "data": [...]}``)
    the result is the list of ``model_cls`` items under that key; otherwise
    the body decodes into ``model_cls`` itself (or stays plain JSON when the
    spec gives no model).
    """
    if model_cls is None:
        return _parse_json(response)
    if unwrap is not None:
        return _decode_items(response, model_cls, unwrap)
    body = _parse_json(response)
    try:
        return _decoder(model_cls)(body)
    except DecodeError as exc:
        raise _invalid(response, str(exc)) from exc


def _decode_items(response: httpx.Response, model_cls: type[T], unwrap: str) -> list[T]:
    """Decode an envelope's item list, or raise ResponseValidationError.

    Only ``unwrap`` matters: other envelope keys (and an unknown ``status``)
    are ignored, and keys the spec does not define stay reachable on each
    model's ``additional_properties``. Every value is type-checked.
    """
    fast = _fast_decoder(model_cls, unwrap).decode(response.content)
    if fast is not None:
        return fast
    # Unknown keys to keep, or something wrong to name precisely: the slow path.
    envelope = _parse_json(response)
    if type(envelope) is not dict:
        raise _invalid(response, f"expected a JSON object, got {type(envelope).__name__}")
    items = envelope.get(unwrap)
    if type(items) is not list:
        raise _invalid(response, f"the {unwrap!r} array is missing")
    decode = _decoder(model_cls)
    try:
        return [decode(item) for item in items]
    except DecodeError as exc:
        exc.within(f"{unwrap}[{locate(items, decode)}]")
        raise _invalid(response, str(exc)) from exc


def _parse_json(response: httpx.Response) -> object:
    """Parse any JSON body: msgspec (fast), then the stdlib for what msgspec refuses.

    The stdlib also reads NaN, Infinity and numbers beyond a double's range.
    """
    try:
        return msgspec.json.decode(response.content)
    except (msgspec.DecodeError, RecursionError):
        pass
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        raise _invalid(response, f"the body is not JSON ({type(exc).__name__})") from exc


def _invalid(response: httpx.Response, detail: str) -> ResponseValidationError:
    return ResponseValidationError(
        f"The Vaix API sent a {response.status_code} response that does not match the spec: "
        f"{detail}",
        response=response,
    )
