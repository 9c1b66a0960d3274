"""Observability in-process (respx): log records, VAIX_LOG, and the OpenTelemetry span of a call."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import _otel
import httpx
import pytest
import respx
from opentelemetry.trace import SpanKind, StatusCode

from vaix_client import VaixClient, _log, _observe
from vaix_client.errors import APIConnectionError, InternalServerError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

BASE = "https://api.test"
PATH = "/api/casino/game_sessions/latest"
PLAYER = "player-4242"
OK = {"status": "success", "data": [{"game_id": "g-1", "started": "2026-11-20T10:00:00Z"}]}
RID = {"x-request-id": "req-1"}


def make_client(**overrides: object) -> VaixClient:
    """A client for https://api.test with a static token."""
    options: dict[str, Any] = {"token": "tok-123", "client_id": "acme", "base_url": BASE}
    options.update(overrides)
    return VaixClient(**options)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router for https://api.test."""
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


def fields(record: logging.LogRecord) -> dict[str, object]:
    """The structured ``extra`` fields of a record (those we prefix ``vaix_``)."""
    return {key: value for key, value in vars(record).items() if key.startswith("vaix_")}


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """An SDK tracer provider, global for this test, exporting to memory."""
    return _otel.install(monkeypatch)[1]


# ---------------------------------------------------------------- logs


async def test_attempts_log_at_debug_with_structured_fields(
    router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """Each attempt is one DEBUG record: operation, attempt, status, elapsed and request id."""
    router.get(PATH).mock(
        side_effect=[httpx.Response(503, headers=RID), httpx.Response(200, json=OK)]
    )
    caplog.set_level(logging.DEBUG, logger="vaix_client")
    async with make_client() as vaix:
        await vaix.game_sessions.latest(PLAYER)
    debugs = [r for r in caplog.records if r.name == "vaix_client" and r.levelno == logging.DEBUG]
    assert [r.getMessage().split(" in ")[0] for r in debugs] == [
        f"GET {PATH} -> 503",
        f"GET {PATH} -> 200",
    ]
    first = fields(debugs[0])
    assert isinstance(first.pop("vaix_elapsed_ms"), float)
    assert first == {
        "vaix_operation": "game_sessions.latest",
        "vaix_attempt": 1,
        "vaix_status": 503,
        "vaix_request_id": "req-1",
    }
    assert fields(debugs[1])["vaix_request_id"] is None


async def test_a_retry_logs_at_info_with_reason_and_wait(
    router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """A retry is one INFO record: operation, the next attempt, the reason, the wait, the status."""
    router.get(PATH).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "1", **RID}),
            httpx.Response(200, json=OK),
        ]
    )
    caplog.set_level(logging.INFO, logger="vaix_client")
    async with make_client() as vaix:
        await vaix.game_sessions.latest(PLAYER)
    (info,) = [r for r in caplog.records if r.name == "vaix_client"]
    assert info.levelno == logging.INFO
    assert info.getMessage() == f"Retrying GET {PATH} after HTTP 429: attempt 2 of 3 in 1.00 s"
    assert fields(info) == {
        "vaix_operation": "game_sessions.latest",
        "vaix_attempt": 2,
        "vaix_status": 429,
        "vaix_request_id": "req-1",
        "vaix_reason": "HTTP 429",
        "vaix_wait": 1.0,
    }


async def test_a_transport_failure_is_logged_by_its_type(
    router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """An attempt that got no response logs the exception's type where the status would be."""
    router.get(PATH).mock(side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=OK)])
    caplog.set_level(logging.DEBUG, logger="vaix_client")
    async with make_client() as vaix:
        await vaix.game_sessions.latest(PLAYER)
    messages = [r.getMessage() for r in caplog.records if r.name == "vaix_client"]
    assert messages[0].startswith(f"GET {PATH} -> ConnectError in ")
    assert messages[1].startswith(
        f"Retrying GET {PATH} after connection error (ConnectError): attempt 2 of 3"
    )
    assert all(PLAYER not in message for message in messages)


async def test_nothing_is_observed_when_nothing_listens(
    router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Logger below INFO and no tracer provider: no observer is made (no formatting, no span)."""
    router.get(PATH).mock(side_effect=[httpx.Response(503), httpx.Response(200, json=OK)])

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an observer was made on the fast path")

    monkeypatch.setattr(_observe, "Observer", refuse)
    logging.getLogger("vaix_client").setLevel(logging.WARNING)
    try:
        async with make_client() as vaix:
            assert (await vaix.game_sessions.latest_detailed(PLAYER)).attempts == 2
    finally:
        logging.getLogger("vaix_client").setLevel(logging.NOTSET)


async def test_errors_carry_attempts_elapsed_and_request_id(router: respx.MockRouter) -> None:
    """The error that ends a call says how many attempts it made, how long, and the request id."""
    router.get(PATH).respond(503, headers=RID)
    async with make_client(max_retries=2) as vaix:
        with pytest.raises(InternalServerError) as caught:
            await vaix.game_sessions.latest(PLAYER)
    assert (caught.value.attempts, caught.value.request_id) == (3, "req-1")
    assert caught.value.elapsed is not None
    assert "req-1" in str(caught.value)


# ---------------------------------------------------------------- VAIX_LOG


def test_vaix_log_adds_one_stderr_handler_to_our_logger_only() -> None:
    """VAIX_LOG=debug puts a stderr handler on vaix_client (once), and none on the root logger."""
    ours = logging.getLogger("vaix_client")
    root_handlers = list(logging.getLogger().handlers)
    try:
        handler = _log.configure_from_env({"VAIX_LOG": "Debug"})
        again = _log.configure_from_env({"VAIX_LOG": "info"})
        assert handler is not None
        assert again is handler
        assert [h for h in ours.handlers if h is handler] == [handler]
        assert handler.level == ours.level == logging.INFO
        assert logging.getLogger().handlers == root_handlers
    finally:
        for added in [h for h in ours.handlers if isinstance(h, _log._EnvHandler)]:
            ours.removeHandler(added)
        ours.setLevel(logging.NOTSET)


@pytest.mark.parametrize("value", ["", "verbose", "warning"])
def test_other_vaix_log_values_change_nothing(value: str) -> None:
    """Unset or unknown VAIX_LOG values add no handler (quiet by default)."""
    before = list(logging.getLogger("vaix_client").handlers)
    assert _log.configure_from_env({"VAIX_LOG": value}) is None
    assert logging.getLogger("vaix_client").handlers == before


@pytest.mark.slow
def test_vaix_log_works_without_code() -> None:
    """With VAIX_LOG=info, importing vaix_client is enough: INFO reaches stderr, DEBUG does not."""
    code = textwrap.dedent(
        """
        import logging, vaix_client
        log = logging.getLogger("vaix_client")
        log.debug("not shown")
        log.info("shown")
        logging.getLogger("other").warning("not ours")
        print(len(logging.getLogger().handlers))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "VAIX_LOG": "info"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"  # the root logger is untouched
    assert "vaix_client INFO shown" in result.stderr
    assert "not shown" not in result.stderr
    # Python's last-resort handler still prints other loggers' warnings: nothing of ours.
    assert result.stderr.count("vaix_client") == 1


@pytest.mark.slow
def test_no_opentelemetry_import_and_no_span_without_tracing() -> None:
    """A call in a process that never imported opentelemetry does not import it either."""
    code = textwrap.dedent(
        """
        import asyncio, sys, httpx, logging
        from vaix_client import VaixClient
        body = b'{"status": "success", "data": []}'
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
        async def main():
            async with VaixClient(token="t", client_id="c", base_url="https://api.test",
                                  http_client=httpx.AsyncClient(transport=transport)) as vaix:
                logging.getLogger("vaix_client").setLevel(logging.DEBUG)
                return await vaix.game_sessions.latest("1")
        print(asyncio.run(main()), [m for m in sys.modules if m.startswith("opentelemetry")])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert (result.returncode, result.stdout.strip()) == (0, "[] []"), result.stderr


# ---------------------------------------------------------------- OpenTelemetry


async def test_one_span_per_call_with_http_client_attributes(
    router: respx.MockRouter, exporter: InMemorySpanExporter
) -> None:
    """One INTERNAL span named after the operation, with the semantic conventions' attributes."""
    router.get(PATH).respond(200, json=OK, headers=RID)
    async with make_client() as vaix:
        await vaix.game_sessions.latest(PLAYER, count=3)
    span = _otel.ours(exporter)
    assert span.name == _otel.OUR_SPAN
    assert span.kind is SpanKind.INTERNAL
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "api.test",
        "server.port": 443,
        "url.scheme": "https",
        "url.template": PATH,
        "http.response.status_code": 200,
        "http.response.header.x-request-id": ("req-1",),
    }
    assert span.status.status_code is StatusCode.UNSET
    assert span.events == ()
    assert PLAYER not in _otel.everything_we_set(span)
    assert "count=" not in _otel.everything_we_set(span)


async def test_a_retry_is_an_event_and_a_resend_count(
    router: respx.MockRouter, exporter: InMemorySpanExporter
) -> None:
    """Each retry adds a `retry` event (reason, wait, status); the span counts the resends."""
    router.get(PATH).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "2"}),
            httpx.Response(200, json=OK),
        ]
    )
    async with make_client() as vaix:
        await vaix.game_sessions.latest(PLAYER)
    span = _otel.ours(exporter)
    assert span.attributes is not None
    assert span.attributes["http.request.resend_count"] == 1
    assert span.attributes["http.response.status_code"] == 200
    (event,) = span.events
    assert event.name == "retry"
    assert dict(event.attributes or {}) == {
        "http.request.resend_count": 1,
        "http.response.status_code": 503,
        "error.type": "503",
        "vaix.retry.reason": "HTTP 503",
        "vaix.retry.wait_s": 2.0,
    }
    assert span.status.status_code is StatusCode.UNSET


async def test_a_failed_call_sets_error_type_and_status(
    router: respx.MockRouter, exporter: InMemorySpanExporter
) -> None:
    """A call ending with a status error: error.type is the status, the span's status is ERROR."""
    router.get(PATH).respond(500, json={"error": f"no such user {PLAYER}"})
    async with make_client(max_retries=1) as vaix:
        with pytest.raises(InternalServerError):
            await vaix.game_sessions.latest(PLAYER)
    span = _otel.ours(exporter)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "500"
    assert span.attributes["http.response.status_code"] == 500
    assert span.attributes["http.request.resend_count"] == 1
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["retry"]
    # The server echoed the player id in its message: the span carries none of that text.
    assert PLAYER not in _otel.everything_we_set(span)


async def test_a_connection_failure_names_our_error_class(
    router: respx.MockRouter, exporter: InMemorySpanExporter
) -> None:
    """No response at all: error.type is the public class of the error raised, no status code."""
    router.get(PATH).mock(side_effect=httpx.ConnectError("refused"))
    async with make_client(max_retries=1) as vaix:
        with pytest.raises(APIConnectionError):
            await vaix.game_sessions.latest(PLAYER)
    span = _otel.ours(exporter)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "vaix_client.errors.APIConnectionError"
    assert "http.response.status_code" not in span.attributes
    assert span.events[0].attributes is not None
    assert span.events[0].attributes["error.type"] == "httpx.ConnectError"


async def test_the_span_is_current_during_the_attempts(
    router: respx.MockRouter, exporter: InMemorySpanExporter
) -> None:
    """Whatever the transport does runs inside our span: it is the parent of per-attempt spans."""
    from opentelemetry import trace

    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        span = trace.get_current_span()
        seen.append(getattr(span, "name", "?"))
        return httpx.Response(200, json=OK)

    router.get(PATH).mock(side_effect=record)
    async with make_client() as vaix:
        await vaix.game_sessions.latest(PLAYER)
    assert seen == [_otel.OUR_SPAN]
    assert trace.get_current_span() is trace.INVALID_SPAN  # detached after the call


async def test_cancellation_ends_the_span_without_an_error(
    router: respx.MockRouter, exporter: InMemorySpanExporter
) -> None:
    """A caller's cancellation ends our span (never left open) and is not reported as a failure."""
    import asyncio

    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    router.get(PATH).mock(side_effect=hang)
    async with make_client() as vaix:
        task = asyncio.create_task(vaix.game_sessions.latest(PLAYER))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    span = _otel.ours(exporter)
    assert span.end_time is not None
    assert span.status.status_code is StatusCode.UNSET


async def test_a_disabled_sdk_makes_no_span(
    router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OTEL_SDK_DISABLED: the SDK hands out a no-op tracer, and the client makes no observer."""
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    _otel.install(monkeypatch)
    router.get(PATH).respond(200, json=OK)
    logging.getLogger("vaix_client").setLevel(logging.WARNING)
    try:
        async with make_client() as vaix:
            assert _observe.start(None, BASE) is None
            await vaix.game_sessions.latest(PLAYER)
    finally:
        logging.getLogger("vaix_client").setLevel(logging.NOTSET)
