"""The analyses page: the sales funnel, the revenue Pareto, the cohort retention grid and
new versus returning revenue, for the dashboard's period and filters."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.core import analyses
from kpidesk.core.engine import Engine, Query
from kpidesk.core.formatting import format_number, format_value
from kpidesk.i18n import N_, _, ngettext
from kpidesk.ui import tasks
from kpidesk.ui.charts import LocalDateAxis, timestamp
from kpidesk.ui.errors import show_error
from kpidesk.ui.sparkline import ACCENT, COMPARISON

FUNNEL_STAGES: dict[str, str] = {
    "leads": N_("Leads created"),
    "qualified": N_("Leads qualified"),
    "opportunities": N_("Opportunities created"),
    "won": N_("Opportunities won"),
}


@dataclass
class AnalysesData:
    """Everything the page shows, computed off the GUI thread by the engine."""

    query: Query
    funnel: list[analyses.FunnelStage]
    pareto: pd.DataFrame
    cohorts: pd.DataFrame
    new_returning: pd.DataFrame


def compute_analyses(engine: Engine, query: Query) -> AnalysesData:
    start, end = engine.resolve_range(query)
    filters = query.filters
    return AnalysesData(
        query,
        analyses.funnel(engine, start, end, filters),
        analyses.revenue_pareto(engine, start, end, filters),
        analyses.cohort_retention(engine, start, end, filters),
        analyses.new_vs_returning(engine, Query(start, end, "month", "none", None, None, filters)),
    )


def heat_colour(percent: float) -> QColor:
    """White (0 %) to the accent blue (100 %)."""
    t = max(0.0, min(1.0, percent / 100.0)) ** 0.6
    return QColor(int(255 - t * (255 - 37)), int(255 - t * (255 - 99)), int(255 - t * (255 - 235)))


class AnalysesPage(QWidget):
    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analysesPage")
        self.lang = lang
        self.currency = "EUR"
        self.data: AnalysesData | None = None
        self._pending: tuple[Engine, Query] | None = None
        layout = QVBoxLayout(self)
        self.caption = QLabel("")
        self.caption.setStyleSheet("color:#64748b")
        layout.addWidget(self.caption)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("analysesTabs")
        layout.addWidget(self.tabs, 1)

        self.funnel_plot = pg.PlotWidget()
        self.funnel_plot.setObjectName("funnelPlot")
        self.funnel_plot.setMenuEnabled(False)
        self.funnel_plot.setMouseEnabled(x=False, y=False)
        self.funnel_plot.hideButtons()
        self.tabs.addTab(self.funnel_plot, _("Funnel"))

        self.pareto_plot = pg.PlotWidget()
        self.pareto_plot.setObjectName("paretoPlot")
        self.pareto_plot.setMenuEnabled(False)
        self.tabs.addTab(self.pareto_plot, _("Revenue Pareto"))

        self.cohort_table = QTableWidget()
        self.cohort_table.setObjectName("cohortGrid")
        self.cohort_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.cohort_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs.addTab(self.cohort_table, _("Cohort retention"))

        self.mix_plot = pg.PlotWidget(axisItems={"bottom": LocalDateAxis(utcOffset=0)})
        self.mix_plot.setObjectName("newReturningPlot")
        self.mix_plot.setMenuEnabled(False)
        self.mix_legend = self.mix_plot.addLegend(offset=(-10, 2), colCount=3)
        self.tabs.addTab(self.mix_plot, _("New and returning revenue"))

    def set_query(self, engine: Engine, query: Query, currency: str) -> None:
        """Recompute for the dashboard's period and filters (when the page is shown)."""
        self.currency = currency
        self._pending = (engine, query)
        if self.isVisible():
            self._compute()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self._pending is not None:
            self._compute()

    def _compute(self) -> tasks.Task | None:
        if self._pending is None:
            return None
        engine, query = self._pending
        self._pending = None
        self.caption.setText(_("Computing…"))
        return tasks.start(
            lambda state: compute_analyses(engine, query),
            tasks.engine_pool(),
            finished=self.show_data,
            failed=lambda message, details: show_error(message, details, self),
        )

    def show_data(self, data: AnalysesData) -> None:
        self.data = data
        q = data.query
        self.caption.setText(_("{start} to {end}, with the dashboard's filters").format(start=q.start, end=q.end))
        self._draw_funnel(data.funnel)
        self._draw_pareto(data.pareto)
        self._fill_cohorts(data.cohorts)
        self._draw_mix(data.new_returning)

    def _draw_funnel(self, stages: list[analyses.FunnelStage]) -> None:
        plot = self.funnel_plot
        plot.clear()
        shown = [s for s in stages if s.count is not None]
        if not shown:
            plot.setTitle(_("Import leads and opportunities to see the funnel."))
            return
        plot.setTitle(_("From lead to won deal"))
        ys = np.arange(len(shown))[::-1].astype(float)
        counts = np.array([float(s.count or 0) for s in shown])
        plot.addItem(pg.BarGraphItem(x0=-counts / 2, y=ys, height=0.65, width=counts, brush=ACCENT))
        top = float(counts.max()) or 1.0
        plot.setXRange(-top * 0.62, top * 0.62, padding=0)
        plot.getAxis("left").setTicks(
            [[(float(y), _(FUNNEL_STAGES.get(s.stage, s.stage))) for y, s in zip(ys, shown, strict=True)]]
        )
        plot.hideAxis("bottom")
        for y, s in zip(ys, shown, strict=True):
            text = format_number(float(s.count or 0), 0, self.lang)
            # The catalogue's rate, over the cohort the card counts (core/analyses.py says which).
            if s.rate is not None and s.cohort is not None:
                rate = format_value(s.rate, "percent", self.lang)
                text += f"  ({rate} {_(analyses.FUNNEL_COHORTS[s.cohort])})"
            label = pg.TextItem(text, color="#0f172a", anchor=(0.5, 0.5))
            label.setPos(0, float(y))
            plot.addItem(label)

    def _draw_pareto(self, pareto: pd.DataFrame) -> None:
        plot = self.pareto_plot
        plot.clear()
        if pareto.empty:
            plot.setTitle(_("Import sales with customer ids to see the Pareto."))
            return
        x = pareto["customer_share"].to_numpy(dtype=float)
        y = pareto["cumulative_share"].to_numpy(dtype=float)
        plot.plot(np.r_[0.0, x], np.r_[0.0, y], pen=pg.mkPen(ACCENT, width=2.5))
        plot.plot([0, 100], [0, 100], pen=pg.mkPen(COMPARISON, width=1, style=Qt.PenStyle.DashLine))
        # The top ⌈n ÷ 5⌉ customers, as the concentration card counts them (one rule, in core).
        at20, top = analyses.pareto_top(pareto)
        plot.addItem(pg.InfiniteLine(pos=float(x[top - 1]), angle=90, pen=pg.mkPen("#f59e0b", width=1)))
        plot.setLabel("bottom", _("Share of customers (%)"))
        plot.setLabel("left", _("Share of revenue (%)"))
        plot.setXRange(0, 100, padding=0.01)
        plot.setYRange(0, 100, padding=0.01)
        plot.setTitle(
            ngettext(
                "The top 20 % of customers make {share} of revenue ({count} customer)",
                "The top 20 % of customers make {share} of revenue ({count} customers)",
                len(pareto),
            ).format(share=format_value(at20, "percent", self.lang), count=format_number(len(pareto), 0, self.lang))
        )

    def _fill_cohorts(self, cohorts: pd.DataFrame) -> None:
        table = self.cohort_table
        table.clear()
        months = [c for c in cohorts.columns if c != "customers"]
        table.setRowCount(len(cohorts))
        table.setColumnCount(len(months) + 1)
        table.setHorizontalHeaderLabels([_("Customers")] + [_("M+{n}").format(n=m) for m in months])
        table.setVerticalHeaderLabels([str(i) for i in cohorts.index])
        for r, (_label, row) in enumerate(cohorts.iterrows()):
            size = QTableWidgetItem(format_number(float(row["customers"]), 0, self.lang))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, 0, size)
            for c, month in enumerate(months, start=1):
                value = float(row[month])
                if math.isnan(value):
                    continue
                item = QTableWidgetItem(format_number(value, 0, self.lang))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(heat_colour(value)))
                if value > 55:
                    item.setForeground(QBrush(QColor("white")))
                table.setItem(r, c, item)

    def _draw_mix(self, mix: pd.DataFrame) -> None:
        plot = self.mix_plot
        plot.clear()
        if mix.empty or not mix["revenue"].any():
            return
        xs = np.array([timestamp(d) for d in mix["start"]])
        width = float(np.median(np.diff(xs))) * 0.8 if len(xs) > 1 else 86400 * 25
        new, returning = mix["new"].to_numpy(dtype=float), mix["returning"].to_numpy(dtype=float)
        old = pg.BarGraphItem(x=xs, height=returning, width=width, brush=ACCENT)
        fresh = pg.BarGraphItem(x=xs, y0=returning, height=new, width=width, brush="#f59e0b")
        plot.addItem(old)
        plot.addItem(fresh)
        self.mix_legend.clear()
        self.mix_legend.addItem(old, _("Returning customers"))
        self.mix_legend.addItem(fresh, _("New customers"))
        plot.getAxis("bottom").lang = self.lang
        plot.getAxis("left").tickStrings = lambda values, scale, spacing: [
            format_value(v, "currency", self.lang, self.currency, compact=True) for v in values
        ]
        high = float(np.nanmax(new + returning)) if len(xs) else 0.0
        plot.setYRange(min(0.0, float(np.nanmin(returning))), high * 1.15 if high > 0 else 1.0, padding=0)
        plot.setTitle(_("Revenue from new and returning customers, by month"))
