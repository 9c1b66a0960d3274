"""OpenTelemetry test kit: an SDK tracer provider with an in-memory exporter, installed globally.

The API lets a process set its global provider only once; the tests swap the
private global instead (as opentelemetry-test-utils does), and put it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

if TYPE_CHECKING:
    import pytest

OUR_SPAN = "vaix game_sessions.latest"


def install(monkeypatch: pytest.MonkeyPatch) -> tuple[TracerProvider, InMemorySpanExporter]:
    """A fresh SDK provider as the global one (until the test ends), and its exporter."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    return provider, exporter


def ours(exporter: InMemorySpanExporter) -> ReadableSpan:
    """The one span vaix-client made (there must be exactly one)."""
    spans = [s for s in exporter.get_finished_spans() if s.name.startswith("vaix ")]
    assert len(spans) == 1, [s.name for s in exporter.get_finished_spans()]
    return spans[0]


def everything_we_set(span: ReadableSpan) -> str:
    """The span's name, attributes and events as one text, to search for what must not leak."""
    parts: list[Any] = [span.name, dict(span.attributes or {})]
    parts += [(event.name, dict(event.attributes or {})) for event in span.events]
    if span.status.description:
        parts.append(span.status.description)
    return repr(parts)
