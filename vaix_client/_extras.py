"""Optional extras: an integration imported without its extra names the ``pip install``."""

from __future__ import annotations

__all__ = ["missing_extra"]


def missing_extra(feature: str, extra: str, error: ImportError) -> ModuleNotFoundError:
    """The error to raise (``from error``) when ``feature`` cannot import its ``extra``.

    A bare ``No module named 'starlette'`` does not tell a user that the
    missing piece comes with one of our extras; this message does, and it
    stays a ``ModuleNotFoundError`` with ``name`` set for code that catches it.
    """
    missing = error.name or "a dependency"
    return ModuleNotFoundError(
        f"{feature} needs vaix-client's {extra} extra ({missing} is not installed): "
        f"pip install 'vaix-client[{extra}]'",
        name=missing,
    )
