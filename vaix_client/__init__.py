"""vaix-client: the async Python SDK for the Vaix personalization API.

```python
from vaix_client import VaixClient

async with VaixClient(token="...", client_id="acme") as vaix:
    sessions = await vaix.game_sessions.latest(user="123", count=5)
```
"""

from vaix_client._client import VaixClient
from vaix_client._response import ApiResponse
from vaix_client._version import __version__
from vaix_client.auth import AccessToken, ClientCredentials
from vaix_client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InvalidRequestError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    VaixError,
)
from vaix_client.models import UNSET, GameImage, GameSession, Unset

__all__ = [
    "UNSET",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccessToken",
    "ApiResponse",
    "AuthenticationError",
    "ClientCredentials",
    "GameImage",
    "GameSession",
    "InvalidRequestError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "Unset",
    "VaixClient",
    "VaixError",
    "__version__",
]
