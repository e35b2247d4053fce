"""A partial last period is drawn distinctly in the window's charts (SPEC §3.1): the segment to
it dashed and its point hollow, in the trend chart and the cards' sparklines."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from kpidesk.core import catalog
from kpidesk.ui.charts import TrendChart
from kpidesk.ui.sparkline import Sparkline

D = dt.date


def test_the_trend_chart_dashes_the_segment_to_a_partial_period(qtbot: QtBot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    points = [(D(2024, 1, 1), 100.0), (D(2024, 2, 1), 120.0), (D(2024, 3, 1), 40.0)]
    labels = ["2024-01", "2024-02", "2024-03"]
    chart.set_series(catalog.get("revenue"), labels, points, None, None, "en", "EUR", [False, False, True])
    xs, ys = chart.partial_curve.getData()
    assert list(ys) == [120.0, 40.0]  # only the last segment, dashed
    chart.set_series(catalog.get("revenue"), labels, points, None, None, "en", "EUR", [False, False, False])
    xs, _ys = chart.partial_curve.getData()
    assert xs is None or len(xs) == 0


def test_the_sparkline_draws_a_partial_last_point_hollow(qtbot: QtBot) -> None:
    def centre_pixel(partial: bool) -> int:
        line = Sparkline()
        qtbot.addWidget(line)
        line.resize(100, 30)
        line.set_values([1.0, 2.0, 3.0], partial_last=partial)
        image = line.grab().toImage()
        # The last point sits at the right edge, at the top (the highest value).
        return image.pixelColor(98, 3).rgb()

    filled, hollow = centre_pixel(partial=False), centre_pixel(partial=True)
    assert hollow == 0xFFFFFFFF and filled != hollow
