"""Reading files: header-row detection, CSV delimiters and encodings, sheets."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from kpidesk.io import importer
from kpidesk.io.read import Book, detect_header_row, list_sheets, prepare, read_sheet


def test_header_under_title_blank_rows_and_merged_title(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Ventes=[
            ["Rapport des ventes - mars 2024"],  # merged over A1:E1 below
            ["Période :", "mars 2024"],
            [],
            ["Date", "N° facture", "Client", " Montant HT ", "Commercial"],
            [dt.date(2024, 3, 5), "F-001", "C01", 1200.0, "Alice"],
            [dt.date(2024, 3, 6), "F-002", "C02", 800.0, "Bruno"],
        ],
        merge={"Ventes": ["A1:E1"]},
    )
    prepared = importer.read_prepared(path)
    assert prepared.header_row == 3  # 0-based: Excel row 4
    assert prepared.first_data_row == 5
    assert prepared.headers == ["Date", "N° facture", "Client", "Montant HT", "Commercial"]
    assert prepared.row_count == 2


def test_leading_space_header_is_stripped(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(Sheet1=[["Date", " Sales", "  Units   Sold "], [dt.date(2014, 1, 1), 10.0, 2.0]])
    assert importer.read_prepared(path).headers == ["Date", "Sales", "Units Sold"]


def test_table_not_starting_at_a1(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(Sheet1=[[], [None, None, "Date", "Montant"], [None, None, dt.date(2024, 1, 2), 5.0]])
    prepared = importer.read_prepared(path)
    assert prepared.headers == ["Date", "Montant"]
    assert prepared.first_data_row == 3


def test_untitled_and_repeated_headers(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(Sheet1=[["Date", None, "Montant", "Montant"], [dt.date(2024, 1, 2), "x", 5.0, 6.0]])
    assert importer.read_prepared(path).headers == ["Date", "Column B", "Montant", "Montant (2)"]


def test_detect_header_row_table() -> None:
    assert detect_header_row([["Date", "Montant"], [1.0, 2.0]]) == 0
    assert detect_header_row([["Titre"], [], ["a", "b", "c"], [1, 2, 3]]) == 2
    # A "key : value" line above the header spans too little of the width.
    assert detect_header_row([["Export du", "05/03/2024"], ["Date", "Client", "Montant", "Canal"], [1, 2, 3, 4]]) == 1


def test_pivot_style_sheet_skips_its_caption_row(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Pivot=[
            ["Sum of Sales", "Column Labels", None, None],
            ["Row Labels", "Canada", "France", "Grand Total"],
            ["Carretera", 1.0, 2.0, 3.0],
        ]
    )
    assert importer.read_prepared(path).headers == ["Row Labels", "Canada", "France", "Grand Total"]


# -- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8"), (";", "utf-8-sig"), ("\t", "cp1252"), (";", "cp1252"), (",", "utf-16")],
)
def test_csv_delimiter_and_encoding(tmp_path: Path, delimiter: str, encoding: str) -> None:
    lines = [
        ["Date", "Client", "Montant", "Région"],
        ["05/03/2024", "Société Générale", "1 234,56", "Île-de-France"],
        ["06/03/2024", "Crème & Cie", "12", "Côte d'Azur"],
    ]
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in line) for line in lines)
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    prepared = importer.read_prepared(path)
    assert prepared.headers == ["Date", "Client", "Montant", "Région"]
    assert prepared.preview() == [lines[1], lines[2]]


def test_csv_comma_values_inside_semicolon_file(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_text("Date;Montant;Client\n05/03/2024;1 234,56;A\n06/03/2024;12,5;B\n", encoding="utf-8")
    prepared = importer.read_prepared(path)
    assert prepared.headers == ["Date", "Montant", "Client"]
    assert prepared.preview()[0] == ["05/03/2024", "1 234,56", "A"]


def test_csv_mixing_utf8_and_cp1252_lines(tmp_path: Path) -> None:
    data = (
        b"Date;Commentaire;Note\n"
        + "05/03/2024;très bien;9\n".encode()
        + "06/03/2024;déçu;3\n".encode("cp1252")
        + "07/03/2024;à revoir – 5 €;6\n".encode("cp1252")
        + "08/03/2024;ça va;7\n".encode()
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    rows = importer.read_prepared(path).preview()
    assert [r[1] for r in rows] == ["très bien", "déçu", "à revoir – 5 €", "ça va"]


def test_csv_excel_separator_hint(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\r\nDate;Montant, HT\r\n05/03/2024;1,5\r\n", encoding="cp1252")
    prepared = importer.read_prepared(path)
    assert prepared.headers == ["Date", "Montant, HT"]
    assert prepared.first_data_row == 2  # Excel hides the "sep=" line


def test_csv_ragged_rows_are_padded(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("Date,Montant,Client\n2024-01-02,5\n2024-01-03,6,B,extra\n", encoding="utf-8")
    prepared = importer.read_prepared(path)
    assert prepared.column("Client").tolist() == ["", "B"]


# -- sheets ----------------------------------------------------------------------------------------


def test_list_sheets_leaves_out_hidden_sheets(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(Notes=[["x"]], Data=[["Date", "Montant"], [dt.date(2024, 1, 1), 1.0]], hidden=["Notes"])
    assert list_sheets(path) == ["Data"]


def test_choose_sheet_prefers_the_data_over_pivots_and_notes(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Lisezmoi=[["Ce classeur contient les ventes."]],
        TCD=[["Somme de Montant", "Étiquettes"], ["Étiquettes de lignes", "Total"], ["Alice", 5.0]],
        Ventes=[["Date", "Client", "Montant"], [dt.date(2024, 1, 2), "C1", 5.0]],
        Objectifs=[["KPI", "Période", "Valeur"], ["revenue", "2024", 100.0]],
    )
    assert importer.choose_sheet(path) == "Ventes"
    assert importer.choose_sheet(path, "targets") == "Objectifs"


def test_read_sheet_by_name_and_unknown_sheet(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(A=[["Date"], [1.0]], B=[["Montant"], [2.0]])
    assert read_sheet(path, "B").rows == [["Montant"], [2.0]]
    with pytest.raises(Exception, match="no sheet named 'C'"):
        read_sheet(path, "C")


def test_xls_saved_under_an_xlsx_name_is_read_by_content(tmp_path: Path, dataset: Callable[..., Path]) -> None:
    source = dataset("superstore", "Sample - Superstore.xls")
    renamed = tmp_path / "superstore.xlsx"
    renamed.write_bytes(source.read_bytes())
    with Book(renamed) as book:
        assert book.sheets() == ["Orders", "Returns", "People"]


def _write_ods(path: Path, rows: list[list[str | float]]) -> None:
    """A minimal OpenDocument spreadsheet, as LibreOffice would save it."""
    cells = []
    for row in rows:
        parts = []
        for value in row:
            if isinstance(value, float):
                attributes = f'office:value-type="float" office:value="{value}"'
            else:
                attributes = 'office:value-type="string"'
            parts.append(f"<table:table-cell {attributes}><text:p>{value}</text:p></table:table-cell>")
        cells.append("<table:table-row>" + "".join(parts) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
        + "".join(cells)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)


def test_ods(tmp_path: Path) -> None:
    path = tmp_path / "ventes.ods"
    _write_ods(path, [["Date", "Montant"], ["2024-03-05", 12.5], ["05/03/2024", 7.0]])
    assert list_sheets(path) == ["Feuille1"]
    prepared = prepare(read_sheet(path))
    assert prepared.headers == ["Date", "Montant"]
    assert prepared.column("Montant").tolist() == [12.5, 7.0]


def test_ods_saved_under_an_xlsx_name(tmp_path: Path) -> None:
    path = tmp_path / "ventes.xlsx"
    _write_ods(path, [["Date", "Montant"], ["2024-03-05", 12.5]])
    assert prepare(read_sheet(path)).headers == ["Date", "Montant"]
