"""Importing through the company: one read of the file, one transaction, undo, the truth on cancel."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from kpidesk.app.company import Company
from kpidesk.app.imports import ImportSession, import_file
from kpidesk.errors import Cancelled
from kpidesk.io import mapping as M
from kpidesk.store.database import Store


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ventes"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ROWS: list[list[Any]] = [
    ["Export du 3 mars", None, None],
    ["Date", "Client", "Montant"],
    [dt.date(2024, 3, 1), "C1", 100.0],
    [dt.date(2024, 3, 2), "C2", 250.5],
    [dt.date(2024, 3, 9), "C1", 49.5],
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_session_reads_once_and_a_header_row_change_reslices(tmp_path: Path) -> None:
    source = workbook(tmp_path / "mars.xlsx", ROWS)
    with Company.new(tmp_path / "acme.kpidesk") as company:
        session = ImportSession.open(company, source)
        assert session.prepared is not None and session.prepared.headers == ["Date", "Client", "Montant"]
        assert session.kind == "sales" and session.mapping["amount"] == "Montant"
        source.unlink()  # what follows works on the rows already read
        session.set_header_row(0)
        assert session.prepared.header_row == 0 and session.prepared.row_count == 4
        session.set_header_row(1)
        assert session.prepared.headers == ["Date", "Client", "Montant"]
        outcome = session.commit()
        assert (outcome.imported, outcome.rejected) == (3, 0)


def test_rows_batch_and_mapping_are_one_transaction(tmp_path: Path) -> None:
    source = workbook(tmp_path / "mars.xlsx", ROWS)
    db = tmp_path / "acme.kpidesk"
    Company.new(db).close()
    with Company.open(db, write=True) as company:
        [outcome] = import_file(company, source, overrides={"customer_id": "Client"})
        assert outcome.imported == 3
        # The company has the new rows without reading the file again: 100 + 250.5 + 49.5.
        assert float(company.engine.tables["sales"].numbers("amount").sum()) == 400.0
    with Store.open(db) as store:
        saved = store.get_mapping(M.header_signature(["Date", "Client", "Montant"]))
        assert saved is not None and saved[1]["customer_id"] == "Client"
        [batch] = store.batches()
        assert batch.imported == 3


def test_a_cancel_before_the_commit_leaves_the_file_byte_for_byte(tmp_path: Path) -> None:
    source = workbook(tmp_path / "mars.xlsx", ROWS)
    db = tmp_path / "acme.kpidesk"
    Company.new(db).close()
    before = digest(db)
    with Company.open(db, write=True) as company:
        session = ImportSession.open(company, source)
        session.validate()
        with pytest.raises(Cancelled):
            session.commit(cancelled=lambda: True)
    assert digest(db) == before
    with Store.open(db) as store:
        assert store.batches() == [] and store.get_mapping(M.header_signature(["Date", "Client", "Montant"])) is None


def test_undo_goes_through_the_company(tmp_path: Path) -> None:
    source = workbook(tmp_path / "mars.xlsx", ROWS)
    with Company.new(tmp_path / "acme.kpidesk") as company:
        [outcome] = import_file(company, source)
        assert outcome.batch_id is not None
        assert company.engine.tables["sales"].n == 3
        company.undo_import(outcome.batch_id)
        assert company.engine.tables["sales"].n == 0
        assert company.batches() == []
