"""What the ``vaix_fake`` pytest fixture gives a test: :class:`VaixFake`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs
import httpx

from vaix_client._client import VaixClient

if TYPE_CHECKING:
    from vaix_client.testing._app import FakeVaix

__all__ = ["FAKE_BASE_URL", "VaixFake"]

FAKE_BASE_URL: Final = "http://fake-vaix.local"
"""The base URL of the fixture's client; nothing resolves it, the transport is in-process."""


@attrs.frozen
class VaixFake:
    """A fake Vaix service and a ``VaixClient`` wired to it in-process (no socket).

    This is what the ``vaix_fake`` pytest fixture returns; annotate the
    fixture argument with it. There is nothing to close: the client's
    transport calls the fake's ASGI app directly.
    """

    service: FakeVaix
    client: VaixClient

    @classmethod
    def connect(cls, service: FakeVaix) -> VaixFake:
        """A client for ``service`` with its token and client id, talking to it in-process."""
        client = VaixClient(
            token=service.token,
            client_id=service.client_id,
            base_url=FAKE_BASE_URL,
            http_client=httpx.AsyncClient(transport=service.transport()),
        )
        return cls(service=service, client=client)
