"""The coverage gate's exclusions drop only what they mean to, read through coverage itself."""

from __future__ import annotations

import textwrap
from pathlib import Path

import coverage
from coverage.misc import join_regex
from coverage.parser import PythonParser

ROOT = Path(__file__).resolve().parent.parent

SOURCE = textwrap.dedent(
    """
    from typing import Protocol


    def counts(values: tuple[int, ...]) -> int:
        return len(values)


    class Sized(Protocol):
        def size(self) -> int:
            ...
    """
)


def _excluded_lines(source: str) -> set[int]:
    """The lines of ``source`` the project's coverage configuration excludes from the gate."""
    config = coverage.Coverage(config_file=str(ROOT / "pyproject.toml")).config
    parser = PythonParser(text=source, exclude=join_regex(config.exclude_list))
    parser.parse_source()
    return set(parser.excluded)


def test_a_bare_ellipsis_body_is_excluded() -> None:
    """A stub's ``...`` body line is excluded: it never runs."""
    lines = SOURCE.splitlines()
    stub = next(n for n, line in enumerate(lines, 1) if line.strip() == "...")
    assert stub in _excluded_lines(SOURCE)


def test_an_ellipsis_inside_a_type_does_not_exclude_the_function() -> None:
    """``tuple[int, ...]`` in a signature leaves the function and its body in the gate."""
    lines = SOURCE.splitlines()
    signature = next(n for n, line in enumerate(lines, 1) if "tuple[int, ...]" in line)
    assert not {signature, signature + 1} & _excluded_lines(SOURCE)
