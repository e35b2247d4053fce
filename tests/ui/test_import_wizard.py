"""The import wizard, driven as a user would, from a real file to an updated dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QWidget, QWizard
from pytestqt.qtbot import QtBot
from python_calamine import CalamineWorkbook

from kpidesk.core.formatting import format_value
from kpidesk.store.database import Store
from kpidesk.ui.import_wizard import ImportWizard
from kpidesk.ui.main_window import MainWindow

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
SUPERSTORE = DATASETS / "superstore" / "Sample - Superstore.xls"
pytestmark = pytest.mark.skipif(
    not SUPERSTORE.exists(),
    reason=f"dataset not available: {SUPERSTORE} (../shared/datasets is not beside this checkout)",
)


def superstore_sales_between(start: dt.date, end: dt.date) -> float:
    """Σ Sales of the Orders sheet for order dates in [start, end], read straight from the file."""
    rows = CalamineWorkbook.from_path(str(SUPERSTORE)).get_sheet_by_name("Orders").to_python()
    header = [str(h).strip() for h in rows[0]]
    date_col, sales_col = header.index("Order Date"), header.index("Sales")
    total = 0.0
    for row in rows[1:]:
        day = row[date_col]
        day = day.date() if isinstance(day, dt.datetime) else day
        if start <= day <= end:
            total += float(row[sales_col])
    return total


def next_page(qtbot: QtBot, wizard: ImportWizard) -> None:
    """Next, and wait for the next page (the file is read on a worker before the wizard goes on)."""
    qtbot.waitUntil(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled(), timeout=30_000)
    page = wizard.currentId()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() != page, timeout=60_000)


def test_wizard_imports_a_real_workbook_and_the_dashboard_follows(
    make_main_window: Callable[..., MainWindow], tmp_path: Path, qtbot: QtBot
) -> None:
    db = tmp_path / "superstore.kpidesk"
    Store.create(db).close()
    window = make_main_window(db)
    revenue_card = window.findChild(QWidget, "kpiCard_revenue")
    assert revenue_card.findChild(QLabel, "cardValue").text() == "Unavailable"

    assert window.company is not None
    wizard = ImportWizard(window.company, SUPERSTORE, window)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.objectName() == "importWizard"
    next_page(qtbot, wizard)  # file -> sheet and header
    sheet = wizard.findChild(QComboBox, "importSheet")
    assert sheet.currentText() == "Orders"  # the data sheet, not Returns or People
    assert wizard.preview is not None and wizard.preview.headers[:3] == ["Row ID", "Order ID", "Order Date"]
    next_page(qtbot, wizard)  # -> kind and mapping
    assert wizard.findChild(QComboBox, "importKind").currentData() == "sales"
    assert wizard.findChild(QComboBox, "map_date").currentData() == "Order Date"
    assert wizard.findChild(QComboBox, "map_amount").currentData() == "Sales"
    next_page(qtbot, wizard)  # -> validation (runs in the background)
    qtbot.waitUntil(lambda: wizard.validation is not None, timeout=60_000)
    assert (
        "9,994 rows are ready to import; 0 rows are rejected." in wizard.findChild(QLabel, "validationSummary").text()
    )
    next_page(qtbot, wizard)  # -> import
    qtbot.waitUntil(lambda: wizard.outcome is not None, timeout=60_000)
    assert wizard.outcome is not None and wizard.outcome.imported == 9994
    assert "9,994 rows imported" in wizard.findChild(QLabel, "importReport").text()
    wizard.accept()

    with qtbot.waitSignal(window.dashboard_updated, timeout=60_000):
        window.reload()
    query = window.dashboard.query()
    assert query.end == dt.date(2017, 12, 30)  # the presets follow the data's last day
    assert query.start == dt.date(2017, 1, 1)
    expected = superstore_sales_between(query.start, query.end)
    text = revenue_card.findChild(QLabel, "cardValue").text()
    assert text == format_value(expected, "currency", "en", "EUR", compact=True)


def test_cancelling_an_import_leaves_the_database_untouched(tmp_path: Path, qtbot: QtBot) -> None:
    db = tmp_path / "c.kpidesk"
    Store.create(db).close()
    wizard = ImportWizard(db, SUPERSTORE)
    qtbot.addWidget(wizard)
    wizard.show()
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.validation is not None, timeout=60_000)
    # Cancel before the worker starts writing: the task sees the flag at its first chunk.
    wizard.validation_page.validatePage()
    done: list[str] = []
    wizard.run_import(lambda _p: None, lambda outcome, message: done.append(message))
    assert wizard._task is not None
    wizard._task.cancel()
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)
    assert "cancelled" in done[0]
    with Store.open(db) as store:
        assert store.count("sales") == 0 and store.batches() == []
