"""The errors vaix-client raises: one tree, rooted at :class:`VaixError`.

```
VaixError
 +- InvalidRequestError (ValueError)      bad arguments, raised before any I/O
 +- APIConnectionError                    no response: network failure after retries
 |   +- APITimeoutError
 +- ResponseValidationError               a 2xx body that does not match the spec
 +- APIStatusError                        a response with an error status
     +- BadRequestError 400   +- AuthenticationError 401   +- PermissionDeniedError 403
     +- NotAcceptableError 406  +- PayloadTooLargeError 413  +- UnprocessableEntityError 422
     +- TooEarlyError 425     +- RateLimitError 429       +- InternalServerError 5xx
```

Every httpx, JSON or model-parsing exception leaves the SDK as one of these,
chained with ``from``. No message ever contains the token.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from vaix_client._generated.models.error import Error
from vaix_client._generated.models.errors import Errors

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "InternalServerError",
    "InvalidRequestError",
    "NotAcceptableError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "TooEarlyError",
    "UnprocessableEntityError",
    "VaixError",
    "make_status_error",
]

REQUEST_ID_HEADER: Final = "x-request-id"
_MAX_TEXT_IN_MESSAGE: Final = 200


class VaixError(Exception):
    """Base class of every error raised by vaix-client."""


class InvalidRequestError(VaixError, ValueError):
    """An argument is not acceptable; raised before any network I/O.

    ``argument`` names the offending argument (``None`` when the problem is a
    combination of arguments).
    """

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class APIConnectionError(VaixError):
    """No usable response: the connection failed or broke, after every retry."""

    def __init__(self, message: str = "Connection to the Vaix API failed.", *,
                 request: httpx.Request | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request (or the call's total budget) timed out."""

    def __init__(self, message: str = "Request to the Vaix API timed out.", *,
                 request: httpx.Request | None = None) -> None:  # fmt: skip
        super().__init__(message, request=request)


class ResponseValidationError(VaixError):
    """A successful response whose body does not match the spec."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` the server sent, if any."""
        return None if self.response is None else self.response.headers.get(REQUEST_ID_HEADER)


class APIStatusError(VaixError):
    """The server answered with an error status.

    ``body`` is the parsed :class:`Error` / :class:`Errors` model, or ``None``
    when the body is not a JSON object (for example a proxy's HTML page).
    """

    status_code: int
    response: httpx.Response
    body: Error | Errors | None
    message: str
    request_id: str | None

    def __init__(self, message: str, *, response: httpx.Response,
                 body: Error | Errors | None) -> None:  # fmt: skip
        self.status_code = response.status_code
        self.response = response
        self.body = body
        self.message = message
        self.request_id = response.headers.get(REQUEST_ID_HEADER)
        super().__init__(self._describe())

    def _describe(self) -> str:
        reason = self.response.reason_phrase or "error"
        text = f"{self.status_code} {reason}: {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class BadRequestError(APIStatusError):
    """400: the server refused the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: the token (or client id) was not accepted."""


class PermissionDeniedError(APIStatusError):
    """403: the token is valid but may not use this endpoint."""


class NotAcceptableError(APIStatusError):
    """406: the server cannot produce an acceptable representation."""


class PayloadTooLargeError(APIStatusError):
    """413: the request is too large."""


class UnprocessableEntityError(APIStatusError):
    """422: the parameters are well-formed but cannot be processed."""


class TooEarlyError(APIStatusError):
    """425: the server is not ready to process the request yet (retried)."""


class RateLimitError(APIStatusError):
    """429: too many requests (retried, honouring ``Retry-After``)."""


class InternalServerError(APIStatusError):
    """5xx: the server failed (retried)."""


_BY_STATUS: Final[dict[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    406: NotAcceptableError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    425: TooEarlyError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[APIStatusError]:
    """Map an HTTP status to its error class; unlisted statuses get the base class."""
    if status_code >= 500:  # noqa: PLR2004 - the 5xx class boundary
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)


def parse_error_body(content: bytes) -> tuple[Error | Errors | None, str | None]:
    """Parse an error body into ``Error`` / ``Errors`` and a human message.

    Read from the raw body, not the generated parser: its 422 ``oneOf`` always
    parses as ``Error`` since every property is optional. Returns
    ``(None, snippet)`` for a body that is not a JSON object.
    """
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        text = content.decode("utf-8", "replace").strip()
        return None, _snippet(text) if text else None
    if not isinstance(data, dict):
        return None, _snippet(json.dumps(data))
    model: type[Error | Errors] = Errors if "errors" in data else Error
    try:
        body: Error | Errors | None = model.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        body = None  # not the spec's shape: keep the message, drop the model
    return body, _snippet(_message_of(data))


def _message_of(data: dict[str, object]) -> str:
    """The human part of an error body: ``error``, or the ``errors`` details flattened."""
    if "errors" in data:
        details = data["errors"]
        if isinstance(details, dict) and details:
            return "; ".join(f"{key}: {_flatten(value)}" for key, value in details.items())
        return _flatten(details)
    detail = data.get("error")
    return detail if isinstance(detail, str) else json.dumps(data)


def _flatten(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_flatten(item) for item in value)
    return json.dumps(value)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_TEXT_IN_MESSAGE:
        return text[: _MAX_TEXT_IN_MESSAGE - 1] + "…"
    return text


def make_status_error(response: httpx.Response) -> APIStatusError:
    """Build the typed error for an error response (its body must have been read)."""
    body, message = parse_error_body(response.content)
    if message is None:
        message = response.reason_phrase or "no error message in the response"
    cls = error_class_for(response.status_code)
    return cls(message, response=response, body=body)
