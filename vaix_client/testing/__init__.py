"""A fake Vaix service for tests and demos: in-process (ASGI) or on loopback (uvicorn).

Install with the ``testing`` extra (starlette, uvicorn); the core package never
imports this one.

```python
from vaix_client.testing import FakeVaix

fake = FakeVaix(seed=0)  # demo catalogue: users "1" to "50"
async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
    ...
```
"""

from vaix_client._extras import missing_extra

try:  # the extra's own modules, so that only their absence gets the install hint
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as _missing:
    raise missing_extra("vaix_client.testing", "testing", _missing) from _missing

from vaix_client.testing._app import FakeVaix, RecordedRequest
from vaix_client.testing._faults import (
    DelayFault,
    DropConnectionFault,
    Fault,
    MalformedBodyFault,
    StatusFault,
    TruncatedBodyFault,
)
from vaix_client.testing._fixture import VaixFake
from vaix_client.testing._server import run, serve

__all__ = [
    "DelayFault",
    "DropConnectionFault",
    "FakeVaix",
    "Fault",
    "MalformedBodyFault",
    "RecordedRequest",
    "StatusFault",
    "TruncatedBodyFault",
    "VaixFake",
    "run",
    "serve",
]
