"""The fake Vaix service applies the endpoint's documented semantics, on hand-built data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from vaix_client.filters import compile_filters, eq, gt, in_, lt, neq, nin
from vaix_client.testing import FakeVaix
from vaix_client.testing._spec import operation_at

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

PATH = "/api/casino/game_sessions/latest"
_LEVELS = operation_at(PATH).parameter("distinction_level")
assert _LEVELS is not None
assert _LEVELS.enum is not None
LEVELS = ", ".join(map(str, _LEVELS.enum))
"""The spec's distinction levels as the fake lists them (a new one needs no edit here)."""
AUTH = {"Authorization": "Bearer demo-token", "x-vaix-client-id": "demo"}
T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> FakeVaix:
    """An empty fake with the default credentials."""
    return FakeVaix()


@pytest.fixture
async def client(fake: FakeVaix) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to ``fake`` in-process, authenticated."""
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url="http://fake", headers=AUTH
    ) as http:
        yield http


async def latest(client: httpx.AsyncClient, **params: str | int) -> list[dict[str, Any]]:
    """GET the endpoint, insist on a 200 and return ``data``."""
    response = await client.get(PATH, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success"
    data: list[dict[str, Any]] = body["data"]
    return data


def ids(data: list[dict[str, Any]]) -> list[str]:
    """The ``game_id`` of each returned session, in order."""
    return [item["game_id"] for item in data]


def add(fake: FakeVaix, game_id: str, started: datetime, **fields: object) -> None:
    """Store a session for user "u" with a game name derived from the id."""
    session = {"game_id": game_id, "game_name": f"Game {game_id}", "started": started}
    fake.add_sessions("u", [{**session, **fields}])


async def test_newest_first_with_ties_last_stored_first(
    fake: FakeVaix, client: httpx.AsyncClient
) -> None:
    """Sessions come newest ``started`` first; equal ``started`` come last-stored first."""
    add(fake, "a", T0)
    add(fake, "b", T0 + timedelta(hours=1))
    add(fake, "c", T0)
    add(fake, "d", T0 - timedelta(hours=1))
    assert ids(await latest(client, user="u", distinction_level="none")) == ["b", "c", "a", "d"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"before_date": "2026-10-01T12:00:00Z"}, ["b", "a"]),
        ({"after_date": "2026-10-01T12:00:00Z"}, ["d", "c"]),
        ({"after_date": "2026-10-01T11:00:00Z", "before_date": "2026-10-01T13:00:00Z"}, ["c", "b"]),
        ({"before_date": "2026-10-01T14:00:00+02:00"}, ["b", "a"]),
        ({"before_date": "2026-10-01T12:00:00"}, ["b", "a"]),
        ({"before_date": "2026-10-01T11:59:59.999999Z"}, ["a"]),
        ({"after_date": "2026-10-01T13:00:00Z", "before_date": "2026-10-01T11:00:00Z"}, []),
    ],
    ids=lambda value: (
        "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None
    ),
)
async def test_date_window(
    fake: FakeVaix, client: httpx.AsyncClient, params: dict[str, str], expected: list[str]
) -> None:
    """``before_date`` is inclusive, ``after_date`` exclusive, offsets honoured, naive is UTC."""
    for offset, game in enumerate("abcd", start=-1):
        add(fake, game, T0 + timedelta(hours=offset))
    assert ids(await latest(client, user="u", distinction_level="none", **params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["short", "exact", "long", "unknown"]),
        ({"minimum_duration": 60}, ["long"]),
        ({"minimum_duration": 0}, ["short", "exact", "long"]),
        ({"minimum_duration": 61}, []),
    ],
    ids=["absent-no-filtering", "more-than-not-equal", "zero-drops-unknown", "above-all"],
)
async def test_minimum_duration(
    fake: FakeVaix, client: httpx.AsyncClient, params: dict[str, int], expected: list[str]
) -> None:
    """Only sessions lasting *more* than ``minimum_duration`` stay; absent means no filtering."""
    durations = {"short": 30, "exact": 60, "long": 61, "unknown": None}
    for minutes, (game, duration) in enumerate(durations.items()):
        add(fake, game, T0 - timedelta(minutes=minutes), total_duration_in_seconds=duration)
    assert ids(await latest(client, user="u", distinction_level="none", **params)) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("daily", ["g@10:00", "h@08:00", "g@23:59", "g@22:30+02"]),
        (None, ["g@10:00", "h@08:00", "g@23:59", "g@22:30+02"]),
        ("unique", ["g@10:00", "h@08:00"]),
        ("none", ["g@10:00", "h@08:00", "g@00:01", "g@23:59", "g@22:30+02", "g@20:00"]),
    ],
)
async def test_distinction_level(
    fake: FakeVaix, client: httpx.AsyncClient, level: str | None, expected: list[str]
) -> None:
    """Daily (default) keeps the newest per game and UTC day, unique per game, none all."""
    sessions = {
        "g@20:00": "2026-09-29T20:00:00Z",
        "g@22:30+02": "2026-09-30T00:30:00+02:00",  # 22:30 UTC on the 29th
        "g@23:59": "2026-09-30T23:59:00Z",
        "g@00:01": "2026-10-01T00:01:00Z",
        "h@08:00": "2026-10-01T08:00:00Z",
        "g@10:00": "2026-10-01T10:00:00Z",
    }
    for label, started in sessions.items():
        add(fake, label[0], datetime.fromisoformat(started), label=label)
    params = {} if level is None else {"distinction_level": level}
    data = await latest(client, user="u", **params)
    assert [item["label"] for item in data] == expected


@pytest.mark.parametrize(("count", "expected"), [(None, 10), (1, 1), (5, 5), (12, 12), (100, 12)])
async def test_count(
    fake: FakeVaix, client: httpx.AsyncClient, count: int | None, expected: int
) -> None:
    """``count`` caps the list (10 when absent) and keeps the newest sessions."""
    for minutes in range(12):
        add(fake, str(minutes), T0 - timedelta(minutes=minutes))
    params = {} if count is None else {"count": count}
    data = await latest(client, user="u", distinction_level="none", **params)
    assert ids(data) == [str(n) for n in range(expected)]


async def test_unknown_user_gets_an_empty_list(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """An unknown user is a success with no data, not an error."""
    add(fake, "a", T0)
    response = await client.get(PATH, params={"user": "nobody"})
    assert (response.status_code, response.json()) == (200, {"status": "success", "data": []})


async def test_application_order(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """Window, minimum_duration and filters apply before distinction, distinction before count."""
    add(fake, "g", T0 - timedelta(hours=3), total_duration_in_seconds=300, label="old-long")
    add(fake, "g", T0 - timedelta(hours=2), total_duration_in_seconds=300, label="mid-long")
    add(fake, "g", T0 - timedelta(hours=1), total_duration_in_seconds=10, label="new-short")
    add(fake, "g", T0, total_duration_in_seconds=900, enabled=0, label="newest-disabled")
    data = await latest(
        client,
        user="u",
        minimum_duration=60,
        filters="enabled:neq:0",
        before_date="2026-10-01T12:00:00Z",
        distinction_level="unique",
    )
    assert [item["label"] for item in data] == ["mid-long"]
    none = await latest(client, user="u", distinction_level="none", count=2, minimum_duration=60)
    assert [item["label"] for item in none] == ["newest-disabled", "mid-long"]


async def test_full_objects_have_every_property_and_extra_keys(
    fake: FakeVaix, client: httpx.AsyncClient
) -> None:
    """Without ``fields`` a session is sent exactly as ``add_session`` stored it, nulls included."""
    stored = fake.add_session(
        "u", game_id="a", game_name="A", started=T0, has_fixed=True, release_date=T0
    )
    (item,) = await latest(client, user="u")
    assert item == stored
    assert item["has_fixed"] is True
    assert item["category"] is None
    assert item["started"] == item["release_date"] == "2026-10-01T12:00:00Z"
    assert item["total_duration_in_seconds"] == 120


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("game_id", {"game_id": "a"}),
        ("game_name,started", {"game_name": "A", "started": "2026-10-01T12:00:00Z"}),
        ("category", {"category": None}),
        ("has_fixed,tags", {"has_fixed": True}),
        ("tags", {}),
    ],
    ids=["one", "property-outside-the-enum", "null", "extra-key", "absent-extra"],
)
async def test_fields_selection(
    fake: FakeVaix, client: httpx.AsyncClient, fields: str, expected: dict[str, object]
) -> None:
    """``fields`` keeps only the named keys; a name the session lacks is simply absent."""
    fake.add_session("u", game_id="a", game_name="A", started=T0, has_fixed=True)
    assert await latest(client, user="u", fields=fields) == [expected]


FILTER_CASES = [
    ("game_studio:eq:NetEnt", ["n1", "n2"]),
    ("game_studio:neq:NetEnt", ["p1", "x1"]),
    ("game_id:in:p1,x1", ["p1", "x1"]),
    ("game_id:nin:p1,x1", ["n1", "n2"]),
    ("min_bet:gt:0.2", ["n2", "x1"]),
    ("min_bet:lt:0.2", ["n1"]),
    ("has_bonus:eq:1", ["n1", "p1"]),
    ("enabled:eq:1", ["n1", "n2", "p1"]),
    ("vaix_tags:eq:space", ["n2", "p1"]),
    ("vaix_tags:nin:space,fruits", ["x1"]),
    ("release_date:gt:2026-01-01T00:00:00Z", ["n2"]),
    ("game_studio:eq:NetEnt;has_bonus:eq:1", ["n1"]),
    ("game_studio:eq:NetEnt|has_bonus:eq:1", ["n1", "n2", "p1"]),
    ("has_bonus:eq:0;game_studio:eq:NetEnt|game_id:eq:x1", ["n2", "x1"]),
    (compile_filters(eq("game_studio", "NetEnt") & gt("min_bet", 0.2)), ["n2"]),
    (compile_filters(in_("game_id", ["n1", "x1"]) | lt("max_bet", 60)), ["n1", "p1", "x1"]),
    (compile_filters(neq("has_bonus", True) & nin("vaix_tags", ["space"])), ["x1"]),
]


@pytest.mark.parametrize(("wire", "expected"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
async def test_filters(
    fake: FakeVaix, client: httpx.AsyncClient, wire: str, expected: list[str]
) -> None:
    """Every operator, AND (``;``), OR (``|``, binding tighter) and booleans-as-numbers apply."""
    games: list[tuple[str, str, float, float, bool, int, list[str], datetime | None]] = [
        ("n1", "NetEnt", 0.1, 100.0, True, 1, ["fruits"], datetime(2020, 1, 1, tzinfo=UTC)),
        ("n2", "NetEnt", 0.5, 500.0, False, 1, ["space", "gems"], datetime(2026, 2, 1, tzinfo=UTC)),
        ("p1", "Play'n GO", 0.2, 50.0, True, 1, ["space"], None),
        ("x1", "Hacksaw", 1.0, 1000.0, False, 0, ["classic"], None),
    ]
    for minutes, (gid, studio, low, high, bonus, enabled, tags, released) in enumerate(games):
        add(fake, gid, T0 - timedelta(minutes=minutes), game_studio=studio, min_bet=low,
            max_bet=high, has_bonus=bonus, enabled=enabled, vaix_tags=tags,
            release_date=released)  # fmt: skip
    assert ids(await latest(client, user="u", filters=wire)) == expected


ERROR_CASES: list[tuple[dict[str, str], int, dict[str, object] | str]] = [
    ({}, 400, "user"),
    ({"user": ""}, 400, "user"),
    ({"user": "u", "count": "ten"}, 400, "count"),
    ({"user": "u", "count": "1.5"}, 400, "count"),
    ({"user": "u", "minimum_duration": "1.5"}, 400, "minimum_duration"),
    ({"user": "u", "before_date": "yesterday"}, 400, "before_date"),
    ({"user": "u", "after_date": "2026-13-01T00:00:00Z"}, 400, "after_date"),
    ({"user": "u", "bookmaker_id": "x", "sub_bookmaker_id": "1"}, 400, "bookmaker_id"),
    ({"user": "u", "bookmaker_id": "1", "sub_bookmaker_id": "x"}, 400, "sub_bookmaker_id"),
    ({"user": "u", "filters": "enabled"}, 400, "filters"),
    ({"user": "u", "filters": "enabled:gte:1"}, 400, "filters"),
    ({"user": "u", "filters": "enabled:eq:1;"}, 400, "filters"),
    ({"user": "u", "count": "0"}, 422, {"count": ["must be between 1 and 100"]}),
    ({"user": "u", "count": "101"}, 422, {"count": ["must be between 1 and 100"]}),
    ({"user": "u", "distinction_level": "no-such-level"}, 422,
     {"distinction_level": [f"must be one of {LEVELS}"]}),
    ({"user": "u", "minimum_duration": "-1"}, 422,
     {"minimum_duration": ["must be greater than or equal to 0"]}),
    ({"user": "u", "fields": "game_id,nope,"}, 422,
     {"fields": ["unknown field 'nope'", "unknown field ''"]}),
    ({"user": "u", "bookmaker_id": "1"}, 422,
     {"sub_bookmaker_id": ["is required together with bookmaker_id"]}),
    ({"user": "u", "sub_bookmaker_id": "1"}, 422,
     {"bookmaker_id": ["is required together with sub_bookmaker_id"]}),
    ({"user": "u", "count": "0", "minimum_duration": "-5"}, 422,
     {"count": ["must be between 1 and 100"],
      "minimum_duration": ["must be greater than or equal to 0"]}),
]  # fmt: skip


@pytest.mark.parametrize(("params", "status", "expected"), ERROR_CASES)
async def test_bad_parameters(
    client: httpx.AsyncClient, params: dict[str, str], status: int, expected: object
) -> None:
    """Unreadable values get 400 + Error naming the parameter; disallowed ones 422 + Errors."""
    response = await client.get(PATH, params=params)
    assert response.status_code == status
    body = response.json()
    if status == 400:
        assert set(body) == {"error", "status"}
        assert body["status"] == "error"
        assert f"'{expected}'" in body["error"]
    else:
        assert body == {"errors": expected}


async def test_operator_and_bookmaker_are_accepted_and_ignored(
    fake: FakeVaix, client: httpx.AsyncClient
) -> None:
    """``operator`` and a well-formed bookmaker pair change nothing."""
    add(fake, "a", T0)
    params = {"operator": "other", "bookmaker_id": "7", "sub_bookmaker_id": "8"}
    assert await latest(client, user="u", **params) == await latest(client, user="u")


AUTH_CASES: list[tuple[dict[str, str], int]] = [
    ({"x-vaix-client-id": "demo"}, 401),
    ({"Authorization": "Bearer wrong", "x-vaix-client-id": "demo"}, 401),
    ({"Authorization": "Basic ZGVtbzpkZW1v", "x-vaix-client-id": "demo"}, 401),
    ({"Authorization": "Bearer ", "x-vaix-client-id": "demo"}, 401),
    ({"Authorization": "Bearer demo-token", "x-vaix-client-id": "demo",
      "x-vaix-authentication-method": "iam"}, 401),
    ({"Authorization": "Bearer demo-token"}, 403),
    ({"Authorization": "Bearer demo-token", "x-vaix-client-id": "acme"}, 403),
    ({"Authorization": "Bearer demo-token", "x-vaix-client-id": "demo",
      "x-vaix-authentication-method": "magic"}, 400),
    ({"Authorization": "Bearer wrong", "x-vaix-authentication-method": "magic"}, 400),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "status"), AUTH_CASES)
async def test_auth_failures(fake: FakeVaix, headers: dict[str, str], status: int) -> None:
    """Bad auth method is 400, bad token 401, bad client id 403, all before parameters."""
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        response = await http.get(PATH, params={"count": "oops"}, headers=headers)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "status"}
    assert body["status"] == "error"
    assert "demo-token" not in body["error"]


async def test_vaix_method_accepts_the_configured_token() -> None:
    """A custom token and client id are what the ``vaix`` method accepts."""
    fake = FakeVaix(token="s3cret", client_id="acme")
    headers = {"Authorization": "Bearer s3cret", "x-vaix-client-id": "acme",
               "x-vaix-authentication-method": "vaix"}  # fmt: skip
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        response = await http.get(PATH, params={"user": "1"}, headers=headers)
    assert response.json() == {"status": "success", "data": []}


async def test_iam_token_issue_use_and_expiry() -> None:
    """An issued token works with ``iam`` until its TTL passes on the fake's clock."""
    clock = [T0]
    fake = FakeVaix(client_credentials={"cid": "csecret"}, now=lambda: clock[0], token_ttl=60)
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        grant = {"grant_type": "client_credentials", "client_id": "cid",
                 "client_secret": "csecret", "audience": "api.vaix.ai"}  # fmt: skip
        issued = await http.post("/oauth/token", json=grant)
        assert issued.status_code == 200
        token = issued.json()
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 60
        assert fake.tokens_issued == 1
        headers = {"Authorization": f"Bearer {token['access_token']}",
                   "x-vaix-client-id": "demo", "x-vaix-authentication-method": "iam"}  # fmt: skip
        assert (await http.get(PATH, params={"user": "1"}, headers=headers)).status_code == 200
        vaix_method = {**headers, "x-vaix-authentication-method": "vaix"}
        assert (await http.get(PATH, params={"user": "1"}, headers=vaix_method)).status_code == 401
        clock[0] = T0 + timedelta(seconds=59)
        assert (await http.get(PATH, params={"user": "1"}, headers=headers)).status_code == 200
        clock[0] = T0 + timedelta(seconds=60)
        assert (await http.get(PATH, params={"user": "1"}, headers=headers)).status_code == 401


TOKEN_CASES: list[tuple[dict[str, str], bytes, int, str]] = [
    ({"content-type": "application/json"},
     b'{"grant_type": "client_credentials", "client_id": "demo", "client_secret": "nope"}',
     401, "access_denied"),
    ({"content-type": "application/json"},
     b'{"grant_type": "client_credentials", "client_id": "who", "client_secret": "demo-secret"}',
     401, "access_denied"),
    ({"content-type": "application/json"},
     b'{"grant_type": "password", "client_id": "demo", "client_secret": "demo-secret"}',
     400, "unsupported_grant_type"),
    ({"content-type": "application/json"}, b'{"grant_type": "client_credentials"}',
     400, "invalid_request"),
    ({"content-type": "application/json"}, b"not json", 400, "invalid_request"),
    ({"content-type": "application/json"}, b"[1, 2]", 400, "invalid_request"),
    ({"content-type": "application/json"},
     json.dumps({"grant_type": "client_credentials", "client_id": "demo",
                 "client_secret": "demo-secret", "audience": 3}).encode(),
     400, "invalid_request"),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "body", "status", "error"), TOKEN_CASES)
async def test_token_endpoint_refusals(
    fake: FakeVaix, headers: dict[str, str], body: bytes, status: int, error: str
) -> None:
    """Bad credentials are 401 ``access_denied``; a bad grant or body is 400; none issue a token."""
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        response = await http.post("/oauth/token", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert set(response.json()) == {"error", "error_description"}
    assert fake.tokens_issued == 0


async def test_token_endpoint_accepts_form_encoding_and_default_demo_client(
    fake: FakeVaix,
) -> None:
    """RFC 6749's form encoding works too, and the default OAuth client is demo/demo-secret."""
    form = {"grant_type": "client_credentials", "client_id": "demo", "client_secret": "demo-secret"}
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        response = await http.post("/oauth/token", data=form)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600
    assert fake.tokens_issued == 1


async def test_clock_is_the_default_before_date() -> None:
    """With a clock, sessions after its now are left out unless ``before_date`` says otherwise."""
    fake = FakeVaix(now=lambda: T0)
    add(fake, "past", T0 - timedelta(seconds=1))
    add(fake, "future", T0 + timedelta(seconds=1))
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url="http://fake", headers=AUTH
    ) as http:
        assert ids(await latest(http, user="u")) == ["past"]
        assert ids(await latest(http, user="u", before_date="2027-01-01T00:00:00Z")) == [
            "future",
            "past",
        ]


async def test_unknown_routes_get_an_error_body(client: httpx.AsyncClient) -> None:
    """Unknown paths are 404 and wrong methods 405, both with an Error body."""
    missing = await client.get("/api/nothing")
    assert (missing.status_code, missing.json()["status"]) == (404, "error")
    wrong = await client.post(PATH)
    assert (wrong.status_code, wrong.json()["status"]) == (405, "error")
    assert "GET" in wrong.headers["allow"]


async def test_requests_are_recorded(fake: FakeVaix, client: httpx.AsyncClient) -> None:
    """Every request is recorded with method, path, query and lower-case headers."""
    await client.get(PATH, params={"user": "1", "count": "2"}, headers={"X-Trace": "t1"})
    (recorded,) = fake.requests
    assert (recorded.method, recorded.path) == ("GET", PATH)
    assert recorded.query == {"user": "1", "count": "2"}
    assert recorded.headers["x-trace"] == "t1"
    assert recorded.headers["x-vaix-client-id"] == "demo"


def test_add_sessions_accepts_iso_strings_and_refuses_bad_sessions(fake: FakeVaix) -> None:
    """``add_sessions`` takes dicts with ISO 8601 ``started``; naive or missing data is refused."""
    (stored,) = fake.add_sessions(
        "u", [{"game_id": "a", "game_name": "A", "started": "2026-10-01T14:00:00+02:00"}]
    )
    assert stored["started"] == "2026-10-01T12:00:00Z"
    assert stored["total_duration_in_seconds"] == 120
    with pytest.raises(ValueError, match="naive"):
        fake.add_session("u", game_id="a", game_name="A", started=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="first_transaction"):
        add(fake, "a", T0, first_transaction=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(TypeError, match="game_id"):
        fake.add_sessions("u", [{"game_name": "A", "started": T0}])
    with pytest.raises(TypeError, match="total_duration_in_seconds"):
        add(fake, "a", T0, total_duration_in_seconds="long")


async def test_demo_catalogue_is_deterministic_and_realistic() -> None:
    """The same seed gives the same varied weeks of play for users 1..50 before 2026-11-01."""
    fake, again, other = FakeVaix(seed=0), FakeVaix(seed=0), FakeVaix(seed=1)
    everything: dict[str, str | int] = {"user": "1", "distinction_level": "none", "count": 100}
    async with (
        httpx.AsyncClient(transport=fake.transport(), base_url="http://f", headers=AUTH) as a,
        httpx.AsyncClient(transport=again.transport(), base_url="http://f", headers=AUTH) as b,
        httpx.AsyncClient(transport=other.transport(), base_url="http://f", headers=AUTH) as c,
    ):
        first = await latest(a, **everything)
        assert first == await latest(b, **everything)
        assert first != await latest(c, **everything)
        sessions = [s for u in range(1, 51) for s in await latest(a, **{**everything, "user": u})]
    started = [datetime.fromisoformat(s["started"]) for s in sessions]
    assert max(started) < datetime(2026, 11, 1, tzinfo=UTC)
    assert min(started) >= datetime(2026, 11, 1, tzinfo=UTC) - timedelta(weeks=6)
    assert len({s["game_id"] for s in sessions}) >= 35
    assert len({s["game_studio"] for s in sessions}) == 8
    assert {"Gaming: Slots", "Gaming: Dice", "Live Casino: Roulette"} <= {
        s["category"] for s in sessions
    }
    durations = [s["total_duration_in_seconds"] for s in sessions]
    assert min(durations) < 60 < max(durations)
    per_game_day = [(s["game_id"], s["started"][:10]) for s in first]
    assert len(per_game_day) > len(set(per_game_day))  # several sessions of a game in a day


async def test_demo_catalogue_follows_the_clock() -> None:
    """With a clock, the demo sessions lie in the six weeks before its now."""
    now = datetime(2030, 5, 1, tzinfo=UTC)
    fake = FakeVaix(seed=0, now=lambda: now)
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url="http://fake", headers=AUTH
    ) as http:
        data = await latest(http, user="2", distinction_level="none", count=100)
    started = [datetime.fromisoformat(s["started"]) for s in data]
    assert now - timedelta(weeks=6) <= min(started) <= max(started) < now


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), float("nan")])
def test_token_ttl_must_be_a_positive_finite_number(ttl: float) -> None:
    """A token lifetime that is not a positive finite number is refused at construction."""
    with pytest.raises(ValueError, match="token_ttl"):
        FakeVaix(token_ttl=ttl)
