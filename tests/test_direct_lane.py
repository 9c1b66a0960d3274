"""The direct lane (the client's own pool, a static token) sends what httpx's client path sends."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from loopback import LoopbackServer, RecordedRequest, Reply

from vaix_client import VaixClient
from vaix_client._client import _direct_url
from vaix_client.errors import InvalidRequestError

_BODY = b'{"status": "success", "data": []}'
_BASES = (
    "http://127.0.0.1:8080/api/casino/game_sessions/latest",
    "https://api.vaix.ai/api/casino/game_sessions/latest",
    "https://user@example.test/a%20b/c",
    "http://[::1]:9/x",
)
_VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)


@given(
    base=st.sampled_from(_BASES),
    params=st.lists(st.tuples(st.text(min_size=1, max_size=10), _VALUES), max_size=6),
)
def test_the_direct_url_is_the_url_httpx_builds(
    base: str, params: list[tuple[str, str | int | float | bool | None]]
) -> None:
    """For any parameters, the cached-base URL equals httpx.URL(base, params=...) in every part."""
    built = _direct_url(base, params)
    expected = httpx.URL(base, params=params)
    assert built == expected
    assert str(built) == str(expected)
    assert (built.raw_scheme, built.raw_host, built.port, built.raw_path) == (
        expected.raw_scheme,
        expected.raw_host,
        expected.port,
        expected.raw_path,
    )


async def test_both_lanes_send_the_same_request() -> None:
    """Method, path, query and headers (names and values) are the same on either lane."""
    server = LoopbackServer(default=Reply(200, {"content-type": "application/json"}, _BODY))
    async with server:
        sent = await _call(server, own_pool=True)
        other = await _call(server, own_pool=False)
    assert sent.method == other.method == "GET"
    assert sent.path == other.path
    assert sorted((k.lower(), v) for k, v in sent.headers.items()) == sorted(
        (k.lower(), v) for k, v in other.headers.items()
    )
    assert dict(sent.headers)["authorization"] == "Bearer tok"


async def _call(server: LoopbackServer, *, own_pool: bool) -> RecordedRequest:
    """One call on the chosen lane; the request the server saw."""
    http = None if own_pool else httpx.AsyncClient()
    try:
        async with VaixClient(
            token="tok", client_id="grp", base_url=server.base_url, http_client=http
        ) as vaix:
            assert (vaix._direct is not None) is own_pool
            result = await vaix.game_sessions.latest_detailed("u 1", count=7)
            assert result.parsed == []
            assert result.http_response.elapsed.total_seconds() >= 0
            assert result.http_response.request.url.params["user"] == "u 1"
    finally:
        if http is not None:
            await http.aclose()
    return server.requests[-1]


async def test_a_token_provider_keeps_httpx_client_path() -> None:
    """With a provider (401 refresh and replay) the client goes through httpx's auth flow."""

    async def provider() -> str:
        return "tok"

    async with VaixClient(token_provider=provider, client_id="c", base_url="http://x.test") as v:
        assert v._direct is None


async def test_a_url_httpx_refuses_is_a_bad_argument_on_the_direct_lane() -> None:
    """A path httpx cannot encode is InvalidRequestError before any I/O, as on the other lane."""
    async with VaixClient(token="t", client_id="c", base_url="http://127.0.0.1:1") as vaix:
        assert vaix._direct is not None
        with pytest.raises(InvalidRequestError):
            await vaix._send(
                lambda: httpx.Request("GET", _direct_url("http://127.0.0.1:1/\x00", [])),
                lambda response: response,
            )


def test_on_an_httpx_of_another_layout_the_url_is_httpx_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the parsed-URL record this module knows, httpx builds the URL itself, the same."""
    monkeypatch.setattr("vaix_client._client._PARSE_RESULT", None)
    params: list[tuple[str, object]] = [("user", "a b"), ("count", 3), ("x", None)]
    expected = httpx.URL(_BASES[0], params=params)
    assert _direct_url(_BASES[0], params) == expected
