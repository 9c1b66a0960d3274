"""Schemathesis hooks for ``tests/test_schemathesis.py`` (loaded through ``SCHEMATHESIS_HOOKS``).

Before each call they mend the generated query where the spec cannot express
what the API documents (VAIX_API.md), so that a refusal of those is not
reported as a schema-valid request rejected: ``filters`` follows the filter grammar (judged
by :func:`vaix_client.filters.parse_filters`), and ``bookmaker_id`` and
``sub_bookmaker_id`` go together, and ``x-vaix-authentication-method`` is one of
``vaix`` and ``iam`` (the run's token is a ``vaix`` one). ``VAIX_ST_KNOWN`` (comma-separated) also
mends the known findings it names, until the patched spec states them:
``user`` (a non-empty id) and ``fields`` (known names, comma-separated).
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

from vaix_client._rules import PAIRED, selectable_fields
from vaix_client.errors import InvalidRequestError
from vaix_client.filters import parse_filters
from vaix_client.testing._query import LATEST

KNOWN = frozenset(filter(None, os.environ.get("VAIX_ST_KNOWN", "").split(",")))
FIELDS = selectable_fields(LATEST)


def _grammatical(wire: object) -> bool:
    try:
        parse_filters(str(wire))
    except InvalidRequestError:
        return False
    return True


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:  # noqa: ANN401 - schemathesis' hook signature
    """Drop (or mend) what the spec cannot state but the API documents, in every phase."""
    headers = case.headers
    if headers is None:
        headers = case.headers = {}
    # The group the fake accepts, where the case has one (a missing one stays missing:
    # schemathesis checks that the answer is then 4xx).
    if headers.get("x-vaix-client-id") is not None:
        headers["x-vaix-client-id"] = os.environ.get("VAIX_ST_CLIENT_ID", "demo")
    if headers.get("x-vaix-authentication-method", "vaix") != "vaix":
        # Documented values: vaix, iam (no enum in the spec); the test's token is a vaix one.
        del headers["x-vaix-authentication-method"]
    query = case.query
    if not query:
        return
    if "filters" in query and not _grammatical(query["filters"]):
        del query["filters"]
    for first, second in PAIRED:
        if (first in query) != (second in query):
            query.pop(first, None)
            query.pop(second, None)
    if "user" in KNOWN and not str(query.get("user", "")).strip():
        query["user"] = "1"
    if (
        "fields" in KNOWN
        and "fields" in query
        and not set(str(query["fields"]).split(",")) <= FIELDS
    ):
        del query["fields"]
