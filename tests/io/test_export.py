"""The summary workbook (SPEC §6), the table export and the shared safe writer.

Workbooks are read back with openpyxl and checked against the engine (and, on a
tiny company, against values computed by hand); the file's XML is read too, to
check that text which looks like a formula never becomes one.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from kpidesk import i18n
from kpidesk.cli import main
from kpidesk.core import catalog
from kpidesk.core.engine import Engine, Query, implemented
from kpidesk.core.present import present
from kpidesk.errors import Cancelled, UserError
from kpidesk.io.export import MAIN_KPIS, export_summary, export_table
from kpidesk.io.importer import write_report
from kpidesk.io.xlsx import XlsxBook
from kpidesk.store.database import Store

DEMO_END = dt.date(2026, 11, 20)
BY = ("salesperson", "channel", "region")
HYPERLINK = '=HYPERLINK("http://example.invalid","x")'
FRAGMENT = Path(__file__).resolve().parents[2] / "resources" / "translations" / "fr.po.new-export"


def engine_of(db: Path) -> Engine:
    with Store.open(db) as store:
        return Engine(store.load_all(), store.settings(), today=DEMO_END)


@pytest.fixture(scope="module")
def demo_engine(demo_db: Path) -> Engine:
    return engine_of(demo_db)


@pytest.fixture(scope="module")
def demo_book(demo_engine: Engine, demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company's summary workbook, in English, compared with the previous period."""
    path = tmp_path_factory.mktemp("export") / "summary.xlsx"
    export_summary(demo_engine, Query(grain="month", compare="year"), path, by=BY, database=str(demo_db), lang="en")
    return path


@pytest.fixture
def french() -> Iterator[None]:
    """French, with the export's translations while they wait in their .po fragment."""
    catalogue = i18n.catalogue("fr")
    added = {}
    if FRAGMENT.exists():
        added = {
            k: v for k, v in i18n.parse_po(FRAGMENT.read_text(encoding="utf-8")).items() if v and k not in catalogue
        }
        catalogue.update(added)
    i18n.set_language("fr")
    yield
    i18n.set_language("en")
    for key in added:
        catalogue.pop(key, None)


def rows_of(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def find_row(ws: Any, *keys: Any) -> int:
    """The row (1-based) whose first cells are ``keys``."""
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if tuple(row[: len(keys)]) == keys:
            return i
    raise KeyError(keys)


def as_cell(kpi: str, value: float | None) -> float | None:
    """A KPI value as the export writes it: percents as fractions."""
    if value is None:
        return None
    return value / 100 if catalog.get(kpi).unit == "percent" else value


def close(a: Any, b: float | None) -> bool:
    if b is None:
        return a is None
    return isinstance(a, int | float) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


# -- values against the engine ------------------------------------------------------------------


def test_sheets_in_english(demo_book: Path) -> None:
    wb = load_workbook(demo_book)
    assert wb.sheetnames == [
        "Summary",
        "Trends",
        "By salesperson",
        "By channel",
        "By region",
        "Definitions",
        "Settings",
    ]
    assert wb.properties.creator == "KPI Desk"
    assert "KPI summary" in (wb.properties.title or "")
    assert wb.properties.created is not None


def test_sheets_in_french(demo_engine: Engine, tmp_path: Path, french: None) -> None:
    path = export_summary(demo_engine, Query(grain="quarter"), tmp_path / "synthèse.xlsx", by=BY)
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Synthèse",
        "Tendances",
        "Par commercial",
        "Par canal",
        "Par région",
        "Définitions",
        "Paramètres",
    ]
    ws = wb["Synthèse"]
    assert ws.cell(4, 1).value == "Thème"
    revenue = find_row(ws, "Ventes", "Chiffre d'affaires")
    assert "€" in ws.cell(revenue, 3).number_format


def test_summary_matches_the_engine(demo_engine: Engine, demo_book: Path) -> None:
    summary = demo_engine.summary(Query(grain="month", compare="year"))
    ws = load_workbook(demo_book)["Summary"]
    assert rows_of(ws)[3][:9] == (
        "Theme",
        "KPI",
        "Value",
        "Unit",
        "Comparison",
        "Change",
        "Target",
        "Attainment",
        "Note",
    )
    checked = 0
    for row in summary.rows:
        d = catalog.get(row.kpi)
        r = find_row(ws, catalog.THEME_NAMES[d.theme]["en"], d.name_en)
        if row.unavailable:
            assert ws.cell(r, 3).value == "Unavailable"
            continue
        assert close(ws.cell(r, 3).value, as_cell(row.kpi, row.value)), row.kpi
        assert close(ws.cell(r, 5).value, as_cell(row.kpi, row.comparison)), row.kpi
        assert close(ws.cell(r, 7).value, as_cell(row.kpi, row.target)), row.kpi
        shown = present(row)
        # The change in the KPI's own unit: relative (a fraction of 1) or points, days, ratio.
        if shown.change is not None:
            change = shown.change / 100 if shown.change_unit == "percent" else shown.change
            assert close(ws.cell(r, 6).value, change), row.kpi
        assert close(ws.cell(r, 8).value, None if shown.attainment is None else shown.attainment / 100), row.kpi
        checked += 1
    assert checked >= 5
    # A rate's change is in points: the difference of the two rates, not their ratio.
    rate = next(
        row
        for row in summary.rows
        if catalog.get(row.kpi).unit == "percent" and row.value is not None and row.comparison is not None
    )
    d = catalog.get(rate.kpi)
    r = find_row(ws, catalog.THEME_NAMES[d.theme]["en"], d.name_en)
    assert rate.value is not None and rate.comparison is not None
    assert close(ws.cell(r, 6).value, rate.value - rate.comparison)
    assert ws.cell(r, 6).number_format == '+0.0" pts";-0.0" pts";0.0" pts"'
    # The range ends on 20 November: revenue is measured against its pacing, the months'
    # targets with November's for 20 of its 30 days (SPEC §3.1), not against the whole target.
    r = find_row(ws, "Sales", "Revenue")
    revenue = summary.get("revenue", summary.periods[0].label)
    assert revenue.target is not None and revenue.value is not None and revenue.pacing is not None
    november = demo_engine.compute(Query(dt.date(2026, 11, 1), dt.date(2026, 11, 30), kpis=("revenue",)))
    target = november.get("revenue").target
    assert target is not None
    assert revenue.pacing == pytest.approx(revenue.target - target * 10 / 30)
    assert close(ws.cell(r, 8).value, revenue.value / revenue.pacing)
    assert ws.cell(r, 4).value == "€"


def test_every_implemented_kpi_is_exported(demo_book: Path) -> None:
    ws = load_workbook(demo_book)["Summary"]
    names = {row[1] for row in rows_of(ws)[4:] if row[1]}
    assert names == {catalog.get(k).name_en for k in implemented()}
    definitions = load_workbook(demo_book)["Definitions"]
    assert [row[0] for row in rows_of(definitions)[4:]] == list(implemented())


def test_trends_match_the_engine(demo_engine: Engine, demo_book: Path) -> None:
    result = demo_engine.compute(Query(grain="month", compare="year"))
    ws = load_workbook(demo_book)["Trends"]
    header = rows_of(ws)[3]
    labels = [p.label for p in result.periods]
    assert list(header[2 : 2 + len(labels)]) == labels
    assert len(labels) == 36  # three years by month
    for kpi in ("revenue", "sales_count", "average_order_value", "new_customers"):
        r = find_row(ws, catalog.get(kpi).name_en)
        for j, label in enumerate(labels):
            expected = result.get(kpi, label)
            assert close(ws.cell(r, 3 + j).value, as_cell(kpi, expected.value)), (kpi, label)
    # The comparison block: same month last year, empty before the data begins (not 0).
    compared = find_row(ws, "KPI", "Unit", "2022-12")
    r = find_row(ws, "Revenue")
    rc = compared + 1 + (r - 5)
    assert ws.cell(rc, 1).value == "Revenue"
    assert ws.cell(rc, 3).value is None
    row = result.get("revenue", "2025-03")
    assert close(ws.cell(rc, 3 + labels.index("2025-03")).value, row.comparison)


def test_breakdowns_match_the_engine(demo_engine: Engine, demo_book: Path) -> None:
    wb = load_workbook(demo_book)
    for dimension, title in zip(BY, ("By salesperson", "By channel", "By region"), strict=True):
        result = demo_engine.summary(Query(grain="month", compare="year", by=dimension))
        ws = wb[title]
        assert ws.cell(4, 2).value == dimension.capitalize()
        members = result.members("revenue")
        assert len(members) >= 2
        for kpi in ("revenue", "sales_count", "new_customers"):
            name = catalog.get(kpi).name_en
            total = result.get(kpi, result.periods[0].label)
            r = find_row(ws, name, "Total")
            assert close(ws.cell(r, 3).value, as_cell(kpi, total.value))
            for member in members:
                row = result.get(kpi, result.periods[0].label, member)
                r = find_row(ws, name, member)
                assert close(ws.cell(r, 3).value, as_cell(kpi, row.value)), (dimension, kpi, member)
                if row.value is not None and total.value:
                    assert close(ws.cell(r, 4).value, row.value / total.value)
        # The leaderboard: best revenue first.
        first = find_row(ws, "Revenue", "Total") + 1
        values = [ws.cell(first + i, 3).value for i in range(len(members))]
        assert values == sorted(values, reverse=True)


def test_values_by_hand_on_a_tiny_company(make_db: Callable[..., Path], tmp_path: Path) -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-03", "2024-02-10"]),
            "amount": [100.0, 200.0, 300.0, -50.0],
            "invoice_id": ["F1", "F2", "F3", "AV1"],
            "customer_id": ["C1", "C2", "C1", "C1"],
            "salesperson": ["Alice", "Bruno", "Alice", "Alice"],
        }
    )
    targets = pd.DataFrame({"kpi": ["revenue"], "period": ["2024-02"], "value": [200.0]})
    engine = engine_of(make_db(sales=sales, targets=targets))
    query = Query(start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 29), grain="month", compare="previous")
    path = export_summary(engine, query, tmp_path / "tiny.xlsx", by=["salesperson"], lang="en")
    ws = load_workbook(path)["Summary"]
    r = find_row(ws, "Sales", "Revenue")
    # February: 300 - 50 = 250 against January's 100 + 200 = 300: -16.7 %; target 200: 125 %.
    assert ws.cell(r, 3).value == 250.0
    assert ws.cell(r, 5).value == 300.0
    assert ws.cell(r, 6).value == pytest.approx(-50 / 300)
    assert ws.cell(r, 7).value == 200.0
    assert ws.cell(r, 8).value == pytest.approx(1.25)
    by = load_workbook(path)["By salesperson"]
    assert by.cell(find_row(by, "Revenue", "Alice"), 3).value == 250.0
    assert by.cell(find_row(by, "Revenue", "Alice"), 4).value == pytest.approx(1.0)
    # Bruno sold nothing in February: his revenue is 0, his comparison January's 200.
    bruno = find_row(by, "Revenue", "Bruno")
    assert (by.cell(bruno, 3).value, by.cell(bruno, 5).value) == (0.0, 200.0)


def test_customer_breakdown_names_customers_where_known(make_db: Callable[..., Path], tmp_path: Path) -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-20"]),
            "amount": [100.0, 250.0],
            "customer_id": ["C1", "C2"],
            "customer_name": ["Boulangerie Martin", None],
        }
    )
    engine = engine_of(make_db(sales=sales))
    query = Query(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31), grain="month")
    path = export_summary(engine, query, tmp_path / "c.xlsx", by=["customer"], lang="en")
    by = load_workbook(path)["By customer"]
    assert by.cell(find_row(by, "Revenue", "Boulangerie Martin (C1)"), 3).value == 100.0
    assert by.cell(find_row(by, "Revenue", "C2"), 3).value == 250.0  # no name: the id


def test_unavailable_kpis_say_so_and_are_never_zero(make_db: Callable[..., Path], tmp_path: Path) -> None:
    sales = pd.DataFrame({"date": pd.to_datetime(["2024-01-05"]), "amount": [100.0]})
    engine = engine_of(make_db(sales=sales))
    path = export_summary(engine, Query(grain="month"), tmp_path / "s.xlsx", lang="en")
    wb = load_workbook(path)
    ws = wb["Summary"]
    unavailable = [k for k in implemented() if "sales" not in catalog.get(k).needs]
    if not unavailable:
        pytest.skip("every implemented KPI needs sales only")
    for kpi in unavailable:
        d = catalog.get(kpi)
        r = find_row(ws, catalog.THEME_NAMES[d.theme]["en"], d.name_en)
        assert ws.cell(r, 3).value == "Unavailable"
        assert all(ws.cell(r, c).value is None for c in (5, 6, 7, 8))
        assert "data imported" in ws.cell(r, 9).value
        trends = wb["Trends"]
        t = find_row(trends, d.name_en)
        assert trends.cell(t, 3).value == "Unavailable"
        assert all(trends.cell(t, c).value is None for c in range(4, trends.max_column + 1))


# -- formats, layout, charts ----------------------------------------------------------------------


def test_number_formats_are_real(demo_book: Path) -> None:
    wb = load_workbook(demo_book)
    ws = wb["Summary"]
    r = find_row(ws, "Sales", "Revenue")
    assert ws.cell(r, 3).number_format == '"€"#,##0'
    assert isinstance(ws.cell(r, 3).value, float)
    assert ws.cell(r, 6).number_format == "+0.0%;-0.0%;0.0%"
    assert ws.cell(r, 8).number_format == "0.0%"  # an attainment is a percent: one decimal, as on a card
    r = find_row(ws, "Sales", "Number of sales")
    assert ws.cell(r, 3).number_format == "#,##0"
    for kpi in implemented():
        d = catalog.get(kpi)
        r = find_row(ws, catalog.THEME_NAMES[d.theme]["en"], d.name_en)
        cell = ws.cell(r, 3)
        if not isinstance(cell.value, float):
            continue
        expected = {"percent": "0.0%", "days": '0.0" d"', "score": "0.0", "ratio": "0.00", "count": "#,##0"}
        if d.unit in expected:
            assert cell.number_format == expected[d.unit], kpi
        if d.unit == "percent" and kpi != "roi":
            assert -1.0 <= cell.value <= 1.0, kpi
    settings = wb["Settings"]
    start = settings.cell(find_row(settings, "Start"), 2)
    assert start.is_date and start.value.date() == dt.date(2023, 12, 1)


def test_french_formats_use_french_typography(demo_engine: Engine, tmp_path: Path, french: None) -> None:
    path = export_summary(demo_engine, Query(grain="month", compare="year"), tmp_path / "fr.xlsx")
    ws = load_workbook(path)["Synthèse"]
    r = find_row(ws, "Ventes", "Chiffre d'affaires")
    assert ws.cell(r, 3).number_format == '#,##0"\u00a0€"'
    assert ws.cell(r, 6).number_format == '+0.0"\u00a0"%;-0.0"\u00a0"%;0.0"\u00a0"%'


def test_layout_frozen_sized_printable(demo_book: Path) -> None:
    wb = load_workbook(demo_book)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("5"), ws.title
        assert ws.print_title_rows == "$4:$4", ws.title
        assert ws.column_dimensions["A"].width > 8, ws.title
    summary = wb["Summary"]
    assert summary.freeze_panes == "C5"
    assert summary.sheet_properties.pageSetUpPr.fitToPage is True
    assert (summary.page_setup.fitToWidth, summary.page_setup.fitToHeight) == (1, 0)
    # Columns are sized to their content: the KPI names column is wider than the longest name.
    longest = max(len(catalog.get(k).name_en) for k in implemented())
    assert summary.column_dimensions["B"].width >= longest
    # Three years by month: the trends print a year per page across, at one scale, the KPI
    # names repeated, with manual breaks (which Excel ignores on a sheet fitted to pages).
    trends = wb["Trends"]
    assert trends.page_setup.scale and 40 <= trends.page_setup.scale <= 100
    assert [b.id for b in trends.col_breaks.brk] == [14, 26]
    assert trends.print_title_cols == "$A:$B"


def test_change_colours_follow_the_kpi_direction(demo_book: Path) -> None:
    ws = load_workbook(demo_book)["Summary"]
    rules: list[tuple[str, str, str]] = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            rules.append((str(cf.sqref), rule.operator, rule.dxf.font.color.rgb))
    green, red = "00006100", "009C0006"

    def colour_when(cell: str, operator: str) -> set[str]:
        found = set()
        for sqref, op, colour in rules:
            if op != operator:
                continue
            for part in sqref.split():
                lo, _, hi = part.partition(":")
                col, r1 = re.match(r"([A-Z]+)(\d+)", lo).groups()  # type: ignore[union-attr]
                r2 = int(re.match(r"[A-Z]+(\d+)", hi or lo).group(1))  # type: ignore[union-attr]
                c, r = re.match(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
                if c == col and int(r1) <= int(r) <= r2:
                    found.add(colour)
        return found

    revenue = find_row(ws, "Sales", "Revenue")
    assert colour_when(f"F{revenue}", "greaterThan") == {green}
    assert colour_when(f"F{revenue}", "lessThan") == {red}
    lower = [k for k in implemented() if catalog.get(k).direction == "lower"]
    for kpi in lower:
        d = catalog.get(kpi)
        r = find_row(ws, catalog.THEME_NAMES[d.theme]["en"], d.name_en)
        if ws.cell(r, 6).value is None:
            continue
        assert colour_when(f"F{r}", "lessThan") == {green}, kpi
        assert colour_when(f"F{r}", "greaterThan") == {red}, kpi
    neutral = [k for k in implemented() if catalog.get(k).direction == "neutral"]
    for kpi in neutral:
        d = catalog.get(kpi)
        r = find_row(ws, catalog.THEME_NAMES[d.theme]["en"], d.name_en)
        assert colour_when(f"F{r}", "lessThan") == set() == colour_when(f"F{r}", "greaterThan"), kpi


def test_charts_reference_the_trends_rows(demo_book: Path) -> None:
    ws = load_workbook(demo_book)["Trends"]
    charts = ws._charts
    expected = [k for k in MAIN_KPIS if k in implemented()]
    assert len(charts) == len(expected) >= 4
    last = "AL"  # C + 36 months - 1
    compared = find_row(ws, "KPI", "Unit", "2022-12")
    for chart, kpi in zip(charts, expected, strict=True):
        name = catalog.get(kpi).name_en
        title = "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))
        assert title == name
        r = find_row(ws, name)
        main_series, other = chart.series
        assert main_series.val.numRef.f == f"'Trends'!$C${r}:${last}${r}"
        assert main_series.tx.strRef.f == f"'Trends'!$A${r}"
        assert main_series.cat.numRef.f == f"'Trends'!$C$4:${last}$4"
        rc = compared + 1 + (r - 5)
        assert ws.cell(rc, 1).value == name
        assert other.val.numRef.f == f"'Trends'!$C${rc}:${last}${rc}"


def test_no_comparison_means_one_series_and_no_comparison_block(demo_engine: Engine, tmp_path: Path) -> None:
    path = export_summary(demo_engine, Query(grain="year", compare="none"), tmp_path / "q.xlsx", lang="en")
    wb = load_workbook(path)
    ws = wb["Trends"]
    assert all(len(chart.series) == 1 for chart in ws._charts)
    assert not any(row[0] == "KPI" for row in rows_of(ws)[4:])
    summary = wb["Summary"]
    assert all(row[4] is None and row[5] is None for row in rows_of(summary)[4:])
    # Four years fit on one page across: no column breaks.
    assert not ws.col_breaks.brk


# -- safety ---------------------------------------------------------------------------------------

DANGEROUS = [HYPERLINK, "=1+1", "+33 6 12 34 56 78", "-5", "@SUM(A1:A2)", "\t=cmd"]


@pytest.fixture
def dangerous_db(make_db: Callable[..., Path]) -> Path:
    n = len(DANGEROUS)
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime([f"2024-01-{i + 1:02d}" for i in range(n)]),
            "amount": [100.0 * (i + 1) for i in range(n)],
            "invoice_id": [f"F{i}" for i in range(n)],
            "customer_id": DANGEROUS,
            "customer_name": DANGEROUS,
            "salesperson": DANGEROUS,
        }
    )
    return make_db(sales=sales)


def assert_text_not_formula(path: Path, texts: list[str]) -> None:
    wb = load_workbook(path)
    found = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in texts:
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    found.add(cell.value)
    assert found == set(texts)
    for name, xml in sheet_xml(path).items():
        assert "<f>" not in xml and "<f " not in xml, name
    assert "HYPERLINK" in "".join(sheet_xml(path).values()) or HYPERLINK not in texts


def test_formula_like_names_come_out_as_text(dangerous_db: Path, tmp_path: Path) -> None:
    engine = engine_of(dangerous_db)
    path = export_summary(engine, Query(grain="month"), tmp_path / "s.xlsx", by=["customer", "salesperson"], lang="en")
    assert_text_not_formula(path, DANGEROUS)


def test_formula_like_text_in_the_table_and_the_report(dangerous_db: Path, tmp_path: Path) -> None:
    with Store.open(dangerous_db) as store:
        frame = store.load("sales", provenance=True)
    path = export_table(frame, tmp_path / "table.xlsx", lang="en")
    assert_text_not_formula(path, DANGEROUS)
    errors = [
        {"row": i + 2, "column": "Montant", "value": text, "message": "not a number"}
        for i, text in enumerate(DANGEROUS)
    ]
    report = write_report(errors, tmp_path / "report.xlsx")
    assert_text_not_formula(report, DANGEROUS)
    ws = load_workbook(report).active
    assert rows_of(ws)[0] == ("Row", "Column", "Value", "Reason")
    assert rows_of(ws)[1] == (2, "Montant", HYPERLINK, "not a number")
    assert ws.column_dimensions["C"].width >= len(HYPERLINK)  # sized to the content: nothing clipped


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    path = tmp_path / "pack.xlsx"
    path.write_bytes(b"the board pack of last month\x00\x01")
    return path


def assert_untouched(existing: Path) -> None:
    assert existing.read_bytes() == b"the board pack of last month\x00\x01"
    assert [p.name for p in existing.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_cancel_midway_leaves_the_existing_file_whole(demo_engine: Engine, existing: Path) -> None:
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 4  # after the KPIs are computed, while breaking them down

    with pytest.raises(Cancelled):
        export_summary(demo_engine, Query(), existing, by=BY, cancelled=cancelled)
    assert len(calls) == 5
    assert_untouched(existing)


def test_file_open_elsewhere_gives_a_clear_message(
    demo_engine: Engine, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On Windows a workbook open in Excel cannot be replaced: os.replace raises PermissionError.
    def locked(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserError, match=r"open in another program \(Excel\?\) or not writable") as info:
        export_summary(demo_engine, Query(), existing)
    assert str(existing) in str(info.value)
    assert_untouched(existing)


def test_disk_full_leaves_the_existing_file_whole(
    demo_engine: Engine, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = XlsxBook.write

    def full(self: Any, file: Any) -> None:
        write(self, file)  # most of the file is written, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(XlsxBook, "write", full)
    with pytest.raises(UserError, match="No space left on device"):
        export_summary(demo_engine, Query(), existing)
    assert_untouched(existing)


def test_disk_full_during_a_table_export_leaves_the_existing_file_whole(
    existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import Workbook

    save = Workbook.save

    def full(self: Any, filename: Any) -> None:
        save(self, filename)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", full)
    with pytest.raises(UserError, match="No space left on device"):
        export_table(pd.DataFrame({"amount": [1.0, 2.0]}), existing)
    assert_untouched(existing)


def test_target_that_is_a_folder_or_not_xlsx(demo_engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "pack.xlsx"
    folder.mkdir()
    with pytest.raises(UserError, match="is a folder"):
        export_summary(demo_engine, Query(), folder)
    with pytest.raises(UserError, match=r"ending in \.xlsx"):
        export_summary(demo_engine, Query(), tmp_path / "pack.csv")
    with pytest.raises(UserError, match="Unknown dimension"):
        export_summary(demo_engine, Query(), tmp_path / "pack.xlsx2.xlsx", by=["colour"])


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_folder_gives_a_clear_message(demo_engine: Engine, existing: Path) -> None:
    folder = existing.parent
    folder.chmod(0o555)
    try:
        with pytest.raises(UserError, match=r"cannot be written to|not writable"):
            export_summary(demo_engine, Query(), existing)
    finally:
        folder.chmod(0o755)
    assert_untouched(existing)


def test_folder_refusing_new_files_gives_a_clear_message(
    demo_engine: Engine, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a read-only folder does to a non-root user (the test above), simulated for root.
    import tempfile

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(UserError, match=r"The folder of .* cannot be written to \(Permission denied\)"):
        export_summary(demo_engine, Query(), existing)
    assert_untouched(existing)


def test_successful_export_replaces_the_file_and_reports_progress(demo_engine: Engine, existing: Path) -> None:
    steps: list[tuple[float, str]] = []
    export_summary(demo_engine, Query(), existing, by=["channel"], progress=lambda f, m: steps.append((f, m)))
    assert zipfile.is_zipfile(existing)
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(message for _, message in steps)
    assert [p.name for p in existing.parent.iterdir()] == [existing.name]


# -- the data table -------------------------------------------------------------------------------


def test_export_table_keeps_types(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "date": pd.Series([dt.datetime(2024, 3, 5), None, dt.datetime(2024, 3, 7)], dtype="datetime64[ns]"),
            "amount": [1234.5, None, -30.25],
            "quantity": [3.0, 2.0, 1.0],
            "source_row": pd.array([2, 3, 4], dtype="Int64"),
            "qualified": pd.array([True, None, False], dtype="boolean"),
            "channel": pd.Categorical(["Web", "Salon", None]),
            "customer_name": ["Dupont SA", "=2+3", None],
        }
    )
    steps: list[float] = []
    path = export_table(
        frame, tmp_path / "data.xlsx", lang="fr", headers={"channel": "Source"}, progress=lambda f, m: steps.append(f)
    )
    ws = load_workbook(path).active
    fr = i18n.catalogue("fr")
    titles = ("Date", "Amount", "Quantity", "Row in file", "Qualified")
    assert rows_of(ws)[0] == (*(fr[t] for t in titles), "Source", fr["Customer"])
    assert rows_of(ws)[0][1] == "Montant"
    date = ws.cell(2, 1)
    assert date.is_date and date.value == dt.datetime(2024, 3, 5) and date.number_format == "dd/mm/yyyy"
    assert ws.cell(3, 1).value is None
    assert ws.cell(2, 2).value == 1234.5 and ws.cell(2, 2).number_format == "#,##0.00"
    assert ws.cell(3, 2).value is None
    assert ws.cell(2, 3).number_format == "#,##0"
    assert ws.cell(2, 4).value == 2
    assert (ws.cell(2, 5).value, ws.cell(3, 5).value, ws.cell(4, 5).value) == (True, None, False)
    assert ws.cell(2, 6).value == "Web"
    assert ws.cell(3, 7).value == "=2+3" and ws.cell(3, 7).data_type == "s"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"
    assert steps and steps[-1] == 1.0


def test_export_table_cancelled_writes_nothing(tmp_path: Path) -> None:
    frame = pd.DataFrame({"amount": [float(i) for i in range(50_000)]})
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"before")
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        export_table(frame, target, cancelled=cancelled)
    assert target.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_export_table_refuses_more_rows_than_excel_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kpidesk.io.export.table as table

    monkeypatch.setattr(table, "MAX_ROWS", 3)
    with pytest.raises(UserError, match="holds at most"):
        export_table(pd.DataFrame({"a": [1, 2, 3]}), tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()


# -- the command line -----------------------------------------------------------------------------


def test_cli_export(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack.xlsx"
    code = main(
        [
            "export",
            "--db",
            str(demo_db),
            "-o",
            str(out),
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--grain",
            "quarter",
            "--by",
            "salesperson",
            "--by",
            "region",
            "--compare",
            "year",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert str(out) in captured.out
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "Trends", "By salesperson", "By region", "Definitions", "Settings"]
    assert [c.value for c in wb["Trends"][4]][2:6] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    settings = dict(rows_of(wb["Settings"])[4:])
    assert settings["Database"] == str(demo_db)
    assert settings["Grain"] == "Quarter"
    assert settings["Breakdowns"] == "Salesperson, Region"


def test_cli_export_bad_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", "--db", str(tmp_path / "missing.kpidesk"), "-o", str(tmp_path / "x.xlsx")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("kpidesk: error: ") and err.count("\n") == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_export_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", "--db", "x.kpidesk"])
    assert info.value.code == 2


# -- helpers --------------------------------------------------------------------------------------


def test_query_by_is_ignored_in_favour_of_the_by_argument(demo_engine: Engine, tmp_path: Path) -> None:
    path = export_summary(demo_engine, replace(Query(), by="region"), tmp_path / "s.xlsx", lang="en")
    assert load_workbook(path).sheetnames == ["Summary", "Trends", "Definitions", "Settings"]


# -- temporaries ----------------------------------------------------------------------------------


def test_temporaries_left_by_a_crash_are_removed_at_the_next_export(tmp_path: Path) -> None:
    # A crash (power cut, killed process) left a temporary beside the workbook an hour ago; an
    # export another window has just started keeps its own.
    stale = tmp_path / ".pack.a1b2c3.xlsx.tmp"
    stale.write_bytes(b"PK half a zip")
    an_hour_ago = dt.datetime.now().timestamp() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    running = tmp_path / ".other.d4e5f6.xlsx.tmp"
    running.write_bytes(b"PK being written")
    mine = tmp_path / ".notes.txt.tmp"  # not an export's
    mine.write_bytes(b"x")
    os.utime(mine, (an_hour_ago, an_hour_ago))
    export_table(pd.DataFrame({"a": [1, 2]}), tmp_path / "table.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.txt.tmp", ".other.d4e5f6.xlsx.tmp", "table.xlsx"]


def test_a_partial_last_period_is_marked_in_the_charts(demo_book: Path) -> None:
    # The demo's data ends on 20 November: November is partial, its point hollow and the
    # segment leading to it dashed, and the Trends sheet says how many days it holds.
    wb = load_workbook(demo_book)
    ws = wb["Trends"]
    header = rows_of(ws)[3]
    assert header[-1] == "2026-11" and ws.cell(4, len(header)).font.i
    r = find_row(ws, "Revenue")
    assert ws.cell(r, len(header)).font.i and not ws.cell(r, len(header) - 1).font.i
    notes = [row[0] for row in rows_of(ws) if isinstance(row[0], str) and row[0].startswith("Partial periods")]
    assert notes == ["Partial periods (in italics): 2026-11: 20 days of 30"]
    for chart in ws._charts:
        (point,) = chart.series[0].dPt
        assert point.idx == len(header) - 3
        assert point.spPr.ln.prstDash == "dash"


def test_the_data_table_use_case_names_its_sheet_and_columns_in_its_language(tmp_path: Path) -> None:
    from kpidesk.app.exports import data_table

    frame = pd.DataFrame({"date": pd.to_datetime(["2024-03-05"]), "amount": [1234.5], "note": ["=1+1"]})
    path = data_table(frame, tmp_path / "ventes.xlsx", kind="sales", lang="fr")
    ws = load_workbook(path).active
    assert ws.title == "Ventes"
    assert [c.value for c in ws[1]] == ["Date", "Montant", "note"]
    assert ws["A2"].number_format == "dd/mm/yyyy" and ws["B2"].value == 1234.5
    assert (ws["C2"].value, ws["C2"].data_type, ws["C2"].quotePrefix) == ("=1+1", "s", True)
