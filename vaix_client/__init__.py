"""vaix-client: the async Python SDK for the Vaix personalization API.

```python
from vaix_client import VaixClient

async with VaixClient(token="...", client_id="acme") as vaix:
    sessions = await vaix.game_sessions.latest(user="123", count=5)
```

Each name below is imported on first use, so importing a submodule on its
own costs only that submodule: the pytest plugin (loaded by pytest in every
project that has vaix-client installed) loads neither httpx nor the models,
and ``from vaix_client import GameSession`` loads the models without httpx.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any, Final

from vaix_client._version import __version__

if os.environ.get("VAIX_LOG"):
    # ``VAIX_LOG`` applies when the package is imported (the OPENAI_LOG convention).
    from vaix_client._log import configure_from_env

    configure_from_env()

if TYPE_CHECKING:
    # The redundant aliases mark the submodules as attributes of the package, as at runtime.
    from vaix_client import auth as auth
    from vaix_client import errors as errors
    from vaix_client import filters as filters
    from vaix_client import models as models
    from vaix_client import resources as resources
    from vaix_client._client import VaixClient
    from vaix_client._response import ApiResponse
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

#: Each public name and the module that defines it.
_HOMES: Final[dict[str, str]] = {
    "VaixClient": "vaix_client._client",
    "ApiResponse": "vaix_client._response",
    "AccessToken": "vaix_client.auth",
    "ClientCredentials": "vaix_client.auth",
    **dict.fromkeys(
        (
            "APIConnectionError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "InvalidRequestError",
            "RateLimitError",
            "ResponseTooLargeError",
            "ResponseValidationError",
            "VaixError",
        ),
        "vaix_client.errors",
    ),
    **dict.fromkeys(("UNSET", "GameImage", "GameSession", "Unset"), "vaix_client.models"),
}
#: Public submodules reachable as attributes after a bare ``import vaix_client``.
_SUBMODULES: Final = frozenset({"auth", "errors", "filters", "models", "resources"})


def _load(name: str) -> Any:  # noqa: ANN401 - a class, a constant or a module, by name
    """Import a public name's module on first use and keep the name in this namespace."""
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES, *(name for name in globals() if name[:2] == "__")})


if not TYPE_CHECKING:
    # Hidden from type checkers: they see the imports above, so a misspelt name
    # is still an error in mypy and pyright instead of an ``Any``.
    __getattr__ = _load


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
