"""Real-file shapes, written here small: the detected kind and the parsed numbers, worked by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpidesk.app.imports import import_file
from kpidesk.errors import UserError
from kpidesk.io.mapping import kind_candidates
from kpidesk.io.read import prepare, read_sheet
from kpidesk.store.database import Store


def xlsx(tmp_path: Path, name: str, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def kinds_of(path: Path) -> list[str]:
    return [g.kind for g in kind_candidates(prepare(read_sheet(path)).headers)]


def test_french_contracts_ledger_is_sales(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        "contrats.xlsx",
        [
            ["Registre des contrats 2024", None, None, None],
            [None, None, None, None],
            ["N° contrat", "Client", "Date de facture", "Montant net facturé"],
            ["C-001", "Boulangerie Martin", "5 mars 2024", "37 296,77 €"],
            ["C-002", "Garage Dupont", "12 avril 2024", "1 250,00 €"],
        ],
    )
    assert kinds_of(path) == ["sales"]
    with Store.open(tmp_path / "c.kpidesk", create=True) as store:
        [outcome] = import_file(store, path)
        assert (outcome.kind, outcome.imported, outcome.rejected) == ("sales", 2, 0)
        frame = store.load("sales")
    # 37 296,77 + 1 250,00 = 38 546,77
    assert float(frame["amount"].sum()) == pytest.approx(38546.77)
    assert sorted(frame["date"].dt.strftime("%Y-%m-%d")) == ["2024-03-05", "2024-04-12"]


def test_customer_names_without_ids_and_na_region(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "Order Date,Customer Name,Region,Sales\n"
        "03/05/2024,Ann Lee,NA,100\n03/06/2024,Bob Ray,EMEA,50\n03/07/2024,Ann Lee,NA,30\n",
        encoding="utf-8",
    )
    assert kinds_of(path) == ["sales"]
    with Store.open(tmp_path / "o.kpidesk", create=True) as store:
        [outcome] = import_file(store, path)
        frame = store.load("sales")
    assert outcome.imported == 3
    assert sorted(frame["customer_name"].astype(str)) == ["Ann Lee", "Ann Lee", "Bob Ray"]
    # NA is North America: 100 + 30 = 130, not missing.
    assert float(frame.loc[frame["region"].astype(str) == "NA", "amount"].sum()) == 130.0


def test_won_deals_without_creation_date_are_refused_not_read_as_sales(tmp_path: Path) -> None:
    path = tmp_path / "won.csv"
    path.write_text(
        "deal_id,deal_stage,close_date,close_value,declared_monthly_revenue\n"
        "D1,Won,2024-03-05,1200,100\nD2,Won,2024-03-09,800,0\n",
        encoding="utf-8",
    )
    # The monthly revenue is no invoice amount: the kinds are offered, never guessed.
    candidates = kinds_of(path)
    assert len(candidates) > 1 and candidates[0] != "sales" and "opportunities" in candidates
    with Store.open(tmp_path / "w.kpidesk", create=True) as store:
        with pytest.raises(UserError, match="--kind"):
            import_file(store, path)
        # Opportunities need their creation date until the store holds them without one.
        with pytest.raises(UserError, match="created_date"):
            import_file(store, path, kind="opportunities")
        assert store.batches() == []


def test_duplicate_header_keeps_both_columns(tmp_path: Path) -> None:
    path = xlsx(tmp_path, "dup.xlsx", [["Date", "Montant", "Montant"], ["05/03/2024", 10.0, 99.0]])
    prepared = prepare(read_sheet(path))
    assert prepared.headers == ["Date", "Montant", "Montant (2)"]
    assert kinds_of(path) == ["sales"]
