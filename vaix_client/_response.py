"""The raw-response view of a call, and decoding of successful bodies into models."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final, Generic, TypeVar

import attrs
import msgspec

from vaix_client._decode import DecodeError, Decoder, FastDecoder, locate
from vaix_client._errors import REQUEST_ID_HEADER, ResponseValidationError
from vaix_client._generated.models.game_session import GameSession

if TYPE_CHECKING:
    import httpx

__all__ = ["ApiResponse", "decode_sessions"]

T = TypeVar("T")

_decode_session: Final = Decoder(GameSession)
_fast_sessions: Final = FastDecoder(GameSession, list_field="data")


@attrs.frozen
class ApiResponse(Generic[T]):
    """A call's parsed result with the response it came from.

    ``attempts`` counts every attempt made (1 when the first one succeeded);
    a token refresh-and-replay after a 401 does not count. ``elapsed`` is the
    whole call in seconds, waits included.
    """

    parsed: T
    http_response: httpx.Response = attrs.field(repr=False)
    attempts: int
    elapsed: float

    @property
    def status_code(self) -> int:
        """The HTTP status of the final response."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The final response's headers."""
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """The final response's raw body."""
        return self.http_response.content

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` the server (or a gateway) sent, if any."""
        request_id: str | None = self.http_response.headers.get(REQUEST_ID_HEADER)
        return request_id


def decode_sessions(response: httpx.Response) -> list[GameSession]:
    """Decode a 200 body into ``GameSession`` models, or raise ResponseValidationError.

    Only ``data`` matters: other envelope keys (and an unknown ``status``)
    are ignored, and keys the spec does not define stay reachable on each
    model's ``additional_properties``. Every value is type-checked.
    """
    fast = _fast_sessions.decode(response.content)
    if fast is not None:
        return fast
    # Unknown keys to keep, or something wrong to name precisely: the slow path.
    envelope = _parse_json(response)
    if type(envelope) is not dict:
        raise _invalid(response, f"expected a JSON object, got {type(envelope).__name__}")
    items = envelope.get("data")
    if type(items) is not list:
        raise _invalid(response, "the 'data' array is missing")
    decode = _decode_session
    try:
        return [decode(item) for item in items]
    except DecodeError as exc:
        exc.within(f"data[{locate(items, decode)}]")
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
