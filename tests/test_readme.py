"""Every ```python block of README.md runs, so the README cannot drift from the code.

How a block runs depends on what it is:

- a block that defines ``test_*`` functions is a test module: it runs under
  pytest in a fresh project (no configuration, the ``vaix_fake`` plugin from
  the entry point) and every test in it must pass;
- any other block is a script: it runs as ``python block.py`` with ``-W error``
  and must exit 0. ``VAIX_BASE_URL`` points at the fake Vaix service served on
  127.0.0.1, and the fake accepts the README's placeholder credentials
  (token ``"..."``, client id ``"acme"``, also set as ``VAIX_API_TOKEN`` and
  ``VAIX_CLIENT_ID``), so examples run as written against it.

Two HTML comments, on the line(s) just before a block's opening fence, change that:

- ``<!-- continues -->``: the block continues the previous python block; it
  runs with that block's code before its own (e.g. the tests of an app the
  previous block defines). The previous block still runs on its own too.
- ``<!-- not-run: why -->``: the block is not run; the reason is required.

Every fenced block must name its language (``python``, ``bash``, ``text``...),
so no python can hide in an unlabelled block.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from vaix_client.testing import FakeVaix, serve

pytest_plugins = ["pytester"]

README: Final = Path(__file__).resolve().parent.parent / "README.md"
PLACEHOLDER_TOKEN: Final = "..."  # the README's placeholder, which the fake accepts
PLACEHOLDER_CLIENT_ID: Final = "acme"
FENCE: Final = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
MARKER: Final = re.compile(r"^<!--\s*(?P<name>[a-z-]+)(?::\s*(?P<arg>.*?))?\s*-->$")
KNOWN_MARKERS: Final = {"continues", "not-run"}


@dataclass(frozen=True)
class Block:
    """One fenced block: where it starts, its language, its code and the marker before it."""

    line: int
    language: str
    code: str
    marker: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Run:
    """What runs for one python block: its code (after what it continues), as test or script."""

    line: int
    code: str

    @property
    def is_test_module(self) -> bool:
        """Whether the code defines top-level ``test_*`` functions (then pytest runs it)."""
        return any(
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
            for node in ast.parse(self.code).body
        )


def parse_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text; a malformed marker or unlabelled fence raises."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, language = opening["fence"], opening["info"].strip().split(" ")[0]
        if not language:
            raise ValueError(f"README.md:{index + 1}: name the block's language (python, bash...)")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end])
            end += 1
        marker, reason = _marker_before(lines, index)
        blocks.append(Block(index + 1, language, "\n".join(body) + "\n", marker, reason))
        index = end + 1
    return blocks


def _marker_before(lines: list[str], fence_index: int) -> tuple[str | None, str | None]:
    """The run marker in the HTML comment just above a fence (blank lines allowed between)."""
    above = fence_index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    found = MARKER.match(lines[above].strip()) if above >= 0 else None
    if found is None:
        return None, None
    name, arg = found["name"], found["arg"]
    if name not in KNOWN_MARKERS:
        raise ValueError(f"README.md:{above + 1}: unknown marker {name!r} (use {KNOWN_MARKERS})")
    if name == "not-run" and not arg:
        raise ValueError(f"README.md:{above + 1}: say why: <!-- not-run: reason -->")
    return name, arg


def python_runs(blocks: list[Block]) -> list[Run]:
    """One run per python block not marked ``not-run``; ``continues`` prepends the previous."""
    runs: list[Run] = []
    previous: Run | None = None
    for block in blocks:
        if block.language != "python":
            continue
        if block.marker == "not-run":
            previous = None
            continue
        if block.marker == "continues":
            if previous is None:
                raise ValueError(f"README.md:{block.line}: nothing before this block to continue")
            run = Run(block.line, previous.code + "\n\n" + block.code)
        else:
            run = Run(block.line, block.code)
        runs.append(run)
        previous = run
    return runs


def _readme_runs() -> list[pytest.ParameterSet]:
    """The README's runs as pytest parameters, named by the block's line."""
    runs = python_runs(parse_blocks(README.read_text()))
    return [pytest.param(run, id=f"README.md:{run.line}") for run in runs]


# ------------------------------------------------------------------ the README itself


@pytest.mark.slow
@pytest.mark.parametrize("run", _readme_runs())
async def test_readme_block_runs(run: Run, tmp_path: Path, pytester: pytest.Pytester) -> None:
    """The block runs as a user would run it: its tests pass, or the script exits 0."""
    if run.is_test_module:
        pytester.makeini("[pytest]\n")
        pytester.makepyfile(test_readme_block=run.code)
        result = await asyncio.to_thread(pytester.runpytest_subprocess, "-p", "no:cacheprovider")
        outcomes = result.parseoutcomes()
        assert result.ret == 0, "\n".join(result.outlines[-40:])
        assert outcomes.get("passed", 0) >= 1
        return
    script = tmp_path / "block.py"
    script.write_text(run.code)
    fake = FakeVaix(seed=0, token=PLACEHOLDER_TOKEN, client_id=PLACEHOLDER_CLIENT_ID)
    async with serve(fake) as url:
        env = {name: value for name, value in os.environ.items() if not name.startswith("VAIX_")}
        env |= {
            "VAIX_BASE_URL": url,
            "VAIX_API_TOKEN": PLACEHOLDER_TOKEN,
            "VAIX_CLIENT_ID": PLACEHOLDER_CLIENT_ID,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-W", "error", str(script),
            cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        except TimeoutError:  # pragma: no cover - a hanging example
            process.kill()
            await process.wait()
            raise
    assert process.returncode == 0, out.decode() + err.decode()


def test_the_readme_has_runnable_blocks() -> None:
    """The README's python examples are found: scripts and test modules alike."""
    runs = python_runs(parse_blocks(README.read_text()))
    assert sum(run.is_test_module for run in runs) >= 2
    assert sum(not run.is_test_module for run in runs) >= 3


# ------------------------------------------------------------------ the mechanism

SAMPLE = """\
```python
app = 1
```

<!-- continues -->
```python
def test_app():
    assert app == 1
```

<!-- not-run: needs a real Vaix account -->
```python
raise SystemExit(1)
```

```bash
echo hi
```
"""


def test_markers_shape_the_runs() -> None:
    """``continues`` prepends the previous block, ``not-run`` drops one; other languages stay."""
    blocks = parse_blocks(SAMPLE)
    assert [(b.language, b.marker) for b in blocks] == [
        ("python", None), ("python", "continues"), ("python", "not-run"), ("bash", None),
    ]  # fmt: skip
    assert blocks[2].reason == "needs a real Vaix account"
    first, second = python_runs(blocks)
    assert (first.code, first.is_test_module) == ("app = 1\n", False)
    assert second.code.startswith("app = 1\n")
    assert "def test_app" in second.code
    assert second.is_test_module


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```\nx = 1\n```\n", "name the block's language"),
        ("<!-- not-run -->\n```python\nx = 1\n```\n", "say why"),
        ("<!-- skip-this -->\n```python\nx = 1\n```\n", "unknown marker"),
    ],
    ids=["unlabelled-fence", "not-run-without-reason", "unknown-marker"],
)
def test_malformed_blocks_are_refused(text: str, message: str) -> None:
    """An unlabelled fence or a bad marker fails the suite instead of silently skipping code."""
    with pytest.raises(ValueError, match=message):
        parse_blocks(text)


def test_continuing_nothing_is_refused() -> None:
    """A ``continues`` block with no python block before it is an error."""
    with pytest.raises(ValueError, match="nothing before this block"):
        python_runs(parse_blocks("<!-- continues -->\n```python\nx = 1\n```\n"))
