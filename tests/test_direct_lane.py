"""The direct lane (the client's own pool, a static token) sends what httpx's client path sends."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

import attrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from loopback import Hang, LoopbackServer, RecordedRequest, Reply

from vaix_client import VaixClient, _config
from vaix_client._client import _direct_url
from vaix_client._generated.api.game_sessions import LATEST
from vaix_client.errors import APIConnectionError, APITimeoutError, InvalidRequestError

if TYPE_CHECKING:
    from collections.abc import Callable

    from vaix_client._generated import Operation

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


async def _no_op(_event: object) -> None:
    """An event hook that does nothing (its presence keeps httpx's client path)."""


def _on_httpx_path(**options: Any) -> httpx.AsyncClient:  # noqa: ANN401 - httpx's options
    """A given client whose request hook keeps every call on httpx's client path."""
    return httpx.AsyncClient(event_hooks={"request": [_no_op]}, **options)


async def _call(server: LoopbackServer, *, own_pool: bool) -> RecordedRequest:
    """One call on the chosen lane; the request the server saw."""
    http = None if own_pool else _on_httpx_path()
    try:
        async with VaixClient(
            token="tok", client_id="grp", base_url=server.base_url, http_client=http
        ) as vaix:
            assert (vaix._lane() is not None) is own_pool
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
                lambda _direct: httpx.Request("GET", _direct_url("http://127.0.0.1:1/\x00", [])),
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


def _variant(*, method: str, header_arguments: bool) -> Operation[Any]:
    """LATEST as another method, optionally with header arguments (one overriding Accept)."""
    parameters = LATEST.parameters
    if header_arguments:
        template = LATEST.parameter("operator")
        assert template is not None
        parameters += (
            attrs.evolve(template, name="X-Trace-Id", python_name="trace_id", location="header"),
            attrs.evolve(template, name="accept", python_name="accept", location="header"),
        )
    return attrs.evolve(LATEST, http_method=method, parameters=parameters)


async def _sent_on(
    monkeypatch: pytest.MonkeyPatch,
    operation: Operation[Any],
    arguments: dict[str, object],
    *,
    own_pool: bool,
    **options: Any,  # noqa: ANN401 - VaixClient's options
) -> httpx.Request:
    """The request one call hands to the transport, on the chosen lane (in-process)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"content-type": "application/json"}, content=_BODY)

    monkeypatch.setattr(_config, "make_transport", lambda _backend: httpx.MockTransport(handler))
    http = None if own_pool else _on_httpx_path(transport=httpx.MockTransport(handler))
    try:
        async with VaixClient(
            token="tok", client_id="grp", base_url="http://api.test/v1", http_client=http, **options
        ) as vaix:
            assert (vaix._lane() is not None) is own_pool
            for _ in range(2):  # the second call uses what the first cached
                assert (await vaix.request(operation, arguments)).parsed == []
    finally:
        if http is not None:
            await http.aclose()
    assert str(seen[0].url) == str(seen[1].url)
    assert seen[0].headers.raw == seen[1].headers.raw
    return seen[-1]


@pytest.mark.parametrize(
    ("method", "header_arguments"), [("GET", False), ("POST", False), ("GET", True)]
)
async def test_the_direct_lane_hands_over_the_request_httpx_builds(
    monkeypatch: pytest.MonkeyPatch, method: str, header_arguments: bool
) -> None:
    """Method, URL, body, timeouts and every header (name case, order) equal httpx's own request."""
    operation = _variant(method=method, header_arguments=header_arguments)
    arguments: dict[str, object] = {"user": "u 1+é", "count": 3, "distinction_level": "daily"}
    if header_arguments:
        arguments |= {"trace_id": "t-1", "accept": "text/plain"}
    options = {"auth_method": "iam", "operator": "op-1", "timeout": 7.0}
    direct = await _sent_on(monkeypatch, operation, arguments, own_pool=True, **options)
    other = await _sent_on(monkeypatch, operation, arguments, own_pool=False, **options)
    assert direct.method == other.method == method
    assert str(direct.url) == str(other.url)
    query = [("user", "u 1+é"), ("count", 3), ("distinction_level", "daily"), ("operator", "op-1")]
    assert str(direct.url) == str(httpx.URL("http://api.test/v1" + LATEST.path, params=query))
    assert direct.headers.raw == other.headers.raw
    assert direct.content == other.content == b""
    assert direct.extensions["timeout"] == other.extensions["timeout"]
    assert direct.extensions["timeout"]["read"] == 7.0
    if header_arguments:
        assert direct.headers["x-trace-id"] == "t-1"
        assert direct.headers.get_list("accept") == ["text/plain"]


async def test_a_clone_sends_its_own_timeout_on_the_shared_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """with_options(timeout=...) reaches the direct lane's request; the parent keeps its own."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"content-type": "application/json"}, content=_BODY)

    monkeypatch.setattr(_config, "make_transport", lambda _backend: httpx.MockTransport(handler))
    async with VaixClient(
        token="tok", client_id="grp", base_url="http://api.test", timeout=9.0
    ) as vaix:
        await vaix.game_sessions.latest("1")
        await vaix.with_options(timeout=2.5).game_sessions.latest("1")
        await vaix.game_sessions.latest("1")
    assert [r.extensions["timeout"]["read"] for r in seen] == [9.0, 2.5, 9.0]
    assert len({r.headers["authorization"] for r in seen}) == 1


async def test_a_per_call_timeout_is_enforced_on_the_direct_lane() -> None:
    """A server that never answers ends each direct-lane attempt at the clone's timeout."""
    async with (
        LoopbackServer(default=Hang()) as server,
        VaixClient(token="tok", client_id="grp", base_url=server.base_url, max_retries=0) as vaix,
    ):
        assert vaix._direct is not None
        with pytest.raises(APITimeoutError) as info:
            await vaix.with_options(timeout=0.2).game_sessions.latest("1")
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert info.value.attempts == 1


async def test_an_http_client_with_its_own_params_gets_them_merged() -> None:
    """A given http_client's own query parameters are sent with the call's, as httpx merges them."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"content-type": "application/json"}, content=_BODY)

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler), params={"tenant": "t 1"}) as http,
        VaixClient(token="tok", client_id="grp", base_url="http://api.test", http_client=http) as v,
    ):
        await v.game_sessions.latest("u1", count=2)
        http.params = httpx.QueryParams()
        await v.game_sessions.latest("u1", count=2)
    assert [r.url.query for r in seen] == [b"tenant=t+1&user=u1&count=2", b"user=u1&count=2"]


# ---------------------------------------------------------------- a given http_client


def _recording_handler(
    seen: list[httpx.Request], headers: dict[str, str] | None = None
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, headers={"content-type": "application/json", **(headers or {})}, content=_BODY
        )

    return httpx.MockTransport(handler)


def _spy_on_httpx_path(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """The requests that go through httpx's client path (its _send_single_request)."""
    through: list[httpx.Request] = []
    original = httpx.AsyncClient._send_single_request

    async def spy(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
        through.append(request)
        return await original(client, request)

    monkeypatch.setattr(httpx.AsyncClient, "_send_single_request", spy)
    return through


async def test_a_plain_given_client_takes_the_direct_lane_and_sends_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A given httpx.AsyncClient with nothing httpx's path would act on is sent to directly.

    Its own headers are merged as build_request merges them, its transport is the one
    used, and the request equals the one httpx's path builds for the same client.
    """
    through = _spy_on_httpx_path(monkeypatch)
    direct: list[httpx.Request] = []
    other: list[httpx.Request] = []
    options: dict[str, Any] = {"headers": {"X-Tenant": "t1", "accept": "application/x"}}
    async with (
        httpx.AsyncClient(transport=_recording_handler(direct), **options) as plain,
        _on_httpx_path(transport=_recording_handler(other), **options) as hooked,
    ):
        for http in (plain, hooked):
            async with VaixClient(
                token="tok", client_id="grp", base_url="http://api.test", http_client=http
            ) as vaix:
                assert (vaix._lane() is not None) is (http is plain)
                result = await vaix.game_sessions.latest_detailed("u 1", count=3)
                assert result.parsed == []
                assert result.http_response.request is (direct if http is plain else other)[0]
        assert not plain.is_closed  # never closed by the SDK
    assert through == other  # only the hooked client went through httpx's path
    assert str(direct[0].url) == str(other[0].url)
    assert direct[0].headers.raw == other[0].headers.raw
    assert direct[0].headers["x-tenant"] == "t1"
    assert direct[0].extensions["timeout"] == other[0].extensions["timeout"]


async def _noop_hook(_event: object) -> None:
    """A response hook that does nothing."""


def _subclass() -> httpx.AsyncClient:
    class Traced(httpx.AsyncClient):
        pass

    return Traced()


_KEEPS_HTTPX_PATH: dict[str, Callable[[], httpx.AsyncClient]] = {
    "a request hook": lambda: httpx.AsyncClient(event_hooks={"request": [_no_op]}),
    "a response hook": lambda: httpx.AsyncClient(event_hooks={"response": [_noop_hook]}),
    "follow_redirects": lambda: httpx.AsyncClient(follow_redirects=True),
    "cookies in its jar": lambda: httpx.AsyncClient(cookies={"session": "s1"}),
    "its own params": lambda: httpx.AsyncClient(params={"tenant": "t1"}),
    "its own default_encoding": lambda: httpx.AsyncClient(default_encoding="latin-1"),
    "a subclass": _subclass,
}


@pytest.mark.parametrize("setting", sorted(_KEEPS_HTTPX_PATH))
async def test_a_given_client_httpx_would_act_for_keeps_httpx_path(
    monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    """Hooks, redirects, cookies, params, an encoding or a subclass: httpx's path sends it."""
    through = _spy_on_httpx_path(monkeypatch)
    seen: list[httpx.Request] = []
    http = _KEEPS_HTTPX_PATH[setting]()
    http._transport = _recording_handler(seen)
    async with (
        http,
        VaixClient(
            token="tok", client_id="c", base_url="http://api.test", http_client=http
        ) as vaix,
    ):
        assert vaix._lane() is None
        assert await vaix.game_sessions.latest("1") == []
    assert through == seen
    assert len(seen) == 1


async def test_what_changes_after_construction_moves_a_call_to_httpx_path(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Headers, hooks, redirects or params set on the given client later, and httpx's log on."""
    through = _spy_on_httpx_path(monkeypatch)
    seen: list[httpx.Request] = []
    changes: list[Callable[[httpx.AsyncClient], object]] = [
        lambda http: http.headers.update({"X-Later": "1"}),
        lambda http: http.event_hooks["request"].append(_no_op),
        lambda http: setattr(http, "follow_redirects", True),
        lambda http: setattr(http, "params", {"later": "1"}),
        lambda _http: caplog.set_level(logging.INFO, logger="httpx"),
    ]
    for change in changes:
        async with (
            httpx.AsyncClient(transport=_recording_handler(seen)) as http,
            VaixClient(token="t", client_id="c", base_url="http://api.test", http_client=http) as v,
        ):
            await v.game_sessions.latest("1")
            assert len(through) == 0, change
            change(http)
            assert v._lane() is None
            await v.game_sessions.latest("1")
            assert through == [seen[-1]]
            assert "x-later" not in seen[-2].headers
            through.clear()
        monkeypatch.undo()
        through = _spy_on_httpx_path(monkeypatch)
    assert seen[1].headers["x-later"] == "1"
    assert seen[7].url.params["later"] == "1"
    assert [r.getMessage()[:13] for r in caplog.records if r.name == "httpx"] == ["HTTP Request:"]


async def test_a_cookie_the_server_sets_is_kept_and_sent_as_httpx_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a given client, a Set-Cookie lands in its jar; the next call sends it (httpx's path)."""
    through = _spy_on_httpx_path(monkeypatch)
    seen: list[httpx.Request] = []
    transport = _recording_handler(seen, {"set-cookie": "lb=node-2; Path=/"})
    async with (
        httpx.AsyncClient(transport=transport) as http,
        VaixClient(token="t", client_id="c", base_url="http://api.test", http_client=http) as v,
    ):
        await v.game_sessions.latest("1")
        assert not through
        assert http.cookies["lb"] == "node-2"
        await v.game_sessions.latest("1")
    assert through == [seen[1]]
    assert "cookie" not in seen[0].headers
    assert seen[1].headers["cookie"] == "lb=node-2"


@pytest.mark.parametrize("own_pool", [True, False])
async def test_a_wrapped_httpx_send_sees_every_call(
    monkeypatch: pytest.MonkeyPatch, own_pool: bool
) -> None:
    """An instrumentation wrapping AsyncClient.send (as Sentry's does) sees the SDK's calls."""
    seen: list[httpx.Request] = []
    wrapped: list[str] = []
    original = httpx.AsyncClient.send

    @functools.wraps(original)
    async def send(
        client: httpx.AsyncClient,
        request: httpx.Request,
        **kwargs: Any,  # noqa: ANN401 - httpx's send options, passed on
    ) -> httpx.Response:
        wrapped.append(str(request.url))
        return await original(client, request, **kwargs)

    transport = _recording_handler(seen)
    monkeypatch.setattr(_config, "make_transport", lambda _backend: transport)
    http = None if own_pool else httpx.AsyncClient(transport=transport)
    async with VaixClient(
        token="t", client_id="c", base_url="http://api.test", http_client=http
    ) as v:
        assert v._lane() is not None
        await v.game_sessions.latest("1")
        monkeypatch.setattr(httpx.AsyncClient, "send", send)
        assert v._lane() is None
        await v.game_sessions.latest("2")
        monkeypatch.setattr(httpx.AsyncClient, "send", original)
        assert v._lane() is not None
        await v.game_sessions.latest("3")
    if http is not None:
        await http.aclose()
    assert len(seen) == 3
    assert wrapped == [str(seen[1].url)]


async def test_a_send_set_on_the_instance_sees_every_call() -> None:
    """A send replaced on the given client itself keeps every call on it."""
    seen: list[httpx.Request] = []
    calls: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=_recording_handler(seen)) as http:
        original = http.send

        async def send(request: httpx.Request, **kwargs: Any) -> httpx.Response:  # noqa: ANN401
            calls.append(request)
            return await original(request, **kwargs)

        http.send = send  # type: ignore[method-assign]
        async with VaixClient(
            token="t", client_id="c", base_url="http://api.test", http_client=http
        ) as v:
            await v.game_sessions.latest("1")
    assert calls == seen


async def test_a_cookie_set_on_a_retried_response_is_sent_on_the_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lane is chosen per attempt: a retry after a Set-Cookie sends it, as httpx does."""
    through = _spy_on_httpx_path(monkeypatch)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            headers = {"set-cookie": "lb=node-2; Path=/", "retry-after": "0"}
            return httpx.Response(503, headers=headers, content=b"{}")
        return httpx.Response(200, headers={"content-type": "application/json"}, content=_BODY)

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http,
        VaixClient(token="t", client_id="c", base_url="http://api.test", http_client=http) as v,
    ):
        result = await v.game_sessions.latest_detailed("1")
    assert result.attempts == 2
    assert "cookie" not in seen[0].headers
    assert seen[1].headers["cookie"] == "lb=node-2"
    assert through == [seen[1]]


@pytest.mark.parametrize("own_pool", [True, False])
async def test_a_transport_error_on_the_direct_lane_carries_the_request(
    monkeypatch: pytest.MonkeyPatch, own_pool: bool
) -> None:
    """A transport error raised without a request gets the attempt's, as httpx's path gives it."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    transport = httpx.MockTransport(handler)
    monkeypatch.setattr(_config, "make_transport", lambda _backend: transport)
    http = None if own_pool else httpx.AsyncClient(transport=transport)
    async with VaixClient(
        token="t", client_id="c", base_url="http://api.test", http_client=http, max_retries=0
    ) as v:
        assert v._lane() is not None
        with pytest.raises(APIConnectionError) as info:
            await v.game_sessions.latest("1")
    if http is not None:
        await http.aclose()
    assert info.value.request is not None
    assert info.value.request.url.path == LATEST.path
