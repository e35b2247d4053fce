"""Hostile and lying input files, generated here: each ends in the right value or one clear message
naming the file (and the row where there is one), and the company file is left as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from kpidesk.app.imports import import_file, propose_mapping
from kpidesk.errors import UserError
from kpidesk.io.parse import parse_numbers
from kpidesk.io.read import prepare, read_sheet
from kpidesk.io.validate import validate
from kpidesk.store.database import Store


def snapshot(db: Path) -> dict[str, Any]:
    """Integrity, and each table's row count and content hash."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out: dict[str, Any] = {"integrity": con.execute("PRAGMA integrity_check").fetchone()[0]}
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for table in tables:
            rows = con.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """A company holding one good sales file already."""
    db = tmp_path / "acme.kpidesk"
    good = tmp_path / "good.csv"
    good.write_text("Date;Client;Montant\n05/03/2024;Alpha;100\n06/03/2024;Beta;50\n", encoding="utf-8")
    with Store.open(db, create=True) as store:
        import_file(store, good)
    return db


def refused(company: Path, path: Path, *needles: str, kind: str | None = None) -> None:
    """Importing ``path`` raises one message holding ``needles`` and the file name; nothing stored."""
    before = snapshot(company)
    with Store.open(company) as store, pytest.raises(UserError) as info:
        import_file(store, path, kind=kind, strict=True)
    message = str(info.value)
    assert path.name in message
    for needle in needles:
        assert needle in message, message
    assert "Traceback" not in message
    assert snapshot(company) == before
    assert snapshot(company)["integrity"] == "ok"


def rejected_row(company: Path, path: Path, row: int, column: str, kind: str = "sales") -> None:
    """Importing ``path`` strictly reports ``row``/``column`` and stores nothing."""
    before = snapshot(company)
    with Store.open(company) as store:
        [outcome] = import_file(store, path, kind=kind, strict=True)
    assert outcome.imported == 0
    assert any(e["row"] == row and e["column"] == column for e in outcome.errors), outcome.errors
    assert snapshot(company) == before


def frame_of(path: Path, kind: str = "sales") -> Any:
    prepared = prepare(read_sheet(path))
    mapping = propose_mapping(prepared.headers, kind)
    return validate(prepared, kind, mapping)


def csv_file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_file(tmp_path: Path, name: str, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


# -- whole-file refusals ----------------------------------------------------------------------

REFUSALS: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("empty.csv", b"", ("empty",)),
    ("blank.csv", b"  \r\n\r\n", ("empty",)),
    ("bom-only.csv", b"\xef\xbb\xbf", ("empty",)),
    ("random.xlsx", os.urandom(2048), ("not a spreadsheet",)),
    ("zero.xlsx", b"\x00" * 4096, ("not a spreadsheet",)),
    ("truncated.xlsx", b"PK\x03\x04" + b"\x00" * 100, ("damaged",)),
    ("page.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>", ("web page",)),
    ("page.xls", b"<!DOCTYPE html><html></html>", ("web page",)),
    ("data.xml.xlsx", b'<?xml version="1.0"?><root/>', ("web page",)),
    ("notes.txt", b"Date;Montant\n", ("cannot be imported",)),
    ("noext", b"Date;Montant\n", ("no extension",)),
    ("json.csv", b"[" + b",".join(b'{"a":%d,"b":"x"}' % i for i in range(20000)) + b"]", ("JSON",)),
    ("object.csv", b'{"rows": [1, 2, 3]}', ("JSON",)),
    (
        "wide.csv",
        (";".join(f"c{i}" for i in range(40_000)) + "\n" + ";".join("1" * 40_000) + "\n").encode(),
        ("columns",),
    ),
    (
        "quote.csv",
        b'Date;Client;Montant\n05/03/2024;Alpha;1\n06/03/2024;"Beta;2\n07/03/2024;Gamma;3\n',
        ("row 3", "quote"),
    ),
    ("titles-only.csv", b"Date;Client;Montant\n", ("no data rows",)),
    ("binary.csv", bytes(range(256)) * 64, ("encoding",)),
    ("utf16-garbage.csv", b"\xff\xfe" + os.urandom(1001), ("encoding",)),
    ("no-amount.csv", b"Date;Client\n05/03/2024;Alpha\n", ("amount",)),
]


@pytest.mark.parametrize(("name", "data", "needles"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_whole_file_refusals(company: Path, tmp_path: Path, name: str, data: bytes, needles: tuple[str, ...]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    kind = "sales" if name in ("no-amount.csv", "titles-only.csv") else None
    refused(company, path, *needles, kind=kind)


def test_a_folder_is_refused(company: Path, tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    refused(company, folder, "folder")


def test_a_missing_file_is_refused(company: Path, tmp_path: Path) -> None:
    before = snapshot(company)
    with Store.open(company) as store, pytest.raises(UserError, match="no such file"):
        import_file(store, tmp_path / "gone.csv")
    assert snapshot(company) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_is_refused_at_once(company: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    refused(company, pipe, "not a regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_link_to_a_device_is_refused(company: Path, tmp_path: Path) -> None:
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    refused(company, link, "not a regular file")


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_is_refused(company: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
    except OSError as exc:  # a path too long for a socket name
        pytest.skip(str(exc))
    try:
        refused(company, path, "not a regular file")
    finally:
        server.close()


def test_a_wide_sheet_answers_fast(company: Path, tmp_path: Path) -> None:
    """40,000 columns get their message in about a second, not minutes (no timing assertion: the
    test would hang for minutes if reading were quadratic)."""
    path = tmp_path / "wide2.csv"
    path.write_text(",".join(f"h{i}" for i in range(40_000)) + "\n" + ",".join(["1"] * 40_000) + "\n")
    refused(company, path, "40000 columns")


# -- values: rejected with their row and column ------------------------------------------------

ROW_REJECTIONS: list[tuple[str, list[list[Any]], int, str]] = [
    ("serial-past-2262.xlsx", [["Date", "Montant"], [45000, 1.0], [200_000, 2.0]], 3, "Date"),
    ("serial-9999.xlsx", [["Date", "Montant"], [2958465, 2.0]], 2, "Date"),
    ("serial-past-9999.xlsx", [["Date", "Montant"], [3_000_000, 2.0]], 2, "Date"),
    ("serial-negative.xlsx", [["Date", "Montant"], [-5, 2.0]], 2, "Date"),
    ("year-0000.xlsx", [["Date", "Montant"], ["0000-01-01", 2.0]], 2, "Date"),
    ("year-1850.xlsx", [["Date", "Montant"], [dt.date(1850, 1, 1), 2.0]], 2, "Date"),
    ("year-2999.xlsx", [["Date", "Montant"], ["2999-12-31", 2.0]], 2, "Date"),
    ("date-13th-month.xlsx", [["Date", "Montant"], ["32/13/2024", 2.0]], 2, "Date"),
    ("inf-text.xlsx", [["Date", "Montant"], ["05/03/2024", "1e999"]], 2, "Montant"),
    ("minus-inf-text.xlsx", [["Date", "Montant"], ["05/03/2024", "-1e999"]], 2, "Montant"),
    ("inf-word.xlsx", [["Date", "Montant"], ["05/03/2024", "inf"]], 2, "Montant"),
    ("nan-word.xlsx", [["Date", "Montant"], ["05/03/2024", "abc"]], 2, "Montant"),
    ("hex.xlsx", [["Date", "Montant"], ["05/03/2024", "0x1F"]], 2, "Montant"),
    ("formula-text.xlsx", [["Date", "Montant"], ["05/03/2024", "=1+1"]], 2, "Montant"),
    ("blank-amount.xlsx", [["Date", "Montant"], ["05/03/2024", "  "]], 2, "Montant"),
]


@pytest.mark.parametrize(("name", "rows", "row", "column"), ROW_REJECTIONS, ids=[r[0] for r in ROW_REJECTIONS])
def test_values_rejected_with_their_row(
    company: Path, tmp_path: Path, name: str, rows: list[list[Any]], row: int, column: str
) -> None:
    rejected_row(company, xlsx_file(tmp_path, name, rows), row, column)


def test_serials_past_2262_never_wrap(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path, "wrap.xlsx", [["Date", "Montant"], [45000, 1.0], [200_000, 2.0], [150_000, 3.0]])
    result = frame_of(path)
    # Only serial 45000 (2023-03-15) is a date KPI Desk holds; 200000 is 2447, 150000 is 2310.
    assert list(result.frame["date"]) == [np.datetime64("2023-03-15")]
    assert sorted(e["row"] for e in result.errors) == [3, 4]


# -- values: the right value ------------------------------------------------------------------

AMOUNTS: list[tuple[str, float]] = [
    ("12€50", 12.50),
    ("12 euros 50", 12.50),
    ("12 € 50", 12.50),
    ("37 296,77 €", 37296.77),
    ("1\u202f234,56 €", 1234.56),
    ("€ 162", 162.0),
    ("(123)", -123.0),
    ("1,234.56", 1234.56),
]


@pytest.mark.parametrize(("text", "value"), AMOUNTS, ids=[a[0] for a in AMOUNTS])
def test_amount_texts(tmp_path: Path, text: str, value: float) -> None:
    path = csv_file(tmp_path, "a.csv", f"Date;Montant\n05/03/2024;{text}\n")
    result = frame_of(path)
    assert result.errors == []
    assert result.frame["amount"].tolist() == pytest.approx([value])


def test_a_blank_looking_last_row_is_skipped(company: Path, tmp_path: Path) -> None:
    path = xlsx_file(tmp_path, "tail.xlsx", [["Date", "Montant"], ["05/03/2024", 10.0], [" ", "  "]])
    result = frame_of(path)
    assert result.errors == [] and result.frame["amount"].tolist() == [10.0]


def test_a_stray_quote_does_not_turn_a_semicolon_file_into_commas(tmp_path: Path) -> None:
    lines = ["Date;Client;Montant"] + [f"0{d}/03/2024;Client {d};1{d},5" for d in range(1, 9)]
    lines[4] = '04/03/2024;"Client, 4;14,5"'
    path = csv_file(tmp_path, "q.csv", "\n".join(lines) + "\n")
    raw = read_sheet(path)
    assert raw.rows[0] == ["Date", "Client", "Montant"]


def test_openpyxl_warnings_are_logged_not_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = xlsx_file(tmp_path, "w.xlsx", [["Date", "Montant"], [dt.date(2024, 3, 5), 1.0]])
    from kpidesk.io.read.book import _read_with_openpyxl

    assert _read_with_openpyxl(path, "Sheet", None)[1][1] == 1.0
    captured = capsys.readouterr()
    assert captured.out == "" and "Warning" not in captured.err


def test_out_of_range_dates_and_infinite_amounts_say_so(tmp_path: Path) -> None:
    path = xlsx_file(
        tmp_path, "range.xlsx", [["Date", "Montant"], [200_000, 1.0], ["05/03/2024", "1e999"], ["06/03/2024", 4.0]]
    )
    result = frame_of(path)
    assert result.frame["amount"].tolist() == [4.0]
    messages = {(e["row"], e["column"]): e["message"] for e in result.errors}
    assert "1900-01-01 to 2262-04-10" in messages[(2, "Date")]
    assert "number" in messages[(3, "Montant")]
    # A number cell holding infinity (a reader may give one) is rejected as such.
    parsed = parse_numbers([1.0, float("inf"), float("-inf")])
    assert parsed.invalid.tolist() == [False, True, True] and parsed.outside is not None
    assert parsed.outside.tolist() == [False, True, True]


def test_excel_error_cells_are_missing_and_na_is_a_region(company: Path, tmp_path: Path) -> None:
    path = xlsx_file(
        tmp_path,
        "errors.xlsx",
        [
            ["Date", "Montant", "Region"],
            ["05/03/2024", "#DIV/0!", "NA"],
            ["06/03/2024", 5.0, "NA"],
            ["07/03/2024", 7.0, "#N/A"],
        ],
    )
    result = frame_of(path)
    # Row 2's amount is an error value: missing, so the row is rejected; NA stays North America.
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "Montant")]
    assert result.frame["amount"].tolist() == [5.0, 7.0]
    assert [None if v != v else v for v in result.frame["region"].tolist()] == ["NA", None]
    rejected_row(company, path, 2, "Montant")


def _xlsx_with_sheet_xml(tmp_path: Path, name: str, sheet_xml: str) -> Path:
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    import zipfile

    source = xlsx_file(tmp_path, "source-" + name, [["Date", "Montant"], ["05/03/2024", 1.0]])
    path = tmp_path / name
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            zout.writestr(item, data)
    return path


def test_an_external_entity_is_never_resolved(company: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
    )
    path = _xlsx_with_sheet_xml(tmp_path, "xxe.xlsx", xml)
    before = snapshot(company)
    with Store.open(company) as store:
        try:
            import_file(store, path, kind="sales", strict=True)
        except UserError as exc:
            assert "TOPSECRET" not in str(exc)
    assert snapshot(company) == before


def test_billion_laughs_is_refused(company: Path, tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE x [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
    )
    path = _xlsx_with_sheet_xml(tmp_path, "laughs.xlsx", xml)
    before = snapshot(company)
    with Store.open(company) as store, pytest.raises(UserError):
        import_file(store, path, kind="sales", strict=True)
    assert snapshot(company) == before


def test_an_encrypted_workbook_is_refused(company: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le"))
    refused(company, path, "password")


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    source = xlsx_file(tmp_path, "real.xlsx", [["Date", "Montant"], ["05/03/2024", 7.5]])
    path = tmp_path / "lying.csv"
    path.write_bytes(source.read_bytes())
    assert frame_of(path).frame["amount"].tolist() == [7.5]


def test_a_day_that_does_not_exist_is_rejected(company: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "feb.csv", "Date;Montant\n28/02/2023;1\n29/02/2023;2\n")
    rejected_row(company, path, 3, "Date")


def test_nul_bytes_in_a_csv_are_refused(company: Path, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Date;Montant\n05/03/2024;1\x00\x00\x00\x00\n" + b"\x00" * 300)
    refused(company, path, "encoding")
