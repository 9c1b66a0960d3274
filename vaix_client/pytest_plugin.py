"""The pytest plugin (the ``vaix_client`` pytest11 entry point): the ``vaix_fake`` fixture.

```python
async def test_recently_played(vaix_fake):
    vaix_fake.service.add_session("player-42", game_id="g1", game_name="Book", started=...)
    sessions = await vaix_fake.client.game_sessions.latest("player-42")
    assert [s.game_id for s in sessions] == ["g1"]
```

pytest loads this module in every project where vaix-client is installed, so
it imports nothing beyond pytest at load time: the fake service (the
``testing`` extra: starlette, uvicorn) is imported only when a test asks for
a fixture, and a missing extra fails that test with the ``pip install`` line
that fixes it. Other tests and projects never notice the plugin.

The fixtures are synchronous, so they work under pytest-asyncio, anyio's
pytest plugin or any other async runner. Override ``vaix_fake_service`` in
your ``conftest.py`` to configure the fake (seed, credentials, clock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from types import ModuleType

    from vaix_client.testing import FakeVaix, VaixFake

__all__ = ["vaix_fake", "vaix_fake_service"]

INSTALL_HINT = "pip install 'vaix-client[testing]'"


def _testing_kit() -> ModuleType:
    """``vaix_client.testing``, or fail the requesting test with the line that installs it."""
    try:
        import vaix_client.testing as kit  # noqa: PLC0415 - the optional extra, loaded on use
    except ImportError as exc:
        missing = exc.name or "a dependency"
    else:
        return kit
    # Outside the except block: the message is the whole story, no chained traceback.
    pytest.fail(
        f"The vaix_fake fixtures need vaix-client's testing extra ({missing} is not installed): "
        f"{INSTALL_HINT}",
        pytrace=False,
    )


@pytest.fixture
def vaix_fake_service() -> FakeVaix:
    """A fresh fake Vaix service with the demo catalogue (users "1" to "50", seed 0)."""
    service: FakeVaix = _testing_kit().FakeVaix(seed=0)
    return service


@pytest.fixture
def vaix_fake(vaix_fake_service: FakeVaix) -> VaixFake:
    """A ``VaixClient`` wired in-process to ``vaix_fake_service`` (no network)."""
    fake: VaixFake = _testing_kit().VaixFake.connect(vaix_fake_service)
    return fake
