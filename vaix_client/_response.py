"""Decoding of successful bodies into the operation's models, on the one decode path.

``ApiResponse`` is defined by the generated package (the resource methods
return it); the core re-exports it as ``vaix_client.ApiResponse``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec

from vaix_client._decode import DecodeError, decode_model
from vaix_client._errors import ResponseValidationError
from vaix_client._generated.api import ApiResponse
from vaix_client._generated.types import UNSET

if TYPE_CHECKING:
    import httpx

__all__ = ["ApiResponse", "decode_body"]


def decode_body(response: httpx.Response, model_cls: type[Any] | None, unwrap: str | None) -> Any:  # noqa: ANN401 - the operation's description types the result
    """Decode a 2xx body for an operation, or raise ResponseValidationError.

    ``model_cls`` is the operation's 200 model. With ``unwrap`` (an envelope
    such as ``{"status": ..., "data": [...]}``) the result is that field of
    the decoded envelope; envelope keys the spec does not define (and any
    ``status`` string) are tolerated, and unknown keys stay reachable on each
    model's ``additional_properties``. Without a model (the spec gives none)
    the body stays plain JSON. Every value is type-checked.
    """
    if model_cls is None:
        body = _parse_json(response)
        if unwrap is None:
            return body
        items = body.get(unwrap) if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise _invalid(response, f"the {unwrap!r} array is missing")
        return items
    try:
        decoded = decode_model(response.content, model_cls)
    except DecodeError as exc:
        raise _invalid(response, str(exc)) from exc
    if unwrap is None:
        return decoded
    items = getattr(decoded, unwrap)
    if items is UNSET:
        raise _invalid(response, f"the {unwrap!r} array is missing")
    return items


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
