"""Every response of the fake Vaix service conforms to the patched spec (openapi-core)."""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from vaix_client.filters import (
    FilterExpression,
    compile_filters,
    eq,
    gt,
    in_,
    lt,
    matches,
    neq,
    nin,
    parse_filters,
)
from vaix_client.testing import FakeVaix, StatusFault
from vaix_client.testing._query import SELECTABLE_FIELDS
from vaix_client.testing._store import GAME_SESSION_PROPERTIES

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/casino/game_sessions/latest"
AUTH = {"Authorization": "Bearer demo-token", "x-vaix-client-id": "demo"}
REFERENCE = datetime(2026, 11, 1, tzinfo=UTC)
DEMO = FakeVaix(seed=0)  # read-only: shared by every hypothesis example


def _patched_spec() -> dict[str, Any]:
    """The spec the generator sees, built in memory with scripts/generate.py's own function."""
    spec = importlib.util.spec_from_file_location("_vaix_generate", ROOT / "scripts/generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raw = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    fixes = json.loads((ROOT / "spec/fixes.json").read_text(encoding="utf-8"))
    patched: dict[str, Any] = module.patch_spec(raw, fixes)
    return patched


@functools.cache
def openapi() -> OpenAPI:
    """The patched spec, loaded once for the whole module."""
    return OpenAPI.from_dict(_patched_spec())


@dataclass
class OpenAPIRequest:
    """An httpx request seen through openapi-core's Request protocol."""

    request: httpx.Request
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        query = parse_qs(self.request.url.query.decode(), keep_blank_values=True)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query), header=Headers(dict(self.request.headers))
        )

    @property
    def host_url(self) -> str:
        """The spec's production server: the fake stands in for it."""
        return "https://api.vaix.ai"

    @property
    def path(self) -> str:
        """The request path."""
        return self.request.url.path

    @property
    def method(self) -> str:
        """The method, lower-case."""
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        """The request body (none for GET)."""
        return self.request.content or None

    @property
    def content_type(self) -> str:
        """The request's content type."""
        return str(self.request.headers.get("content-type", ""))


@dataclass
class OpenAPIResponse:
    """An httpx response seen through openapi-core's Response protocol."""

    response: httpx.Response

    @property
    def status_code(self) -> int:
        """The status code."""
        return self.response.status_code

    @property
    def content_type(self) -> str:
        """The response's content type."""
        return str(self.response.headers.get("content-type", ""))

    @property
    def headers(self) -> Headers:
        """The response headers."""
        return Headers(list(self.response.headers.items()))

    @property
    def data(self) -> bytes:
        """The body."""
        return self.response.content


def assert_conforms(response: httpx.Response) -> None:
    """Validate ``response`` against the patched spec; openapi-core raises when it does not."""
    spec = openapi()
    spec.validate_response(OpenAPIRequest(response.request), OpenAPIResponse(response))


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated client of the shared seeded fake."""
    async with httpx.AsyncClient(
        transport=DEMO.transport(), base_url="http://fake", headers=AUTH
    ) as http:
        yield http


def test_selectable_fields_are_the_spec_list_and_every_property() -> None:
    """``fields`` accepts exactly the raw spec's ``fields`` list plus every GameSession property."""
    raw = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    (fields,) = (p for p in raw["paths"][PATH]["get"]["parameters"] if p["name"] == "fields")
    properties = raw["components"]["schemas"]["GameSession"]["properties"]
    assert set(GAME_SESSION_PROPERTIES) == set(properties)
    assert set(fields["schema"]["enum"]) | set(properties) == SELECTABLE_FIELDS


RESPONSE_CASES: list[tuple[dict[str, str], dict[str, str], int]] = [
    ({"user": "1"}, AUTH, 200),
    ({"user": "7", "count": "100", "distinction_level": "none"}, AUTH, 200),
    ({"user": "3", "fields": "game_id,started,tags,has_wilds,images"}, AUTH, 200),
    ({"user": "nobody"}, AUTH, 200),
    ({}, AUTH, 400),
    ({"user": "1", "filters": "broken"}, AUTH, 400),
    ({"user": "1", "before_date": "soon"}, AUTH, 400),
    ({"user": "1"}, {"x-vaix-client-id": "demo"}, 401),
    ({"user": "1"}, {**AUTH, "x-vaix-client-id": "other"}, 403),
    ({"user": "1"}, {**AUTH, "x-vaix-authentication-method": "magic"}, 400),
    ({"user": "1", "count": "0", "fields": "nope"}, AUTH, 422),
    ({"user": "1", "bookmaker_id": "3"}, AUTH, 422),
]


@pytest.mark.parametrize(("params", "headers", "status"), RESPONSE_CASES)
async def test_responses_conform(
    params: dict[str, str], headers: dict[str, str], status: int
) -> None:
    """Successes (with and without field selection) and 400/401/403/422 errors match the spec."""
    async with httpx.AsyncClient(transport=DEMO.transport(), base_url="http://fake") as http:
        response = await http.get(PATH, params=params, headers=headers)
    assert response.status_code == status
    assert_conforms(response)


@pytest.mark.parametrize("status", [400, 401, 403, 406, 413, 422, 425, 500])
async def test_status_fault_default_bodies_conform(status: int) -> None:
    """A StatusFault's default body is the one the spec declares for that status."""
    fake = FakeVaix()
    fake.inject(StatusFault(status))
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://fake") as http:
        response = await http.get(PATH, params={"user": "1"}, headers=AUTH)
    assert response.status_code == status
    assert_conforms(response)


STUDIOS = ["NetEnt", "Evolution", "Pragmatic Play", "Hacksaw Gaming", "Play'n GO"]
CATEGORIES = ["Gaming: Slots", "Gaming: Dice", "Live Casino: Roulette", "Gaming: Crash"]
THEMES = ["space", "egyptian", "classic", "animals", "mythology"]

conditions = st.one_of(
    st.sampled_from(STUDIOS).map(lambda v: eq("game_studio", v)),
    st.sampled_from(STUDIOS).map(lambda v: neq("game_studio", v)),
    st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3).map(lambda v: in_("category", v)),
    st.lists(st.sampled_from(THEMES), min_size=1, max_size=2).map(lambda v: nin("vaix_tags", v)),
    st.sampled_from(["has_bonus", "has_buy", "is_live", "has_megaways"]).flatmap(
        lambda name: st.booleans().map(lambda v: eq(name, v))
    ),
    st.sampled_from([0.1, 0.2, 0.5, 1.0]).map(lambda v: gt("min_bet", v)),
    st.integers(30, 1800).map(lambda v: lt("total_duration_in_seconds", v)),
)


def _combine(first: FilterExpression, rest: list[tuple[bool, FilterExpression]]) -> str:
    expr = first
    for use_and, cond in rest:
        expr = expr & cond if use_and else expr | cond
    return compile_filters(expr)


filters = st.builds(
    _combine, conditions, st.lists(st.tuples(st.booleans(), conditions), max_size=3)
)
moments = st.integers(0, 7 * 24 * 60).map(
    lambda minutes: (REFERENCE - timedelta(minutes=minutes * 6)).isoformat().replace("+00:00", "Z")
)
queries = st.fixed_dictionaries(
    {"user": st.sampled_from([*map(str, range(1, 51)), "unknown"])},
    optional={
        "count": st.integers(1, 100),
        "distinction_level": st.sampled_from(["daily", "none", "unique"]),
        "minimum_duration": st.integers(0, 900),
        "before_date": moments,
        "after_date": moments,
        "filters": filters,
        "fields": st.lists(st.sampled_from(sorted(SELECTABLE_FIELDS)), min_size=1, unique=True).map(
            ",".join
        ),
    },
)


def _check_semantics(params: dict[str, Any], full: list[dict[str, Any]]) -> None:
    """The full records honour order, window, duration, filters, distinction and count."""
    assert len(full) <= params.get("count", 10)
    started = [datetime.fromisoformat(item["started"]) for item in full]
    assert started == sorted(started, reverse=True)
    if "before_date" in params:
        assert all(s <= datetime.fromisoformat(params["before_date"]) for s in started)
    if "after_date" in params:
        assert all(s > datetime.fromisoformat(params["after_date"]) for s in started)
    if "minimum_duration" in params:
        assert all(i["total_duration_in_seconds"] > params["minimum_duration"] for i in full)
    if "filters" in params:
        expr = parse_filters(params["filters"])
        assert all(matches(expr, item) for item in full)
    level = params.get("distinction_level", "daily")
    keys = [
        (i["game_id"], i["started"][:10] if level == "daily" else None)
        for i in full
    ]  # fmt: skip
    if level != "none":
        assert len(keys) == len(set(keys))


@settings(
    max_examples=75,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(params=queries)
async def test_valid_queries_conform_and_honour_parameters(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    """Any valid parameter mix gets a conforming 200 that honours count, order and fields."""
    response = await client.get(PATH, params=params)
    assert response.status_code == 200, response.text
    assert_conforms(response)
    data = response.json()["data"]
    full_params = {k: v for k, v in params.items() if k != "fields"}
    full = (await client.get(PATH, params=full_params)).json()["data"]
    _check_semantics(params, full)
    if "fields" not in params:
        assert data == full
        return
    names = params["fields"].split(",")
    assert data == [{k: item[k] for k in names if k in item} for item in full]
