"""The retry policy as small pure functions; the loop around them lives in ``_client``.

Three decisions, each table-tested on its own (the openai-python layout):
:func:`retry_reason` says whether an outcome is worth another attempt,
:func:`parse_retry_after` reads the server's ``Retry-After`` (seconds, HTTP
date, or the ``retry-after-ms`` extension), and :func:`backoff` computes a
capped exponential wait with full jitter. :func:`next_wait` combines them with
the call's remaining budget. The loop around them is the client's own
(``VaixClient._run``), whose sleep and clock tests replace with instant,
recorded ones.
"""

from __future__ import annotations

import email.utils
import math
import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import attrs
import httpx

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "backoff",
    "next_wait",
    "parse_retry_after",
    "retry_reason",
]

#: Statuses worth retrying for an idempotent GET: request timeout, too early,
#: rate limited, and every server error.
RETRYABLE_STATUSES: Final = frozenset({408, 425, 429})


@attrs.frozen
class RetryPolicy:
    """How the client retries: attempt count and wait bounds, in seconds.

    ``max_wait`` caps every single wait, the server's ``Retry-After``
    included: a server that asks for longer is not retried (its error is
    raised at once instead of hammering it early or sleeping for minutes).
    """

    max_retries: int = 2
    initial_wait: float = 0.5
    max_backoff: float = 8.0
    max_wait: float = 60.0


def retry_reason(outcome: httpx.Response | BaseException) -> str | None:
    """Say why ``outcome`` is worth retrying, or ``None`` when it is not.

    GET is idempotent, so connection failures, timeouts, 408, 425, 429 and
    5xx are retried. Cancellation and everything else (other 4xx, invalid
    URLs, errors of our own) never are.
    """
    if isinstance(outcome, httpx.Response):
        status = outcome.status_code
        if status in RETRYABLE_STATUSES or 500 <= status <= 599:  # noqa: PLR2004
            return f"HTTP {status}"
        return None
    if isinstance(outcome, httpx.TimeoutException):
        return f"timeout ({type(outcome).__name__})"
    if isinstance(outcome, httpx.NetworkError | httpx.RemoteProtocolError):
        return f"connection error ({type(outcome).__name__})"
    return None


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], datetime] | None = None
) -> float | None:
    """Read how long the server asks us to wait, in seconds, or ``None``.

    Understands ``retry-after-ms`` (milliseconds, sent by some gateways),
    ``Retry-After: <seconds>`` and ``Retry-After: <HTTP date>``; a date in the
    past means "now" (0). Anything unparsable, negative or non-finite is
    ignored, so a garbled header falls back to our own backoff.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    if (ms := _non_negative_float(lowered.get("retry-after-ms"))) is not None:
        return ms / 1000
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    if (seconds := _non_negative_float(raw)) is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a zoneless one is taken as UTC
        when = when.replace(tzinfo=UTC)
    current = now() if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def _non_negative_float(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def backoff(
    retry_number: int,
    policy: RetryPolicy,
    *,
    rand: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with full jitter for the ``retry_number``-th retry (1-based).

    The ceiling doubles from ``initial_wait`` up to ``max_backoff``; the wait
    is uniform in ``[0, ceiling]`` ("full jitter"), which spreads the retries
    of many clients that failed together.
    """
    exponent = min(max(retry_number - 1, 0), 62)
    ceiling = min(policy.max_backoff, policy.initial_wait * 2.0**exponent)
    return ceiling * rand()


def next_wait(
    retry_number: int,
    policy: RetryPolicy,
    *,
    retry_after: float | None,
    budget_left: float | None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Decide the wait before retry ``retry_number``, or ``None`` to stop now.

    The server's ``Retry-After`` wins over our backoff. We stop when the
    retries are used up, when the server asks for more than ``max_wait``, or
    when the wait would not leave any of the call's budget for the attempt.
    """
    if retry_number > policy.max_retries:
        return None
    if retry_after is not None:
        if retry_after > policy.max_wait:
            return None
        wait = retry_after
    else:
        wait = min(backoff(retry_number, policy, rand=rand), policy.max_wait)
    if budget_left is not None and wait >= budget_left:
        return None
    return wait
