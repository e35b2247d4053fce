"""The company file: round trip, migrations, refusals, batches, dedup, undo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpidesk.core.kinds import KINDS
from kpidesk.core.settings import CompanySettings
from kpidesk.errors import Cancelled, StoreError
from kpidesk.store import connection, loading, schema
from kpidesk.store.database import Store


def sales_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-29 14:30", None], format="ISO8601"),
            "amount": [1234.5, 1234.5, -20.0, 3.0],
            "invoice_id": ["F1", "F1", "AV-7", None],
            "customer_id": ["17841", "17841", "C2", None],
            "customer_name": ["Boulangerie Martin", "Boulangerie Martin", "=cmd", None],
            "product": pd.Categorical(["Papier", "Papier", "Encre", None]),
            "quantity": [2.0, 2.0, np.nan, 1.0],
            "unit_price": [617.25, 617.25, np.nan, 3.0],
            "salesperson": pd.Categorical(["Alice", "Alice", "Bruno", None]),
            "channel": pd.Categorical(["Web", "Web", None, "Web"]),
            "region": pd.Categorical(["Île-de-France", "Île-de-France", "Occitanie", None]),
            "segment": pd.Categorical(["PME", "PME", "PME", None]),
        }
    )


def test_round_trip_keeps_values_and_types(tmp_path: Path) -> None:
    path = tmp_path / "a.kpidesk"
    frame = sales_frame().iloc[:3].reset_index(drop=True)
    with Store.open(path, create=True) as store:
        store.import_frame("sales", frame, file="ventes.xlsx", sheet="2024")
    with Store.open(path) as store:
        back = store.load("sales")
    assert list(back.columns) == list(KINDS["sales"].field_names)
    assert str(back["date"].dtype) == "datetime64[ns]"
    assert back["amount"].dtype == np.float64
    assert isinstance(back["product"].dtype, pd.CategoricalDtype)
    # Ids too: each distinct text once in memory (a million invoice lines, a third as many invoices).
    assert isinstance(back["customer_id"].dtype, pd.CategoricalDtype)
    assert list(back["customer_id"].cat.categories) == ["17841", "C2"]
    assert back["date"].tolist() == frame["date"].tolist()
    assert back["amount"].tolist() == [1234.5, 1234.5, -20.0]
    assert back["customer_id"].tolist() == ["17841", "17841", "C2"]
    assert back["customer_name"].tolist() == ["Boulangerie Martin", "Boulangerie Martin", "=cmd"]
    assert back["quantity"].isna().tolist() == [False, False, True]
    assert back["channel"].astype(object).where(back["channel"].notna(), None).tolist() == ["Web", "Web", None]


def test_every_kind_round_trips_its_types(tmp_path: Path) -> None:
    leads = pd.DataFrame(
        {
            "created_date": pd.to_datetime(["2024-03-01", "2024-03-02"]),
            "lead_id": ["L1", "L2"],
            "qualified": pd.array([True, None], dtype="boolean"),
            "converted": pd.array([False, True], dtype="boolean"),
        }
    )
    with Store.open(tmp_path / "b.kpidesk", create=True) as store:
        store.import_frame("leads", leads, file="leads.csv")
        back = store.load("leads")
        empty = store.load("surveys")
    assert back["qualified"].dtype == "boolean"
    assert back["qualified"].tolist() == [True, pd.NA]
    assert back["converted"].tolist() == [False, True]
    assert back["qualified_date"].isna().all()
    assert len(empty) == 0 and list(empty.columns) == list(KINDS["surveys"].field_names)


def test_provenance_names_batch_file_sheet_and_row(tmp_path: Path) -> None:
    frame = sales_frame().iloc[:3]
    with Store.open(tmp_path / "p.kpidesk", create=True) as store:
        batch = store.import_frame("sales", frame, file="ventes.xlsx", sheet="Janvier", source_rows=[5, 6, 9])
        back = store.load("sales", provenance=True)
    assert back["batch_id"].tolist() == [batch.batch_id] * 3
    assert back["file"].astype(str).tolist() == ["ventes.xlsx"] * 3
    assert back["sheet"].astype(str).tolist() == ["Janvier"] * 3
    assert back["source_row"].tolist() == [5, 6, 9]


def test_reimport_skips_rows_already_stored_but_keeps_identical_lines_of_one_file(tmp_path: Path) -> None:
    frame = sales_frame().iloc[:3]  # rows 0 and 1 are identical: both real
    with Store.open(tmp_path / "d.kpidesk", create=True) as store:
        first = store.import_frame("sales", frame, file="jan.xlsx")
        again = store.import_frame("sales", frame, file="jan.xlsx")
        longer = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)  # a third identical line
        overlap = store.import_frame("sales", longer, file="jan-feb.xlsx")
        assert (first.imported, first.skipped_duplicates) == (3, 0)
        assert (again.imported, again.skipped_duplicates) == (0, 3)
        assert (overlap.imported, overlap.skipped_duplicates) == (1, 3)
        assert store.count("sales") == 4
        store.undo_batch(overlap.batch_id)
        assert store.count("sales") == 3
        store.undo_batch(first.batch_id)
        assert store.count("sales") == 0
        assert [b.batch_id for b in store.batches()] == [again.batch_id]


def test_undo_of_unknown_batch_is_a_user_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "u.kpidesk", create=True) as store, pytest.raises(StoreError, match="no import batch 7"):
        store.undo_batch(7)


def test_cancelled_import_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    big = pd.concat([sales_frame().iloc[:3]] * 20_000, ignore_index=True)
    big["amount"] = np.arange(len(big), dtype=float)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2  # after two chunks went in

    with Store.open(tmp_path / "c.kpidesk", create=True) as store:
        store.import_frame("sales", sales_frame().iloc[:1], file="before.xlsx")
        with pytest.raises(Cancelled):
            store.import_frame("sales", big, file="big.xlsx", cancelled=cancelled)
        assert store.count("sales") == 1
        assert [b.file for b in store.batches()] == ["before.xlsx"]


def test_settings_live_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.kpidesk"
    with Store.open(path, create=True) as store:
        assert store.settings() == CompanySettings()
        store.save_settings(CompanySettings(company_name="Acme", currency="CHF", fiscal_year_start=4))
    with Store.open(path) as store:
        assert store.settings().fiscal_year_start == 4
        assert store.settings().currency == "CHF"


def test_mappings_are_remembered_by_signature(tmp_path: Path) -> None:
    with Store.open(tmp_path / "m.kpidesk", create=True) as store:
        assert store.get_mapping("abc") is None
        store.save_mapping("abc", "sales", {"date": "Date de commande", "amount": "Montant HT"})
        assert store.get_mapping("abc") == ("sales", {"date": "Date de commande", "amount": "Montant HT"})


def test_targets_entered_in_the_app_replace_each_other(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.kpidesk", create=True) as store:
        store.set_target("revenue", "2024-03", 1000.0)
        store.set_target("revenue", "2024-03", 1500.0)
        store.set_target("revenue", "2024-03", 900.0, "salesperson", "Alice")
        targets = store.load("targets")
        assert sorted(targets["value"].tolist()) == [900.0, 1500.0]
        store.set_target("revenue", "2024-03", None)
        assert store.load("targets")["value"].tolist() == [900.0]


# -- opening, versions, refusals ---------------------------------------------------------------


def test_new_file_is_migrated_from_empty_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new.kpidesk"
    with Store.open(path, create=True) as store:
        con = store.connection
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert con.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"company", "batches", "mappings", *KINDS} <= tables


def test_an_empty_zero_byte_file_is_initialised_only_when_creating(tmp_path: Path) -> None:
    path = tmp_path / "empty.kpidesk"
    path.write_bytes(b"")
    with pytest.raises(StoreError, match=r"empty\.kpidesk is an empty file \(0 bytes\)"):
        Store.open(path)
    assert path.stat().st_size == 0  # reading never starts a company
    with Store.open(path, create=True) as store:
        assert store.count("sales") == 0


def test_missing_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no such file.*kpidesk demo"):
        Store.open(tmp_path / "nope.kpidesk")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.kpidesk"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(StoreError, match="not a KPI Desk database"):
        Store.open(path)


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE things (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a KPI Desk database"):
        Store.open(path)
    assert path.read_bytes() == before


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.kpidesk"
    Store.open(path, create=True).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer version of KPI Desk"):
        Store.open(path)


def test_migration_takes_a_backup_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.kpidesk"
    with Store.open(path, create=True) as store:
        store.import_frame("sales", sales_frame().iloc[:1], file="a.xlsx")

    def add_notes(con: sqlite3.Connection) -> None:
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")

    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    monkeypatch.setattr(connection, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(schema.MIGRATIONS, current, add_notes)
    with Store.open(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == current + 1
        assert store.count("sales") == 1
    backup = tmp_path / f"old.kpidesk.v{current}.bak"
    assert backup.exists()
    con = sqlite3.connect(backup)
    assert con.execute("PRAGMA user_version").fetchone()[0] == current
    assert con.execute("SELECT count(*) FROM sales").fetchone()[0] == 1
    con.close()


def test_a_failed_migration_leaves_the_file_at_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.kpidesk"
    Store.open(path, create=True).close()

    def broken(con: sqlite3.Connection) -> None:
        con.execute("CREATE TABLE half (x)")
        raise sqlite3.OperationalError("disk full")

    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    monkeypatch.setattr(connection, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(schema.MIGRATIONS, current, broken)
    with pytest.raises(StoreError):
        Store.open(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == current
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0
    con.close()


def test_a_version_1_file_loses_its_row_indexes_and_still_skips_rows_already_stored(tmp_path: Path) -> None:
    path = tmp_path / "v1.kpidesk"
    con = sqlite3.connect(path, isolation_level=None)
    schema.MIGRATIONS[0](con)  # the file as version 1 wrote it
    con.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    con.execute("PRAGMA user_version = 1")
    con.close()
    frame = sales_frame().iloc[:3]  # rows 0 and 1 are identical
    with Store.open(path) as store:  # a version 1 file: no import yet, so it is migrated first
        indexes = {r[0] for r in store.connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert not {"sales_dedup", "sales_batch"} & indexes
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        first = store.import_frame("sales", frame, file="jan.xlsx")
        again = store.import_frame("sales", pd.concat([frame, frame.iloc[[0]]], ignore_index=True), file="b.xlsx")
        assert (first.imported, again.imported, again.skipped_duplicates) == (3, 1, 3)
        assert store.count("sales") == 4
    assert (tmp_path / "v1.kpidesk.v1.bak").exists()


def test_dates_are_stored_as_unix_seconds(tmp_path: Path) -> None:
    days = pd.DataFrame({"date": pd.to_datetime(["2024-03-05", "2023-12-31"]), "amount": [1.0, 2.0]})
    times = pd.DataFrame({"date": pd.to_datetime(["2010-12-01 08:26", "1969-12-31 23:00"]), "amount": [1.0, 2.0]})
    with Store.open(tmp_path / "d.kpidesk", create=True) as store:
        store.import_frame("sales", days, file="days.xlsx")
        store.import_frame("spend", times, file="times.xlsx")
        con = store.connection
        stored = con.execute("SELECT date, typeof(date), datetime(date, 'unixepoch') FROM sales ORDER BY id").fetchall()
        stored_times = [r[0] for r in con.execute("SELECT datetime(date, 'unixepoch') FROM spend ORDER BY id")]
        back, back_times = store.load("sales")["date"].tolist(), store.load("spend")["date"].tolist()
    assert stored == [(1709596800, "integer", "2024-03-05 00:00:00"), (1703980800, "integer", "2023-12-31 00:00:00")]
    assert stored_times == ["2010-12-01 08:26:00", "1969-12-31 23:00:00"]
    assert back == days["date"].tolist() and back_times == times["date"].tolist()
    from kpidesk.store.batches import to_sql_values as _to_sql_values
    from kpidesk.store.loading import from_sql_values as _from_sql_values

    with_missing = pd.Series(pd.to_datetime(["2024-03-05", None]))
    assert _to_sql_values(with_missing, "date") == [1709596800, None]
    assert list(_from_sql_values([1709596800, None], "date").astype("datetime64[s]").astype(str)) == [
        "2024-03-05T00:00:00",
        "NaT",
    ]


def test_a_version_2_file_gets_its_dates_as_seconds_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v2.kpidesk"
    con = sqlite3.connect(path, isolation_level=None)
    schema.MIGRATIONS[0](con)
    schema.MIGRATIONS[1](con)  # the file as version 2 wrote it: dates as ISO text
    con.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    con.execute("PRAGMA user_version = 2")
    con.close()
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-05 00:00", "2024-03-06 14:30", "2024-03-07 00:00"]),
            "amount": [10.0, 20.0, 30.0],
            "customer_id": ["C1", "C2", "C1"],
        }
    )
    rows = [("2024-03-05", 10.0, "C1"), ("2024-03-06T14:30:00", 20.0, "C2"), ("2024-03-07", 30.0, "C1")]
    from kpidesk.store.database import row_hashes

    hashes = row_hashes(frame.reindex(columns=list(KINDS["sales"].field_names))).tolist()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("INSERT INTO batches(id, kind, file, imported_at, imported) VALUES (1, 'sales', 'a.xlsx', 'x', 3)")
    lines = [(i + 2, h, *r) for i, (h, r) in enumerate(zip(hashes, rows, strict=True))]
    con.executemany(
        "INSERT INTO sales(batch_id, source_row, row_hash, dup_index, date, amount, customer_id) "
        "VALUES (1, ?, ?, 0, ?, ?, ?)",
        lines,
    )
    con.close()
    with Store.open(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        types = {r[0] for r in store.connection.execute("SELECT typeof(date) FROM sales")}
        back = store.load("sales", provenance=True)
        again = store.import_frame("sales", frame, file="a.xlsx")  # the same rows: recognised
    assert types == {"integer"}
    assert back["date"].tolist() == frame["date"].tolist()
    assert back["source_row"].tolist() == [2, 3, 4] and back["batch_id"].tolist() == [1, 1, 1]
    assert (again.imported, again.skipped_duplicates) == (0, 3)
    assert (tmp_path / "v2.kpidesk.v2.bak").exists()


def test_text_hashes_the_same_as_objects_or_categoricals() -> None:
    # Files imported before text was validated into categoricals must still be recognised.
    from kpidesk.store.database import row_hashes

    as_objects = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07"]),
            "customer_id": np.array(["C1", None, "C2"], dtype=object),
            "customer_name": np.array([None, None, None], dtype=object),
        }
    )
    as_categoricals = as_objects.assign(
        customer_id=pd.Categorical(["C1", None, "C2"], categories=["C2", "C1"]),
        customer_name=pd.Categorical.from_codes([-1, -1, -1], categories=pd.Index([], dtype=object)),
    )
    assert row_hashes(as_objects).tolist() == row_hashes(as_categoricals).tolist()
    assert len(set(row_hashes(as_objects).tolist())) == 3


def test_rows_read_in_blocks_join_into_the_same_frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The column path reads _BLOCK_ROWS ids at a time; with blocks of 3 ids, the 10 rows below
    # (ids 1-4 then 7-12 after an undo) span blocks where a text value first appears late,
    # NULL appears in one block only, and one block holds no row at all.
    path = tmp_path / "blocks.kpidesk"
    first = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
            "amount": [1.0, 2.0, 3.0, 4.0],
            "invoice_id": ["F1", "F2", "F2", "F3"],
            "region": pd.Categorical(["Sud", "Sud", "Sud", "Sud"]),
        }
    )
    removed = first.assign(amount=[5.0, 6.0, 7.0, 8.0]).iloc[:2]
    second = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2024-02-01", "2024-02-02", "2024-02-03", "2024-02-04", "2024-02-05", "2024-02-06"]
            ),
            "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            "invoice_id": ["F9", "F1", None, "F4", "F4", "F2"],
            "region": pd.Categorical(["Nord", "Est", None, "Sud", "Nord", "Est"]),
            "quantity": [1.0, np.nan, 2.0, 3.0, 4.0, 5.0],
        }
    )
    with Store.open(path, create=True) as store:
        store.import_frame("sales", first, file="a.xlsx", sheet="1")
        gone = store.import_frame("sales", removed, file="b.xlsx", sheet="1")
        store.import_frame("sales", second, file="c.xlsx", sheet="1")
        store.undo_batch(gone.batch_id)
        expected = loading.load_rows(store._con, "sales", False)  # row by row: no blocks
    assert store is not None
    monkeypatch.setattr(loading, "BLOCK_ROWS", 3)
    with Store.open(path) as store:
        reader = connection.reader(store.path)
        assert reader is not None
        jobs = loading.column_jobs(reader, "sales")
        reader.close()
        assert len({span for _, _, span in jobs}) == 4  # ids 1-3, 4-6, 7-9, 10-12
        loaded = store.load_all()["sales"]
        single = store.load("sales")

    def texts(column: str) -> list[str]:
        return loaded[column].astype(object).fillna("-").tolist()

    assert texts("invoice_id") == ["F1", "F2", "F2", "F3", "F9", "F1", "-", "F4", "F4", "F2"]
    assert list(loaded["invoice_id"].cat.categories) == ["F1", "F2", "F3", "F9", "F4"]  # as they come
    assert list(loaded["region"].cat.categories) == ["Est", "Nord", "Sud"]  # in order
    assert texts("region")[4:] == ["Nord", "Est", "-", "Sud", "Nord", "Est"]
    assert loaded["amount"].tolist() == [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    pd.testing.assert_frame_equal(loaded, single)
    pd.testing.assert_frame_equal(loaded, expected, check_categorical=False)
