"""The dashboard page: period controls, filters, KPI cards by theme, the trend chart."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kpidesk.core import catalog
from kpidesk.core.catalog import THEME_NAMES, THEMES
from kpidesk.core.dashboard import (
    PRESETS,
    DashboardContext,
    DashboardData,
    preset_range,
)
from kpidesk.core.formatting import format_date
from kpidesk.core.kinds import DIMENSIONS
from kpidesk.core.periods import GRAINS, Comparison, Grain
from kpidesk.core.results import Query
from kpidesk.i18n import _
from kpidesk.labels import COMPARISON_LABELS, DIMENSION_ALL, GRAIN_LABELS
from kpidesk.ui.cards import CARD_STYLE, KpiCard
from kpidesk.ui.sparkline import CHART_MIN_HEIGHT

if TYPE_CHECKING:
    from kpidesk.ui.charts import TrendChart

#: How long the trend chart waits for the dashboard's first paint before it is made anyway (ms).
_CHART_LATEST_MS = 250


class DashboardPage(QWidget):
    """Period controls on top, the cards by theme, the selected KPI's trend below."""

    query_changed = Signal()
    values_shown = Signal()  # the cards show the new values
    trend_shown = Signal()  # the trend chart too
    kpi_selected = Signal(str)
    detail_requested = Signal(str)
    import_requested = Signal(str)

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self.lang = lang
        self.currency = "EUR"
        self.fiscal_start = 1
        self.cards: dict[str, KpiCard] = {}
        self.context: DashboardContext | None = None
        self.selected = "revenue"
        self.data: DashboardData | None = None
        self._anchor = dt.date.today()
        self._data_start = self._anchor
        self._updating = False
        self.setStyleSheet(CARD_STYLE)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._build_controls())
        self.status = QLabel("")
        self.status.setObjectName("dashboardStatus")
        self.status.setStyleSheet("color: #64748b;")
        layout.addWidget(self.status)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.cards_scroll = QScrollArea()
        self.cards_scroll.setWidgetResizable(True)
        self.cards_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_host = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_host)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.cards_scroll.setWidget(self.cards_host)
        splitter.addWidget(self.cards_scroll)
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_bar = QHBoxLayout()
        chart_bar.addStretch(1)
        self.detail_button = QPushButton(_("Details and breakdown…"))
        self.detail_button.setObjectName("detailButton")
        self.detail_button.clicked.connect(lambda: self.detail_requested.emit(self.selected))
        chart_bar.addWidget(self.detail_button)
        chart_layout.addLayout(chart_bar)
        # The chart library loads after the cards first show their values (a faster start).
        self._chart_layout = chart_layout
        self._trend: TrendChart | None = None
        self._painted = False
        # Holds the chart's place until it is made, so that nothing moves when it comes.
        self._chart_place = QWidget()
        self._chart_place.setMinimumHeight(CHART_MIN_HEIGHT)
        self._chart_place.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        chart_layout.addWidget(self._chart_place, 1)
        splitter.addWidget(chart_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 250])
        layout.addWidget(splitter, 1)
        self._grids: list[tuple[QGridLayout, list[KpiCard]]] = []
        self._columns = 0
        self._build_cards()  # shown at once, their values follow

    # -- controls -------------------------------------------------------------------------

    def _build_controls(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("periodBar")
        outer = QVBoxLayout(bar)
        outer.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        outer.addLayout(row)

        self.range_combo = QComboBox()
        self.range_combo.setObjectName("rangeCombo")
        for key, label in PRESETS.items():
            self.range_combo.addItem(_(label), key)
        row.addWidget(QLabel(_("Period:")))
        row.addWidget(self.range_combo)

        self.date_from = QDateEdit()
        self.date_from.setObjectName("dateFrom")
        self.date_to = QDateEdit()
        self.date_to.setObjectName("dateTo")
        date_format = "dd/MM/yyyy" if self.lang == "fr" else "yyyy-MM-dd"
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format)
        row.addWidget(QLabel(_("from")))
        row.addWidget(self.date_from)
        row.addWidget(QLabel(_("to")))
        row.addWidget(self.date_to)

        self.grain_combo = QComboBox()
        self.grain_combo.setObjectName("grainCombo")
        for grain in GRAINS:
            self.grain_combo.addItem(_(GRAIN_LABELS[grain]), grain)
        row.addWidget(QLabel(_("by")))
        row.addWidget(self.grain_combo)

        self.comparison_combo = QComboBox()
        self.comparison_combo.setObjectName("comparisonCombo")
        for key, label in COMPARISON_LABELS.items():
            self.comparison_combo.addItem(_(label), key)
        row.addWidget(QLabel(_("compared with")))
        row.addWidget(self.comparison_combo)
        row.addStretch(1)

        filters = QHBoxLayout()
        outer.addLayout(filters)
        filters.addWidget(QLabel(_("Filters:")))
        self.filter_combos: dict[str, QComboBox] = {}
        for dimension in DIMENSIONS:
            combo = QComboBox()
            combo.setObjectName(f"filter_{dimension}")
            combo.addItem(_(DIMENSION_ALL[dimension]), None)
            combo.setMinimumContentsLength(15)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(self._changed)
            self.filter_combos[dimension] = combo
            filters.addWidget(combo)
        filters.addStretch(1)

        self.range_combo.currentIndexChanged.connect(self._preset_changed)
        self.date_from.dateChanged.connect(self._dates_edited)
        self.date_to.dateChanged.connect(self._dates_edited)
        self.grain_combo.currentIndexChanged.connect(self._changed)
        self.comparison_combo.currentIndexChanged.connect(self._changed)
        return bar

    def set_context(self, context: DashboardContext, preset: str, grain: str, comparison: str) -> None:
        """A (new) database: its data range, members, currency; restores the chosen controls."""
        self._updating = True
        try:
            self.context = context
            self.currency = context.currency
            self.fiscal_start = context.fiscal_start
            today = dt.date.today()
            self._data_start, last = context.span if context.span else (today, today)
            self._anchor = min(today, last)
            for dimension, combo in self.filter_combos.items():
                chosen = combo.currentData()
                combo.blockSignals(True)
                combo.clear()
                combo.addItem(_(DIMENSION_ALL[dimension]), None)
                shown = [(context.label(dimension, m), m) for m in context.members.get(dimension, [])]
                for label, member in sorted(shown, key=lambda pair: pair[0].casefold()):
                    combo.addItem(label, member)
                combo.setEnabled(combo.count() > 1)
                combo.setCurrentIndex(max(0, combo.findData(chosen)))
                combo.blockSignals(False)
            _select(self.grain_combo, grain)
            _select(self.comparison_combo, comparison)
            _select(self.range_combo, preset if preset in PRESETS else "last_12_months")
            self._apply_preset()
            for card in self.cards.values():
                card.currency = context.currency
        finally:
            self._updating = False
        self.query_changed.emit()

    def _preset_changed(self) -> None:
        if self._updating:
            return
        self._updating = True
        try:
            self._apply_preset()
        finally:
            self._updating = False
        self.query_changed.emit()

    def _apply_preset(self) -> None:
        preset = self.range_combo.currentData()
        if preset == "custom":
            return
        start, end = preset_range(preset, self._anchor, self._data_start, self.fiscal_start)
        self.date_from.setDate(QDate(start.year, start.month, start.day))
        self.date_to.setDate(QDate(end.year, end.month, end.day))

    def _dates_edited(self) -> None:
        if self._updating:
            return
        self._updating = True
        _select(self.range_combo, "custom")
        self._updating = False
        self.query_changed.emit()

    def _changed(self) -> None:
        if not self._updating:
            self.query_changed.emit()

    def query(self) -> Query:
        start = self.date_from.date().toPython()
        end = self.date_to.date().toPython()
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        if end < start:
            start, end = end, start
        filters = {
            dimension: frozenset({combo.currentData()})
            for dimension, combo in self.filter_combos.items()
            if combo.currentData() is not None
        }
        grain: Grain = self.grain_combo.currentData()
        compare: Comparison = self.comparison_combo.currentData()
        return Query(start=start, end=end, grain=grain, compare=compare, filters=filters)

    def preset(self) -> str:
        return str(self.range_combo.currentData())

    # -- cards ----------------------------------------------------------------------------

    def _build_cards(self) -> None:
        if self.cards:
            return
        shown = set(catalog.KPI_IDS)
        for theme in THEMES:
            kpis = [k for k in catalog.CATALOG if k.theme == theme and k.id in shown]
            if not kpis:
                continue
            header = QLabel(THEME_NAMES[theme][self.lang])
            header.setObjectName(f"theme_{theme}")
            header.setStyleSheet("font-size: 11pt; font-weight: 600; color: #1e293b; margin-top: 6px;")
            self.cards_layout.addWidget(header)
            grid = QGridLayout()
            grid.setSpacing(8)
            cards = []
            for k in kpis:
                card = KpiCard(k, self.lang, self.currency)
                card.clicked.connect(self.select_kpi)
                card.activated.connect(self.detail_requested)
                card.import_requested.connect(self.import_requested)
                self.cards[k.id] = card
                cards.append(card)
            self._grids.append((grid, cards))
            self.cards_layout.addLayout(grid)
        self.cards_layout.addStretch(1)
        self._relayout(force=True)
        if self.selected in self.cards:
            self.cards[self.selected].set_selected(True)

    def _relayout(self, force: bool = False) -> None:
        # The page's own width: the scroll area's viewport is resized after the page, so it lags.
        width = self.width() - 40
        columns = max(1, min(6, width // 230))
        if columns == self._columns and not force:
            return
        self._columns = columns
        for grid, cards in self._grids:
            for card in cards:
                grid.removeWidget(card)
            for i, card in enumerate(cards):
                grid.addWidget(card, i // columns, i % columns)
            for c in range(6):
                grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def select_kpi(self, kpi_id: str) -> None:
        if kpi_id in self.cards:
            if self.selected in self.cards:
                self.cards[self.selected].set_selected(False)
            self.selected = kpi_id
            self.cards[kpi_id].set_selected(True)
        self._show_trend()
        self.kpi_selected.emit(kpi_id)

    # -- results --------------------------------------------------------------------------

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        trend = data.trend
        for kpi_id, card in self.cards.items():
            try:
                row = data.summary.get(kpi_id)
            except KeyError:
                continue
            series = trend.series(kpi_id)
            card.set_row(
                row,
                [r.value for r in series],
                data.as_of,
                compared=data.query.compare != "none",
                partial_last=bool(series) and series[-1].partial,
            )
        q = data.query
        assert q.start is not None and q.end is not None
        self.status.setText(
            _("{start} to {end} · compared with {comparison}").format(
                start=format_date(q.start, self.lang),
                end=format_date(q.end, self.lang),
                comparison=_(COMPARISON_LABELS[q.compare]).lower(),
            )
        )
        self.values_shown.emit()
        if self._trend is not None:
            self._show_trend()
        elif self._painted:
            QTimer.singleShot(0, self._make_trend)
        else:
            # The chart library takes a fifth of a second to load: the cards paint first, with
            # their values, and the first paint makes the chart (see paintEvent); a page that
            # is not painted yet (hidden) gets it a moment later all the same.
            QTimer.singleShot(_CHART_LATEST_MS, self._make_trend)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            if self.data is not None and self._trend is None:
                QTimer.singleShot(0, self._make_trend)

    def _make_trend(self) -> None:
        """Make the trend chart (showing the selected KPI) unless it is made already."""
        if self._trend is None:
            self.trend  # noqa: B018 (made on first use)

    @property
    def trend(self) -> TrendChart:
        """The trend chart of the selected KPI (made on first use, with the values shown)."""
        if self._trend is None:
            from kpidesk.ui.charts import TrendChart

            self._trend = TrendChart()
            self._chart_layout.replaceWidget(self._chart_place, self._trend)
            self._chart_place.deleteLater()
            self._show_trend()
        return self._trend

    def _show_trend(self) -> None:
        if self.data is None:
            return
        if self._trend is None:
            self._make_trend()  # made, it shows the values (see trend)
            return
        kpi = catalog.get(self.selected)
        rows = self.data.trend.series(self.selected)
        periods = self.data.trend.periods
        if not rows:
            return
        comparison = None
        if self.data.query.compare != "none":
            comparison = [(p.start, r.comparison) for p, r in zip(periods, rows, strict=True)]
        targets = [(p.start, r.target) for p, r in zip(periods, rows, strict=True)]
        self.trend.set_series(
            kpi,
            [p.label for p in periods],
            [(p.start, r.value) for p, r in zip(periods, rows, strict=True)],
            comparison,
            targets if any(t is not None for _, t in targets) else None,
            self.lang,
            self.currency,
            [r.partial for r in rows],
        )
        self.trend_shown.emit()


def _select(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
