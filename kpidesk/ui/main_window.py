"""The main window: navigation, pages, menus, and the open company (:class:`kpidesk.app.company.Company`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

from kpidesk import __version__
from kpidesk.app import SUPPORTED_EXTENSIONS
from kpidesk.core import catalog
from kpidesk.core.dashboard import DashboardContext, DashboardData, compute_dashboard
from kpidesk.errors import StoreError
from kpidesk.i18n import _
from kpidesk.ui import tasks
from kpidesk.ui.dashboard import DashboardPage
from kpidesk.ui.data_page import DataPage
from kpidesk.ui.errors import show_error
from kpidesk.ui.export_dialog import ExportDialog
from kpidesk.ui.imports_page import ImportsPage
from kpidesk.ui.progress import run_with_progress
from kpidesk.ui.settings import UserSettings
from kpidesk.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from kpidesk.app.company import Company
    from kpidesk.core.engine import Engine
    from kpidesk.ui.analyses_page import AnalysesPage

log = logging.getLogger(__name__)

FILE_FILTER = "KPI Desk (*.kpidesk)"


def _dropped_files(mime: QMimeData) -> list[Path]:
    """The spreadsheet files among dropped URLs."""
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if p.suffix.lower() in SUPPORTED_EXTENSIONS]


class Actions:
    """Action ids, in one place (Spyder)."""

    NEW = "action_new"
    OPEN = "action_open"
    IMPORT = "action_import"
    EXPORT_SUMMARY = "action_export_summary"
    EXPORT_CHART = "action_export_chart"
    QUIT = "action_quit"
    TARGETS = "action_targets"
    SETTINGS = "action_settings"
    DEFINITIONS = "action_definitions"
    ABOUT = "action_about"


class MainWindow(QMainWindow):
    """One company database at a time: dashboard, data and imports pages."""

    database_opened = Signal(object)
    values_shown = Signal()  # the cards show fresh values (the chart may follow)
    exported = Signal(object)  # the path of a workbook just written
    dashboard_updated = Signal()  # cards and chart are up to date
    computed = Signal()  # the engine has computed the dashboard (not only the one kept from last time)

    def __init__(self, settings: UserSettings, lang: str) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings
        self.lang = lang
        self.path: Path | None = None
        self.engine: Engine | None = None
        self.company: Company | None = None  # holds the instance lock while open
        self._opening: Path | None = None  # a company being loaded
        #: Companies opened by workers, until the window takes one: an open superseded by a
        #: newer one is closed then, so that it does not keep its lock.
        self._opened: list[Company] = []
        self._closing = False
        self.setWindowTitle("KPI Desk")
        self.setMinimumSize(QSize(1000, 640))
        self.setAcceptDrops(True)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet(
            "QListWidget { background: #1e293b; color: #e2e8f0; border: none; font-size: 10pt; }"
            "QListWidget::item { padding: 10px 12px; }"
            "QListWidget::item:selected { background: #2563eb; color: white; }"
        )
        layout.addWidget(self.nav)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.dashboard = DashboardPage(lang)
        self.data_page = DataPage(lang)
        self.data_page.frames = lambda kind: self.engine.tables[kind].frame if self.engine is not None else None
        self.imports_page = ImportsPage(lang)
        # The analyses page (and its chart library) is made when first shown.
        self._analyses_slot = QWidget()
        self.analyses_page: AnalysesPage | None = None
        for page, title in (
            (self.dashboard, _("Dashboard")),
            (self._analyses_slot, _("Analyses")),
            (self.data_page, _("Data")),
            (self.imports_page, _("Imports")),
        ):
            self.pages.addWidget(page)
            QListWidgetItem(title, self.nav)
        self.nav.currentRowChanged.connect(self._show_page)
        self.nav.setCurrentRow(0)

        self.progress = QProgressBar()
        self.progress.setObjectName("busyIndicator")
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.status_label = QLabel("")
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)

        self.loader = tasks.LatestOnly(self)
        self.loader.finished.connect(self._engine_ready)
        self.loader.failed.connect(self._open_failed)
        self.computer = tasks.LatestOnly(self, tasks.engine_pool())
        self.computer.finished.connect(self._dashboard_ready)
        self.computer.failed.connect(lambda message, details: show_error(message, details, self))
        self.computer.busy_changed.connect(self.progress.setVisible)
        self.loader.busy_changed.connect(self.progress.setVisible)

        self.dashboard.query_changed.connect(self.recompute)
        self.dashboard.detail_requested.connect(self.open_detail)
        self.dashboard.values_shown.connect(self.values_shown)
        self.dashboard.trend_shown.connect(self.dashboard_updated)
        self.dashboard.import_requested.connect(lambda _kpi: self.import_files())
        self.imports_page.data_changed.connect(self.reload)
        self.imports_page.import_requested.connect(self.import_files)

        self.menu_actions: dict[str, QAction] = {}
        self._build_menus()
        geometry = settings.get("geometry")
        if geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def show_page(self, name: str) -> None:
        """Show the page whose objectName is ``name`` (``dataPage``, ``analysesPage``…)."""
        names = {"analysesPage": self.pages.indexOf(self._analyses_slot)}
        for i in range(self.pages.count()):
            page = self.pages.widget(i)
            if page is not None:
                names.setdefault(page.objectName(), i)
        self.nav.setCurrentRow(names[name])

    def _show_page(self, row: int) -> None:
        if self.pages.widget(row) is self._analyses_slot:
            self.analyses()
        self.pages.setCurrentIndex(row)

    def analyses(self) -> AnalysesPage:
        """The analyses page, made on first use and kept in step with the dashboard."""
        if self.analyses_page is None:
            from kpidesk.ui.analyses_page import AnalysesPage

            page = AnalysesPage(self.lang)
            index = self.pages.indexOf(self._analyses_slot)
            self.pages.insertWidget(index, page)
            self.pages.removeWidget(self._analyses_slot)
            self._analyses_slot = page
            self.analyses_page = page
            self._update_analyses()
        return self.analyses_page

    def _update_analyses(self) -> None:
        if self.analyses_page is not None and self.engine is not None:
            self.analyses_page.set_query(self.engine, self.dashboard.query(), self.dashboard.currency)

    # -- menus ----------------------------------------------------------------------------

    def _action(
        self, key: str, text: str, slot: Any, shortcut: QKeySequence | QKeySequence.StandardKey | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(key)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.menu_actions[key] = action
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu(_("&File"))
        keys = QKeySequence.StandardKey
        menu.addAction(self._action(Actions.NEW, _("&New database…"), self.new_database, keys.New))
        menu.addAction(self._action(Actions.OPEN, _("&Open database…"), self.open_dialog, keys.Open))
        self.recent_menu = menu.addMenu(_("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addSeparator()
        menu.addAction(
            self._action(Actions.IMPORT, _("&Import spreadsheet…"), self.import_files, QKeySequence("Ctrl+I"))
        )
        menu.addAction(
            self._action(
                Actions.EXPORT_SUMMARY, _("&Export summary workbook…"), self.export_summary, QKeySequence("Ctrl+E")
            )
        )
        menu.addAction(self._action(Actions.EXPORT_CHART, _("Export chart as &PNG…"), self.export_chart))
        menu.addSeparator()
        menu.addAction(self._action(Actions.QUIT, _("&Quit"), self.close, QKeySequence.StandardKey.Quit))
        tools = self.menuBar().addMenu(_("&Tools"))
        tools.addAction(self._action(Actions.TARGETS, _("&Targets…"), self.edit_targets, QKeySequence("Ctrl+T")))
        tools.addAction(self._action(Actions.SETTINGS, _("&Settings…"), self.edit_settings, keys.Preferences))
        help_menu = self.menuBar().addMenu(_("&Help"))
        help_menu.addAction(
            self._action(
                Actions.DEFINITIONS, _("KPI &definitions"), self.show_definitions, QKeySequence.StandardKey.HelpContents
            )
        )
        help_menu.addAction(self._action(Actions.ABOUT, _("&About KPI Desk"), self.show_about))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [Path(p) for p in self.settings.get("recent_databases")]
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_database(p))
            action.setEnabled(path.exists())
        if not recent:
            self.recent_menu.addAction(_("(none)")).setEnabled(False)

    # -- database -------------------------------------------------------------------------

    def open_database(self, path: Path, create_demo: bool = False) -> None:
        """Open ``path`` (with ``create_demo``, first write the demo company there if missing).

        The database open until now stays open until the new one has loaded: a file that
        cannot be opened leaves the window as it was.
        """
        path = Path(path)
        if self._opening == path:
            return  # already on its way
        current = self.company
        if current is not None and current.path == path:
            self.reload(all_kinds=True)
            return
        self._opening = path
        self.status_label.setText(_("Opening {path}…").format(path=path))
        shown = path != self.path and self._show_snapshot(path)

        def work(state: tasks.TaskState) -> Company:
            from kpidesk.app.company import Company

            if create_demo and not path.exists():
                from kpidesk.app.demo import write_demo

                state.progress(0.1, _("Creating the demo company…"))
                write_demo(path, progress=lambda f, m: state.progress(0.1 + 0.6 * f, m))
            company = Company.open(path, write=True)
            self._opened.append(company)
            company.engine  # noqa: B018 - made here, off the GUI thread
            return company

        if shown:
            # The kept dashboard paints first; the engine then loads without competing with it.
            QTimer.singleShot(50, lambda: None if self._closing else self.loader.submit(work))
        else:
            self.loader.submit(work)

    def _show_snapshot(self, path: Path) -> bool:
        """The dashboard computed last time for this database, while it loads (if still valid)."""
        from kpidesk.ui import snapshot

        kept = snapshot.load(path, self._controls())
        if kept is None:
            return False
        context, data = kept
        self.dashboard.set_context(context, *self._controls())
        if self.dashboard.query() != data.query:
            return False
        self.setWindowTitle(f"{context.company_name or path.stem} — KPI Desk")
        self.dashboard.show_data(data)
        return True

    def reload(self, all_kinds: bool = False) -> None:
        """The company changed (an import, an undo, targets, settings): take its engine again,
        made off the GUI thread, and refresh every page. An import or an undo has already
        loaded the kind it changed; ``all_kinds`` reads every kind from the file again."""
        company = self.company
        if company is None:
            return
        from kpidesk.core.kinds import KINDS

        kinds = list(KINDS) if all_kinds else []

        def work(state: tasks.TaskState) -> Company:
            company.reload(kinds)
            company.engine  # noqa: B018 - made here, off the GUI thread
            return company

        self.loader.submit(work)

    def _engine_ready(self, company: Company) -> None:
        previous = self.company
        if previous is not None and previous is not company:
            previous.close()
        for opened in self._opened:
            if opened is not company:
                opened.close()  # an open superseded by a newer one
        self._opened.clear()
        if self._opening == company.path:
            self._opening = None
        self.company = company
        self.path = company.path
        self.engine = company.engine
        self.settings.add_recent(self.path)
        self.setWindowTitle(f"{company.name} — KPI Desk")
        self.status_label.setText(str(self.path))
        self.dashboard.set_context(DashboardContext.of(self.engine), *self._controls())
        self.data_page.set_company(company)
        self.imports_page.set_company(company)
        self.database_opened.emit(self.path)

    def _controls(self) -> tuple[str, str, str]:
        """Preset, grain and comparison: as the user left them, or as saved when nothing is shown yet."""
        d = self.dashboard
        if d.context is None:
            return self.settings.get("range_preset"), self.settings.get("grain"), self.settings.get("comparison")
        return d.preset(), str(d.grain_combo.currentData()), str(d.comparison_combo.currentData())

    def _open_failed(self, message: str, details: str) -> None:
        self._opening = None
        self.status_label.setText(str(self.path) if self.path is not None else "")
        show_error(message, details, self)

    def recompute(self) -> None:
        engine = self.engine
        if engine is None:
            return
        query = self.dashboard.query()
        kpis = catalog.KPI_IDS
        self.computer.submit(lambda state: compute_dashboard(engine, query, kpis))

    def open_detail(self, kpi_id: str) -> QDialog | None:
        """The detail of a KPI, on the numbers the dashboard shows now."""
        if self.engine is None or self.dashboard.data is None:
            return None
        from kpidesk.ui.detail import KpiDetail  # the chart library loads on first use

        detail = KpiDetail(self.engine, self.dashboard.data, kpi_id, self.lang, self.dashboard.currency, self)
        detail.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        detail.show()
        return detail

    def _dashboard_ready(self, data: DashboardData) -> None:
        self.dashboard.show_data(data)
        self.computed.emit()
        if self.path is not None and self.dashboard.context is not None:
            from kpidesk.ui import snapshot

            snapshot.save(self.path, self._controls(), self.dashboard.context, data)
        self._update_analyses()

    def new_database(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, _("New company database"), "", FILE_FILTER)
        if not name:
            return
        path = Path(name if name.endswith(".kpidesk") else name + ".kpidesk")
        try:
            from kpidesk.app.company import Company

            Company.new(path, overwrite=True).close()
        except StoreError as exc:
            show_error(str(exc), "", self)
            return
        self.open_database(path)

    def open_dialog(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, _("Open a company database"), "", FILE_FILTER)
        if name:
            self.open_database(Path(name))

    # -- import ---------------------------------------------------------------------------

    def import_files(self, paths: list[Path] | None = None) -> None:
        """The import wizard, once per file (none: it starts by choosing one); then refresh."""
        if self.company is None:
            return
        changed = False
        wanted: list[Path | None] = list(paths) if paths else [None]
        for path in wanted:
            from kpidesk.ui.import_wizard import ImportWizard

            wizard = ImportWizard(self.company, path, self)
            wizard.exec()
            changed = changed or (wizard.outcome is not None and wizard.outcome.batch_id is not None)
        if changed:
            self.reload()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.path is not None and _dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = _dropped_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.import_files(files)

    # -- other actions ----------------------------------------------------------------------

    def export_summary(self, target: Path | None = None, by: list[str] | None = None) -> tasks.Task | None:
        """The summary workbook of what the dashboard shows (period, comparison, filters)."""
        engine, path = self.engine, self.path
        if engine is None or path is None:
            return None
        if target is None or by is None:
            name = self.company.settings.company_name if self.company is not None else ""
            dialog = ExportDialog(engine, Path.home(), name, self)
            if dialog.exec() != ExportDialog.DialogCode.Accepted:
                return None
            target, by = dialog.target(), dialog.breakdowns()
        query, currency, lang = self.dashboard.query(), self.dashboard.currency, self.lang
        out, dims = target, list(by)

        def work(state: tasks.TaskState) -> Path:
            from kpidesk.app.exports import summary_workbook

            return summary_workbook(
                engine,
                query,
                out,
                by=dims,
                database=str(path),
                lang=lang,
                currency=currency,
                progress=state.progress,
                cancelled=state.cancelled,
            )

        return run_with_progress(self, _("Exporting the summary workbook"), work, self._exported, tasks.engine_pool())

    def _exported(self, path: Path) -> None:
        self.status_label.setText(_("Workbook written to {path}").format(path=path))
        self.exported.emit(path)

    def export_chart(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, _("Export chart as PNG"), "chart.png", "PNG (*.png)")
        if not name:
            return
        from pyqtgraph.exporters import ImageExporter

        exporter = ImageExporter(self.dashboard.trend.getPlotItem())
        exporter.parameters()["width"] = 1600
        exporter.export(name if name.lower().endswith(".png") else name + ".png")

    def edit_targets(self) -> None:
        if self.company is None:
            return
        from kpidesk.ui.targets_dialog import TargetsDialog

        dialog = TargetsDialog(self.company, self.engine, self.lang, self)
        dialog.exec()
        if dialog.changed:
            self.reload()

    def edit_settings(self) -> None:
        opened = self.company
        if opened is None:
            return
        company = opened.settings
        dialog = SettingsDialog(company, self.settings.get("language"), self)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.settings.set("language", dialog.language())
        if dialog.company() != company:
            try:
                opened.save_settings(dialog.company())
            except StoreError as exc:
                show_error(str(exc), "", self)
                return
            self.reload()

    def show_definitions(self) -> None:
        """Help ▸ KPI definitions: every KPI of the catalogue, by theme, with its formula."""
        from PySide6.QtWidgets import QDialogButtonBox, QTextBrowser, QVBoxLayout

        from kpidesk.core.catalog import THEME_NAMES, THEMES
        from kpidesk.labels import DIRECTION_LABELS, KIND_TITLES, UNIT_LABELS

        parts = []
        for theme in THEMES:
            parts.append(f"<h3>{THEME_NAMES[theme][self.lang]}</h3><table cellspacing='4' cellpadding='3'>")
            for k in catalog.CATALOG:
                if k.theme != theme:
                    continue
                needs = ", ".join(_(KIND_TITLES[n]).lower() for n in k.needs)
                parts.append(
                    f"<tr><td width='32%'><b>{k.name(self.lang)}</b><br><code>{k.id}</code></td>"
                    f"<td>{k.formula(self.lang)}<br><span style='color:#64748b'>{_(UNIT_LABELS[k.unit])} · "
                    f"{_(DIRECTION_LABELS[k.direction])} · {needs}</span></td></tr>"
                )
            parts.append("</table>")
        dialog = QDialog(self)
        dialog.setObjectName("definitionsDialog")
        dialog.setWindowTitle(_("KPI definitions"))
        dialog.resize(820, 620)
        layout = QVBoxLayout(dialog)
        browser = QTextBrowser()
        browser.setHtml("".join(parts))
        layout.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        dialog.exec()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            _("About KPI Desk"),
            _(
                "KPI Desk {version}\nThe commercial KPIs of your business, from the spreadsheets you already keep."
            ).format(version=__version__),
        )

    # -- window events --------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        self.settings.set("geometry", self.saveGeometry())
        self.settings.set("grain", self.dashboard.grain_combo.currentData())
        self.settings.set("comparison", self.dashboard.comparison_combo.currentData())
        self.settings.set("range_preset", self.dashboard.preset())
        self.settings.sync()
        # Work still running (a database loading, a computation) ends before the window does.
        self.loader.wait(10_000)
        self.computer.wait(10_000)
        tasks.wait_idle(None, 10_000)
        for company in [self.company, *self._opened]:
            if company is not None:
                company.close()
        self._opened.clear()
        self._opening = None
        super().closeEvent(event)
