"""Stable public home of the API models.

Import models from here, never from ``vaix_client._generated``: the generated
package is rewritten by ``make generate`` and its module layout may change.

A field the server did not send is ``UNSET`` (``null`` is ``None``); read an
optional field with ``if session.started is not UNSET:``, which narrows its type
in mypy and pyright. ``to_dict()`` gives JSON-ready values.
"""

from vaix_client._generated.models.error import Error
from vaix_client._generated.models.errors import Errors
from vaix_client._generated.models.errors_errors import ErrorsErrors
from vaix_client._generated.models.game_image import GameImage
from vaix_client._generated.models.game_session import GameSession
from vaix_client._generated.models.game_session_field import GameSessionField
from vaix_client._generated.models.game_sessions_response import GameSessionsResponse
from vaix_client._generated.models.get_latest_game_sessions_distinction_level import (
    GetLatestGameSessionsDistinctionLevel as DistinctionLevel,
)
from vaix_client._generated.types import UNSET, Unset

__all__ = [
    "UNSET",
    "DistinctionLevel",
    "Error",
    "Errors",
    "ErrorsErrors",
    "GameImage",
    "GameSession",
    "GameSessionField",
    "GameSessionsResponse",
    "Unset",
]
