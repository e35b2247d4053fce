"""Whole-file problems: one clear message naming the file and the fix; nothing stored."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from kpidesk.app import imports as importer
from kpidesk.errors import UserError
from kpidesk.store.database import Store


def _png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )
    return path


def _encrypted(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 container with an EncryptedPackage."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    header[0x18:0x1A] = struct.pack("<H", 0x3E)  # minor version
    header[0x1A:0x1C] = struct.pack("<H", 3)  # major version 3: 512-byte sectors
    header[0x1C:0x1E] = struct.pack("<H", 0xFFFE)  # little-endian
    header[0x1E:0x20] = struct.pack("<H", 9)
    header[0x20:0x22] = struct.pack("<H", 6)
    directory = bytearray(sector)
    for index, name in enumerate(("Root Entry", "EncryptionInfo", "EncryptedPackage")):
        encoded = (name + "\x00").encode("utf-16-le")
        entry = bytearray(128)
        entry[0 : len(encoded)] = encoded
        entry[64:66] = struct.pack("<H", len(encoded))
        entry[66] = 5 if index == 0 else 2
        directory[index * 128 : (index + 1) * 128] = entry
    path.write_bytes(bytes(header) + bytes(directory) + bytes(range(256)) * 8)
    return path


def _expect_user_error(store: Store, path: Path, *words: str, **kwargs: object) -> str:
    with pytest.raises(UserError) as info:
        importer.import_file(store, path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert path.name in message
    for word in words:
        assert word in message, message
    assert "\n" not in message and "Traceback" not in message
    assert store.batches() == [] and store.count("sales") == 0
    return message


def test_png_renamed_xlsx(store: Store, tmp_path: Path) -> None:
    _expect_user_error(store, _png(tmp_path / "chiffres.xlsx"), "not a spreadsheet", "save it as .xlsx")


def test_png_renamed_csv(store: Store, tmp_path: Path) -> None:
    _expect_user_error(store, _png(tmp_path / "chiffres.csv"), "encoding cannot be read")


def test_truncated_xlsx(store: Store, make_xlsx: Callable[..., Path], sales_rows: list[list[object]]) -> None:
    path = make_xlsx("coupé.xlsx", Ventes=sales_rows * 50)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _expect_user_error(store, path, "damaged or incomplete", "export it again")


def test_xlsx_with_a_damaged_sheet(
    store: Store, make_xlsx: Callable[..., Path], sales_rows: list[list[object]]
) -> None:
    import zipfile

    source = make_xlsx("source.xlsx", Ventes=sales_rows)
    path = source.with_name("abîmé.xlsx")
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut in the middle of the XML
            zout.writestr(item, data)
    _expect_user_error(store, path, "damaged")


def test_encrypted_xlsx(store: Store, tmp_path: Path) -> None:
    _expect_user_error(store, _encrypted(tmp_path / "protégé.xlsx"), "protected by a password", "remove the password")


def test_encrypted_minimal_ole_magic(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"))
    _expect_user_error(store, path, "protected by a password")


@pytest.mark.parametrize("name", ["vide.xlsx", "vide.csv", "vide.xls"])
def test_empty_file(store: Store, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    _expect_user_error(store, path, "is empty")


def test_blank_csv(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "blanc.csv"
    path.write_text("\n\n  \n", encoding="utf-8")
    _expect_user_error(store, path, "is empty")


def test_empty_sheet(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx("feuille.xlsx", Feuil1=[])
    _expect_user_error(store, path, "sheet 'Feuil1'", "the sheet is empty")


def test_headers_without_rows(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx("entetes.xlsx", Ventes=[["Date", "Montant"]])
    _expect_user_error(store, path, "no data rows")


def test_required_column_missing(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx("sans_date.xlsx", Ventes=[["Client", "Montant"], ["C1", 5.0]])
    message = _expect_user_error(store, path, "'date'", "--map date=COLUMN", "Client, Montant", kind="sales")
    assert "sales" in message


def test_unknown_kind_of_data(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx("divers.xlsx", Divers=[["Foo", "Bar"], ["a", "b"]])
    _expect_user_error(store, path, "cannot be recognised", "--kind")


def test_unreadable_encoding(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "binaire.csv"
    path.write_bytes(bytes(range(256)) * 40)
    _expect_user_error(store, path, "encoding cannot be read", "CSV UTF-8")


def test_unknown_extension(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ventes.numbers"
    path.write_bytes(b"PK\x03\x04")
    _expect_user_error(store, path, "'.numbers'", ".xlsx, .xls, .ods or .csv")


def test_missing_file(store: Store, tmp_path: Path) -> None:
    _expect_user_error(store, tmp_path / "absent.xlsx", "no such file")


def test_html_saved_as_xls(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>Date</td></tr></table></body></html>", encoding="utf-8")
    _expect_user_error(store, path, "web page")


def test_csv_saved_as_xls_is_read_as_csv(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("Date;Montant\n05/03/2024;12,5\n", encoding="cp1252")
    [outcome] = importer.import_file(store, path)
    assert outcome.imported == 1


def test_unknown_sheet(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx("v.xlsx", Ventes=[["Date", "Montant"], [dt.date(2024, 1, 1), 1.0]])
    _expect_user_error(store, path, "no sheet named 'Achats'", "Ventes", sheet="Achats")
