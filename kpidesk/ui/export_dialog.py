"""File ▸ Export summary: where to write the workbook and which breakdowns it holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.core.kinds import DIMENSIONS
from kpidesk.i18n import _
from kpidesk.labels import DIMENSION_LABELS

if TYPE_CHECKING:
    from kpidesk.core.engine import Engine

#: Breakdowns ticked by default, when the data has them.
DEFAULT_BREAKDOWNS = ("salesperson", "channel", "region")


def ask_save_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """A save dialog for an ``.xlsx`` file; the suffix is added when left out."""
    name, _filter = QFileDialog.getSaveFileName(parent, title, suggested, "Excel (*.xlsx)")
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


class ExportDialog(QDialog):
    """The summary workbook's file and breakdown sheets."""

    def __init__(self, engine: Engine, folder: Path, company: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(_("Export the summary workbook"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                _(
                    "The workbook holds the KPIs of the period, comparison and filters of the "
                    "dashboard, their trends, their definitions and one sheet per breakdown."
                )
            )
        )
        row = QHBoxLayout()
        stem = (company or "kpidesk").replace(" ", "-")
        self.path = QLineEdit(str(folder / f"{stem}-{dt.date.today().isoformat()}.xlsx"))
        self.path.setObjectName("exportPath")
        row.addWidget(self.path, 1)
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        layout.addLayout(row)
        box = QGroupBox(_("Breakdown sheets"))
        box_layout = QVBoxLayout(box)
        self.checks: dict[str, QCheckBox] = {}
        for dimension in DIMENSIONS:
            members = engine.members(dimension)
            check = QCheckBox(_(DIMENSION_LABELS[dimension]) + f" ({len(members)})")
            check.setObjectName(f"exportBy_{dimension}")
            check.setEnabled(bool(members))
            check.setChecked(bool(members) and dimension in DEFAULT_BREAKDOWNS)
            box_layout.addWidget(check)
            self.checks[dimension] = check
        layout.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Export"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path = ask_save_path(self, _("Export the summary workbook"), self.path.text())
        if path is not None:
            self.path.setText(str(path))

    def target(self) -> Path:
        path = Path(self.path.text().strip())
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def breakdowns(self) -> list[str]:
        return [d for d, check in self.checks.items() if check.isChecked()]
