"""Import cost of a client's libraries, each sample in a fresh interpreter.

The child times ``__import__`` of the modules with ``time.perf_counter`` from
its first line, so interpreter start-up (and ``site``) is excluded without
subtracting two noisy process timings; nothing else is imported before.
``python -X importtime`` gives the per-module breakdown.

``import httpx`` also imports its command line (``httpx._main``: click,
pygments and rich, ~40 ms) whenever those three are installed, as they are in
a dev environment (and in apps that have rich, e.g. through typer). With
``hide=HTTPX_CLI_DEPS`` the child makes them unimportable first, which is what
an application without them sees.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import venv
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

__all__ = [
    "HTTPX_CLI_DEPS",
    "ImportLine",
    "by_package",
    "core_python",
    "import_breakdown",
    "import_seconds",
]

#: What ``httpx`` imports for its command line when it can.
HTTPX_CLI_DEPS: Final = ("click", "pygments", "rich")
_TIMER: Final = (
    "import sys, time\n"
    "modules, hidden = sys.argv[1].split(','), sys.argv[2].split(',')\n"
    "sys.modules.update((name, None) for name in hidden if name)\n"
    "start = time.perf_counter()\n"
    "for name in modules:\n"
    "    module, _, attribute = name.partition(':')\n"
    "    __import__(module, fromlist=[attribute] if attribute else [])\n"
    "print(time.perf_counter() - start)\n"
)
_TIMEOUT: Final = 60.0


def core_python(root: Path, where: Path) -> Path:
    """The interpreter of a venv at ``where`` holding only vaix-client's core dependencies.

    Made once (pip, from the registry or its cache), with the dependencies read
    from ``pyproject.toml``; vaix-client itself comes from ``root`` on
    ``PYTHONPATH``, so the code measured is the working tree's. Nothing of the
    extras or the dev tools is importable there.
    """
    python = where / "bin" / "python"
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = "\n".join(sorted(project["dependencies"]))
    stamp = where / "core-dependencies.txt"
    if not python.exists() or not stamp.exists() or stamp.read_text(encoding="utf-8") != wanted:
        venv.EnvBuilder(clear=True, with_pip=True).create(where)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *project["dependencies"]],
            check=True,
            capture_output=True,
            timeout=600,
        )
        stamp.write_text(wanted, encoding="utf-8")
    return python


def import_seconds(
    modules: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    hide: Sequence[str] = (),
    python: Path | str = sys.executable,
) -> float:
    """Seconds a fresh interpreter takes to import ``modules``, ``hide`` made unimportable.

    ``"package:Name"`` times ``from package import Name``, which is what a
    program writes for a package that imports its names on first use.
    """
    done = subprocess.run(
        [str(python), "-c", _TIMER, ",".join(modules), ",".join(hide)],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"import {' '.join(modules)} failed: {last[0]}")
    return float(done.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class ImportLine:
    """One module from ``-X importtime``: its own and cumulative microseconds."""

    module: str
    self_us: int
    cumulative_us: int


def import_breakdown(
    module: str, *, cwd: Path, env: Mapping[str, str], hide: Sequence[str] = ()
) -> list[ImportLine]:
    """Every module importing ``module`` (or ``"package:Name"``) loads, from ``-X importtime``."""
    package, _, attribute = module.partition(":")
    statement = f"from {package} import {attribute}" if attribute else f"import {package}"
    code = f"import sys; sys.modules.update(dict.fromkeys({list(hide)!r})); {statement}"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    lines: list[ImportLine] = []
    for raw in done.stderr.splitlines():
        if not raw.startswith("import time:") or "self [us]" in raw:
            continue
        self_us, cumulative_us, name = raw.removeprefix("import time:").split("|", 2)
        lines.append(ImportLine(name.strip(), int(self_us), int(cumulative_us)))
    return lines


def by_package(lines: Sequence[ImportLine]) -> list[tuple[str, int]]:
    """Own import microseconds summed per top-level package, largest first."""
    totals: dict[str, int] = {}
    for line in lines:
        package = line.module.partition(".")[0]
        totals[package] = totals.get(package, 0) + line.self_us
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)
