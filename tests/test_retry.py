"""The retry policy's pure functions, table by table."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from vaix_client._retry import (
    RetryPolicy,
    backoff,
    next_wait,
    parse_retry_after,
    retry_reason,
)

REQUEST = httpx.Request("GET", "https://api.test/x")
NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "retried"),
    [
        (200, False),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (406, False),
        (408, True),
        (413, False),
        (422, False),
        (425, True),
        (429, True),
        (499, False),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (520, True),
        (599, True),
    ],
)
def test_retry_reason_by_status(status: int, retried: bool) -> None:
    """Only 408, 425, 429 and 5xx responses are worth another attempt."""
    assert (retry_reason(httpx.Response(status, request=REQUEST)) is not None) is retried


@pytest.mark.parametrize(
    ("exc", "retried"),
    [
        (httpx.ConnectError("refused", request=REQUEST), True),
        (httpx.ReadError("reset", request=REQUEST), True),
        (httpx.WriteError("broken pipe", request=REQUEST), True),
        (httpx.RemoteProtocolError("peer closed", request=REQUEST), True),
        (httpx.ConnectTimeout("slow", request=REQUEST), True),
        (httpx.ReadTimeout("slow", request=REQUEST), True),
        (httpx.PoolTimeout("busy", request=REQUEST), True),
        (httpx.UnsupportedProtocol("ftp", request=REQUEST), False),
        (httpx.LocalProtocolError("bad header", request=REQUEST), False),
        (ValueError("ours"), False),
        (KeyError("ours"), False),
    ],
)
def test_retry_reason_by_exception(exc: BaseException, retried: bool) -> None:
    """Network failures and timeouts are retried; protocol misuse and our own errors are not."""
    assert (retry_reason(exc) is not None) is retried


def test_cancellation_is_never_retried() -> None:
    """A cancelled call ends at once: cancellation is not a failure to retry."""
    import asyncio

    assert retry_reason(asyncio.CancelledError()) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": " 12 "}, 12.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"Retry-After": "-3"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "Wed, 25 Nov 2026 12:00:30 GMT"}, 30.0),
        ({"Retry-After": "Wed, 25 Nov 2026 11:59:00 GMT"}, 0.0),
        ({"Retry-After": "Wednesday, 25-Nov-26 12:01:00 GMT"}, 60.0),
        ({"Retry-After": "Wed Nov 25 12:00:10 2026"}, 10.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "junk", "Retry-After": "9"}, 9.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """Retry-After is read as seconds, an HTTP date (relative to now) or retry-after-ms."""
    assert parse_retry_after(headers, now=lambda: NOW) == expected


def test_parse_retry_after_uses_the_wall_clock_by_default() -> None:
    """Without an injected clock an HTTP date far in the future gives a large wait."""
    wait = parse_retry_after({"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"})
    assert wait is not None
    assert wait > 365 * 24 * 3600


POLICY = RetryPolicy(max_retries=5, initial_wait=0.5, max_backoff=8.0, max_wait=60.0)


@pytest.mark.parametrize(
    ("retry_number", "ceiling"),
    [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (50, 8.0), (10_000, 8.0)],
)
def test_backoff_ceiling_doubles_then_caps(retry_number: int, ceiling: float) -> None:
    """With the jitter at its top the wait is the capped exponential ceiling."""
    assert backoff(retry_number, POLICY, rand=lambda: 1.0) == ceiling


@pytest.mark.parametrize("retry_number", [1, 3, 9])
def test_backoff_full_jitter_spans_zero_to_ceiling(retry_number: int) -> None:
    """Full jitter: the wait is uniform between zero and the ceiling."""
    assert backoff(retry_number, POLICY, rand=lambda: 0.0) == 0.0
    assert backoff(retry_number, POLICY, rand=lambda: 0.5) == pytest.approx(
        backoff(retry_number, POLICY, rand=lambda: 1.0) / 2
    )


@pytest.mark.parametrize(
    ("retry_number", "retry_after", "budget_left", "expected"),
    [
        (1, None, None, 0.5),  # our backoff (jitter at its top)
        (3, None, None, 2.0),
        (5, None, None, 5.0),  # the policy's max_retries bounds the count, not the wait
        (6, None, None, None),  # retries used up
        (1, 3.0, None, 3.0),  # the server's wish wins
        (1, 0.0, None, 0.0),
        (1, 60.0, None, 60.0),  # at the cap: still honoured
        (1, 61.0, None, None),  # longer than any wait we accept: stop now
        (1, 3.0, 10.0, 3.0),
        (1, 3.0, 3.0, None),  # it would leave no budget for the attempt
        (1, 3.0, 2.0, None),  # longer than the budget left: stop now
        (1, None, 0.4, None),
        (1, None, -1.0, None),
    ],
)
def test_next_wait(
    retry_number: int, retry_after: float | None, budget_left: float | None, expected: float | None
) -> None:
    """The wait honours Retry-After, caps every wait and never outlives the call's budget."""
    policy = RetryPolicy(max_retries=5, initial_wait=0.5, max_backoff=5.0, max_wait=60.0)
    got = next_wait(
        retry_number, policy, retry_after=retry_after, budget_left=budget_left, rand=lambda: 1.0
    )
    assert got == expected


def test_no_retries_when_max_retries_is_zero() -> None:
    """max_retries=0 means the first failure is final."""
    assert next_wait(1, RetryPolicy(max_retries=0), retry_after=None, budget_left=None) is None
