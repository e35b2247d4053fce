"""The cards' sparklines, drawn with QPainter: cheap for many cards, and no chart library at start-up."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF
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
        self.setMinimumHeight(28)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(30)

    def set_values(self, values: Sequence[float | None]) -> None:
        self._values = list(values)
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
        last = QPointF()
        for i, v in enumerate(self._values):
            if v is None or not math.isfinite(v):
                started = False
                continue
            point = QPointF(rect.left() + i * step, rect.bottom() - (v - low) / span * rect.height())
            if started:
                path.lineTo(point)
            else:
                path.moveTo(point)
                started = True
            last = point
        painter.setPen(QPen(ACCENT, 1.6))
        painter.drawPath(path)
        painter.setBrush(ACCENT)
        painter.drawEllipse(last, 2.5, 2.5)
        painter.end()
