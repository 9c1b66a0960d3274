"""Stable public home of the API models.

Import models from here, never from ``vaix_client._generated``: the generated
package is rewritten by ``make generate`` and its module layout may change.
Every model the spec defines is re-exported under its generated name (a new
schema appears here at the next ``make generate``, with no hand edit), plus
the stable alias ``DistinctionLevel``.

A field the server did not send is ``UNSET`` (``null`` is ``None``); read an
optional field with ``if session.started is not UNSET:``, which narrows its type
in mypy and pyright. ``to_dict()`` gives JSON-ready values.
"""

import vaix_client._generated.models as _models
from vaix_client._generated.models import *  # noqa: F403 - every generated model, derived
from vaix_client._generated.models.get_latest_game_sessions_distinction_level import (
    GetLatestGameSessionsDistinctionLevel as DistinctionLevel,
)
from vaix_client._generated.types import UNSET, Unset

__all__ = ["UNSET", "DistinctionLevel", "Unset"]
__all__ += _models.__all__
