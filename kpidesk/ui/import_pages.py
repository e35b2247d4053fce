"""The pages of the import wizard: file, sheet and header, kind and mapping, validation, import.

Each page shows one step of the wizard's :class:`~kpidesk.app.imports.ImportSession` and
asks the wizard (:class:`kpidesk.ui.import_wizard.ImportWizard`) to run the work off the
GUI thread.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from kpidesk.app.imports import ImportOutcome, ImportSession, Validation, write_report
from kpidesk.core.formatting import format_date, format_number
from kpidesk.core.kinds import KINDS, missing_required
from kpidesk.errors import UserError
from kpidesk.i18n import _, language, ngettext
from kpidesk.labels import FIELD_TITLES, KIND_TITLES

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard import ImportWizard

SPREADSHEETS = "*.xlsx *.xlsm *.xls *.ods *.csv"
PREVIEW_ROWS = 200
SHOWN_ERRORS = 500


def _n(count: int) -> str:
    """A count with the language's thousands separator."""
    return format_number(count, 0, language())


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return format_date(value, language())
    return str(value)


def _fill_table(table: QTableWidget, headers: list[str], rows: list[list[Any]]) -> None:
    table.clear()
    table.setColumnCount(len(headers))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(headers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row[: len(headers)]):
            table.setItem(r, c, QTableWidgetItem(_cell_text(value)))
    table.resizeColumnsToContents()
    for c in range(table.columnCount()):
        table.setColumnWidth(c, min(table.columnWidth(c), 220))


def _table() -> QTableWidget:
    table = QTableWidget()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setDefaultSectionSize(20)
    return table


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(_("Choose a file"))
        self.setSubTitle(_("An Excel workbook (.xlsx, .xlsm, .xls), a LibreOffice sheet (.ods) or a CSV file."))
        outer = QVBoxLayout(self)
        layout = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("importPath")
        self.path.setPlaceholderText(_("Path of the file to import"))
        self.path.textChanged.connect(self.completeChanged)
        layout.addWidget(self.path, 1)
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self.browse)
        layout.addWidget(browse)
        outer.addLayout(layout)
        self.progress = QProgressBar()
        self.progress.setObjectName("readProgress")
        self.progress.setVisible(False)
        outer.addWidget(self.progress)
        self.message = QLabel("")
        self.message.setObjectName("readMessage")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        outer.addStretch(1)
        self._read: Path | None = None  # the file the session holds

    def browse(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Import a spreadsheet"), "", _("Spreadsheets") + f" ({SPREADSHEETS})"
        )
        if name:
            self.path.setText(name)

    def isComplete(self) -> bool:
        return bool(self.path.text().strip()) and self.w._task is None

    def validatePage(self) -> bool:
        """Read the file on a worker the first time; the wizard goes on when it is read."""
        path = Path(self.path.text().strip())
        if self._read == path and self.w.session is not None:
            return True
        if not path.is_file():
            self.message.setText(_("{path}: no such file.").format(path=path))
            return False
        self.message.setText(_("Reading {file}…").format(file=path.name))
        self.progress.setValue(0)
        self.progress.setVisible(True)

        def read(session: ImportSession | None) -> None:
            self.progress.setVisible(False)
            self.completeChanged.emit()
            if session is None:
                return
            self._read = path
            self.message.setText("")
            self.w.next()

        def failed(message: str) -> None:
            self.message.setText(message)

        try:
            self.w.open_file(path, self.progress.setValue, read, failed)
        except UserError as exc:  # the company is open in another KPI Desk
            self.progress.setVisible(False)
            self.message.setText(str(exc))
            return False
        self.completeChanged.emit()
        return False


class SheetPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(_("Sheet and header"))
        self.setSubTitle(
            _("Check that the column titles are the header row; change it if titles or blank rows come first.")
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.sheet = QComboBox()
        self.sheet.setObjectName("importSheet")
        form.addRow(_("Sheet:"), self.sheet)
        self.header_row = QSpinBox()
        self.header_row.setObjectName("importHeaderRow")
        self.header_row.setRange(1, 1000)
        form.addRow(_("Header row:"), self.header_row)
        layout.addLayout(form)
        self.message = QLabel("")
        self.message.setObjectName("sheetMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b91c1c;")
        layout.addWidget(self.message)
        self.table = _table()
        self.table.setObjectName("importPreview")
        layout.addWidget(self.table, 1)
        self.sheet.currentIndexChanged.connect(self._sheet_changed)
        self.header_row.valueChanged.connect(self._header_changed)
        self._loading = False

    def initializePage(self) -> None:
        self._loading = True
        self.sheet.clear()
        for name in self.w.sheets:
            self.sheet.addItem(name, name)
        self.sheet.setEnabled(bool(self.w.sheets))
        if self.w.sheet_name is not None:
            self.sheet.setCurrentIndex(max(0, self.sheet.findData(self.w.sheet_name)))
        self._loading = False
        self._show()

    def _sheet_changed(self) -> None:
        if self._loading:
            return
        self.w.sheet_name = self.sheet.currentData()
        self.w.header_row = None
        self.w.reslice(self._show, self._failed)

    def _header_changed(self, value: int) -> None:
        if self._loading:
            return
        self.w.header_row = value - 1
        self.w.reslice(self._show, self._failed)

    def _failed(self, message: str) -> None:
        self.table.clear()
        self.table.setRowCount(0)
        self.message.setText(message)
        self.completeChanged.emit()

    def _show(self) -> None:
        preview = self.w.preview
        self.completeChanged.emit()
        if preview is None:
            return
        self.message.setText("")
        self._loading = True
        self.header_row.setValue(preview.header_row + 1)
        self._loading = False
        _fill_table(self.table, preview.headers, preview.preview(PREVIEW_ROWS))

    def isComplete(self) -> bool:
        return self.w.preview is not None and self.w._task is None


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(_("Kind of data and columns"))
        self.setSubTitle(_("Which column holds each field. Fields marked * are required."))
        layout = QVBoxLayout(self)
        self.question = QLabel("")
        self.question.setObjectName("importKindQuestion")
        self.question.setWordWrap(True)
        self.question.setStyleSheet("color: #b45309; font-weight: bold;")
        self.question.setVisible(False)
        layout.addWidget(self.question)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("importKind")
        form.addRow(_("This file holds:"), self.kind)
        layout.addLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.fields_host = QWidget()
        self.fields_form = QFormLayout(self.fields_host)
        scroll.setWidget(self.fields_host)
        layout.addWidget(scroll, 1)
        self.combos: dict[str, QComboBox] = {}
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._loading = False

    def initializePage(self) -> None:
        """The kinds the columns may hold come first; when that is not clear, the user is asked."""
        session = self.w.session
        assert session is not None
        candidates = list(session.candidates)
        self._loading = True
        self.kind.clear()
        for kind in [*candidates, *(k for k in KINDS if k not in candidates)]:
            self.kind.addItem(_(KIND_TITLES[kind]), kind)
        ask = session.ambiguous and self.w.kind not in self.w.confirmed
        if ask:
            names = ", ".join(_(KIND_TITLES[k]).lower() for k in candidates)
            self.question.setText(
                _("The columns could hold several kinds of data: {kinds}. Which one is it?").format(kinds=names)
                if candidates
                else _("The kind of data cannot be told from the columns. Which one is it?")
            )
            self.kind.setCurrentIndex(-1)
            self.w.kind = None
        else:
            self.kind.setCurrentIndex(self.kind.findData(self.w.kind))
        self.question.setVisible(ask)
        self._loading = False
        self._build()

    def _kind_changed(self) -> None:
        if self._loading:
            return
        self.w.kind = self.kind.currentData()
        if self.w.kind is not None:
            self.w.confirmed.add(self.w.kind)
        self._build()

    def _build(self) -> None:
        preview = self.w.preview
        assert preview is not None
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        self.combos.clear()
        if self.w.kind is None:
            self.completeChanged.emit()
            return
        proposed = self.w.propose_mapping()
        spec = KINDS[self.w.kind]
        for name in spec.field_names:
            combo = QComboBox()
            combo.setObjectName(f"map_{name}")
            combo.addItem(_("(not in this file)"), None)
            for header in preview.headers:
                combo.addItem(header, header)
            chosen = proposed.get(name)
            combo.setCurrentIndex(combo.findData(chosen) if chosen else 0)
            combo.currentIndexChanged.connect(self.completeChanged)
            label = _(FIELD_TITLES.get(name, name)) + (" *" if name in spec.required else "")
            self.fields_form.addRow(label, combo)
            self.combos[name] = combo
        self.completeChanged.emit()

    def mapping(self) -> dict[str, str]:
        return {name: combo.currentData() for name, combo in self.combos.items() if combo.currentData()}

    def isComplete(self) -> bool:
        if self.w.kind is None:
            return False
        return not missing_required(self.w.kind, self.mapping())

    def validatePage(self) -> bool:
        self.w.mapping = self.mapping()
        return True


class ValidationPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(_("Check the rows"))
        self.setSubTitle(_("Rows with a value that cannot be read are rejected; the others will be imported."))
        layout = QVBoxLayout(self)
        self.progress = QProgressBar()
        self.progress.setObjectName("validationProgress")
        layout.addWidget(self.progress)
        self.summary = QLabel("")
        self.summary.setObjectName("validationSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.errors = _table()
        self.errors.setObjectName("validationErrors")
        layout.addWidget(self.errors, 1)
        row = QHBoxLayout()
        self.strict = QCheckBox(_("Import nothing if any row is rejected"))
        self.strict.setObjectName("importStrict")
        row.addWidget(self.strict)
        row.addStretch(1)
        self.save = QPushButton(_("Save the report…"))
        self.save.setObjectName("saveReport")
        self.save.clicked.connect(self.save_report)
        row.addWidget(self.save)
        layout.addLayout(row)
        self._done = False

    def initializePage(self) -> None:
        self._done = False
        self.summary.setText(_("Reading and checking every row…"))
        self.errors.setRowCount(0)
        self.save.setEnabled(False)
        self.progress.setValue(0)
        self.completeChanged.emit()
        self.w.run_validation(self.progress.setValue, self._validated)

    def _validated(self, validation: Validation | None) -> None:
        if validation is None:
            self.summary.setText(_("The file could not be checked."))
            return
        frame, _rows, errors = validation
        self._done = True
        self.summary.setText(
            ngettext("{count} row is ready to import;", "{count} rows are ready to import;", len(frame)).format(
                count=_n(len(frame))
            )
            + " "
            + ngettext("{count} row is rejected.", "{count} rows are rejected.", validation.rejected).format(
                count=_n(validation.rejected)
            )
        )
        headers = [_("Row"), _("Column"), _("Value"), _("Reason")]
        _fill_table(
            self.errors, headers, [[e["row"], e["column"], e["value"], e["message"]] for e in errors[:SHOWN_ERRORS]]
        )
        self.errors.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.save.setEnabled(bool(errors))
        self.completeChanged.emit()

    def save_report(self) -> None:
        if self.w.validation is None:
            return
        name, _filter = QFileDialog.getSaveFileName(self, _("Save the report"), "rejected-rows.xlsx", "Excel (*.xlsx)")
        if name:
            try:
                write_report(self.w.validation.errors, name)
            except UserError as exc:
                QMessageBox.warning(self, _("Import"), str(exc))

    def isComplete(self) -> bool:
        return self._done

    def validatePage(self) -> bool:
        self.w.strict = self.strict.isChecked()
        return True


class ImportPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(_("Import"))
        layout = QVBoxLayout(self)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        layout.addWidget(self.progress)
        self.report = QLabel("")
        self.report.setObjectName("importReport")
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.report)
        layout.addStretch(1)
        self._done = False

    def initializePage(self) -> None:
        self._done = False
        self.progress.setValue(0)
        self.report.setText(_("Importing… (Cancel before the end leaves the database as it was)"))
        self.completeChanged.emit()
        self.w.run_import(self.progress.setValue, self._finished)

    def _finished(self, outcome: ImportOutcome | None, message: str) -> None:
        self._done = True
        if outcome is None:
            self.report.setText(message)
        elif outcome.batch_id is None:
            self.report.setText(
                ngettext(
                    "Nothing was imported: {rejected} row is rejected and you asked to import nothing then.",
                    "Nothing was imported: {rejected} rows are rejected and you asked to import nothing then.",
                    outcome.rejected,
                ).format(rejected=_n(outcome.rejected))
            )
        else:
            self.progress.setValue(100)
            self.report.setText(
                _(
                    "{imported} rows imported into {kind}, {skipped} already there and skipped, {rejected} rejected."
                ).format(
                    imported=_n(outcome.imported),
                    kind=_(KIND_TITLES[outcome.kind]).lower(),
                    skipped=_n(outcome.skipped_duplicates),
                    rejected=_n(outcome.rejected),
                )
            )
        self.completeChanged.emit()
        self.w.button(QWizard.WizardButton.CancelButton).setEnabled(False)

    def isComplete(self) -> bool:
        return self._done
