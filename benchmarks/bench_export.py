"""B5 (SPEC §8): export the summary workbook: 3 years by month, 3 breakdowns.

The demo company (three years of every kind) is exported by month, compared with
the same period last year, broken down by salesperson, channel and region: the
KPIs computed by a fresh engine (nothing cached), every sheet formatted, the
charts drawn, the file saved. Reference, measured in the same run: openpyxl
writing the same cells (the same values, sheet by sheet) into a plain
``Workbook()``, unformatted, and saving it. Goal: export <= 3 x the reference (SPEC §8),
the workbook written through openpyxl's public API only.
The detail lines split the export into computing the KPIs and writing the workbook,
both from a fresh engine and from one already warm (the window's case).

Run ``python -m benchmarks export`` (or ``python benchmarks/bench_export.py``).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median_time, quick

BY = ("salesperson", "channel", "region")
END = dt.date(2026, 11, 20)


def workbook_values(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """The values of every sheet of ``path``, row by row (what the reference writes)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    sheets = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    wb.close()
    return sheets


def reference(sheets: list[tuple[str, list[list[Any]]]], path: Path) -> None:
    """openpyxl writing the same cells unformatted: a plain workbook, ``append`` and ``save``."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def main() -> None:
    from kpidesk import demo
    from kpidesk.core.engine import Engine, Query
    from kpidesk.core.settings import CompanySettings
    from kpidesk.io.export import export_summary

    frames = demo.generate(seed=42, end=END)
    settings = CompanySettings(company_name=demo.COMPANY_NAME, currency="EUR")
    query = Query(grain="month", compare="year")
    rounds = 3 if quick() else 9
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "summary.xlsx"
        engines: list[Engine] = []

        def fresh_engine() -> None:
            engines.append(Engine(frames, settings, today=END))

        def export() -> None:
            export_summary(engines[-1], query, out, by=BY, database="demo.kpidesk", lang="fr")

        def compute() -> None:
            engine = engines[-1]
            engine.summary(query)
            engine.compute(query)
            for dimension in BY:
                engine.summary(replace(query, by=dimension))

        def export_kpis() -> None:
            # What export_summary asks the engine for: the summary by each dimension (it holds
            # the whole range's rows too) and the trend.
            engine = engines[-1]
            for dimension in BY:
                engine.summary(replace(query, by=dimension))
            engine.compute(query)

        fresh_engine()
        export()
        sheets = workbook_values(out)
        cells = sum(1 for _, rows in sheets for row in rows for v in row if v is not None)
        # The measures take turns, round after round, so that a noisy machine slows them alike.
        times: dict[str, list[float]] = {"export": [], "warm": [], "reference": [], "kpis": [], "warm_kpis": []}
        for _ in range(rounds):
            times["reference"].append(median_time(lambda: reference(sheets, Path(tmp) / "ref.xlsx"), repeat=1))
            times["export"].append(median_time(export, repeat=1, setup=fresh_engine))
            # The same export again from that engine, now warm (the window's case: the
            # dashboard has computed with it already).
            times["warm"].append(median_time(export, repeat=1))
            # The KPIs of that export alone, from the warm engine: the warm export less these
            # is the workbook itself (laying out the sheets, charts, XML, zip, file).
            times["warm_kpis"].append(median_time(export_kpis, repeat=1))
            times["kpis"].append(median_time(compute, repeat=1, setup=fresh_engine))
    median = {name: statistics.median(values) for name, values in times.items()}
    ref = median["reference"]
    print(
        f"B5 export summary (3 years by month, 3 breakdowns, {cells:,} cells): median {median['export']:.3f} s; "
        f"reference (openpyxl, same cells unformatted) {ref:.3f} s; ratio {median['export'] / ref:.2f} x "
        f"(goal <= 3 x)"
    )
    writing = median["export"] - median["kpis"]
    print(
        f"   of which computing the KPIs (fresh engine) {median['kpis']:.3f} s and writing the workbook "
        f"{writing:.3f} s (ratio {writing / ref:.2f} x); the same export from an engine already warm "
        f"(the window's case) {median['warm']:.3f} s, ratio {median['warm'] / ref:.2f} x"
    )
    book = median["warm"] - median["warm_kpis"]
    print(
        f"   of which, from the warm engine, its KPIs {median['warm_kpis']:.3f} s and the workbook alone "
        f"(sheets laid out, charts, XML, zip, file) {book:.3f} s (ratio {book / ref:.2f} x)"
    )


if __name__ == "__main__":
    main()
