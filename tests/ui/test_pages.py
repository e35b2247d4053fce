"""Every page and dialog opens, shows the engine's numbers, and its models pass Qt's checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from kpidesk.app.company import Company
from kpidesk.core.engine import Engine, Query
from kpidesk.core.formatting import format_number
from kpidesk.store.database import Store
from kpidesk.ui.detail import KpiDetail
from kpidesk.ui.main_window import MainWindow
from kpidesk.ui.models import FrameModel, SortRole
from kpidesk.ui.settings import UserSettings
from kpidesk.ui.settings_dialog import SettingsDialog
from kpidesk.ui.targets_dialog import TargetsDialog


def test_frame_model_passes_the_model_tester_sorts_and_filters(qtmodeltester: ModelTester) -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-01", None, "2024-01-15"]),
            "amount": [12.5, np.nan, -3.0],
            "customer": pd.Categorical(["Zoé SARL", "alpha", None]),
            "qualified": pd.array([True, None, False], dtype="boolean"),
        }
    )
    model = FrameModel(frame, lang="fr")
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1)) == "12,50"
    assert model.data(model.index(0, 0)) == "01/03/2024"
    assert model.data(model.index(0, 1), SortRole) == 12.5
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 1), SortRole) for r in range(3)] == [-3.0, 12.5, None]  # missing last
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, 1), SortRole) for r in range(3)] == [12.5, -3.0, None]
    model.sort(2, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 2)) for r in range(3)] == ["alpha", "Zoé SARL", ""]
    model.set_filter("zoé")
    assert model.rowCount() == 1 and model.data(model.index(0, 2)) == "Zoé SARL"
    model.set_filter("")
    assert model.rowCount() == 3
    qtmodeltester.check(model)


def test_frame_model_reads_integers_with_missing_values(qtmodeltester: ModelTester) -> None:
    # The provenance columns (row in file, batch) are Int32 with missing values: shown without
    # decimals, blank where missing, sorted with the missing last and found by the filter.
    frame = pd.DataFrame({"source_row": pd.array([12, None, 3, 1204], dtype="Int32")})
    model = FrameModel(frame, lang="fr")
    qtmodeltester.check(model)
    assert [model.data(model.index(r, 0)) for r in range(4)] == ["12", "", "3", "1\u202f204"]
    assert model.data(model.index(1, 0), SortRole) is None
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 0), SortRole) for r in range(4)] == [3.0, 12.0, 1204.0, None]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, 0), SortRole) for r in range(4)] == [1204.0, 12.0, 3.0, None]
    model.set_filter("12")
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["1\u202f204", "12"]
    qtmodeltester.check(model)


def test_data_page_loads_sorts_and_filters_a_kind(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    window = make_main_window(demo_copy)
    window.show_page("dataPage")
    table = window.data_page.tables["sales"]
    qtbot.waitUntil(lambda: table.loaded, timeout=30_000)
    view = window.findChild(QTableView, "dataTable_sales")
    assert view is not None
    with Store.open(demo_copy) as store:
        total = store.count("sales")
    assert table.model.rowCount() == total
    headers = [table.model.headerData(c, Qt.Orientation.Horizontal) for c in range(table.model.columnCount())]
    assert "Amount" in headers and "File" in headers and "Row in file" in headers  # provenance
    amount = headers.index("Amount")
    view.sortByColumn(amount, Qt.SortOrder.DescendingOrder)
    top = table.model.data(table.model.index(0, amount), SortRole)
    assert top == table.model.frame()["amount"].max()
    with qtbot.waitSignal(table.filter_applied, timeout=30_000):
        table.filter.setText("Girard")  # filtered on a worker after a pause in typing
    assert 0 < table.model.rowCount() < total
    assert "of" in table.count.text()
    # Typing on: the rows shown stay until the new filter's result is ready, then follow it.
    shown = table.model.rowCount()
    table.filter.setText("Girardxyz")
    assert table.model.rowCount() == shown
    with qtbot.waitSignal(table.filter_applied, timeout=30_000):
        table.apply_filter_now()
    assert table.model.rowCount() == 0


def test_kpi_detail_breakdown_equals_the_engine(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    window = make_main_window(demo_copy)
    detail = window.open_detail("revenue")
    assert isinstance(detail, KpiDetail)
    qtbot.addWidget(detail)
    qtbot.waitUntil(lambda: detail.breakdown is not None, timeout=30_000)
    assert detail.findChild(QTableView, "breakdownTable") is not None
    assert window.dashboard.data is not None
    query = window.dashboard.data.query
    with Store.open(demo_copy) as store:
        engine = Engine(store.load_all(), store.settings())
    from dataclasses import replace

    expected = {
        r.member: r.value
        for r in engine.summary(replace(query, by="salesperson", kpis=("revenue",))).rows
        if r.member is not None
    }
    got = dict(zip(detail.breakdown["member"], detail.breakdown["value"], strict=True))
    assert got == pytest.approx(expected)
    # The leaderboard is best first.
    assert list(detail.breakdown["value"]) == sorted(detail.breakdown["value"], reverse=True)
    assert detail.trend.series()["actual"] == [r.value for r in window.dashboard.data.trend.series("revenue")]


def test_settings_dialog_saves_company_settings(tmp_path: Path, qtbot: QtBot, demo_copy: Path) -> None:
    with Store.open(demo_copy) as store:
        company = store.settings()
    dialog = SettingsDialog(company, "", None)
    qtbot.addWidget(dialog)
    dialog.fiscal.setCurrentIndex(3)  # April
    dialog.one_time.setValue(120)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("fr"))
    changed = dialog.company()
    assert (changed.fiscal_year_start, changed.one_time_buyer_days) == (4, 120)
    assert dialog.language() == "fr"
    settings = UserSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    settings.set("language", dialog.language())
    assert settings.get("language") == "fr"


def test_targets_dialog_sets_and_removes_a_target(qtbot: QtBot, demo_copy: Path) -> None:
    company = Company.open(demo_copy, write=True, load=False)
    dialog = TargetsDialog(company, None, "en")
    qtbot.addWidget(dialog)
    dialog.finished.connect(company.close)
    before = dialog.model.rowCount()
    dialog.kpi.setCurrentIndex(dialog.kpi.findData("revenue"))
    dialog.period.setText("2031-Q2")
    dialog.value.setValue(45000)
    dialog.set_target()
    assert dialog.model.rowCount() == before + 1
    with Store.open(demo_copy) as store:
        targets = store.load("targets")
    row = targets[(targets["kpi"] == "revenue") & (targets["period"] == "2031-Q2")]
    assert row["value"].tolist() == [45000.0]
    with Store.open(demo_copy) as store:
        engine = Engine(store.load_all(), store.settings())
    result = engine.compute(Query(dt.date(2031, 4, 1), dt.date(2031, 6, 30), grain="quarter", kpis=("revenue",)))
    assert result.get("revenue", "2031-Q2").target == 45000.0
    dialog.remove_target()
    assert dialog.model.rowCount() == before
    dialog.period.setText("next spring")
    shown: list[str] = []
    import kpidesk.ui.targets_dialog as td

    original = td.QMessageBox.warning
    td.QMessageBox.warning = lambda parent, title, text: shown.append(text)  # type: ignore[method-assign,assignment]
    try:
        dialog.set_target()
    finally:
        td.QMessageBox.warning = original  # type: ignore[method-assign]
    assert shown and "is not a period" in shown[0]


def test_help_lists_every_kpi_definition(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QTextBrowser

    from kpidesk.core import catalog

    window = make_main_window(demo_copy)
    seen: list[str] = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "definitionsDialog"
        seen.append(dialog.findChild(QTextBrowser).toPlainText())
        dialog.reject()

    QTimer.singleShot(200, read_and_close)
    window.menu_actions["action_definitions"].trigger()
    assert seen
    for k in catalog.CATALOG:
        assert k.name_en in seen[0] and k.id in seen[0]


def test_export_summary_from_the_window(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    window = make_main_window(demo_copy)
    target = tmp_path / "pack.xlsx"
    with qtbot.waitSignal(window.exported, timeout=60_000) as blocker:
        window.export_summary(target, ["salesperson"])
    assert blocker.args == [target] and target.exists()
    book = load_workbook(target)
    assert book.sheetnames[0] == "Summary" and len(book.sheetnames) >= 4


def test_data_table_exports_what_it_shows(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    window = make_main_window(demo_copy)
    window.show_page("dataPage")
    table = window.data_page.tables["sales"]
    qtbot.waitUntil(lambda: table.loaded, timeout=30_000)
    with qtbot.waitSignal(table.filter_applied, timeout=30_000):
        table.filter.setText("Girard")  # filtered on a worker after a pause in typing
    shown = table.model.rowCount()
    target = tmp_path / "girard.xlsx"
    with qtbot.waitSignal(table.exported, timeout=60_000):
        table.export(target)
    sheet = load_workbook(target).worksheets[0]
    assert sheet.max_row == shown + 1  # the header, then the rows as filtered


def test_imports_page_saves_a_batch_report(make_main_window: Callable[..., MainWindow], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db = tmp_path / "r.kpidesk"
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-05"]), "amount": [10.0]})
    errors = [{"row": 7, "column": "Montant", "value": "=1+1", "message": "Not a number"}]
    with Store.open(db, create=True) as store:
        store.import_frame("sales", frame, file="ventes.xlsx", sheet="Janvier", rejected=1, errors=errors)
    window = make_main_window(db)
    page = window.imports_page
    page.table.selectRow(0)
    assert page.save_report_button.isEnabled()
    target = page.save_report(tmp_path / "report.xlsx")
    assert target is not None
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert any(r[:4] == (7, "Montant", "=1+1", "Not a number") for r in rows)


def test_analyses_page_shows_the_engines_funnel_pareto_and_cohorts(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QTableWidget

    from kpidesk.core import analyses

    window = make_main_window(demo_copy)
    window.show_page("analysesPage")
    page = window.analyses_page
    assert page is not None and page.objectName() == "analysesPage"
    qtbot.waitUntil(lambda: page.data is not None, timeout=30_000)
    assert page.data is not None
    with Store.open(demo_copy) as store:
        engine = Engine(store.load_all(), store.settings())
    start, end = engine.resolve_range(window.dashboard.query())
    expected = analyses.funnel(engine, start, end)
    assert [(s.stage, s.count) for s in page.data.funnel] == [(s.stage, s.count) for s in expected]
    assert len(page.data.pareto) == len(analyses.revenue_pareto(engine, start, end))
    grid = page.findChild(QTableWidget, "cohortGrid")
    assert grid is not None and grid.rowCount() == len(page.data.cohorts) > 0
    first = page.data.cohorts.iloc[0]
    assert grid.item(0, 1).text() == format_number(float(first[0]), 0, "en")


def _answer_modal(qtbot: QtBot, act: Callable[[object], None]) -> list[str]:
    """Run ``act`` on the next modal dialog (then it is accepted or closed by ``act``)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen: list[str] = []

    def handle() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, handle)
            return
        seen.append(dialog.objectName() or type(dialog).__name__)
        act(dialog)

    QTimer.singleShot(100, handle)
    return seen


def test_settings_from_the_window_are_saved_in_the_company_file(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    window = make_main_window(demo_copy)

    def change(dialog: object) -> None:
        assert isinstance(dialog, SettingsDialog)
        dialog.fiscal.setCurrentIndex(3)
        dialog.accept()

    seen = _answer_modal(qtbot, change)
    with qtbot.waitSignal(window.dashboard_updated, timeout=30_000):
        window.menu_actions["action_settings"].trigger()
    assert seen == ["settingsDialog"]
    with Store.open(demo_copy) as store:
        assert store.settings().fiscal_year_start == 4
    assert window.engine is not None and window.engine.settings.fiscal_year_start == 4


def test_export_and_about_dialogs_open_and_close(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    from kpidesk.ui.export_dialog import ExportDialog

    window = make_main_window(demo_copy)

    def check_export(dialog: object) -> None:
        assert isinstance(dialog, ExportDialog)
        assert dialog.breakdowns() == ["salesperson", "channel", "region"]
        assert dialog.target().suffix == ".xlsx"
        dialog.reject()

    seen = _answer_modal(qtbot, check_export)
    assert window.export_summary() is None  # cancelled: nothing written
    assert seen == ["exportDialog"]
    seen = _answer_modal(qtbot, lambda dialog: dialog.close())  # type: ignore[attr-defined]
    window.menu_actions["action_about"].trigger()
    assert seen


def test_trend_legend_names_only_the_lines_drawn(qtbot: QtBot) -> None:
    import datetime as dt

    from kpidesk.core import catalog
    from kpidesk.ui.charts import TrendChart

    chart = TrendChart()
    qtbot.addWidget(chart)
    days = [dt.date(2025, m, 1) for m in (1, 2, 3)]
    points = [(d, v) for d, v in zip(days, [10.0, 12.0, 11.0], strict=True)]
    kpi = catalog.get("revenue")
    chart.set_series(kpi, ["janv.", "févr.", "mars"], points, None, None, "en", "EUR")
    assert chart.legend_names() == ["Actual"]
    chart.set_series(
        kpi, ["janv.", "févr.", "mars"], points, [(d, 9.0) for d in days], [(d, 15.0) for d in days], "en", "EUR"
    )
    assert chart.legend_names() == ["Actual", "Comparison", "Target"]


def test_customers_are_named_in_the_filter_and_the_leaderboard(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    with Store.open(demo_copy) as store:
        engine = Engine(store.load_all(), store.settings())
    names = engine.member_names("customer")
    window = make_main_window(demo_copy)
    combo = window.findChild(QComboBox, "filter_customer")
    some_id = combo.itemData(1)
    assert combo.itemText(1) == f"{names[some_id]} ({some_id})"  # the filter still filters by id
    detail = window.open_detail("revenue")
    qtbot.addWidget(detail)
    qtbot.waitUntil(lambda: detail.breakdown is not None, timeout=30_000)
    detail.breakdown = None
    detail.dimension.setCurrentIndex(detail.dimension.findData("customer"))
    qtbot.waitUntil(lambda: detail.breakdown is not None, timeout=30_000)
    shown = set(detail.breakdown["member"])
    assert f"{names['C0004']} (C0004)" in shown and "C0004" not in shown
    ticks = [label for _, label in detail.bars.getAxis("left")._tickLevels[0]]
    assert ticks and all("(C0" not in t for t in ticks)  # the bars: names alone
    assert any(t in names.values() for t in ticks)


def test_bar_labels_fit_the_axis() -> None:
    from kpidesk.ui.detail import bar_label

    assert bar_label("Alice") == "Alice"
    assert bar_label("A very long salesperson name indeed") == "A very long salesperson nam…"
    assert len(bar_label("A very long salesperson name indeed")) == 28
