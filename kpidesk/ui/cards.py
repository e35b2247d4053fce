"""A KPI card: the value in the user's language, its change, target and sparkline."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kpidesk.core.catalog import ADDITIVE, KpiDef
from kpidesk.core.present import PALETTE, change_tone, present
from kpidesk.core.results import KpiRow
from kpidesk.i18n import _
from kpidesk.labels import KIND_TITLES
from kpidesk.ui.sparkline import Sparkline

GOOD = PALETTE["good"]
BAD = PALETTE["bad"]
NEUTRAL = PALETTE["neutral"]

CARD_STYLE = """
QFrame[kpiCard="true"] { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 8px; }
QFrame[kpiCard="true"]:hover { border-color: #93c5fd; }
QFrame[kpiCard="true"][selected="true"] { border: 2px solid #2563eb; }
QLabel#cardTitle { color: #475569; font-size: 9pt; }
QLabel#cardValue { color: #0f172a; font-size: 17pt; font-weight: 600; }
QLabel#cardNote { color: #64748b; font-size: 8pt; }
"""


def change_colour(kpi: KpiDef, change: float | None) -> str:
    return PALETTE[change_tone(kpi, change)]


class KpiCard(QFrame):
    """One KPI on the dashboard. Clicking it selects it (and, from the detail, opens it)."""

    clicked = Signal(str)
    activated = Signal(str)  # double click: open the detail
    import_requested = Signal(str)

    def __init__(self, kpi: KpiDef, lang: str, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kpi = kpi
        self.lang = lang
        self.currency = currency
        self.setObjectName(f"kpiCard_{kpi.id}")
        self.setProperty("kpiCard", True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # Cards of a row share its height, so a card with a target line does not stand out.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setMinimumWidth(210)
        self.setToolTip(f"<b>{kpi.name(lang)}</b><br>{kpi.formula(lang)}<br><i>{_('Double-click for details')}</i>")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(2)
        self.title = QLabel(kpi.name(lang))
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.value_label = QLabel("…")
        self.value_label.setObjectName("cardValue")
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.value_label)
        self.change_label = QLabel("")
        self.change_label.setObjectName("cardChange")
        layout.addWidget(self.change_label)
        self.target_label = QLabel("")
        self.target_label.setObjectName("cardTarget")
        self.target_label.setWordWrap(True)
        self.target_label.setVisible(False)
        layout.addWidget(self.target_label)
        self.sparkline = Sparkline()
        layout.addWidget(self.sparkline)
        self.note = QLabel("")
        self.note.setObjectName("cardNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.import_button = QPushButton(_("Import…"))
        self.import_button.setObjectName("cardImport")
        self.import_button.setVisible(False)
        self.import_button.clicked.connect(lambda: self.import_requested.emit(kpi.id))
        layout.addWidget(self.import_button)
        layout.addStretch(1)

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)

    def set_row(
        self,
        row: KpiRow,
        trend: list[float | None],
        as_of: dt.date | None = None,
        *,
        compared: bool = True,
        partial_last: bool = False,
    ) -> None:
        """Show ``row`` (the selected range) and the ``trend`` values of its sparkline, as
        :func:`kpidesk.core.present.present` presents it (pacing period by period over the range).

        ``compared``: whether a comparison was asked (else no "no comparable data" note);
        ``partial_last``: the trend's last period is partial (drawn dashed and hollow).
        """
        kpi, lang = self.kpi, self.lang
        if row.unavailable:
            self.value_label.setText(_("Unavailable"))
            self.value_label.setStyleSheet("color: #94a3b8; font-size: 12pt;")
            missing = ", ".join(_(KIND_TITLES[k]).lower() for k in kpi.needs)
            self.change_label.setText("")
            self.target_label.setText("")
            self.target_label.setVisible(False)
            self.note.setText(_("Import {kinds} to see this.").format(kinds=missing))
            self.import_button.setVisible(True)
            self.sparkline.set_values([])
            return
        self.value_label.setStyleSheet("")
        self.import_button.setVisible(False)
        shown = present(row, compared=compared)
        self.value_label.setText(shown.value_text(lang, self.currency, compact=True))
        self.value_label.setToolTip(shown.value_text(lang, self.currency))
        if row.comparison is not None or row.value is not None:
            change = shown.change
            arrow = "" if change is None or change == 0 else ("▲ " if change > 0 else "▼ ")
            self.change_label.setText(arrow + shown.change_text(lang))
            self.change_label.setStyleSheet(f"color: {PALETTE[shown.change_tone]}; font-weight: 600;")
            self.change_label.setToolTip(
                _("Comparison: {value}").format(value=shown.comparison_text(lang, self.currency))
            )
        if row.target is not None:
            text = _("Target {value}").format(value=shown.target_text(lang, self.currency, compact=True))
            if shown.pacing is not None and shown.pacing != shown.target and kpi.id in ADDITIVE:
                # A range that does not hold its periods whole is judged against the targets pro rata.
                text += " · " + _("expected to date {value}").format(
                    value=shown.pacing_text(lang, self.currency, compact=True)
                )
            if shown.attainment is not None:
                text += f" · {shown.attainment_text(lang)}"
            self.target_label.setText(text)
            self.target_label.setVisible(True)
            self.target_label.setStyleSheet(f"color: {PALETTE[shown.attainment_tone]}; font-size: 9pt;")
        else:
            self.target_label.setText("")
            self.target_label.setVisible(False)
        self.note.setText(shown.notes_text(lang))
        self.sparkline.set_values(trend, partial_last)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.kpi.id)
        super().mousePressEvent(event)
