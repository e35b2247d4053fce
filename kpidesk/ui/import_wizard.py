"""The import wizard: file → sheet and header → kind and mapping → validation → import → report.

Each step calls the same functions as ``kpidesk import`` (:mod:`kpidesk.io.importer`);
reading a whole sheet, validating and storing run off the GUI thread with a
progress bar, and the import can be cancelled (the database is then untouched).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
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

from kpidesk.core.formatting import format_date, format_number
from kpidesk.core.kinds import KINDS
from kpidesk.errors import UserError
from kpidesk.i18n import _, language
from kpidesk.io import importer
from kpidesk.io.importer import ImportOutcome, PreparedSheet, Validation
from kpidesk.labels import FIELD_TITLES, KIND_TITLES
from kpidesk.store.database import Store
from kpidesk.ui import tasks
from kpidesk.ui.errors import show_error

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
        layout = QHBoxLayout(self)
        self.path = QLineEdit()
        self.path.setObjectName("importPath")
        self.path.setPlaceholderText(_("Path of the file to import"))
        self.path.textChanged.connect(self.completeChanged)
        layout.addWidget(self.path, 1)
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self.browse)
        layout.addWidget(browse)

    def browse(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Import a spreadsheet"), "", _("Spreadsheets") + f" ({SPREADSHEETS})"
        )
        if name:
            self.path.setText(name)

    def isComplete(self) -> bool:
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:
        path = Path(self.path.text().strip())
        try:
            if not path.is_file():
                raise UserError(_("{path}: no such file.").format(path=path))
            self.w.open_file(path)
        except UserError as exc:
            QMessageBox.warning(self, _("Import"), str(exc))
            return False
        return True


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
        self._show()

    def _header_changed(self, value: int) -> None:
        if self._loading:
            return
        self.w.header_row = value - 1
        self._show()

    def _show(self) -> None:
        try:
            self.w.read_preview()
        except UserError as exc:
            self.table.clear()
            self.table.setRowCount(0)
            QMessageBox.warning(self, _("Import"), str(exc))
            return
        preview = self.w.preview
        assert preview is not None
        self._loading = True
        self.header_row.setValue(preview.header_row + 1)
        self._loading = False
        _fill_table(self.table, preview.headers, preview.preview(PREVIEW_ROWS))

    def isComplete(self) -> bool:
        return self.w.preview is not None


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(_("Kind of data and columns"))
        self.setSubTitle(_("Which column holds each field. Fields marked * are required."))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("importKind")
        for kind in KINDS:
            self.kind.addItem(_(KIND_TITLES[kind]), kind)
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
        preview = self.w.preview
        assert preview is not None
        if self.w.kind is None:
            self.w.kind = importer.detect_kind(preview) or "sales"
        self._loading = True
        self.kind.setCurrentIndex(self.kind.findData(self.w.kind))
        self._loading = False
        self._build()

    def _kind_changed(self) -> None:
        if self._loading:
            return
        self.w.kind = self.kind.currentData()
        self._build()

    def _build(self) -> None:
        preview = self.w.preview
        assert preview is not None and self.w.kind is not None
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        self.combos.clear()
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
        mapping = self.mapping()
        required = set(KINDS[self.w.kind].required)
        if self.w.kind == "sales" and "amount" not in mapping:
            # The amount may be computed from quantity x unit price.
            required.discard("amount")
            if not {"quantity", "unit_price"} <= set(mapping):
                return False
        return required <= set(mapping)

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
            _("{ok} rows are ready to import; {rejected} rows are rejected.").format(
                ok=_n(len(frame)), rejected=_n(validation.rejected)
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
                importer.write_report(self.w.validation.errors, name)
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
        self.report.setText(_("Importing… (Cancel leaves the database as it was)"))
        self.completeChanged.emit()
        self.w.run_import(self.progress.setValue, self._finished)

    def _finished(self, outcome: ImportOutcome | None, message: str) -> None:
        self._done = True
        if outcome is None:
            self.report.setText(message)
        elif outcome.batch_id is None:
            self.report.setText(
                _("Nothing was imported: {rejected} rows are rejected and you asked to import nothing then.").format(
                    rejected=_n(outcome.rejected)
                )
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


class ImportWizard(QWizard):
    """Import one file into the open database, step by step."""

    imported = Signal(object)  # the ImportOutcome

    def __init__(self, database: Path, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(_("Import a spreadsheet"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.resize(900, 620)
        self.database = database
        self.path: Path | None = None
        self.sheets: list[str] = []
        self.sheet_name: str | None = None
        self.header_row: int | None = None
        self.preview: PreparedSheet | None = None
        self.kind: str | None = None
        self.mapping: dict[str, str] = {}
        self.validation: Validation | None = None
        self.prepared: PreparedSheet | None = None
        self.strict = False
        self.outcome: ImportOutcome | None = None
        self._task: tasks.Task | None = None
        self.file_page = FilePage(self)
        self.sheet_page = SheetPage(self)
        self.mapping_page = MappingPage(self)
        self.validation_page = ValidationPage(self)
        self.import_page = ImportPage(self)
        for page in (self.file_page, self.sheet_page, self.mapping_page, self.validation_page, self.import_page):
            self.addPage(page)
        if path is not None:
            self.file_page.path.setText(str(path))

    # -- the steps, each calling kpidesk.io.importer ---------------------------------------

    def open_file(self, path: Path) -> None:
        self.path = path
        self.sheets = importer.list_sheets(path)
        self.sheet_name = importer.choose_sheet(path) if self.sheets else None
        self.header_row = None
        self.kind = None
        self.preview = None

    def read_preview(self) -> None:
        assert self.path is not None
        with importer.Book(self.path) as book:
            raw = book.read(self.sheet_name, nrows=PREVIEW_ROWS + 60)
        self.preview = importer.prepare(raw, header_row=self.header_row)
        self.header_row = self.preview.header_row
        self.kind = None

    def propose_mapping(self) -> dict[str, str]:
        assert self.preview is not None and self.kind is not None
        with Store.open(self.database) as store:
            return importer.propose_mapping(self.preview.headers, self.kind, store)

    def run_validation(self, progress: Any, done: Any) -> None:
        path, sheet, header_row = self.path, self.sheet_name, self.header_row
        kind, mapping = self.kind, dict(self.mapping)
        assert path is not None and kind is not None

        def work(state: tasks.TaskState) -> tuple[PreparedSheet, Validation]:
            state.progress(0.05, _("Reading the file"))
            prepared = importer.read_prepared(path, sheet, header_row=header_row)
            state.progress(0.4, _("Checking the rows"))
            validation = importer.validate(
                prepared, kind, mapping, progress=lambda f, m: state.progress(0.4 + 0.6 * f, m)
            )
            return prepared, validation

        def finished(result: tuple[PreparedSheet, Validation]) -> None:
            self.prepared, self.validation = result
            done(self.validation)

        def failed(message: str, details: str) -> None:
            show_error(message, details, self)
            done(None)

        self._task = tasks.start(work, finished=finished, failed=failed, progress=lambda p, m: progress(p))

    def run_import(self, progress: Any, done: Any) -> None:
        prepared, validation, kind = self.prepared, self.validation, self.kind
        assert prepared is not None and validation is not None and kind is not None
        mapping, strict, database = dict(self.mapping), self.strict, self.database

        def work(state: tasks.TaskState) -> ImportOutcome:
            with Store.open(database) as store:
                return importer.commit(
                    store,
                    prepared,
                    kind,
                    mapping,
                    validation,
                    strict=strict,
                    progress=state.progress,
                    cancelled=state.cancelled,
                )

        def finished(outcome: ImportOutcome) -> None:
            self.outcome = outcome
            self._task = None
            done(outcome, "")
            if outcome.batch_id is not None:
                self.imported.emit(outcome)

        def failed(message: str, details: str) -> None:
            self._task = None
            if details:
                show_error(message, details, self)
            done(None, message)

        def cancelled() -> None:
            self._task = None
            done(None, _("Import cancelled: the database is as it was."))

        self._task = tasks.start(
            work, finished=finished, failed=failed, cancelled=cancelled, progress=lambda p, m: progress(p)
        )

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()  # the worker rolls back; the page reports it
            if self.currentPage() is self.import_page:
                return
        super().reject()
