"""pytest plugin (auto-loaded with the ``testing`` extra): the ``vaix_fake`` fixture.

```python
async def test_recently_played(vaix_fake):
    vaix_fake.service.add_session("player-42", game_id="g1", game_name="Book", started=...)
    sessions = await vaix_fake.client.game_sessions.latest("player-42")
    assert [s.game_id for s in sessions] == ["g1"]
```

The fixtures are synchronous, so they work with pytest-asyncio, anyio or any
other async test runner. The client talks to the fake in-process (no socket),
so there is nothing to close at teardown. Override ``vaix_fake_service`` in
your ``conftest.py`` to configure the fake (seed, credentials, clock).
"""

from __future__ import annotations

import attrs
import httpx
import pytest

from vaix_client._client import VaixClient
from vaix_client.testing._app import FakeVaix

__all__ = ["VaixFake", "vaix_fake", "vaix_fake_service"]

FAKE_BASE_URL = "http://fake-vaix.local"


@attrs.frozen
class VaixFake:
    """What ``vaix_fake`` gives a test: the fake service and a client connected to it."""

    service: FakeVaix
    client: VaixClient


@pytest.fixture
def vaix_fake_service() -> FakeVaix:
    """A fresh fake Vaix service with the demo catalogue (users "1" to "50", seed 0)."""
    return FakeVaix(seed=0)


@pytest.fixture
def vaix_fake(vaix_fake_service: FakeVaix) -> VaixFake:
    """A ``VaixClient`` wired in-process to ``vaix_fake_service`` (no network)."""
    http = httpx.AsyncClient(transport=vaix_fake_service.transport())
    client = VaixClient(
        token=vaix_fake_service.token,
        client_id=vaix_fake_service.client_id,
        base_url=FAKE_BASE_URL,
        http_client=http,
    )
    return VaixFake(service=vaix_fake_service, client=client)
