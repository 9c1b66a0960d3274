"""Fault injection: make the next calls fail the way networks and gateways do.

Faults apply to every operation of the API, before authentication (a gateway
or a broken connection does not care who asks), one per call, in the order
they were injected. A fault that breaks the connection raises
:class:`ConnectionDropped` inside the ASGI app; each way of serving the fake
turns that into what a client would really see: the in-process
:class:`FaultTransport` raises the httpx error httpcore raises for a closed
socket, and the loopback server (``_server.py``) makes uvicorn close the socket.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Final, TypeAlias

import httpx

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ConnectionDropped",
    "DelayFault",
    "DropConnectionFault",
    "Fault",
    "FaultQueue",
    "FaultTransport",
    "MalformedBodyFault",
    "StatusFault",
    "TruncatedBodyFault",
    "apply_fault",
]

NO_RESPONSE: Final = "Server disconnected without sending a response."
"""httpcore's message when the server closes the connection before any response."""

_ERRORS_STATUSES: Final = frozenset({406, 413, 422, 425})
"""Statuses answered with an ``Errors`` body: the spec's for 406, 413 and 425; the spec
allows either for 422, and the fake's own 422s use ``Errors``. Others get ``Error``."""


@dataclass(frozen=True)
class StatusFault:
    """Answer with ``status`` (and ``Retry-After`` if given) instead of the real response.

    ``body`` defaults to a body the spec allows for that status: ``Errors``
    (``{"errors": {"detail": [...]}}``) for 406, 413, 422 and 425, ``Error``
    (``{"error": ..., "status": "error"}``) otherwise.
    ``headers`` are added last and win over the defaults.
    """

    status: int
    retry_after: str | None = None
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def __post_init__(self) -> None:
        if not 100 <= self.status <= 599:  # noqa: PLR2004 - the range of HTTP statuses
            raise ValueError(f"status must be an HTTP status (100..599), got {self.status}")


@dataclass(frozen=True)
class DelayFault:
    """Wait ``seconds`` (with ``asyncio.sleep``, so it can be cancelled), then answer normally."""

    seconds: float


@dataclass(frozen=True)
class DropConnectionFault:
    """Close the connection: before any response, or after the real response's headers."""

    before_response: bool = True


@dataclass(frozen=True)
class TruncatedBodyFault:
    """Send the real response's headers and half its body, then close the connection."""


@dataclass(frozen=True)
class MalformedBodyFault:
    """Answer 200 with ``body`` as is (broken JSON, an HTML page...)."""

    body: bytes = b'{"status": "success", "data": ['
    content_type: str = "application/json"


Fault: TypeAlias = (
    StatusFault | DelayFault | DropConnectionFault | TruncatedBodyFault | MalformedBodyFault
)
"""Any fault :meth:`FakeVaix.inject` accepts."""


class ConnectionDropped(Exception):  # noqa: N818 - it is an event, not an error of the app
    """Raised inside the app to close the connection; ``message`` is what httpcore would say."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FaultQueue:
    """The faults waiting for the next calls, consumed in order, one per call."""

    def __init__(self) -> None:
        self._pending: deque[Fault] = deque()

    def inject(self, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` calls (after those already queued)."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        self._pending.extend([fault] * times)

    def clear(self) -> None:
        """Forget every queued fault."""
        self._pending.clear()

    def pop(self) -> Fault | None:
        """The fault for this call, or ``None`` when none is queued."""
        return self._pending.popleft() if self._pending else None

    @property
    def pending(self) -> tuple[Fault, ...]:
        """The queued faults, next first."""
        return tuple(self._pending)


def _default_body(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    if status in _ERRORS_STATUSES:
        return json.dumps({"errors": {"detail": [phrase]}}).encode()
    return json.dumps({"error": phrase, "status": "error"}).encode()


async def _respond(
    send: Send, status: int, body: bytes, content_type: str, extra: Mapping[str, str]
) -> None:
    headers = {"content-type": content_type, "content-length": str(len(body))}
    headers.update({name.lower(): value for name, value in extra.items()})
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _cut_short(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, *, keep_half: bool
) -> None:
    """Run ``app``, send its headers and no body (or half of it), then drop the connection."""
    messages: list[Message] = []

    async def capture(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, capture)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    sent = body[: len(body) // 2] if keep_half else b""
    if sent:
        await send({"type": "http.response.body", "body": sent, "more_body": True})
    raise ConnectionDropped(  # h11's words, which httpx passes on
        "peer closed connection without sending complete message body"
        f" (received {len(sent)} bytes, expected {len(body)})"
    )


async def apply_fault(
    fault: Fault, app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> None:
    """Answer one call according to ``fault`` (``app`` gives the real response when needed)."""
    match fault:
        case StatusFault():
            headers = dict(fault.headers)
            if fault.retry_after is not None:
                headers = {"retry-after": fault.retry_after, **headers}
            body = _default_body(fault.status) if fault.body is None else fault.body
            await _respond(send, fault.status, body, fault.content_type, headers)
        case DelayFault():
            await asyncio.sleep(fault.seconds)
            await app(scope, receive, send)
        case DropConnectionFault(before_response=True):
            raise ConnectionDropped(NO_RESPONSE)
        case DropConnectionFault():
            await _cut_short(app, scope, receive, send, keep_half=False)
        case TruncatedBodyFault():
            await _cut_short(app, scope, receive, send, keep_half=True)
        case MalformedBodyFault():
            await _respond(send, 200, fault.body, fault.content_type, {})


class _Broken(Exception):  # noqa: N818 - internal signal between the shim and the transport
    def __init__(self, message: str, sent: list[Message]) -> None:
        super().__init__(message)
        self.message = message
        self.sent = sent


class _BrokenStream(httpx.AsyncByteStream):
    """A body that yields what was sent, then fails as a closed socket does."""

    def __init__(self, body: bytes, message: str) -> None:
        self._body = body
        self._message = message

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._body:
            yield self._body
        raise httpx.RemoteProtocolError(self._message)


class FaultTransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` over the fake, with dropped connections raised as httpx errors.

    A drop before the response raises ``httpx.RemoteProtocolError`` from the
    request; a drop or truncation after the headers returns the response, whose
    body then fails with ``httpx.RemoteProtocolError`` when read: the errors,
    messages and moments httpcore gives over a real socket. The request's read
    timeout applies to the app's answer (``httpx.ReadTimeout``), as it would on
    a socket, so per-attempt timeouts can be tested in-process too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._asgi = httpx.ASGITransport(app=self._run)

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent: list[Message] = []

        async def tap(message: Message) -> None:
            sent.append(message)
            await send(message)

        try:
            await self._app(scope, receive, tap)
        except ConnectionDropped as exc:
            raise _Broken(exc.message, sent) from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app in-process."""
        read_timeout = request.extensions.get("timeout", {}).get("read")
        try:
            async with asyncio.timeout(read_timeout):
                return await self._asgi.handle_async_request(request)
        except TimeoutError:
            message = "timed out waiting for the fake's answer"
            raise httpx.ReadTimeout(message, request=request) from None
        except _Broken as broken:
            if not broken.sent:
                raise httpx.RemoteProtocolError(broken.message, request=request) from None
            start, *parts = broken.sent
            body = b"".join(part.get("body", b"") for part in parts)
            return httpx.Response(
                start["status"],
                headers=start.get("headers", []),
                stream=_BrokenStream(body, broken.message),
                request=request,
            )
