"""The imports page: every import batch, its report of rejected rows, and undo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.core.formatting import format_number
from kpidesk.errors import UserError
from kpidesk.i18n import _, ngettext
from kpidesk.labels import KIND_TITLES
from kpidesk.ui import tasks
from kpidesk.ui.errors import show_error
from kpidesk.ui.export_dialog import ask_save_path

if TYPE_CHECKING:
    from kpidesk.app.company import Batch, Company


class ImportsPage(QWidget):
    """The batches, newest first; the selected one's rejected rows below."""

    data_changed = Signal()
    import_requested = Signal()

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importsPage")
        self.lang = lang
        self.path: Path | None = None
        self.company: Company | None = None
        self.batches: list[Batch] = []
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.import_button = QPushButton(_("Import a file…"))
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.import_requested)
        buttons.addWidget(self.import_button)
        self.undo_button = QPushButton(_("Undo this import"))
        self.undo_button.setObjectName("undoImportButton")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_selected)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = QTableWidget(0, 8)
        self.table.setObjectName("batchesTable")
        self.table.setHorizontalHeaderLabels(
            [
                _("#"),
                _("Imported at"),
                _("File"),
                _("Sheet"),
                _("Kind"),
                _("Imported"),
                _("Duplicates skipped"),
                _("Rejected"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 3)
        self.report_title = QLabel(_("Select an import to see its rejected rows."))
        report_row = QHBoxLayout()
        report_row.addWidget(self.report_title, 1)
        self.save_report_button = QPushButton(_("Save the report…"))
        self.save_report_button.setObjectName("saveBatchReport")
        self.save_report_button.setEnabled(False)
        self.save_report_button.clicked.connect(lambda: self.save_report())
        report_row.addWidget(self.save_report_button)
        layout.addLayout(report_row)
        self.report = QTableWidget(0, 4)
        self.report.setObjectName("batchReport")
        self.report.setHorizontalHeaderLabels([_("Row"), _("Column"), _("Value"), _("Reason")])
        self.report.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.report.verticalHeader().setVisible(False)
        self.report.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.report, 2)

    def set_company(self, company: Company) -> None:
        self.company = company
        self.path = company.path
        self.refresh()

    def refresh(self) -> None:
        if self.company is None:
            return
        self.batches = list(reversed(self.company.batches()))  # a few rows: quick enough here
        self.table.setRowCount(len(self.batches))
        for r, b in enumerate(self.batches):
            cells = [
                str(b.batch_id),
                b.imported_at.replace("T", " "),
                b.file,
                b.sheet or "",
                _(KIND_TITLES.get(b.kind, b.kind)),
                str(b.imported),
                str(b.skipped_duplicates),
                str(b.rejected),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (0, 5, 6, 7):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self._selection_changed()

    def selected(self) -> Batch | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.batches[rows[0].row()]

    def _selection_changed(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(batch is not None)
        self.save_report_button.setEnabled(batch is not None and bool(batch.errors))
        self.report.setRowCount(0)
        if batch is None:
            self.report_title.setText(_("Select an import to see its rejected rows."))
            return
        if not batch.errors:
            self.report_title.setText(_("No row of this import was rejected."))
            return
        self.report_title.setText(
            ngettext("{count} rejected row:", "{count} rejected rows:", batch.rejected).format(
                count=format_number(batch.rejected, 0, self.lang)
            )
        )
        self.report.setRowCount(len(batch.errors))
        for r, e in enumerate(batch.errors):
            for c, key in enumerate(("row", "column", "value", "message")):
                self.report.setItem(r, c, QTableWidgetItem(str(e.get(key, ""))))

    def save_report(self, target: Path | None = None) -> Path | None:
        """The selected import's rejected rows as a workbook."""
        batch = self.selected()
        if batch is None or not batch.errors:
            return None
        if target is None:
            target = ask_save_path(self, _("Save the report"), f"{Path(batch.file).stem}-rejected.xlsx")
            if target is None:
                return None
        from kpidesk.app.imports import write_report

        try:
            return write_report(batch.errors, target)
        except UserError as exc:
            show_error(str(exc), "", self)
            return None

    def _undone(self) -> None:
        self.refresh()
        self.data_changed.emit()

    def undo_selected(self) -> None:
        batch = self.selected()
        company = self.company
        if batch is None or company is None:
            return
        answer = QMessageBox.question(
            self,
            _("Undo import"),
            ngettext(
                "Remove the {count} row imported from {file}?",
                "Remove the {count} rows imported from {file}?",
                batch.imported,
            ).format(count=format_number(batch.imported, 0, self.lang), file=batch.file),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        batch_id = batch.batch_id

        def work(state: tasks.TaskState) -> int:
            from kpidesk.app.imports import undo_import

            return undo_import(company, batch_id).imported

        tasks.start(
            work,
            finished=lambda _n: self._undone(),
            failed=lambda message, details: show_error(message, details, self),
        )
