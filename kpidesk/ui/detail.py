"""A KPI's detail: its trend against comparison and target, its breakdown, its definition."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kpidesk.core import catalog
from kpidesk.core.catalog import breakdown_dimensions
from kpidesk.core.dashboard import DashboardData
from kpidesk.core.engine import Engine, Result
from kpidesk.core.formatting import format_change, format_value
from kpidesk.core.present import change_unit, leaderboard, present
from kpidesk.core.text import member_label
from kpidesk.i18n import _, ngettext
from kpidesk.labels import DIMENSION_LABELS, DIRECTION_LABELS, KIND_TITLES, UNIT_LABELS
from kpidesk.ui import tasks
from kpidesk.ui.charts import TrendChart
from kpidesk.ui.errors import show_error
from kpidesk.ui.models import FrameModel
from kpidesk.ui.sparkline import ACCENT

#: Members shown in the bar chart (the table lists them all).
BAR_MEMBERS = 15


def bar_label(text: str, width: int = 28) -> str:
    """A member's name short enough for the bar chart's axis (the table shows it whole)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def breakdown_frame(result: Result, kpi_id: str, lang: str, currency: str) -> pd.DataFrame:
    """Members of the breakdown, best first: value, comparison, change, target, attainment."""
    kpi = catalog.get(kpi_id)
    rows = leaderboard(kpi, (r for r in result.rows if r.kpi == kpi_id and r.member is not None))
    shown = [present(r, compared=result.compare != "none") for r in rows]
    return pd.DataFrame(
        {
            "member": [r.member for r in rows],
            "value": [np.nan if p.value is None else p.value for p in shown],
            "comparison": [np.nan if p.comparison is None else p.comparison for p in shown],
            "change": [np.nan if p.change is None else p.change for p in shown],
            "target": [np.nan if p.target is None else p.target for p in shown],
            "attainment": [np.nan if p.attainment is None else p.attainment for p in shown],
        }
    )


class KpiDetail(QDialog):
    """Opened from a card: the same numbers as the dashboard, looked at closer."""

    def __init__(
        self, engine: Engine, data: DashboardData, kpi_id: str, lang: str, currency: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kpiDetail")
        self.engine, self.data, self.kpi, self.lang, self.currency = engine, data, catalog.get(kpi_id), lang, currency
        self.setWindowTitle(self.kpi.name(lang))
        self.resize(1100, 720)
        layout = QVBoxLayout(self)

        needs = ", ".join(_(KIND_TITLES[k]).lower() for k in self.kpi.needs)
        definition = QLabel(
            f"<b>{self.kpi.name(lang)}</b> — {self.kpi.formula(lang)}<br>"
            f"<span style='color:#64748b'>"
            + _("Unit: {unit} · {direction} · computed from: {kinds}").format(
                unit=_(UNIT_LABELS[self.kpi.unit]), direction=_(DIRECTION_LABELS[self.kpi.direction]), kinds=needs
            )
            + "</span>"
        )
        definition.setObjectName("kpiFormula")
        definition.setWordWrap(True)
        definition.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(definition)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.trend = TrendChart()
        self.trend.setObjectName("detailTrendPlot")
        splitter.addWidget(self.trend)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Breakdown by")))
        self.dimension = QComboBox()
        self.dimension.setObjectName("breakdownCombo")
        for d in breakdown_dimensions(kpi_id):
            self.dimension.addItem(_(DIMENSION_LABELS[d]), d)
        row.addWidget(self.dimension)
        self.breakdown_note = QLabel("")
        self.breakdown_note.setStyleSheet("color:#64748b")
        row.addWidget(self.breakdown_note, 1)
        bottom_layout.addLayout(row)
        pair = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableView()
        self.table.setObjectName("breakdownTable")
        self.model = FrameModel(lang=lang)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        pair.addWidget(self.table)
        self.bars = pg.PlotWidget()
        self.bars.setObjectName("breakdownBars")
        self.bars.setMenuEnabled(False)
        self.bars.setMouseEnabled(x=False, y=False)
        self.bars.hideButtons()
        pair.addWidget(self.bars)
        pair.setSizes([520, 480])
        bottom_layout.addWidget(pair, 1)
        splitter.addWidget(bottom)
        splitter.setSizes([330, 330])
        layout.addWidget(splitter, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.breakdown: pd.DataFrame | None = None
        self._bar_names: dict[str, str] = {}
        self._show_trend()
        self.dimension.currentIndexChanged.connect(self.refresh_breakdown)
        if self.dimension.count():
            self.refresh_breakdown()
        else:
            self.breakdown_note.setText(_("This KPI cannot be broken down."))

    def _show_trend(self) -> None:
        trend = self.data.trend
        rows = trend.series(self.kpi.id)
        periods = trend.periods
        comparison = None
        if trend.compare != "none":
            comparison = [(p.start, r.comparison) for p, r in zip(periods, rows, strict=True)]
        targets = [(p.start, r.target) for p, r in zip(periods, rows, strict=True)]
        self.trend.set_series(
            self.kpi,
            [p.label for p in periods],
            [(p.start, r.value) for p, r in zip(periods, rows, strict=True)],
            comparison,
            targets if any(v is not None for _, v in targets) else None,
            self.lang,
            self.currency,
            [r.partial for r in rows],
        )

    def refresh_breakdown(self) -> None:
        dimension = self.dimension.currentData()
        if dimension is None:
            return
        engine, query, kpi = self.engine, self.data.query, self.kpi.id
        self.breakdown_note.setText(_("Computing…"))

        def work(state: tasks.TaskState) -> tuple[Result, dict[str, str]]:
            # The members' names are found on the engine's thread too (the engine is not thread-safe).
            return engine.summary(dataclasses.replace(query, by=dimension, kpis=(kpi,))), engine.member_names(dimension)

        tasks.start(
            work,
            tasks.engine_pool(),
            finished=self._show_breakdown,
            failed=lambda message, details: show_error(message, details, self),
        )

    def _show_breakdown(self, found: tuple[Result, dict[str, str]]) -> None:
        result, names = found
        frame = breakdown_frame(result, self.kpi.id, self.lang, self.currency)
        ids = [str(m) for m in frame["member"]]
        frame["member"] = [member_label(i, names.get(i)) for i in ids]
        # The bars name a customer by name alone (the table gives its id too).
        self._bar_names = {member_label(i, names.get(i)): names.get(i) or i for i in ids}
        self.breakdown = frame
        dimension = self.dimension.currentData()
        headers = {
            "member": _(DIMENSION_LABELS[dimension]),
            "value": _("Value"),
            "comparison": _("Comparison"),
            "change": _("Change"),
            "target": _("Target"),
            "attainment": _("Attainment (%)"),
        }
        unit, lang, cur = self.kpi.unit, self.lang, self.currency
        in_unit = lambda v: format_value(v, unit, lang, cur)  # noqa: E731
        as_percent = lambda v: format_value(v, "percent", lang)  # noqa: E731
        measure = change_unit(self.kpi)
        in_change = lambda v: format_change(v, lang, measure)  # noqa: E731
        self.model.set_headers(
            headers,
            {
                "value": in_unit,
                "comparison": in_unit,
                "target": in_unit,
                "change": in_change,
                "attainment": as_percent,
            },
        )
        shown = frame.dropna(axis=1, how="all")
        self.model.set_frame(shown)
        self.table.sortByColumn(
            1, Qt.SortOrder.AscendingOrder if self.kpi.direction == "lower" else Qt.SortOrder.DescendingOrder
        )
        self.breakdown_note.setText(
            ngettext(
                "{count} member over the selected period", "{count} members over the selected period", len(frame)
            ).format(count=len(frame))
        )
        self._draw_bars(frame)

    def _draw_bars(self, frame: pd.DataFrame) -> None:
        self.bars.clear()
        top = frame.dropna(subset=["value"]).head(BAR_MEMBERS).iloc[::-1]
        if top.empty:
            return
        ys = np.arange(len(top))
        values = top["value"].to_numpy(dtype=float)
        bars = pg.BarGraphItem(x0=np.zeros(len(top)), y=ys, height=0.7, width=values, brush=ACCENT)
        self.bars.addItem(bars)
        axis = self.bars.getAxis("left")
        axis.setTicks(
            [
                [
                    (float(y), bar_label(self._bar_names.get(str(m), str(m))))
                    for y, m in zip(ys, top["member"], strict=True)
                ]
            ]
        )
        bottom = self.bars.getAxis("bottom")
        bottom.tickStrings = lambda vals, scale, spacing: [
            format_value(v, self.kpi.unit, self.lang, self.currency, compact=True) for v in vals
        ]
        for y, v in zip(ys, values, strict=True):
            if math.isfinite(v):
                label = pg.TextItem(
                    format_value(v, self.kpi.unit, self.lang, self.currency, compact=True),
                    color="#334155",
                    anchor=(0, 0.5),
                )
                label.setPos(max(v, 0), float(y))
                self.bars.addItem(label)
        high = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
        low = min(0.0, float(np.nanmin(values)))
        self.bars.setXRange(low, high * 1.2 if high > 0 else 1.0, padding=0)
        self.bars.setTitle(
            _("Top {count} by {dimension}").format(
                count=len(top), dimension=_(DIMENSION_LABELS[self.dimension.currentData()]).lower()
            )
        )
