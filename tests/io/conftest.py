"""Fixtures of the io tests: real workbooks written by openpyxl, real SQLite files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from kpidesk.i18n import set_language
from kpidesk.store.database import Store

#: The public datasets users import (see ../shared/datasets/SOURCES.md).
DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

SheetSpec = Sequence[Sequence[Any]]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English whatever the machine's locale (tests compare them)."""
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A new, empty company file under ``tmp_path``."""
    s = Store.open(tmp_path / "company.kpidesk", create=True)
    yield s
    s.close()


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write an ``.xlsx`` with openpyxl: ``make_xlsx("name.xlsx", Sheet1=[rows...], ...)``.

    Keyword ``merge={"Sheet": ["A1:D1"]}`` merges cells; ``hidden=["Sheet"]`` hides sheets.
    """

    def make(
        name: str = "book.xlsx",
        merge: dict[str, list[str]] | None = None,
        hidden: Sequence[str] = (),
        **sheets: SheetSpec,
    ) -> Path:
        wb = Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(list(row))
            for cells in (merge or {}).get(title, []):
                ws.merge_cells(cells)
            if title in hidden:
                ws.sheet_state = "hidden"
        path = tmp_path / name
        wb.save(path)
        return path

    return make


@pytest.fixture
def sales_rows() -> list[list[Any]]:
    """A small French sales sheet: header and 5 invoice lines (2 identical)."""
    return [
        ["Date", "N° facture", "Client", "Montant HT", "Commercial"],
        [dt.date(2024, 3, 5), "F-001", "C01", 1200.0, "Alice"],
        [dt.date(2024, 3, 6), "F-002", "C02", 800.5, "Bruno"],
        [dt.date(2024, 3, 6), "F-003", "C01", 300.0, "Alice"],
        [dt.date(2024, 3, 6), "F-003", "C01", 300.0, "Alice"],
        [dt.date(2024, 3, 7), "F-004", "C03", -50.0, "Bruno"],
    ]


@pytest.fixture
def dataset() -> Callable[..., Path]:
    """``dataset("superstore", "Sample - Superstore.xls")``: the path of a public dataset file."""

    def find(*parts: str) -> Path:
        path = DATASETS.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"dataset not available: {path} (../shared/datasets is not beside this checkout)")
        return path

    return find
