"""One import is one transaction: rows, batch and remembered mapping together; a cancel
before the commit leaves the file byte for byte as it was; a late cancel is reported as done."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from kpidesk.core.settings import CompanySettings
from kpidesk.errors import StoreError
from kpidesk.store import batches
from kpidesk.store.database import Store


def sales(n: int, start: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=n, freq="D"),
            "amount": [start + i for i in range(n)],
            "invoice_id": [f"F{start + i:g}" for i in range(n)],
        }
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def company(tmp_path: Path) -> Path:
    path = tmp_path / "a.kpidesk"
    with Store.open(path, create=True) as store:
        store.import_frame("sales", sales(3), file="first.xlsx")
    return path


def test_rows_batch_and_mapping_are_committed_together(tmp_path: Path) -> None:
    path = company(tmp_path)
    with Store.open(path) as store:
        done = store.commit_import(
            "sales",
            sales(2, start=100),
            file="second.xlsx",
            sheet="S",
            mapping={"date": "Jour", "amount": "Montant"},
            remember_as="jour|montant",
        )
        assert done.committed and not done.cancel_too_late
        assert done.batch is not None and done.batch.imported == 2
        assert store.get_mapping("jour|montant") == ("sales", {"date": "Jour", "amount": "Montant"})
        assert store.count("sales") == 5


@pytest.mark.parametrize("rows", [2, 40, 300])
def test_a_cancel_between_chunks_leaves_the_file_byte_for_byte(tmp_path: Path, rows: int) -> None:
    """Even a file of a few rows is written in several chunks, each preceded by a look at cancel."""
    path = company(tmp_path)
    before = digest(path)
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= 2  # the first chunk is written, the second is refused

    with Store.open(path) as store:
        done = store.commit_import(
            "sales", sales(rows, start=100), file="b.xlsx", mapping={"date": "D"}, remember_as="d", cancelled=cancelled
        )
        assert not done.committed and done.batch is None
        assert store.count("sales") == 3
        assert store.get_mapping("d") is None
        assert len(store.batches()) == 1
    assert digest(path) == before


def test_a_cancel_after_the_last_chunk_is_still_before_the_commit(tmp_path: Path) -> None:
    path = company(tmp_path)
    before = digest(path)
    n = 5
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > n  # every chunk (one row each) passes; the look before the commit cancels

    assert batches.chunk_rows(n) == 1
    with Store.open(path) as store:
        done = store.commit_import("sales", sales(n, start=100), file="b.xlsx", cancelled=cancelled)
    assert not done.committed
    assert digest(path) == before


def test_a_cancel_that_comes_after_the_commit_reports_the_import_done(tmp_path: Path) -> None:
    path = company(tmp_path)
    with Store.open(path) as store:

        def after_commit() -> bool:  # the user presses Cancel once the transaction has ended
            return not store.connection.in_transaction

        done = store.commit_import("sales", sales(2, start=200), file="d.xlsx", cancelled=after_commit)
        assert done.committed and done.cancel_too_late
        assert done.batch is not None and done.batch.imported == 2
    with Store.open(path) as store:
        assert store.count("sales") == 5


def test_chunks_are_small_for_small_files_and_bounded_for_large_ones() -> None:
    assert batches.chunk_rows(0) == 1
    assert batches.chunk_rows(16) == 1
    assert batches.chunk_rows(20_000) == 1250
    assert batches.chunk_rows(10_000_000) == batches.INSERT_CHUNK


def test_a_new_company_has_its_name_and_currency(tmp_path: Path) -> None:
    path = tmp_path / "new.kpidesk"
    path.write_bytes(b"")  # a 0-byte file may become a company when creating
    with Store.create(path, settings=CompanySettings(company_name="Boulangerie", currency="CHF")) as store:
        assert store.settings().company_name == "Boulangerie"
        assert store.settings().currency == "CHF"
    with pytest.raises(StoreError, match="already exists"):
        Store.create(path)


def test_one_kind_is_loaded_alone(tmp_path: Path) -> None:
    path = company(tmp_path)
    with Store.open(path) as store:
        frame = store.load("sales")
    assert frame["amount"].tolist() == [0.0, 1.0, 2.0]
