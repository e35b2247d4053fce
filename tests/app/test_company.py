"""The open company: new, open, refusing an empty file to readers, reloading only what changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpidesk.app.company import Company
from kpidesk.core.results import Query
from kpidesk.errors import StoreError, UserError
from kpidesk.store.database import Store


def sales(*rows: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime([d for d, _ in rows]), "amount": [a for _, a in rows]})


def revenue(company: Company, start: dt.date, end: dt.date) -> float | None:
    result = company.engine.summary(Query(start, end, "month", "none", None, ("revenue",)))
    return next(r.value for r in result.rows if r.kpi == "revenue" and r.member is None)


def test_new_starts_an_empty_company_with_its_name_and_currency(tmp_path: Path) -> None:
    db = tmp_path / "new.kpidesk"
    with Company.new(db, name="Acme", currency="usd") as company:
        assert company.writable
    with Company.open(db) as company:
        assert (company.settings.company_name, company.settings.currency) == ("Acme", "USD")
        assert company.batches() == [] and not company.writable


def test_new_refuses_a_bad_currency_and_an_existing_company(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a currency code"):
        Company.new(tmp_path / "a.kpidesk", currency="euro")
    Company.new(tmp_path / "b.kpidesk").close()
    with pytest.raises(StoreError, match="already exists"):
        Company.new(tmp_path / "b.kpidesk")


def test_an_empty_file_is_refused_to_readers_but_may_become_a_company(tmp_path: Path) -> None:
    db = tmp_path / "empty.kpidesk"
    db.write_bytes(b"")
    with pytest.raises(StoreError, match="is an empty file"):
        Company.open(db)
    assert db.stat().st_size == 0  # untouched
    Company.new(db, name="Zero").close()
    with Company.open(db) as company:
        assert company.settings.company_name == "Zero"


def test_undo_reloads_only_the_kind_that_changed(tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    with Store.open(db, create=True) as store:
        store.import_frame("sales", sales(("2024-01-10", 100.0), ("2024-01-20", 50.0)), file="jan.xlsx")
        batch = store.import_frame("sales", sales(("2024-02-05", 30.0)), file="feb.xlsx")
    company = Company.open(db, write=True)
    jan, feb = (dt.date(2024, 1, 1), dt.date(2024, 1, 31)), (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert revenue(company, *jan) == 150.0 and revenue(company, *feb) == 30.0
    leads_table = company.engine.tables["leads"]
    before = company.revision
    undone = company.undo_import(batch.batch_id)
    assert undone.file == "feb.xlsx"
    assert revenue(company, *jan) == 150.0
    assert revenue(company, *feb) in (0.0, None)
    assert company.revision > before
    assert company.engine.tables["leads"] is leads_table  # the kinds that did not change are kept
    company.close()


def test_settings_and_targets_reach_the_engine(tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    with Store.open(db, create=True) as store:
        store.import_frame("sales", sales(("2024-04-10", 100.0)), file="apr.xlsx")
    with Company.open(db, write=True) as company:
        company.save_settings(company.settings.__class__(company_name="Acme", fiscal_year_start=4))
        assert company.engine.settings.fiscal_year_start == 4
        company.set_target("revenue", "2024-04", 400.0)
        result = company.engine.compute(
            Query(dt.date(2024, 4, 1), dt.date(2024, 4, 30), "month", "none", None, ("revenue",))
        )
        row = next(r for r in result.rows if r.kpi == "revenue")
        assert row.target == 400.0
