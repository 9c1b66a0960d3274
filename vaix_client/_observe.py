"""Observability of a call: log records on the ``vaix_client`` logger and an OpenTelemetry span.

The client asks :func:`start` for an :class:`Observer` once per call. When
nothing listens (the logger is below INFO and no OpenTelemetry tracer
provider is set) it gets ``None`` and every hook is skipped: no string is
formatted, no span object is made, and OpenTelemetry is never imported (it is
used only when the application has imported it, i.e. configured tracing).

Logs: DEBUG per attempt, INFO per retry, each with structured ``extra``
fields prefixed ``vaix_`` (``vaix_operation``, ``vaix_attempt``,
``vaix_status``, ``vaix_elapsed_ms``, ``vaix_request_id``, ``vaix_reason``,
``vaix_wait``): unprefixed names such as ``request_id`` are what web
frameworks' logging filters set for the inbound request, and would clash.

Tracing (the ``otel`` extra): one INTERNAL span per call named after the
operation (``vaix game_sessions.latest``), never after its arguments, with
the HTTP client semantic conventions' attributes (the URL *template*, never
the query, which holds the player id), one ``retry`` event per retry, and
``http.request.resend_count``. The span is current while the attempts run,
so the httpx / aiohttp instrumentations' per-attempt CLIENT spans are its
children. INTERNAL rather than CLIENT: those per-attempt spans are the
physical requests, and a CLIENT span around them would count each call twice
in service graphs built from CLIENT spans.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any, Final

import httpx

from vaix_client._errors import REQUEST_ID_HEADER, APIStatusError, VaixError
from vaix_client._log import logger
from vaix_client._version import __version__

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from typing import TypeVar

    from vaix_client._generated import Operation
    from vaix_client._response import ApiResponse

    T = TypeVar("T")

__all__ = ["Observer", "start"]

_TRACE_MODULE: Final = "opentelemetry.trace"
_PROVIDER_ENV: Final = "OTEL_PYTHON_TRACER_PROVIDER"
_ERRORS_MODULE: Final = "vaix_client.errors"


# ---------------------------------------------------------------- tracing


class _TracerCache:
    """The tracer of the current global provider, or ``None`` when tracing is off."""

    def __init__(self) -> None:
        self.provider: object = None
        self.tracer: Any = None
        # A provider named by the environment is loaded by the API on first use.
        self.provider_in_env = _PROVIDER_ENV in os.environ

    def get(self) -> Any:  # noqa: ANN401 - opentelemetry is optional: no import for a type
        """The ``vaix_client`` tracer, if the application set a real tracer provider."""
        trace = sys.modules.get(_TRACE_MODULE)
        if trace is None:  # opentelemetry not imported: the application traces nothing
            return None
        # The API's global, read directly: get_tracer_provider() looks the environment
        # up on every call until a provider is set (~1 us), and FastAPI imports the API.
        if getattr(trace, "_TRACER_PROVIDER", ...) is None and not self.provider_in_env:
            return None
        provider = trace.get_tracer_provider()
        if provider is not self.provider:
            self.provider = provider
            tracer = None
            if not isinstance(provider, trace.ProxyTracerProvider):
                tracer = provider.get_tracer("vaix_client", __version__)
                if isinstance(tracer, trace.NoOpTracer):  # OTEL_SDK_DISABLED and the like
                    tracer = None
            self.tracer = tracer
        return self.tracer


_tracers = _TracerCache()


def start(operation: Operation[Any] | None, base_url: str) -> Observer | None:
    """An observer for one call, or ``None`` when nothing would see it (the fast path)."""
    tracer = _tracers.get()
    if tracer is None and not logger.isEnabledFor(logging.INFO):
        return None
    return Observer(operation, base_url, tracer)


class Observer:
    """One call's logs and span: created by :func:`start` only when something listens."""

    __slots__ = ("_base_url", "_method", "_name", "_path", "_span", "_tracer")

    def __init__(self, operation: Operation[Any] | None, base_url: str, tracer: Any) -> None:  # noqa: ANN401
        self._tracer = tracer
        self._base_url = base_url
        self._span: Any = None
        if operation is None:  # a bare _send (tests): named from the first request
            self._name: str | None = None
            self._method: str | None = None
            self._path: str | None = None
        else:
            self._name = f"{operation.resource}.{operation.method_name}"
            self._method = operation.http_method.upper()
            self._path = operation.path

    async def run(self, call: Awaitable[ApiResponse[T]]) -> ApiResponse[T]:
        """Await ``call`` inside the span (current, so transport spans are its children)."""
        if self._tracer is None or self._name is None:
            return await call
        trace = sys.modules[_TRACE_MODULE]
        context = sys.modules["opentelemetry.context"]
        span = self._tracer.start_span(
            f"vaix {self._name}",
            kind=trace.SpanKind.INTERNAL,
            attributes=self._start_attributes(),
        )
        self._span = span
        token = context.attach(trace.set_span_in_context(span))
        try:
            result = await call
        except VaixError as exc:
            self._end_error(span, exc, trace)
            raise
        except BaseException:  # cancelled (or a bug): end the span, record nothing of ours
            span.end()
            raise
        else:
            _set_final(span, result.status_code, result.attempts, result.request_id)
            span.end()
            return result
        finally:
            context.detach(token)

    def _start_attributes(self) -> dict[str, Any]:
        url = _server(self._base_url)
        attributes: dict[str, Any] = {
            "http.request.method": self._method,
            "server.address": url.host,
            "url.scheme": url.scheme,
            "url.template": self._path,
        }
        if url.port is not None:
            attributes["server.port"] = url.port
        elif url.scheme in _DEFAULT_PORTS:
            attributes["server.port"] = _DEFAULT_PORTS[url.scheme]
        return attributes

    def _end_error(self, span: Any, exc: VaixError, trace: Any) -> None:  # noqa: ANN401
        error_type = _error_type(exc)
        status = exc.status_code if isinstance(exc, APIStatusError) else None
        response = getattr(exc, "response", None)
        if status is None and isinstance(response, httpx.Response):
            status = response.status_code
        request_id = getattr(exc, "request_id", None)
        _set_final(span, status, exc.attempts, request_id)
        span.set_attribute("error.type", error_type)
        # The server's message may echo the query: the span says what failed, not that text.
        span.set_status(trace.Status(trace.StatusCode.ERROR, error_type))
        span.end()

    # ------------------------------------------------------------ hooks of the retry loop

    def attempt(
        self, attempt: int, request: httpx.Request, outcome: object, seconds: float
    ) -> None:
        """One attempt ended with ``outcome`` (a response or an exception): DEBUG log."""
        if self._path is None:
            self._method, self._path = request.method, request.url.path
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if isinstance(outcome, httpx.Response):
            status: int | None = outcome.status_code
            result = str(status)
            request_id = outcome.headers.get(REQUEST_ID_HEADER)
        else:
            status, result, request_id = None, type(outcome).__name__, None
        elapsed_ms = seconds * 1000
        logger.debug(
            "%s %s -> %s in %.1f ms (attempt %d)",
            self._method,
            self._path,
            result,
            elapsed_ms,
            attempt,
            extra={
                "vaix_operation": self._name,
                "vaix_attempt": attempt,
                "vaix_status": status,
                "vaix_elapsed_ms": elapsed_ms,
                "vaix_request_id": request_id,
            },
        )

    def retry(
        self, attempt: int, of: int, reason: str | None, wait: float, outcome: object
    ) -> None:
        """Attempt ``attempt`` (of ``of``) follows in ``wait`` s because of ``reason``."""
        status = outcome.status_code if isinstance(outcome, httpx.Response) else None
        if self._span is not None:
            event: dict[str, Any] = {
                "http.request.resend_count": attempt - 1,
                "vaix.retry.reason": reason,
                "vaix.retry.wait_s": wait,
                "error.type": str(status) if status is not None else _error_type(outcome),
            }
            if status is not None:
                event["http.response.status_code"] = status
            self._span.add_event("retry", event)
        if logger.isEnabledFor(logging.INFO):
            request_id = (
                outcome.headers.get(REQUEST_ID_HEADER)
                if isinstance(outcome, httpx.Response)
                else None
            )
            logger.info(
                "Retrying %s %s after %s: attempt %d of %d in %.2f s",
                self._method,
                self._path,
                reason,
                attempt,
                of,
                wait,
                extra={
                    "vaix_operation": self._name,
                    "vaix_attempt": attempt,
                    "vaix_status": status,
                    "vaix_request_id": request_id,
                    "vaix_reason": reason,
                    "vaix_wait": wait,
                },
            )


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_servers: dict[str, httpx.URL] = {}


def _server(base_url: str) -> httpx.URL:
    """``base_url`` parsed (once per distinct base URL)."""
    url = _servers.get(base_url)
    if url is None:
        url = _servers[base_url] = httpx.URL(base_url)
    return url


def _set_final(
    span: Any,  # noqa: ANN401
    status: int | None,
    attempts: int | None,
    request_id: str | None,
) -> None:
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if attempts is not None and attempts > 1:
        span.set_attribute("http.request.resend_count", attempts - 1)
    if request_id is not None:
        span.set_attribute(f"http.response.header.{REQUEST_ID_HEADER}", (request_id,))


def _error_type(exc: object) -> str:
    """The semantic conventions' ``error.type``: the status, else the exception's full name."""
    if isinstance(exc, APIStatusError):
        return str(exc.status_code)
    cls = type(exc)
    module = _ERRORS_MODULE if issubclass(cls, VaixError) else cls.__module__
    return f"{module}.{cls.__qualname__}"
