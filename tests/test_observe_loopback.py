"""Our span over a real socket, under the httpx / aiohttp instrumentations (`make test` runs both).

The instrumentations make one CLIENT span per attempt; ours is their parent,
named after the operation, and carries neither the query nor the player id.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import _otel
import pytest
from loopback import AIOHTTP, DropBeforeResponse, LoopbackServer, Reply
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.trace import SpanKind, StatusCode

from vaix_client import VaixClient
from vaix_client.errors import APIConnectionError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

PATH = "/api/casino/game_sessions/latest"
PLAYER = "player-4242"
OK = Reply(
    200,
    {"Content-Type": "application/json", "x-request-id": "req-9"},
    json.dumps({"status": "success", "data": []}).encode(),
)


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """A global SDK provider, and the instrumentation of this run's backend exporting to it."""
    provider, exporter = _otel.install(monkeypatch)
    instrumentor = AioHttpClientInstrumentor() if AIOHTTP else HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        yield exporter
    finally:
        instrumentor.uninstrument()


def attempts_under(span: ReadableSpan, exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    """The instrumentation's spans whose parent is ``span``."""
    assert span.context is not None
    return [
        s
        for s in exporter.get_finished_spans()
        if s.parent is not None and s.parent.span_id == span.context.span_id
    ]


async def test_a_retried_call_is_one_span_over_one_client_span_per_attempt(
    exporter: InMemorySpanExporter,
) -> None:
    """503 then 200 over loopback: our span, a retry event, and two per-attempt children."""
    async with LoopbackServer(Reply(503, {"Retry-After": "0"}), OK) as server:
        async with VaixClient(token="tok", client_id="acme", base_url=server.base_url) as vaix:
            await vaix.game_sessions.latest(PLAYER, count=2)
        port = int(server.base_url.rsplit(":", 1)[1])
    span = _otel.ours(exporter)
    assert span.parent is None
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.scheme": "http",
        "url.template": PATH,
        "http.response.status_code": 200,
        "http.request.resend_count": 1,
        "http.response.header.x-request-id": ("req-9",),
    }
    assert [e.name for e in span.events] == ["retry"]
    children = attempts_under(span, exporter)
    assert len(children) == 2
    assert all(child.kind is SpanKind.CLIENT for child in children)
    assert PLAYER not in _otel.everything_we_set(span)


async def test_a_failed_call_ends_its_span_in_error(exporter: InMemorySpanExporter) -> None:
    """Every attempt dropped: the span says the error's class, resends and status ERROR."""
    async with LoopbackServer(default=DropBeforeResponse()) as server:
        async with VaixClient(
            token="tok", client_id="acme", base_url=server.base_url, max_retries=1
        ) as vaix:
            with pytest.raises(APIConnectionError):
                await vaix.game_sessions.latest(PLAYER)
        assert len(server.requests) == 2
    span = _otel.ours(exporter)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "vaix_client.errors.APIConnectionError"
    assert span.attributes["http.request.resend_count"] == 1
    assert span.status.status_code is StatusCode.ERROR
    assert len(attempts_under(span, exporter)) == 2
    assert PLAYER not in _otel.everything_we_set(span)
