"""The targets editor: a target per KPI and period, for the company or one member of a dimension."""

from __future__ import annotations

import pandas as pd
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kpidesk.app.company import Company
from kpidesk.core import catalog
from kpidesk.core.engine import Engine
from kpidesk.core.kinds import DIMENSIONS
from kpidesk.core.periods import parse_label
from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.labels import DIMENSION_LABELS
from kpidesk.ui.models import FrameModel


class TargetsDialog(QDialog):
    """Lists the stored targets (entered or imported) and sets or removes one."""

    def __init__(self, company: Company, engine: Engine | None, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("targetsDialog")
        self.setWindowTitle(_("Targets"))
        self.resize(820, 560)
        self.company, self.engine, self.lang = company, engine, lang
        self.changed = False
        layout = QVBoxLayout(self)

        self.model = FrameModel(lang=lang)
        self.view = QTableView()
        self.view.setObjectName("targetsTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.clicked.connect(self._pick)
        layout.addWidget(self.view, 1)

        form = QFormLayout()
        self.kpi = QComboBox()
        self.kpi.setObjectName("targetKpi")
        for k in catalog.CATALOG:
            self.kpi.addItem(k.name(lang), k.id)
        form.addRow(_("KPI:"), self.kpi)
        self.period = QLineEdit()
        self.period.setObjectName("targetPeriod")
        self.period.setPlaceholderText(_("2025, 2025-Q1, 2025-03 or 2025-W05"))
        form.addRow(_("Period:"), self.period)
        self.dimension = QComboBox()
        self.dimension.setObjectName("targetDimension")
        self.dimension.addItem(_("The whole company"), None)
        for d in DIMENSIONS:
            self.dimension.addItem(_(DIMENSION_LABELS[d]), d)
        form.addRow(_("For:"), self.dimension)
        self.member = QComboBox()
        self.member.setObjectName("targetMember")
        self.member.setEditable(True)
        self.member.setEnabled(False)
        form.addRow(_("Member:"), self.member)
        self.value = QDoubleSpinBox()
        self.value.setObjectName("targetValue")
        self.value.setRange(-1e12, 1e12)
        self.value.setDecimals(2)
        self.value.setGroupSeparatorShown(True)
        form.addRow(_("Target:"), self.value)
        layout.addLayout(form)
        self.dimension.currentIndexChanged.connect(self._dimension_changed)

        row = QHBoxLayout()
        self.set_button = QPushButton(_("Set the target"))
        self.set_button.setObjectName("setTarget")
        self.set_button.clicked.connect(self.set_target)
        row.addWidget(self.set_button)
        self.remove_button = QPushButton(_("Remove the target"))
        self.remove_button.setObjectName("removeTarget")
        self.remove_button.clicked.connect(self.remove_target)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.status = QLabel("")
        row.addWidget(self.status)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        frame = self.company.table("targets")
        shown = pd.DataFrame(
            {
                "kpi": [self._kpi_name(str(k)) for k in frame["kpi"]],
                "period": frame["period"].astype(object),
                "dimension": [
                    _(DIMENSION_LABELS[d]) if d in DIMENSION_LABELS else (d or "") for d in frame["dimension"]
                ],
                "member": frame["member"].astype(object),
                "value": frame["value"],
                "source": [
                    _("entered") if pd.isna(b) else str(f)
                    for b, f in zip(frame["batch_id"], frame["file"], strict=True)
                ],
            }
        )
        self._raw = frame
        self.model.set_headers(
            {
                "kpi": _("KPI"),
                "period": _("Period"),
                "dimension": _("For"),
                "member": _("Member"),
                "value": _("Target"),
                "source": _("Source"),
            }
        )
        self.model.set_frame(shown)

    def _kpi_name(self, kpi: str) -> str:
        found = catalog.find(kpi)
        return found.name(self.lang) if found is not None else kpi

    def _dimension_changed(self) -> None:
        dimension = self.dimension.currentData()
        self.member.clear()
        self.member.setEnabled(dimension is not None)
        if dimension is not None and self.engine is not None:
            self.member.addItems(self.engine.members(dimension))

    def _pick(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        raw = self.model.visible_frame().index[rows[0].row()]
        record = self._raw.loc[raw]
        found = catalog.find(str(record["kpi"]))
        if found is not None:
            self.kpi.setCurrentIndex(self.kpi.findData(found.id))
        self.period.setText(str(record["period"]))
        dim = record["dimension"] if isinstance(record["dimension"], str) else None
        self.dimension.setCurrentIndex(max(0, self.dimension.findData(dim)))
        if isinstance(record["member"], str):
            self.member.setCurrentText(record["member"])
        self.value.setValue(float(record["value"]))

    def _key(self) -> tuple[str, str, str | None, str | None] | None:
        label = self.period.text().strip().upper()
        settings = self.company.settings
        try:
            parse_label(label, settings.fiscal_year_start, settings.week_start)
        except ValueError:
            QMessageBox.warning(
                self,
                _("Targets"),
                _("'{period}' is not a period. Write it as 2025, 2025-Q1, 2025-03 or 2025-W05.").format(period=label),
            )
            return None
        dimension = self.dimension.currentData()
        member = self.member.currentText().strip() if dimension is not None else None
        if dimension is not None and not member:
            QMessageBox.warning(self, _("Targets"), _("Choose the member the target is for."))
            return None
        return str(self.kpi.currentData()), label, dimension, member

    def set_target(self) -> None:
        key = self._key()
        if key is None:
            return
        try:
            self.company.set_target(*key[:2], self.value.value(), key[2], key[3])
        except UserError as exc:
            self.status.setText(str(exc))
            return
        self.changed = True
        self.status.setText(_("Target saved."))
        self.refresh()

    def remove_target(self) -> None:
        key = self._key()
        if key is None:
            return
        try:
            self.company.set_target(key[0], key[1], None, key[2], key[3])
        except UserError as exc:
            self.status.setText(str(exc))
            return
        self.changed = True
        self.status.setText(_("Target removed."))
        self.refresh()
