"""What a file really holds, whatever its name says: its extension, its first bytes, a workbook
opened by content, and the whole-file messages (encrypted, damaged, not a spreadsheet)."""

from __future__ import annotations

import codecs
import stat
import zipfile
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io import SUPPORTED_EXTENSIONS

WORKBOOK_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def extension(path: Path) -> str:
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        if ext:
            raise UserError(
                _(
                    "{file}: files of type '{ext}' cannot be imported. Save it as .xlsx, .xls, .ods or .csv "
                    "and import it again."
                ).format(file=path.name, ext=ext)
            )
        raise UserError(
            _(
                "{file}: the file name has no extension. Save it as .xlsx, .xls, .ods or .csv and import it again."
            ).format(file=path.name)
        )
    return ext


def _head(path: Path) -> bytes:
    """The first bytes of ``path``, with the file-level errors turned into messages."""
    try:
        if path.is_dir():
            raise UserError(_("{file} is a folder, not a spreadsheet file.").format(file=path.name))
        if not stat.S_ISREG(path.stat().st_mode):
            # A pipe would block forever and a device never ends: only regular files are read.
            raise UserError(
                _(
                    "{file} is not a regular file (a pipe, a device or a socket). Import a saved spreadsheet file."
                ).format(file=path.name)
            )
        with path.open("rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError as exc:
        raise UserError(_("{file}: no such file. Check the name and the folder.").format(file=path)) from exc
    except OSError as exc:
        raise UserError(
            _("{file} cannot be read ({reason}). Close the program that has it open, or check its permissions.").format(
                file=path.name, reason=exc.strerror or exc
            )
        ) from exc
    if not head:
        raise UserError(
            _("{file} is empty (0 bytes). Check that the export finished, then import the file again.").format(
                file=path.name
            )
        )
    return head


def _is_encrypted(path: Path) -> bool:
    """An OLE2 container holding an encrypted Office Open XML package."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    # The stream names of an OLE2 directory are UTF-16LE.
    return _ENCRYPTED_MARK in data


def _encrypted_error(path: Path) -> UserError:
    return UserError(
        _(
            "{file} is protected by a password. Open it in Excel, remove the password (File > Info > Protect "
            "Workbook > Encrypt with Password), save it, and import it again."
        ).format(file=path.name)
    )


def _not_a_spreadsheet(path: Path) -> UserError:
    return UserError(
        _(
            "{file} is not a spreadsheet: its content is not an Excel, LibreOffice or CSV file, whatever its "
            "name says. Open it in Excel or LibreOffice and save it as .xlsx, then import it again."
        ).format(file=path.name)
    )


def damaged(path: Path, reason: object) -> UserError:
    return UserError(
        _(
            "{file} is damaged or incomplete and cannot be read ({reason}). "
            "Open it in Excel or LibreOffice and save it again, or export it again."
        ).format(file=path.name, reason=reason)
    )


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def workbook_format(path: Path, ext: str) -> str:
    """``zip``, ``ole`` or ``csv``: what ``path`` really holds (its name may lie)."""
    head = _head(path)
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        if _is_encrypted(path):
            raise _encrypted_error(path)
        return "ole"
    if ext == ".csv":
        return "csv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head", b"<body")):
        raise UserError(
            _(
                "{file} is a web page (HTML or XML) saved with a spreadsheet name. "
                "Open it in Excel or LibreOffice and save it as .xlsx, then import it again."
            ).format(file=path.name)
        )
    if head.startswith(b"PK"):
        raise damaged(path, _("not a complete zip archive"))
    if _looks_like_text(head):
        # A CSV export saved with an Excel name, as some web applications do.
        return "csv"
    raise _not_a_spreadsheet(path)


def open_workbook(path: Path, ext: str, fmt: str) -> CalamineWorkbook:
    expected = {".xlsx": "zip", ".xlsm": "zip", ".ods": "zip", ".xls": "ole"}.get(ext)
    try:
        if fmt == expected:
            try:
                return CalamineWorkbook.from_path(path)
            except PasswordError:
                raise
            except CalamineError:
                if fmt != "zip":
                    raise
                # An .ods named .xlsx, or the reverse: let calamine go by the content.
        # The name lies (an .xlsx saved as .xls, say): let calamine go by the content.
        with path.open("rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    except PasswordError as exc:
        raise _encrypted_error(path) from exc
    except CalamineError as exc:
        if fmt == "zip" and not zipfile.is_zipfile(path):
            raise damaged(path, _("not a complete zip archive")) from exc
        if fmt == "zip" and not _has_workbook_part(path):
            raise _not_a_spreadsheet(path) from exc
        raise damaged(path, exc) from exc
    except OSError as exc:
        raise UserError(
            _("{file} cannot be read ({reason}).").format(file=path.name, reason=exc.strerror or exc)
        ) from exc
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # a calamine panic surfaces as pyo3's PanicException, a BaseException
        raise damaged(path, exc) from exc


def _has_workbook_part(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "xl/workbook.xml" in names or "content.xml" in names or any(n.endswith("workbook.xml") for n in names)
