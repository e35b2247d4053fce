"""Import as a whole: idempotent, atomic, undoable, reported."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpidesk.app import imports as importer
from kpidesk.errors import Cancelled
from kpidesk.store.database import Store


def test_reimport_is_skipped_identical_lines_are_kept(
    store: Store, make_xlsx: Callable[..., Path], sales_rows: list[list[Any]]
) -> None:
    path = make_xlsx("mars.xlsx", Ventes=sales_rows)
    [first] = importer.import_file(store, path)
    # Two identical lines (F-003) are both real sales: both kept.
    assert (first.imported, first.skipped_duplicates, first.rejected) == (5, 0, 0)
    assert store.load("sales")["amount"].sum() == pytest.approx(2550.5)
    [again] = importer.import_file(store, path)
    assert (again.imported, again.skipped_duplicates) == (0, 5)
    assert store.count("sales") == 5


def test_overlapping_file_adds_only_its_new_rows(
    store: Store, make_xlsx: Callable[..., Path], sales_rows: list[list[Any]]
) -> None:
    importer.import_file(store, make_xlsx("mars.xlsx", Ventes=sales_rows))
    # April's export repeats the end of March (including one of the twin lines) and adds two rows.
    april = [sales_rows[0], *sales_rows[3:], [dt.date(2024, 4, 1), "F-005", "C01", 10.0, "Alice"],
             [dt.date(2024, 3, 6), "F-003", "C01", 300.0, "Alice"]]  # fmt: skip
    [outcome] = importer.import_file(store, make_xlsx("avril.xlsx", Ventes=april))
    # F-003 now appears 3 times in April: the third one is new.
    assert (outcome.imported, outcome.skipped_duplicates) == (2, 3)
    assert store.count("sales") == 7


def test_undo_removes_exactly_one_batch(
    store: Store, make_xlsx: Callable[..., Path], sales_rows: list[list[Any]]
) -> None:
    [march] = importer.import_file(store, make_xlsx("mars.xlsx", Ventes=sales_rows))
    extra = [sales_rows[0], [dt.date(2024, 4, 1), "F-005", "C01", 10.0, "Alice"]]
    [april] = importer.import_file(store, make_xlsx("avril.xlsx", Ventes=extra))
    assert march.batch_id is not None and april.batch_id is not None
    store.undo_batch(march.batch_id)
    frame = store.load("sales", provenance=True)
    assert frame["invoice_id"].tolist() == ["F-005"]
    assert [b.batch_id for b in store.batches()] == [april.batch_id]
    # Undone rows can be imported again.
    [again] = importer.import_file(store, make_xlsx("mars2.xlsx", Ventes=sales_rows))
    assert again.imported == 5


def _snapshot(path: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT * FROM sales ORDER BY id").fetchall()
        rows += con.execute("SELECT id, file, imported FROM batches ORDER BY id").fetchall()
        rows += con.execute("SELECT signature, mapping FROM mappings ORDER BY signature").fetchall()
        return rows
    finally:
        con.close()


@pytest.mark.slow
def test_cancel_mid_import_leaves_the_database_unchanged(
    tmp_path: Path, make_xlsx: Callable[..., Path], sales_rows: list[list[Any]]
) -> None:
    db = tmp_path / "c.kpidesk"
    big = [sales_rows[0]] + [
        [dt.date(2024, 1, 1) + dt.timedelta(days=i % 300), f"F{i}", f"C{i % 97}", float(i), "Alice"]
        for i in range(45_000)
    ]
    path = make_xlsx("big.xlsx", Ventes=big)
    with Store.open(db, create=True) as store:
        importer.import_file(store, make_xlsx("mars.xlsx", Ventes=sales_rows))
    before = _snapshot(db)

    seen: list[float] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)

    def cancelled() -> bool:
        # Cancel once the store has started writing rows.
        return len(seen) > 0 and seen[-1] > 0.55

    with Store.open(db) as store, pytest.raises(Cancelled):
        importer.import_file(store, path, progress=progress, cancelled=cancelled)
    assert any(0.5 < f < 1.0 for f in seen)
    assert _snapshot(db) == before


def test_progress_goes_from_0_to_1(store: Store, make_xlsx: Callable[..., Path], sales_rows: list[list[Any]]) -> None:
    seen: list[tuple[float, str]] = []
    importer.import_file(store, make_xlsx(Ventes=sales_rows), progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(isinstance(m, str) and m for _, m in seen)


def test_outcome_json_has_the_spec_keys(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx("v.xlsx", Ventes=[["Date", "Montant"], [dt.date(2024, 1, 2), 5.0], [None, 3.0]])
    [outcome] = importer.import_file(store, path)
    assert outcome.to_json() == {
        "batch_id": outcome.batch_id,
        "file": "v.xlsx",
        "sheet": "Ventes",
        "kind": "sales",
        "imported": 1,
        "skipped_duplicates": 0,
        "rejected": 1,
        "errors": [{"row": 3, "column": "Date", "value": "", "message": "Required value missing"}],
    }


def test_csv_batch_has_no_sheet(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    path.write_text("Date;Montant\n05/03/2024;1 234,56\n", encoding="utf-8")
    [outcome] = importer.import_file(store, path)
    assert (outcome.sheet, outcome.imported) == (None, 1)
    assert store.load("sales")["amount"].tolist() == [1234.56]


def test_write_report(tmp_path: Path, store: Store) -> None:
    # Text that looks like a formula, as a CSV export can hold.
    path = tmp_path / "v.csv"
    path.write_text("Date;Montant;Note\n=1+1;5;x\n@SUM(A1);-abc;y\n+33 1 23;1;z\n", encoding="utf-8")
    outcomes = importer.import_file(store, path, kind="sales")
    target = tmp_path / "out" / "rapport.xlsx"
    assert importer.write_report(outcomes, target) == target
    assert not [p for p in target.parent.iterdir() if p != target]  # no temporary file left
    wb = openpyxl.load_workbook(target)
    ws = wb.active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["Row", "Column", "Value", "Reason"]
    assert [r[:3] for r in rows[1:]] == [[2, "Date", "=1+1"], [3, "Date", "@SUM(A1)"], [3, "Montant", "-abc"],
                                        [4, "Date", "+33 1 23"]]  # fmt: skip
    # Written as text, never as formulas.
    assert all(ws.cell(row=r, column=3).data_type == "s" for r in range(2, 6))
    # From a plain error list too.
    importer.write_report(outcomes[0].errors, tmp_path / "errors.xlsx")
    assert openpyxl.load_workbook(tmp_path / "errors.xlsx").active.max_row == 5


def test_report_in_french(tmp_path: Path) -> None:
    from kpidesk.i18n import catalogue, set_language

    set_language("fr")
    importer.write_report([{"row": 2, "column": "Date", "value": "x", "message": "m"}], tmp_path / "r.xlsx")
    headers = [c.value for c in next(openpyxl.load_workbook(tmp_path / "r.xlsx").active.iter_rows())]
    assert headers == [catalogue("fr").get(h, h) for h in ["Row", "Column", "Value", "Reason"]]
