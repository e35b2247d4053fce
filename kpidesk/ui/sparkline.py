"""The cards' sparklines, drawn with QPainter: cheap for many cards, and no chart library at start-up."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

#: The trend chart's least height (the dashboard keeps it free until the chart is made).
CHART_MIN_HEIGHT = 180
ACCENT = QColor("#2563eb")
COMPARISON = QColor("#94a3b8")
TARGET = QColor("#f59e0b")


class Sparkline(QWidget):
    """A small line of the recent values, drawn with QPainter (cheap for many cards)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[float | None] = []
        self._partial_last = False
        self.setMinimumHeight(28)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(30)

    def set_values(self, values: Sequence[float | None], partial_last: bool = False) -> None:
        """Show ``values``; ``partial_last``: the last period is partial, its segment dashed and
        its point hollow (a running month is not a collapse)."""
        self._values = list(values)
        self._partial_last = partial_last
        self.update()

    def values(self) -> list[float | None]:
        return list(self._values)

    def paintEvent(self, event: object) -> None:
        finite = [v for v in self._values if v is not None and math.isfinite(v)]
        if len(finite) < 2:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 3, -2, -3)
        low, high = min(finite), max(finite)
        span = (high - low) or 1.0
        step = rect.width() / max(len(self._values) - 1, 1)
        path = QPainterPath()
        started = False
        last = previous = QPointF()
        last_index = -1
        for i, v in enumerate(self._values):
            if v is None or not math.isfinite(v):
                started = False
                continue
            point = QPointF(rect.left() + i * step, rect.bottom() - (v - low) / span * rect.height())
            partial = self._partial_last and i == len(self._values) - 1 and started
            if started and not partial:
                path.lineTo(point)
            elif not started:
                path.moveTo(point)
                started = True
            previous, last, last_index = last, point, i
        painter.setPen(QPen(ACCENT, 1.6))
        painter.drawPath(path)
        hollow = self._partial_last and last_index == len(self._values) - 1
        if hollow and previous != last and self._values[last_index - 1] is not None:
            dashed = QPen(ACCENT, 1.6)
            dashed.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(dashed)
            painter.drawLine(previous, last)
            painter.setPen(QPen(ACCENT, 1.4))
        painter.setBrush(QColor("white") if hollow else ACCENT)
        painter.drawEllipse(last, 2.5, 2.5)
        painter.end()
