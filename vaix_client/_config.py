"""Client settings: arguments first, then ``VAIX_*`` environment variables, then defaults."""

from __future__ import annotations

import os
import platform
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, get_args

import httpx

from vaix_client._errors import InvalidRequestError
from vaix_client._version import __version__

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "AIOHTTP_LIMITS",
    "BASE_URLS",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "Environment",
    "check_header_value",
    "resolve_base_url",
    "resolve_timeout",
    "user_agent",
]

Environment: TypeAlias = Literal["production", "staging"]
Backend: TypeAlias = Literal["httpx", "aiohttp"]

BASE_URLS: Final[dict[str, str]] = {
    "production": "https://api.vaix.ai",
    "staging": "https://staging-api.vaix.ai",
}

ENV_TOKEN: Final = "VAIX_API_TOKEN"  # noqa: S105 - a variable name, not a secret
ENV_CLIENT_ID: Final = "VAIX_CLIENT_ID"
ENV_ENVIRONMENT: Final = "VAIX_ENVIRONMENT"
ENV_BASE_URL: Final = "VAIX_BASE_URL"
ENV_BACKEND: Final = "VAIX_HTTP_BACKEND"

#: Per attempt: 5 s to connect, 30 s for each read, write or pool wait.
#: Never "wait forever": the generated client's default is no timeout at all.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: One budget for a whole call: every attempt and every backoff wait.
DEFAULT_TOTAL_TIMEOUT: Final = 120.0
#: Sized for a service sharing one client between many tasks: up to 100
#: connections at once, 20 kept alive between bursts for 30 s (httpx's own
#: keep-alive count). Calls beyond 100 in flight queue for a connection (bounded
#: by the pool timeout). The httpx backend's pool (httpcore): with every
#: connection kept, httpcore matches each queued call against every connection
#: on every event, and 256 calls on 100 connections fell to 40 calls/s at 20 ms of
#: CPU each (from 220/s).
DEFAULT_LIMITS: Final = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0
)
#: The aiohttp backend's pool: the same, but every connection is kept alive
#: between bursts (as aiohttp keeps them). With 20 kept, connections closed
#: after each burst were opened again in the next: at 850 calls/s in bursts,
#: 294 connections opened in 4 s against 34.
AIOHTTP_LIMITS: Final = httpx.Limits(
    max_connections=DEFAULT_LIMITS.max_connections,
    max_keepalive_connections=DEFAULT_LIMITS.max_connections,
    keepalive_expiry=DEFAULT_LIMITS.keepalive_expiry,
)


def user_agent() -> str:
    """``vaix-client/<version> python/<x.y> httpx/<version>``, sent on every request."""
    major, minor, _ = platform.python_version_tuple()
    return f"vaix-client/{__version__} python/{major}.{minor} httpx/{httpx.__version__}"


def from_env(value: str | None, name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The argument if given, else the environment variable (empty counts as unset)."""
    if value is not None:
        return value
    found = (os.environ if env is None else env).get(name)
    return found or None


def check_header_value(value: str, argument: str, *, secret: bool = False) -> str:
    """Refuse values that cannot travel in an HTTP header (CR, LF, other controls)."""
    if not isinstance(value, str):
        raise InvalidRequestError(
            f"{argument} must be a str, got {type(value).__name__}", argument=argument
        )
    if not value.strip():
        raise InvalidRequestError(f"{argument} must not be empty", argument=argument)
    bad = next((ch for ch in value if ord(ch) < 0x20 or ord(ch) == 0x7F), None)  # noqa: PLR2004
    if bad is not None:
        shown = "the value" if secret else repr(value)
        raise InvalidRequestError(
            f"{argument} contains a control character ({bad!r}) that cannot be sent in an "
            f"HTTP header; check {shown} for a stray newline",
            argument=argument,
        )
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidRequestError(
            f"{argument} must contain only Latin-1 characters to be sent in an HTTP header",
            argument=argument,
        ) from None
    return value


def resolve_base_url(
    base_url: str | None, environment: str | None, env: Mapping[str, str] | None = None
) -> tuple[str, Environment]:
    """Pick the API root: ``base_url`` wins over ``environment``; both fall back to env vars."""
    chosen_env = from_env(environment, ENV_ENVIRONMENT, env) or "production"
    if chosen_env not in get_args(Environment):
        raise InvalidRequestError(
            f"environment must be one of 'production', 'staging' (argument or "
            f"{ENV_ENVIRONMENT}), got {chosen_env!r}",
            argument="environment",
        )
    url = from_env(base_url, ENV_BASE_URL, env) or BASE_URLS[chosen_env]
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InvalidRequestError(
            f"base_url is not a valid URL: {url!r}", argument="base_url"
        ) from exc
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise InvalidRequestError(
            f"base_url must be an absolute http(s) URL such as https://api.vaix.ai, got {url!r}",
            argument="base_url",
        )
    return url.rstrip("/"), chosen_env  # type: ignore[return-value]


def resolve_backend(
    backend: str | None, *, given_client: bool, env: Mapping[str, str] | None = None
) -> Backend:
    """Pick the connection layer: the argument, then ``VAIX_HTTP_BACKEND``, then the default.

    The default is aiohttp when the ``aiohttp`` extra is installed (it holds its
    throughput under concurrency where httpcore's pool slows down; see the
    README's Performance section), else httpx's own.
    """
    if backend is not None and given_client:
        raise InvalidRequestError(
            "backend applies to the pool the client creates: configure the transport of "
            "your own http_client instead (or drop one of the two arguments)",
            argument="backend",
        )
    chosen = from_env(backend, ENV_BACKEND, env) or default_backend()
    if chosen not in get_args(Backend):
        raise InvalidRequestError(
            f"backend must be 'httpx' or 'aiohttp' (argument or {ENV_BACKEND}), got {chosen!r}",
            argument="backend",
        )
    return chosen  # type: ignore[return-value]


def default_backend() -> Backend:
    """``"aiohttp"`` when aiohttp (the ``aiohttp`` extra) can be imported, else ``"httpx"``."""
    try:
        import aiohttp  # noqa: F401, PLC0415 - only asks whether the extra is installed
    except ImportError:
        return "httpx"
    return "aiohttp"


def make_transport(backend: Backend) -> httpx.AsyncBaseTransport | None:
    """The transport for ``backend`` (``None``: httpx's own, sized by DEFAULT_LIMITS)."""
    if backend == "httpx":
        return None
    try:
        from vaix_client._aiohttp import AiohttpTransport  # noqa: PLC0415 - an optional extra
    except ImportError:
        raise InvalidRequestError(
            "backend='aiohttp' needs the aiohttp extra: pip install 'vaix-client[aiohttp]'",
            argument="backend",
        ) from None
    return AiohttpTransport(limits=AIOHTTP_LIMITS)


def resolve_timeout(
    timeout: float | httpx.Timeout | None, argument: str = "timeout"
) -> httpx.Timeout:
    """Turn the ``timeout`` argument into an ``httpx.Timeout``; ``None`` means the default."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    check_positive(timeout, argument)
    return httpx.Timeout(float(timeout))


def check_positive(value: float | None, argument: str) -> float | None:
    """Refuse a duration that is not a positive, finite number of seconds."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidRequestError(
            f"{argument} must be a positive number of seconds, got {value!r}", argument=argument
        )
    if value == float("inf"):
        raise InvalidRequestError(
            f"{argument} must be finite (None means the default), got {value!r}",
            argument=argument,
        )
    return float(value)
