"""Charts: the KPI trend (pyqtgraph) and the cards' sparklines.

Charts receive series already computed by the engine; the plot is built once
and its curves updated with ``setData`` (pyqtgraph examples).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QToolTip, QWidget

from kpidesk.core.catalog import KpiDef
from kpidesk.core.formatting import format_value, month_name
from kpidesk.i18n import _

pg.setConfigOptions(antialias=True, background="w", foreground="#444")

from kpidesk.ui.sparkline import ACCENT, CHART_MIN_HEIGHT, COMPARISON, TARGET  # noqa: E402

Point = tuple[dt.date, float | None]


def timestamp(d: dt.date) -> float:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp()


class ValueAxis(pg.AxisItem):  # type: ignore[misc]
    """A left axis that writes values in the KPI's unit and the user's language."""

    def __init__(self) -> None:
        super().__init__("left")
        self.kpi: KpiDef | None = None
        self.lang = "en"
        self.currency = "EUR"

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        if self.kpi is None:
            return [f"{v:g}" for v in values]
        return [format_value(v, self.kpi.unit, self.lang, self.currency, compact=True) for v in values]


MONTHS: dict[str, tuple[str, ...]] = {
    lang: tuple(month_name(m, lang, abbreviated=True) for m in range(1, 13)) for lang in ("fr", "en")
}


class LocalDateAxis(pg.DateAxisItem):  # type: ignore[misc]
    """A date axis whose month names follow the app's language, not the C locale."""

    lang = "en"

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        months = MONTHS.get(self.lang, MONTHS["en"])
        out = []
        for v in values:
            try:
                d = dt.datetime.fromtimestamp(v, tz=dt.UTC)
            except (OverflowError, OSError, ValueError):
                out.append("")
                continue
            if spacing >= 300 * 86400:
                out.append(str(d.year))
            elif spacing >= 27 * 86400:
                out.append(str(d.year) if d.month == 1 else months[d.month - 1])
            elif spacing >= 86400:
                out.append(f"{d.day} {months[d.month - 1]}" if self.lang == "fr" else f"{months[d.month - 1]} {d.day}")
            else:
                out.append(d.strftime("%H:%M"))
        return out


class TrendChart(pg.PlotWidget):  # type: ignore[misc]
    """A KPI over periods, with the comparison series dashed and the target line.

    Hovering shows a crosshair and a tooltip with the exact value and period.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        self.value_axis = ValueAxis()
        self.date_axis = LocalDateAxis(utcOffset=0)
        super().__init__(parent, axisItems={"bottom": self.date_axis, "left": self.value_axis})
        self.setObjectName("trendPlot")
        self.setMinimumHeight(CHART_MIN_HEIGHT)
        self.showGrid(x=False, y=True, alpha=0.15)
        self.setMenuEnabled(False)
        self.legend = self.addLegend(offset=(-10, 2), colCount=3)
        self.legend.setLabelTextColor("#333")
        self.curve = self.plot(
            [],
            [],
            pen=pg.mkPen(ACCENT, width=2.5),
            symbol="o",
            symbolSize=6,
            symbolBrush=ACCENT,
            symbolPen=None,
            name=_("Actual"),
        )
        # The segment to a partial last period, dashed: a running month is not a collapse.
        self.partial_curve = self.plot([], [], pen=pg.mkPen(ACCENT, width=2.5, style=Qt.PenStyle.DashLine))
        self.comparison_curve = self.plot(
            [], [], pen=pg.mkPen(COMPARISON, width=1.5, style=Qt.PenStyle.DashLine), name=_("Comparison")
        )
        self.target_curve = self.plot(
            [], [], pen=pg.mkPen(TARGET, width=1.5, style=Qt.PenStyle.DotLine), stepMode=None, name=_("Target")
        )
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#999", width=1))
        self.vline.setVisible(False)
        self.addItem(self.vline, ignoreBounds=True)
        self._labels: list[str] = []
        self._points: list[Point] = []
        self._comparison: list[Point] = []
        self._targets: list[Point] = []
        self._partial: list[bool] = []
        self.kpi: KpiDef | None = None
        self.scene().sigMouseMoved.connect(self._hover)

    def set_series(
        self,
        kpi: KpiDef,
        labels: list[str],
        points: list[Point],
        comparison: list[Point] | None,
        targets: list[Point] | None,
        lang: str,
        currency: str,
        partial: list[bool] | None = None,
    ) -> None:
        self.kpi = kpi
        self.value_axis.kpi, self.value_axis.lang, self.value_axis.currency = kpi, lang, currency
        self.date_axis.lang = lang
        self._labels, self._points = labels, points
        self._comparison, self._targets = comparison or [], targets or []
        self.setTitle(kpi.name(lang), color="#222", size="11pt")
        xs, ys = _xy(points)
        # A period still running (partial) is drawn hollow: its value is not final.
        self._partial = list(partial or [False] * len(points))
        brushes = [pg.mkBrush("w") if p else pg.mkBrush(ACCENT) for p in self._partial][: len(xs)]
        if len(xs) >= 2 and self._partial[len(xs) - 1]:
            connect = np.ones(len(xs), dtype=bool)
            connect[-2:] = False  # the last segment is drawn dashed, by partial_curve
            self.curve.setData(xs, ys, connect=connect, symbolBrush=brushes, symbolPen=pg.mkPen(ACCENT, width=1.5))
            self.partial_curve.setData(xs[-2:], ys[-2:])
        else:
            self.curve.setData(xs, ys, connect="all", symbolBrush=brushes, symbolPen=pg.mkPen(ACCENT, width=1.5))
            self.partial_curve.setData([], [])
        self.comparison_curve.setData(*_xy([(p[0], c[1]) for p, c in zip(points, self._comparison, strict=False)]))
        self.target_curve.setData(*_xy(self._targets))
        # The legend names only the lines drawn (no "Target" without a target).
        self.legend.clear()
        for curve in (self.curve, self.comparison_curve, self.target_curve):
            xs, _ys = curve.getData()
            if xs is not None and len(xs):
                self.legend.addItem(curve, curve.name())
        self.value_axis.picture = None
        self.enableAutoRange()

    def legend_names(self) -> list[str]:
        """The names the legend shows, in order."""
        return [label.text for _sample, label in self.legend.items]

    def series(self) -> dict[str, list[float | None]]:
        """The plotted values (actual, comparison, target), for tests and exports."""
        return {
            "actual": [v for _, v in self._points],
            "comparison": [v for _, v in self._comparison],
            "target": [v for _, v in self._targets],
        }

    def _hover(self, pos: QPointF) -> None:
        if not self._points or self.kpi is None or not self.sceneBoundingRect().contains(pos):
            self.vline.setVisible(False)
            return
        x = self.getPlotItem().vb.mapSceneToView(pos).x()
        xs = [timestamp(d) for d, _ in self._points]
        i = min(range(len(xs)), key=lambda k: abs(xs[k] - x))
        self.vline.setPos(xs[i])
        self.vline.setVisible(True)
        unit, lang, cur = self.kpi.unit, self.value_axis.lang, self.value_axis.currency
        lines = [f"<b>{self._labels[i]}</b>", f"{_('Actual')}: {format_value(self._points[i][1], unit, lang, cur)}"]
        if i < len(self._comparison):
            lines.append(f"{_('Comparison')}: {format_value(self._comparison[i][1], unit, lang, cur)}")
        if i < len(self._targets) and self._targets[i][1] is not None:
            lines.append(f"{_('Target')}: {format_value(self._targets[i][1], unit, lang, cur)}")
        if i < len(self._partial) and self._partial[i]:
            lines.append(f"<i>{_('Partial period.')}</i>")
        view_pos = self.mapFromScene(pos)
        QToolTip.showText(self.mapToGlobal(view_pos), "<br>".join(lines), self)


def _xy(points: Sequence[Point]) -> tuple[list[float], list[float]]:
    """x (timestamps) and y (NaN for a missing value); nothing when no value is known."""
    xs: list[float] = []
    ys: list[float] = []
    if all(v is None for _, v in points):
        return xs, ys
    for d, v in points:
        xs.append(timestamp(d))
        ys.append(float("nan") if v is None else float(v))
    return xs, ys
