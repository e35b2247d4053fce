"""The import wizard: file → sheet and header → kind and mapping → validation → import → report.

Each step drives the same :class:`~kpidesk.app.imports.ImportSession` as ``kpidesk import``.
The file is read once, on a worker, with progress; a change of header row re-slices the
rows already read; validating and storing run on a worker too. A cancel before the
commit leaves the company file as it was; one that comes after it reports the import done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import (
    QWidget,
    QWizard,
)

from kpidesk.app.company import Company
from kpidesk.app.imports import ImportOutcome, ImportSession, PreparedSheet, Validation
from kpidesk.i18n import _
from kpidesk.ui import tasks
from kpidesk.ui.errors import show_error
from kpidesk.ui.import_pages import FilePage, ImportPage, MappingPage, SheetPage, ValidationPage


class ImportWizard(QWizard):
    """Import one file into the open company, step by step.

    Args:
        company: the open company (the window's), or the path of a company file, which the
            wizard then opens for writing and lets go when it closes.
        path: the file to import (else the first page asks).
    """

    imported = Signal(object)  # the ImportOutcome

    def __init__(self, company: Company | Path, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(_("Import a spreadsheet"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.resize(900, 620)
        self._own_company = not isinstance(company, Company)
        self.company: Company | None = company if isinstance(company, Company) else None
        self.database = company.path if isinstance(company, Company) else Path(company)
        self.path: Path | None = None
        self.session: ImportSession | None = None
        self.sheets: list[str] = []
        self.sheet_name: str | None = None
        self.header_row: int | None = None
        self.kind: str | None = None
        self.confirmed: set[str] = set()  # kinds the user chose on the mapping page
        self.mapping: dict[str, str] = {}
        self.validation: Validation | None = None
        self.strict = False
        self.outcome: ImportOutcome | None = None
        self._task: tasks.Task | None = None
        # One worker: the steps change the session one after the other, never at once.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.file_page = FilePage(self)
        self.sheet_page = SheetPage(self)
        self.mapping_page = MappingPage(self)
        self.validation_page = ValidationPage(self)
        self.import_page = ImportPage(self)
        for page in (self.file_page, self.sheet_page, self.mapping_page, self.validation_page, self.import_page):
            self.addPage(page)
        if path is not None:
            self.file_page.path.setText(str(path))
        self.finished.connect(self._let_go)

    @property
    def preview(self) -> PreparedSheet | None:
        """The sheet read, with its header row (all its rows: the preview shows the first ones)."""
        return self.session.prepared if self.session is not None else None

    def _company(self) -> Company:
        """The company imported into (opened for writing on first use when given as a path)."""
        if self.company is None:
            self.company = Company.open(self.database, write=True, load=False)
        return self.company

    def _let_go(self) -> None:
        if self._own_company and self.company is not None:
            self.company.close()
            self.company = None

    def _run(
        self,
        work: Any,
        finished: Any,
        failed: Any,
        progress: Any = None,
        cancelled: Any = None,
    ) -> None:
        def done(result: object) -> None:
            self._task = None
            finished(result)

        def fail(message: str, details: str) -> None:
            self._task = None
            failed(message, details)

        def stop() -> None:
            self._task = None
            if cancelled is not None:
                cancelled()

        self._task = tasks.start(
            work,
            self._pool,
            finished=done,
            failed=fail,
            cancelled=stop,
            progress=(lambda p, m: progress(p)) if progress is not None else None,
        )

    # -- the steps, each on the session ------------------------------------------------------

    def open_file(self, path: Path, progress: Any, done: Any, failed: Any) -> None:
        """Read ``path`` once on a worker: its sheets, the best sheet, the header, the kinds."""
        company = self._company()
        self.path = path
        self.session = None

        def work(state: tasks.TaskState) -> ImportSession:
            return ImportSession.open(company, path, progress=state.progress, cancelled=state.cancelled)

        def finished(session: ImportSession) -> None:
            self.session = session
            self.sheets = list(session.sheets)
            self.sheet_name = session.sheet
            self.header_row = session.prepared.header_row if session.prepared is not None else None
            self.kind = session.kind
            self.confirmed = set()
            done(session)

        self._run(work, finished, lambda message, _details: (failed(message), done(None)), progress, lambda: done(None))

    def reslice(self, done: Any, failed: Any) -> None:
        """Take the sheet and header row chosen: a sheet is read once, a header row re-slices."""
        session = self.session
        assert session is not None
        sheet, header_row = self.sheet_name, self.header_row

        def work(state: tasks.TaskState) -> ImportSession:
            if sheet != session.sheet:
                session.select_sheet(sheet, progress=state.progress)
            if header_row is not None:
                session.set_header_row(header_row)
            return session

        def finished(result: ImportSession) -> None:
            self.kind = result.kind
            self.header_row = result.prepared.header_row if result.prepared is not None else None
            done()

        def fail(message: str, _details: str) -> None:
            session.prepared = None
            failed(message)

        self._run(work, finished, fail)

    def read_preview(self) -> None:
        """Kept for callers that re-read the preview: the session already holds it."""

    def propose_mapping(self) -> dict[str, str]:
        session = self.session
        assert session is not None and self.kind is not None
        if session.kind != self.kind:
            session.set_kind(self.kind)
        return dict(session.mapping)

    def run_validation(self, progress: Any, done: Any) -> None:
        session = self.session
        assert session is not None and self.kind is not None
        kind, mapping = self.kind, dict(self.mapping)

        def work(state: tasks.TaskState) -> Validation:
            if session.kind != kind:
                session.set_kind(kind)
            session.set_mapping(mapping)
            return session.validate(progress=state.progress)

        def finished(validation: Validation) -> None:
            self.validation = validation
            done(validation)

        def failed(message: str, details: str) -> None:
            show_error(message, details, self)
            done(None)

        self._run(work, finished, failed, progress)

    def run_import(self, progress: Any, done: Any) -> None:
        session, strict = self.session, self.strict
        assert session is not None and session.validation is not None

        def work(state: tasks.TaskState) -> ImportOutcome:
            return session.commit(strict=strict, progress=state.progress, cancelled=state.cancelled)

        def finished(outcome: ImportOutcome) -> None:
            self.outcome = outcome
            done(outcome, "")
            if outcome.batch_id is not None:
                self.imported.emit(outcome)

        def failed(message: str, details: str) -> None:
            if details:
                show_error(message, details, self)
            done(None, message)

        def cancelled() -> None:
            done(None, _("Import cancelled: the database is as it was."))

        self._run(work, finished, failed, progress, cancelled)

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()  # before the commit the worker rolls back; after it, the import is done
            if self.currentPage() is self.import_page:
                return
        super().reject()
