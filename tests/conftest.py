"""Shared fixtures: a clean environment and instant retries for every test."""

from __future__ import annotations

import asyncio
import os

import pytest

from vaix_client import _client, _lifecycle

BASE_URL = "https://api.test"
SESSIONS_URL = f"{BASE_URL}/api/casino/game_sessions/latest"


@pytest.fixture(autouse=True)
def _clean_vaix_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own VAIX_* settings.

    Clients that build their own pool use httpx's backend (respx mocks httpx's
    transport), unless ``VAIX_TEST_BACKEND=aiohttp``: `make test` runs the
    socket tests a second time so.
    """
    names = ("VAIX_API_TOKEN", "VAIX_CLIENT_ID", "VAIX_ENVIRONMENT", "VAIX_BASE_URL")
    for name in (*names, "VAIX_HTTP_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAIX_HTTP_BACKEND", os.environ.get("VAIX_TEST_BACKEND", "httpx"))


class RecordedSleeps(list[float]):
    """The waits the retry loop asked for, in order; none of them is slept."""

    async def __call__(self, seconds: float) -> None:
        """Record the wait and return at once."""
        self.append(seconds)
        await asyncio.sleep(0)  # still a scheduling point, as a real wait would be


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> RecordedSleeps:
    """Retries happen as in production, but every wait is recorded here instead of slept."""
    recorded = RecordedSleeps()
    monkeypatch.setattr(_client, "default_sleep", recorded)
    return recorded


@pytest.fixture(autouse=True)
def _fresh_churn_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no clients counted, so the per-request warning never leaks across."""
    monkeypatch.setattr(_lifecycle, "watch", _lifecycle.ChurnWatch())
