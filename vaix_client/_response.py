"""The raw-response view of a call, and decoding of successful bodies into models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from vaix_client._decode import DecodeError, decode_model
from vaix_client._errors import REQUEST_ID_HEADER, ResponseValidationError
from vaix_client._generated.models.game_sessions_response import GameSessionsResponse
from vaix_client._generated.types import UNSET

if TYPE_CHECKING:
    import httpx

    from vaix_client._generated.models.game_session import GameSession

__all__ = ["ApiResponse", "decode_sessions"]

T = TypeVar("T")


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

    The body is decoded into the generated envelope, every value type-checked;
    envelope keys the spec does not define (and any ``status`` string) are
    tolerated, and unknown keys stay reachable on each model's
    ``additional_properties``.
    """
    try:
        envelope = decode_model(response.content, GameSessionsResponse)
    except DecodeError as exc:
        raise _invalid(response, str(exc)) from exc
    if envelope.data is UNSET:
        raise _invalid(response, "the 'data' array is missing")
    return envelope.data


def _invalid(response: httpx.Response, detail: str) -> ResponseValidationError:
    return ResponseValidationError(
        f"The Vaix API sent a {response.status_code} response that does not match the spec: "
        f"{detail}",
        response=response,
    )
