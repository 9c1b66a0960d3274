"""Schemathesis, a third-party judge, against ``vaix-client fake-server`` and the patched spec.

Every check (``--checks all``), every phase, a few hundred cases, deterministic
generation. The hooks (``tests/st_hooks.py``) mend only what the spec cannot
state but the API documents: the filter grammar, paired bookmaker ids and the
two documented authentication methods. Two former findings (an empty
``user``, a ``fields`` value that is not a list of known names: schema-valid
yet refused) are fixed by the spec rules (``minLength``, a derived
``pattern``); each has its own run, which fails if the finding comes back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _support import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

ST = Path(sys.executable).parent / "st"
TOKEN = "st-token"
CLIENT_ID = "st-group"


@pytest.fixture(scope="module")
def fake_server_url() -> Iterator[str]:
    """``vaix-client fake-server`` on a free loopback port, stopped after the module."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "vaix_client", "fake-server", "--port", "0",
         "--token", TOKEN, "--client-id", CLIENT_ID],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert server.stderr is not None
        first = server.stdout.readline()
        assert "listening on http://127.0.0.1:" in first, first + server.stderr.read()
        yield first.split("listening on ", 1)[1].split()[0]
    finally:
        server.terminate()
        server.wait(timeout=10)
        for stream in (server.stdout, server.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def patched_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The patched spec the generator sees (written by ``scripts/generate.py --patched-spec``)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate.py"), "--patched-spec"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    path = Path(result.stdout.strip().splitlines()[-1])
    copy = tmp_path_factory.mktemp("st") / "openapi.patched.json"
    copy.write_bytes(path.read_bytes())
    return copy


class KnownFindingError(Exception):
    """Schemathesis reported the known finding a test is about (and nothing else)."""


def expect_only(result: subprocess.CompletedProcess[str], finding: str) -> None:
    """Pass on a clean run; raise KnownFindingError when the only failure shows ``finding``."""
    if result.returncode == 0:
        return
    output = result.stdout
    assert "1 unique failure" in output, output[-3000:]
    assert finding in output, output[-3000:]
    raise KnownFindingError(finding)


def schemathesis(
    spec: Path, url: str, *, known: str, examples: int
) -> subprocess.CompletedProcess[str]:
    """Run ``st run`` with every check; ``known`` names the known findings the hooks mend."""
    config = spec.parent / "schemathesis.toml"
    config.write_text(f'[auth.openapi.BearerAuth]\nbearer = "{TOKEN}"\n', encoding="utf-8")
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "st_hooks",
        "PYTHONPATH": str(ROOT / "tests"),
        "VAIX_ST_KNOWN": known,
        "VAIX_ST_CLIENT_ID": CLIENT_ID,
    }
    return subprocess.run(
        [str(ST), "--config-file", str(config), "run", str(spec), "--url", url,
         "--checks", "all", "--max-examples", str(examples), "--generation-deterministic",
         "--continue-on-failure", "--no-color", "--request-timeout", "10"],
        capture_output=True,
        text=True,
        check=False,
        cwd=spec.parent,
        env=env,
        timeout=200,
    )  # fmt: skip


def test_the_fake_passes_every_check(patched_spec: Path, fake_server_url: str) -> None:
    """With the two known findings mended, schemathesis finds nothing in a few hundred cases."""
    result = schemathesis(patched_spec, fake_server_url, known="user,fields", examples=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    generated = int(result.stdout.split(" generated")[0].split()[-1])
    assert generated >= 200, result.stdout[-1000:]


def test_an_empty_user_is_not_schema_valid(patched_spec: Path, fake_server_url: str) -> None:
    """Schemathesis finds no schema-valid ``user`` that the fake refuses."""
    result = schemathesis(patched_spec, fake_server_url, known="fields", examples=100)
    expect_only(result, "missing required parameter 'user'")


def test_only_known_field_names_are_schema_valid(patched_spec: Path, fake_server_url: str) -> None:
    """Schemathesis finds no schema-valid ``fields`` value that the fake refuses."""
    result = schemathesis(patched_spec, fake_server_url, known="user", examples=100)
    expect_only(result, "unknown field")
