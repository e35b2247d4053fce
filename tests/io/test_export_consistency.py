"""One result everywhere (SPEC §3.1): the summary workbook, the dashboard's cards and
``kpis --json`` give the same value, change and attainment for every KPI of the demo company,
over a range that ends mid-month (its last month and its year are partial)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kpidesk.app.exports import report_inputs, summary_workbook
from kpidesk.cli import main
from kpidesk.core import catalog
from kpidesk.core.dashboard import compute_dashboard
from kpidesk.core.engine import Engine, Query
from kpidesk.core.present import present
from kpidesk.store.database import Store

START, END = dt.date(2026, 1, 1), dt.date(2026, 11, 15)  # the demo's data runs to 20 November


def engine_of(db: Path) -> Engine:
    with Store.open(db) as store:
        return Engine(store.load_all(), store.settings())


def close(a: Any, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(a == pytest.approx(b, rel=1e-9, abs=1e-9))


def test_workbook_cards_and_json_agree(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = engine_of(demo_db)
    query = Query(START, END, "month", "year")
    # The cards: what the dashboard computes, presented.
    data = compute_dashboard(engine, query, catalog.KPI_IDS)
    cards = {r.kpi: present(r) for r in data.summary.rows if r.member is None}
    # The workbook.
    book = summary_workbook(engine, query, tmp_path / "pack.xlsx", lang="en")
    ws = load_workbook(book)["Summary"]
    sheet = {row[1]: row for row in ws.iter_rows(min_row=5, values_only=True) if row[1]}
    # kpis --json by year: one period, the range itself (2026 up to 15 November, partial).
    span = ["--from", START.isoformat(), "--to", END.isoformat()]
    code = main(["kpis", "--db", str(demo_db), *span, "--grain", "year", "--compare", "year", "--json"])
    assert code == 0
    rows = {r["kpi"]: r for r in json.loads(capsys.readouterr().out)["rows"] if r["member"] is None}
    assert set(rows) == set(cards)
    with_targets = 0
    for kpi, card in cards.items():
        d = catalog.get(kpi)
        data, cells = rows[kpi], sheet[d.name_en]
        assert data["partial"] is True, kpi
        if card.row.unavailable:
            assert data["unavailable"] and cells[2] == "Unavailable", kpi
            continue
        scale = 100.0 if d.unit == "percent" else 1.0
        assert close(data["value"], card.value), kpi
        assert close(None if cells[2] is None else cells[2] * scale, card.value), kpi
        assert data["change_unit"] == card.change_unit, kpi
        assert close(data["change"], card.change), kpi
        change_scale = 100.0 if card.change_unit == "percent" else 1.0
        assert close(None if cells[5] is None else cells[5] * change_scale, card.change), kpi
        assert close(data["attainment"], card.attainment), kpi
        assert close(None if cells[7] is None else cells[7] * 100.0, card.attainment), kpi
        assert close(data["pacing"], card.pacing), kpi
        with_targets += card.attainment is not None
    assert with_targets >= 3  # the demo company has targets: revenue, new customers…
    # Revenue by hand: the year's monthly targets to October whole, November's for 15 of 30 days.
    revenue = cards["revenue"]
    months = engine.compute(Query(START, dt.date(2026, 11, 30), "month", "none", kpis=("revenue",)))
    targets = [r.target for r in months.series("revenue")]
    assert all(t is not None for t in targets) and len(targets) == 11
    expected = sum(t for t in targets[:10] if t is not None) + (targets[10] or 0.0) * 15 / 30
    assert revenue.pacing == pytest.approx(expected)
    assert revenue.value is not None
    assert revenue.attainment == pytest.approx(revenue.value / expected * 100)
    # The report's inputs show the same results.
    report = report_inputs(engine, query, lang="en")
    shown = {line.kpi: line.shown for page in report.themes for line in page.kpis}
    assert shown["revenue"].attainment == revenue.attainment
    assert [p.partial for p in report.headline[0].trend][-1] is True
