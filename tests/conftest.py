"""Shared fixtures: a clean environment and instant retries for every test."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
import stamina

if TYPE_CHECKING:
    from collections.abc import Iterator

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


@pytest.fixture(autouse=True)
def _instant_retries() -> Iterator[None]:
    """Retries happen as in production, but every backoff wait is zero (stamina's test mode)."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
