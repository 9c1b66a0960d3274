"""The typed resources of ``VaixClient``: one class per tag of the spec, generated.

``vaix.game_sessions`` is a :class:`GameSessions`; a new tag in the spec adds
its class here at the next ``make generate``, with no hand edit. Each method
states its operation and arguments and sends through the client's one send
path (auth, retries, deadline, typed errors, decoding).
"""

from vaix_client._generated import *  # noqa: F403 - the generated resource classes
from vaix_client._generated import __all__ as _generated_all

#: The resource classes: what the generated package exports, minus its plumbing.
__all__ = sorted(  # noqa: PLE0605 - derived, so a new tag needs no hand edit
    set(_generated_all)
    - {"OPERATIONS", "ApiResponse", "AuthenticatedClient", "Client", "Operation", "Parameter",
       "Sender"}
)  # fmt: skip
