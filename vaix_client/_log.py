"""The ``vaix_client`` logger and ``VAIX_LOG``, apart from the rest of observability.

The package applies ``VAIX_LOG`` when it is imported; this module imports
only the standard library, so doing that costs no HTTP stack.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ENV_LOG", "configure_from_env", "logger"]

logger: Final = logging.getLogger("vaix_client")

#: ``VAIX_LOG=debug|info`` logs the SDK to stderr without code (the ``OPENAI_LOG`` convention).
ENV_LOG: Final = "VAIX_LOG"
_ENV_LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO}


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]  # typeshed: StreamHandler[TextIO]
    """The stderr handler ``VAIX_LOG`` adds (a class of its own, so it is added only once)."""


def configure_from_env(environ: Mapping[str, str] | None = None) -> logging.Handler | None:
    """Apply ``VAIX_LOG``: a stderr handler at that level on the ``vaix_client`` logger only.

    The root logger and every other library's logging are left alone. Called
    once when ``vaix_client`` is imported; returns the handler (or ``None``
    when ``VAIX_LOG`` is unset or not ``debug`` / ``info``).
    """
    value = (os.environ if environ is None else environ).get(ENV_LOG, "").strip().lower()
    level = _ENV_LEVELS.get(value)
    if level is None:
        return None
    handler = next((h for h in logger.handlers if isinstance(h, _EnvHandler)), None)
    if handler is None:
        handler = _EnvHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    handler.setLevel(level)
    logger.setLevel(level)
    return handler
