"""B1 (SPEC §8): import a 500,000-line sales workbook into a new database, validated.

Reference, measured in the same run: the plain parse of the same file with
python-calamine, values only. Goal: import <= 1.5 x the reference.

Run ``python benchmarks/bench_import.py``; ``KPIDESK_BENCH_QUICK=1`` uses 50,000 lines.
The workbook is generated once (openpyxl, write-only mode) and cached in
``benchmarks/.cache/``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import cache_dir, quick

HEADERS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
COUNTRIES = [
    "United Kingdom", "France", "Germany", "EIRE", "Spain", "Netherlands", "Belgium", "Switzerland",
    "Portugal", "Australia", "Norway", "Italy", "Channel Islands", "Finland", "Cyprus",
]  # fmt: skip
WORDS = [
    "WHITE", "HANGING", "HEART", "T-LIGHT", "HOLDER", "CREAM", "CUPID", "HEARTS", "COAT", "HANGER",
    "KNITTED", "UNION", "FLAG", "HOT", "WATER", "BOTTLE", "RED", "WOOLLY", "SET", "BABUSHKA",
    "NESTING", "BOXES", "GLASS", "STAR", "FROSTED", "LANTERN", "METAL", "SIGN", "JUMBO", "BAG",
]  # fmt: skip


def workbook_path(lines: int) -> Path:
    """The cached generated workbook of ``lines`` data lines (written on first use)."""
    path = cache_dir() / f"sales_{lines}.xlsx"
    if not path.exists():
        _write_workbook(path, lines)
    return path


def _write_workbook(path: Path, lines: int) -> None:
    """Write a workbook shaped like UCI Online Retail (see datasets/SOURCES.md §1)."""
    from openpyxl import Workbook

    rng = np.random.default_rng(20240305)
    n_products = 4000
    codes: list[object] = []
    for i in range(n_products):
        code = 10000 + i * 3
        codes.append(float(code) if i % 5 else f"{code}{'ABCDE'[i % 5]}")
    descriptions = [
        " ".join(rng.choice(WORDS, size=int(rng.integers(2, 6)))) + (" " if i % 7 == 0 else "")
        for i in range(n_products)
    ]
    prices = np.round(rng.gamma(2.0, 2.0, size=n_products) + 0.19, 2)
    product = rng.integers(0, n_products, size=lines)
    quantity = rng.integers(1, 25, size=lines)
    cancelled = rng.random(lines) < 0.017
    quantity[cancelled] *= -1
    customer = rng.integers(12346, 18288, size=lines).astype(float)
    no_customer = rng.random(lines) < 0.25
    country = rng.integers(0, len(COUNTRIES), size=lines)
    start = dt.datetime(2010, 12, 1, 8, 26)
    minutes = np.sort(rng.integers(0, 373 * 24 * 60, size=lines))

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(HEADERS)
    invoice = 536365
    for i in range(lines):
        if i % 4 == 0:
            invoice += 1
        p = int(product[i])
        ws.append(
            [
                f"C{invoice}" if cancelled[i] else float(invoice),
                codes[p],
                descriptions[p],
                float(quantity[i]),
                start + dt.timedelta(minutes=int(minutes[i])),
                float(prices[p]),
                None if no_customer[i] else float(customer[i]),
                COUNTRIES[int(country[i])],
            ]
        )
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)


def reference(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(path).get_sheet_by_name("Sheet1").to_python()
    return len(rows)


def new_database(db: Path) -> Path:
    """An empty company file (made outside the timed part: B1 times the import)."""
    from kpidesk.store.database import Store

    Store.open(db, create=True).close()
    return db


def run_import(path: Path, db: Path) -> int:
    from kpidesk.app.imports import import_file
    from kpidesk.store.database import Store

    with Store.open(db) as store:
        outcomes = import_file(store, path)
    return outcomes[0].imported


def main() -> None:
    lines = 50_000 if quick() else 500_000
    runs = 5 if quick() else 3
    path = workbook_path(lines)
    reference(path)  # warm the file cache
    ref_times: list[float] = []
    import_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Reference and import alternate, so that a busy machine weighs on both alike.
        for run in range(runs):
            start = time.perf_counter()
            reference(path)
            ref_times.append(time.perf_counter() - start)
            db = new_database(Path(tmp) / f"bench{run}.kpidesk")
            start = time.perf_counter()
            imported = run_import(path, db)
            import_times.append(time.perf_counter() - start)
            if imported != lines:
                raise SystemExit(f"B1: expected {lines:,} rows imported, got {imported:,}")
    ref = statistics.median(ref_times)
    imp = statistics.median(import_times)
    print(
        f"B1 import {lines:,}-line xlsx: median {imp:.2f} s; reference (calamine parse) {ref:.2f} s; "
        f"ratio {imp / ref:.2f} x (goal <= 1.5 x)"
    )


if __name__ == "__main__":
    main()
