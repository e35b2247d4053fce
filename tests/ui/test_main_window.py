"""The main window on the demo company: pages, cards with the engine's values, the trend."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kpidesk.core.engine import Engine, Query
from kpidesk.core.formatting import format_value
from kpidesk.store.database import Store
from kpidesk.ui.main_window import MainWindow


def engine_for(db: Path) -> Engine:
    with Store.open(db) as store:
        return Engine(store.load_all(), store.settings())


def card_value(window: MainWindow, kpi: str) -> str:
    card = window.findChild(QWidget, f"kpiCard_{kpi}")
    assert card is not None
    label = card.findChild(QLabel, "cardValue")
    assert label is not None
    return label.text()


def test_window_has_the_named_parts(make_main_window: Callable[..., MainWindow], demo_copy: Path) -> None:
    window = make_main_window(demo_copy)
    assert window.objectName() == "mainWindow"
    for name in ("dashboardPage", "dataPage", "importsPage", "trendPlot"):
        assert window.findChild(QWidget, name) is not None, name
    for name in (
        "grainCombo",
        "comparisonCombo",
        "filter_salesperson",
        "filter_channel",
        "filter_region",
        "filter_segment",
        "filter_product",
        "filter_customer",
    ):
        assert window.findChild(QComboBox, name) is not None, name
    for name in ("dateFrom", "dateTo"):
        assert window.findChild(QDateEdit, name) is not None, name
    for kpi in ("revenue", "sales_count", "average_order_value", "active_customers", "new_customers"):
        assert window.findChild(QWidget, f"kpiCard_{kpi}") is not None, kpi
    assert "Acme" in window.windowTitle() or "KPI Desk" in window.windowTitle()


def test_revenue_card_shows_the_engines_value(make_main_window: Callable[..., MainWindow], demo_copy: Path) -> None:
    window = make_main_window(demo_copy)
    query = window.dashboard.query()
    expected = engine_for(demo_copy).summary(query).get("revenue").value
    assert expected is not None and expected > 0
    assert card_value(window, "revenue") == format_value(expected, "currency", "en", "EUR", compact=True)


def test_changing_the_period_updates_the_cards(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    window = make_main_window(demo_copy)
    combo = window.findChild(QComboBox, "rangeCombo")
    assert combo is not None
    with qtbot.waitSignal(window.dashboard_updated, timeout=30_000):
        combo.setCurrentIndex(combo.findData("last_month"))
    query = window.dashboard.query()
    assert query.start is not None and query.start.day == 1
    expected = engine_for(demo_copy).summary(query).get("sales_count").value
    assert card_value(window, "sales_count") == format_value(expected, "count", "en")
    salesperson = window.findChild(QComboBox, "filter_salesperson")
    assert salesperson is not None and salesperson.count() > 2
    with qtbot.waitSignal(window.dashboard_updated, timeout=30_000):
        salesperson.setCurrentIndex(1)
    member = salesperson.itemData(1)
    filtered = (
        engine_for(demo_copy)
        .summary(
            Query(query.start, query.end, query.grain, query.compare, filters={"salesperson": frozenset({member})})
        )
        .get("revenue")
        .value
    )
    assert card_value(window, "revenue") == format_value(filtered, "currency", "en", "EUR", compact=True)


def test_trend_chart_plots_the_engines_monthly_revenue(
    make_main_window: Callable[..., MainWindow], demo_copy: Path
) -> None:
    window = make_main_window(demo_copy)
    data = window.dashboard.data
    assert data is not None
    plotted = window.dashboard.trend.series()["actual"]
    assert plotted == [r.value for r in data.trend.series("revenue")]
    assert len(plotted) >= 24
    assert data.trend.grain == "month"


def test_french_window_formats_numbers_the_french_way(
    make_main_window: Callable[..., MainWindow], demo_copy: Path
) -> None:
    window = make_main_window(demo_copy, lang="fr")
    text = card_value(window, "revenue")
    assert text.endswith("€") and "," in text  # e.g. "3,7 M€"
    assert window.findChild(QWidget, "kpiCard_revenue").findChild(QLabel, "cardTitle").text() == "Chiffre d'affaires"


def test_a_failing_computation_shows_the_error_dialog_and_the_window_stays(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot, monkeypatch: object
) -> None:
    from kpidesk.ui import main_window as mw

    window = make_main_window(demo_copy)
    shown: list[tuple[str, str]] = []

    def boom(*args: object) -> object:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(mw, "compute_dashboard", boom)  # type: ignore[attr-defined]
    monkeypatch.setattr(mw, "show_error", lambda m, d, parent=None: shown.append((m, d)))  # type: ignore[attr-defined]
    window.recompute()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "engine exploded" in shown[0][0] and "Traceback" in shown[0][1]
    assert window.isVisible()


def test_a_running_month_is_paced_against_its_target(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    from kpidesk.core.targets import pacing

    window = make_main_window(demo_copy)
    combo = window.findChild(QComboBox, "rangeCombo")
    with qtbot.waitSignal(window.dashboard_updated, timeout=30_000):
        combo.setCurrentIndex(combo.findData("this_month"))
    data = window.dashboard.data
    assert data is not None
    row = data.summary.get("revenue")
    assert row.target is not None  # the demo company has monthly revenue targets
    pace = pacing("revenue", row, data.as_of)
    assert pace is not None and pace.partial
    target = window.findChild(QWidget, "kpiCard_revenue").findChild(QLabel, "cardTarget").text()
    expected = format_value(pace.expected, "currency", "en", "EUR", compact=True)
    assert f"expected to date {expected}" in target


def test_a_file_that_cannot_be_opened_leaves_the_open_company_in_place(
    make_main_window: Callable[..., MainWindow],
    demo_copy: Path,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: object,
) -> None:
    from kpidesk.ui import main_window as mw

    window = make_main_window(demo_copy)
    shown: list[str] = []
    monkeypatch.setattr(mw, "show_error", lambda m, d, parent=None: shown.append(m))  # type: ignore[attr-defined]
    bogus = tmp_path / "photo.kpidesk"
    bogus.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    window.open_database(bogus)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "not a KPI Desk database" in shown[0]
    assert window.path == demo_copy and window.engine is not None
    assert not (tmp_path / "photo.kpidesk.lock").exists()
    assert (demo_copy.parent / "acme.kpidesk.lock").exists()  # still ours
    revenue = window.findChild(QWidget, "kpiCard_revenue").findChild(QLabel, "cardValue").text()
    assert revenue.startswith("€")


def test_the_next_start_shows_the_last_dashboard_at_once_and_only_while_it_holds(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    import pandas as pd

    first = make_main_window(demo_copy)
    shown_first = card_value(first, "revenue")
    first.close()

    second = make_main_window(demo_copy, wait=False)
    # The kept values are on the cards before the engine has even loaded.
    assert second.engine is None
    assert card_value(second, "revenue") == shown_first
    qtbot.waitUntil(lambda: second.engine is not None, timeout=30_000)
    second.close()

    # New rows: the kept dashboard no longer holds, and is not shown.
    with Store.open(demo_copy) as store:
        store.import_frame(
            "sales", pd.DataFrame({"date": pd.to_datetime(["2026-11-02"]), "amount": [1e6]}), file="big-deal.xlsx"
        )
    third = make_main_window(demo_copy, wait=False)
    assert card_value(third, "revenue") == "…"
    qtbot.waitUntil(lambda: card_value(third, "revenue") not in ("…", shown_first), timeout=30_000)


def test_cards_fill_the_width_of_the_window(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    window = make_main_window(demo_copy)  # 1366 pixels wide
    qtbot.waitUntil(lambda: window.dashboard._columns >= 5, timeout=5_000)
    revenue = window.findChild(QWidget, "kpiCard_revenue")
    count = window.findChild(QWidget, "kpiCard_sales_count")
    assert revenue.geometry().top() == count.geometry().top()  # side by side, not one per row


def test_application_tunes_the_allocator(qapp: object) -> None:
    from kpidesk import memory
    from kpidesk.ui.app import application

    assert application() is qapp
    assert memory.tuned() == sys.platform.startswith("linux")


def test_the_trend_chart_takes_the_place_kept_for_it(
    make_main_window: Callable[..., MainWindow], demo_copy: Path, qtbot: QtBot
) -> None:
    from kpidesk.ui.dashboard import DashboardPage
    from kpidesk.ui.sparkline import CHART_MIN_HEIGHT

    page = DashboardPage("en")
    qtbot.addWidget(page)
    place = page._chart_place
    assert page._trend is None and place.minimumHeight() == CHART_MIN_HEIGHT  # no chart library yet
    chart = page.trend
    assert page._chart_layout.indexOf(chart) >= 0 and page._chart_layout.indexOf(place) == -1
    assert chart.minimumHeight() == CHART_MIN_HEIGHT
    # In the window, the chart comes with the first values, showing them.
    window = make_main_window(demo_copy)
    assert window.dashboard._trend is not None and window.dashboard.trend.series()["actual"]
