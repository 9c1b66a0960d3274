"""The errors vaix-client raises: one tree, rooted at :class:`VaixError`.

```
VaixError
 +- InvalidRequestError (ValueError)      bad arguments, raised before any I/O
 +- APIConnectionError                    no response: network failure after retries
 |   +- APITimeoutError
 +- ResponseTooLargeError                 a body over max_response_bytes (not retried)
 +- ResponseValidationError               a 2xx body that does not match the spec
 +- APIStatusError                        a response with an error status
     +- BadRequestError 400   +- AuthenticationError 401   +- PermissionDeniedError 403
     +- NotAcceptableError 406  +- PayloadTooLargeError 413  +- UnprocessableEntityError 422
     +- TooEarlyError 425     +- RateLimitError 429       +- InternalServerError 5xx
```

Every httpx, JSON or model-parsing exception leaves the SDK as one of these,
chained with ``from``. Errors raised by a call carry ``attempts`` (requests
sent) and ``elapsed`` (seconds, waits included). No message ever contains the
token: one echoed by the server is replaced by ``***``.
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
    "ResponseTooLargeError",
    "ResponseValidationError",
    "TooEarlyError",
    "UnprocessableEntityError",
    "VaixError",
    "make_status_error",
]

REQUEST_ID_HEADER: Final = "x-request-id"
_MAX_TEXT_IN_MESSAGE: Final = 200
#: Shorter "tokens" are not searched for: redacting "a" would garble every message.
_MIN_REDACTED: Final = 4


class VaixError(Exception):
    """Base class of every error raised by vaix-client.

    ``attempts`` and ``elapsed`` are set on errors that end a call: how many
    requests it sent and how long it took in seconds (``None`` otherwise).
    """

    attempts: int | None = None
    elapsed: float | None = None


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


class ResponseTooLargeError(VaixError):
    """The response body is larger than ``max_response_bytes``; never retried.

    Raised from the announced ``Content-Length`` before reading, or as soon as
    the bytes read (or decompressed) pass the limit.
    """

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit

    @classmethod
    def announced(cls, length: int, limit: int) -> ResponseTooLargeError:
        """The server announced ``Content-Length: length`` over ``limit``."""
        return cls(
            f"The Vaix API announced a {length}-byte response, over max_response_bytes={limit}.",
            limit=limit,
        )

    @classmethod
    def streamed(cls, limit: int, *, decoded: bool = False) -> ResponseTooLargeError:
        """The body grew past ``limit`` while it was read (or decompressed)."""
        what = "decompressed body" if decoded else "response body"
        return cls(
            f"The Vaix API's {what} passed max_response_bytes={limit}; reading stopped there.",
            limit=limit,
        )


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
    except RecursionError:
        return None, "an error body nested too deeply to read"
    except (ValueError, UnicodeDecodeError):
        text = content.decode("utf-8", "replace").strip()
        return None, _snippet(text) if text else None
    try:
        if not isinstance(data, dict):
            return None, _snippet(_dumps(data))
        model: type[Error | Errors] = Errors if "errors" in data else Error
        try:
            body: Error | Errors | None = model.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            body = None  # not the spec's shape: keep the message, drop the model
        return body, _snippet(_message_of(data))
    except RecursionError:  # a shape our flattening cannot walk: say so, keep no model
        return None, "an error body nested too deeply to read"


def _dumps(value: object) -> str:
    """Compact JSON text of ``value``, bounded: only the start of it ends in the message."""
    return json.dumps(value)[: _MAX_TEXT_IN_MESSAGE * 4]


def _message_of(data: dict[str, object]) -> str:
    """The human part of an error body: ``error``, or the ``errors`` details flattened."""
    if "errors" in data:
        details = data["errors"]
        if isinstance(details, dict) and details:
            return "; ".join(f"{key}: {_flatten(value)}" for key, value in details.items())
        return _flatten(details)
    detail = data.get("error")
    return detail if isinstance(detail, str) else _dumps(data)


def _flatten(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_flatten(item) for item in value)
    return _dumps(value)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_TEXT_IN_MESSAGE:
        return text[: _MAX_TEXT_IN_MESSAGE - 1] + "…"
    return text


def make_status_error(response: httpx.Response) -> APIStatusError:
    """Build the typed error for an error response (its body must have been read).

    A server that echoes the bearer token it was sent does not get it into
    the message or the parsed body: the token is replaced by ``***`` first.
    """
    body, message = parse_error_body(redact(response.content, response))
    if message is None:
        message = response.reason_phrase or "no error message in the response"
    cls = error_class_for(response.status_code)
    return cls(message, response=response, body=body)


def redact(content: bytes, response: httpx.Response) -> bytes:
    """``content`` with the bearer token of ``response``'s request replaced by ``***``."""
    try:
        authorization = response.request.headers.get("authorization", "")
    except RuntimeError:  # a response built without its request
        return content
    scheme, _, token = authorization.partition(" ")
    for secret in {token.strip(), authorization.strip()} if scheme else {authorization.strip()}:
        raw = secret.encode("latin-1", "replace")
        if len(raw) >= _MIN_REDACTED and raw in content:
            content = content.replace(raw, b"***")
    return content


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters: a huge argument must not make a huge message.

    Never raises: an int too long to print or a broken ``__repr__`` is named by its type.
    """
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real problem
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
