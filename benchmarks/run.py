"""Entry point of ``make bench``: ``python benchmarks/run.py [--quick] [--only NAME] ...``.

Runnable as a script from any directory; the work is in :mod:`benchmarks.runner`
(also ``python -m benchmarks.runner``). ``--help`` lists the options.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Put the repository on ``sys.path`` instead of this script's folder, and run."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    runner = importlib.import_module("benchmarks.runner")
    return int(runner.main())


if __name__ == "__main__":
    sys.exit(main())
