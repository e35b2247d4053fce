"""Helpers shared by the benchmarks: timing, cached generated inputs."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def quick() -> bool:
    """True when ``KPIDESK_BENCH_QUICK=1``: smaller inputs, for a smoke run."""
    return os.environ.get("KPIDESK_BENCH_QUICK", "") not in ("", "0")


def cache_dir() -> Path:
    """``benchmarks/.cache``, created on first use and kept out of git."""
    CACHE.mkdir(exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return CACHE


def median_time(run: Callable[[], object], repeat: int = 3, setup: Callable[[], object] | None = None) -> float:
    """The median wall time in seconds of ``repeat`` runs of ``run`` (``setup`` untimed)."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
