"""Shared fixtures: a clean environment and instant retries for every test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import stamina

if TYPE_CHECKING:
    from collections.abc import Iterator

BASE_URL = "https://api.test"
SESSIONS_URL = f"{BASE_URL}/api/casino/game_sessions/latest"


@pytest.fixture(autouse=True)
def _clean_vaix_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own VAIX_* settings."""
    for name in ("VAIX_API_TOKEN", "VAIX_CLIENT_ID", "VAIX_ENVIRONMENT", "VAIX_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _instant_retries() -> Iterator[None]:
    """Retries happen as in production, but every backoff wait is zero (stamina's test mode)."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
