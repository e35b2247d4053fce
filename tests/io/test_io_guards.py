"""Files that look fine but are not what they seem: nothing wrong may slip in."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from kpidesk.app.imports import import_file
from kpidesk.store.database import Store


def test_a_csv_row_with_more_values_than_titles_is_rejected_not_shifted(tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    path.write_text('Date,Montant,Client\n05/03/2024,"1 234,56",Alpha\n06/03/2024,1 234,56,Étienne\n', encoding="utf-8")
    with Store.open(tmp_path / "c.kpidesk", create=True) as store:
        (outcome,) = import_file(store, path)
        stored = store.load("sales")
    assert (outcome.imported, outcome.rejected) == (1, 1)
    assert outcome.errors[0]["row"] == 3 and "more values than there are column titles" in outcome.errors[0]["message"]
    assert stored["amount"].tolist() == [1234.56] and stored["customer_id"].tolist() == ["Alpha"]


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Montant"])
    sheet.append(["2024-01-05", 12.5])
    path = tmp_path / "export.csv"
    book.save(path)
    with Store.open(tmp_path / "w.kpidesk", create=True) as store:
        (outcome,) = import_file(store, path)
        assert outcome.imported == 1
        assert store.load("sales")["amount"].tolist() == [12.5]


def test_targets_name_known_kpis_and_dimensions_or_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "objectifs.csv"
    path.write_text(
        "KPI;Période;Objectif;Axe;Élément\n"
        "Chiffre d'affaires;2024-03;1000;;\n"
        "revenue;2024-03;400;Commercial;Alice\n"
        "bonheur;2024;1;;\n"
        "revenue;2024;1;commerciale;Alice\n",
        encoding="utf-8",
    )
    with Store.open(tmp_path / "t.kpidesk", create=True) as store:
        (outcome,) = import_file(store, path, kind="targets", overrides={"dimension": "Axe", "member": "Élément"})
        stored = store.load("targets")
    assert (outcome.imported, outcome.rejected) == (2, 2)
    assert sorted(e["row"] for e in outcome.errors) == [4, 5]
    assert stored["kpi"].tolist() == ["revenue", "revenue"]  # the French name stored as the KPI's id
    assert stored["dimension"].astype(object).where(stored["dimension"].notna(), None).tolist() == [None, "salesperson"]
