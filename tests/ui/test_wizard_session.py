"""The wizard on a small workbook: read once on a worker, the kind asked when unclear, a cancel
that tells the truth, and the window's lock against a command line writing underneath it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from PySide6.QtWidgets import QComboBox, QLabel, QWizard
from pytestqt.qtbot import QtBot

from kpidesk.app.company import Company
from kpidesk.app.imports import ImportOutcome
from kpidesk.store.database import Store
from kpidesk.ui.import_wizard import ImportWizard
from kpidesk.ui.main_window import MainWindow


def sales_file(path: Path, rows: int = 40) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ventes"
    ws.append(["Date", "Client", "Montant"])
    for i in range(rows):
        ws.append([dt.date(2024, 3, 1) + dt.timedelta(days=i % 28), f"C{i % 5}", 10.0 + i])
    wb.save(path)
    return path


def next_page(qtbot: QtBot, wizard: ImportWizard) -> None:
    qtbot.waitUntil(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled(), timeout=30_000)
    page = wizard.currentId()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() != page, timeout=30_000)


def test_a_cancel_after_the_commit_reports_the_import_done(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    Company.new(db).close()
    wizard = ImportWizard(db, sales_file(tmp_path / "mars.xlsx"))
    qtbot.addWidget(wizard)
    wizard.show()
    for _step in range(3):
        next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.validation is not None, timeout=30_000)
    wizard.validation_page.validatePage()
    session = wizard.session
    assert session is not None
    commit = session.commit

    def commit_then_cancel(**kwargs: Any) -> ImportOutcome:
        outcome = commit(**kwargs)
        deadline = time.monotonic() + 10
        while wizard._task is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert wizard._task is not None
        wizard._task.cancel()  # the user's Cancel, arriving just after the rows were committed
        return outcome

    session.commit = commit_then_cancel  # type: ignore[method-assign]
    done: list[tuple[ImportOutcome | None, str]] = []
    wizard.run_import(lambda _p: None, lambda outcome, message: done.append((outcome, message)))
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    outcome, message = done[0]
    assert outcome is not None and outcome.imported == 40 and message == ""
    assert wizard.outcome is outcome
    wizard.reject()
    with Store.open(db) as store:
        assert store.count("sales") == 40


def test_the_wizard_asks_the_kind_when_the_columns_could_hold_several(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpidesk.io import mapping

    monkeypatch.setattr(mapping, "kind_candidates", lambda headers: ["sales", "customers"], raising=False)
    db = tmp_path / "acme.kpidesk"
    Company.new(db).close()
    wizard = ImportWizard(db, sales_file(tmp_path / "mars.xlsx"))
    qtbot.addWidget(wizard)
    wizard.show()
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    question = wizard.findChild(QLabel, "importKindQuestion")
    assert question.isVisible() and "sales, customers" in question.text()
    kind = wizard.findChild(QComboBox, "importKind")
    assert kind.currentIndex() == -1 and [kind.itemData(i) for i in range(2)] == ["sales", "customers"]
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    kind.setCurrentIndex(0)
    assert wizard.kind == "sales"
    assert wizard.findChild(QComboBox, "map_amount").currentData() == "Montant"
    qtbot.waitUntil(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled(), timeout=5_000)
    wizard.reject()


def test_a_company_open_in_the_window_is_not_written_by_the_command_line(
    make_main_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    db = tmp_path / "acme.kpidesk"
    Company.new(db).close()
    source = sales_file(tmp_path / "mars.xlsx")
    window = make_main_window(db)
    command = [sys.executable, "-m", "kpidesk", "import", str(source), "--db", str(db), "--lang", "en"]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.startswith("kpidesk: error: ") and "is open in another KPI Desk" in refused.stderr
    with Store.open(db) as store:
        assert store.batches() == []
    window.close()
    accepted = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert accepted.returncode == 0, accepted.stderr


def test_a_header_row_change_reslices_the_rows_read_once(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QSpinBox

    source = tmp_path / "titled.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["Ventes de mars", None])
    ws.append(["Date", "Montant"])
    ws.append([dt.date(2024, 3, 1), 100.0])
    ws.append([dt.date(2024, 3, 2), 50.0])
    wb.save(source)
    db = tmp_path / "acme.kpidesk"
    Company.new(db).close()
    wizard = ImportWizard(db, source)
    qtbot.addWidget(wizard)
    wizard.show()
    next_page(qtbot, wizard)
    assert wizard.preview is not None and wizard.preview.headers == ["Date", "Montant"]
    source.unlink()  # from here on, only the rows already read are used
    spin = wizard.findChild(QSpinBox, "importHeaderRow")
    assert spin.value() == 2
    spin.setValue(1)
    qtbot.waitUntil(lambda: wizard.preview is not None and wizard.preview.header_row == 0, timeout=10_000)
    assert wizard.preview is not None and wizard.preview.headers[0] == "Ventes de mars"
    spin.setValue(2)
    qtbot.waitUntil(lambda: wizard.preview is not None and wizard.preview.header_row == 1, timeout=10_000)
    assert wizard.preview is not None and wizard.preview.headers == ["Date", "Montant"]
    wizard.reject()


def test_a_cancel_before_the_commit_leaves_the_company_as_it_was(qtbot: QtBot, tmp_path: Path) -> None:
    import hashlib

    db = tmp_path / "acme.kpidesk"
    Company.new(db).close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    wizard = ImportWizard(db, sales_file(tmp_path / "mars.xlsx"))
    qtbot.addWidget(wizard)
    wizard.show()
    for _step in range(3):
        next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.validation is not None, timeout=30_000)
    wizard.validation_page.validatePage()
    session = wizard.session
    assert session is not None
    commit = session.commit

    def cancel_then_commit(**kwargs: Any) -> ImportOutcome:
        deadline = time.monotonic() + 10
        while wizard._task is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert wizard._task is not None
        wizard._task.cancel()  # the user's Cancel, arriving before the first rows are stored
        return commit(**kwargs)

    session.commit = cancel_then_commit  # type: ignore[method-assign]
    done: list[tuple[ImportOutcome | None, str]] = []
    wizard.run_import(lambda _p: None, lambda outcome, message: done.append((outcome, message)))
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    assert done[0] == (None, "Import cancelled: the database is as it was.")
    wizard.reject()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    with Store.open(db) as store:
        assert store.batches() == [] and store.count("sales") == 0
