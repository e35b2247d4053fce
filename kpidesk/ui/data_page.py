"""The data page: one table per kind, with provenance, sorting, a text filter and row counts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.core.formatting import format_number
from kpidesk.core.kinds import KINDS
from kpidesk.i18n import _, ngettext
from kpidesk.labels import FIELD_TITLES, KIND_TITLES
from kpidesk.ui import tasks
from kpidesk.ui.errors import show_error
from kpidesk.ui.export_dialog import ask_save_path
from kpidesk.ui.progress import run_with_progress

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from kpidesk.app.company import Company


#: How long the filter waits after the last keystroke before it runs (ms).
FILTER_DELAY_MS = 250


class KindTable(QWidget):
    """One kind's rows: filter box, count, export, table."""

    exported = Signal(object)
    filter_applied = Signal()  # the rows shown follow the filter text

    def __init__(self, kind: str, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setObjectName(f"dataFilter_{kind}")
        self.filter.setPlaceholderText(_("Filter rows…"))
        self.filter.setClearButtonEnabled(True)
        top.addWidget(self.filter, 1)
        self.count = QLabel("")
        self.count.setObjectName(f"dataCount_{kind}")
        top.addWidget(self.count)
        self.export_button = QPushButton(_("Export to Excel…"))
        self.export_button.setObjectName(f"dataExport_{kind}")
        self.export_button.clicked.connect(lambda: self.export())
        top.addWidget(self.export_button)
        layout.addLayout(top)
        headers = {name: _(title) for name, title in FIELD_TITLES.items()}
        from kpidesk.ui.models import FrameModel

        money = lambda v: format_number(v, 2, lang)  # noqa: E731
        self.model = FrameModel(headers=headers, lang=lang, formatters={"amount": money, "unit_price": money})
        self.view = QTableView()
        self.view.setObjectName(f"dataTable_{kind}")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setDefaultSectionSize(120)
        layout.addWidget(self.view, 1)
        # The filter waits for a pause in typing, then runs on a worker; the rows shown stay
        # until the new ones are ready.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(FILTER_DELAY_MS)
        self._debounce.timeout.connect(self._start_filter)
        self._filtering = tasks.LatestOnly(self)
        self._filtering.finished.connect(self._filtered)
        self.filter.textChanged.connect(lambda _text: self._debounce.start())
        self.loaded = False

    def export(self, target: Path | None = None) -> tasks.Task | None:
        """The rows as shown (filtered and sorted) to a workbook."""
        if target is None:
            target = ask_save_path(self, _("Export the table"), f"{_(KIND_TITLES[self.kind]).lower()}.xlsx")
            if target is None:
                return None
        frame = self.model.visible_frame()
        kind, lang, out = self.kind, self.model.lang, target

        def work(state: tasks.TaskState) -> Path:
            from kpidesk.app.exports import data_table

            # The sheet is named after the kind, the columns after their fields, in the table's language.
            return data_table(frame, out, kind=kind, lang=lang, progress=state.progress, cancelled=state.cancelled)

        return run_with_progress(self, _("Exporting the table"), work, self.exported.emit)

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.model.set_frame(frame)
        self.loaded = True
        self._update_count()

    def _start_filter(self) -> None:
        model, text = self.model, self.filter.text()
        frame = model.frame()
        self._filtering.submit(lambda state: (frame, model.filter_mask(text)))

    def _filtered(self, result: tuple[pd.DataFrame, np.ndarray | None]) -> None:
        frame, mask = result
        if frame is self.model.frame():
            self.model.apply_mask(mask)
            self._update_count()
        self.filter_applied.emit()

    def apply_filter_now(self) -> None:
        """Filter at once, without waiting for a pause in typing (the filter still runs on a worker)."""
        self._debounce.stop()
        self._start_filter()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), len(self.model.frame())
        if shown == total:
            self.count.setText(
                ngettext("{count} row", "{count} rows", total).format(count=format_number(total, 0, self.model.lang))
            )
        else:
            self.count.setText(
                ngettext("{shown} of {total} row", "{shown} of {total} rows", total).format(
                    shown=format_number(shown, 0, self.model.lang), total=format_number(total, 0, self.model.lang)
                )
            )


class DataPage(QWidget):
    """A tab per kind; a kind's rows are loaded off the GUI thread when its tab is shown."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPage")
        self.lang = lang
        self.path: Path | None = None
        self.company: Company | None = None
        #: The rows of a kind already in memory (the engine's), to show without a second copy.
        self.frames: Callable[[str], pd.DataFrame | None] | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("dataTabs")
        #: The table of each kind, made when the page is first shown (the table code loads then).
        self.tables: dict[str, KindTable] = {}
        for kind in KINDS:
            self.tabs.addTab(QWidget(), _(KIND_TITLES[kind]))
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _i: self.load_current())

    def _ensure_tables(self) -> None:
        if self.tables:
            return
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        for i, kind in enumerate(KINDS):
            table = KindTable(kind, self.lang)
            self.tables[kind] = table
            placeholder = self.tabs.widget(i)
            self.tabs.removeTab(i)
            self.tabs.insertTab(i, table, _(KIND_TITLES[kind]))
            if placeholder is not None:
                placeholder.deleteLater()
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)

    def set_company(self, company: Company) -> None:
        self.company = company
        self.path = company.path
        for table in self.tables.values():
            table.loaded = False
        if self.isVisible():
            self.load_current()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.load_current()

    def load_current(self) -> None:
        self._ensure_tables()
        table = self.tabs.currentWidget()
        if isinstance(table, KindTable) and not table.loaded and self.path is not None:
            self.load(table.kind)

    def load(self, kind: str) -> tasks.Task | None:
        company = self.company
        if company is None:
            return None
        self._ensure_tables()
        table = self.tables[kind]
        table.count.setText(_("Loading…"))

        shared = self.frames(kind) if self.frames is not None else None

        def work(state: tasks.TaskState) -> pd.DataFrame:
            # The engine's frame already holds the fields: only the provenance is read.
            return company.table(kind, shared)

        return tasks.start(
            work,
            finished=table.set_frame,
            failed=lambda message, details: show_error(message, details, self),
        )
