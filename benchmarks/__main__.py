"""``make bench``: run every ``benchmarks/bench_*.py`` (or those named on the command line)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    for name in names:
        module = importlib.import_module(name if name.startswith("bench_") else f"bench_{name}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
