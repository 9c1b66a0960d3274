"""Build the API reference from the docstrings with pdoc: ``make docs`` writes build/docs/.

The public modules are found, not listed: every module of ``vaix_client``
whose dotted name has no part starting with ``_``. pdoc alone would stop at
the top module, whose ``__all__`` names classes, not submodules. Warnings are
errors, so a docstring or annotation pdoc cannot render fails the build.
"""

from __future__ import annotations

import argparse
import pkgutil
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.render

import vaix_client

ROOT = Path(__file__).resolve().parent.parent


def public_modules() -> list[str]:
    """``vaix_client`` and its submodules without a private (``_``) part, sorted."""
    found = [
        module.name
        for module in pkgutil.walk_packages(vaix_client.__path__, prefix="vaix_client.")
        if not any(part.startswith("_") for part in module.name.split("."))
    ]
    return sorted(["vaix_client", *found])


def main(argv: list[str] | None = None) -> int:
    """Render every public module into the output directory; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "docs")
    args = parser.parse_args(argv)
    modules = public_modules()
    pdoc.render.configure(docformat="google", search=True, show_source=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pdoc.pdoc(*modules, output_directory=args.output)
    print(f"API reference for {len(modules)} modules in {args.output}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
