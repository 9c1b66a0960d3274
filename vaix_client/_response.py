"""The raw-response view of a call, and decoding of successful bodies into models."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from vaix_client._errors import REQUEST_ID_HEADER, ResponseValidationError
from vaix_client._generated.models.game_session import GameSession

if TYPE_CHECKING:
    import httpx

__all__ = ["ApiResponse", "decode_sessions"]

T = TypeVar("T")

# What the generated ``from_dict`` raises on data of the wrong shape, plus
# what json raises on a pathological body (too deep, number out of range).
_DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError)


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
    model's ``additional_properties``.
    """
    try:
        envelope = json.loads(response.content)
    except _DECODE_ERRORS as exc:
        raise _invalid(response, f"the body is not JSON ({type(exc).__name__})") from exc
    if not isinstance(envelope, dict):
        raise _invalid(response, f"expected a JSON object, got {type(envelope).__name__}")
    items = envelope.get("data")
    if not isinstance(items, list):
        raise _invalid(response, "the 'data' array is missing")
    sessions: list[GameSession] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _invalid(response, f"data[{index}] is {type(item).__name__}, not an object")
        try:
            sessions.append(GameSession.from_dict(item))
        except _DECODE_ERRORS as exc:
            raise _invalid(response, f"data[{index}] does not match GameSession: {exc}") from exc
    return sessions


def _invalid(response: httpx.Response, detail: str) -> ResponseValidationError:
    return ResponseValidationError(
        f"The Vaix API sent a {response.status_code} response that does not match the spec: "
        f"{detail}",
        response=response,
    )
