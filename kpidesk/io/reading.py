"""Open spreadsheet files and return their sheets as raw rows.

Workbooks (``.xlsx .xlsm .xls .ods``) are read with python-calamine, with
openpyxl as the fallback for an ``.xlsx`` calamine cannot read. CSV files have
their delimiter and encoding detected. Cells come back as plain Python values
(``str``, ``float``, ``int``, ``bool``, ``datetime``/``date``; ``""`` or
``None`` for a blank cell).

Every whole-file problem raises :class:`~kpidesk.errors.UserError` with one
message naming the file and what to do; no reader exception gets through.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io import SUPPORTED_EXTENSIONS
from kpidesk.io.excel import column_letter
from kpidesk.io.values import Column, cell_text

__all__ = [
    "CSV_SHEET",
    "SUPPORTED_EXTENSIONS",
    "Book",
    "PreparedSheet",
    "RawSheet",
    "detect_header_row",
    "header_names",
    "list_sheets",
    "prepare",
    "read_sheet",
]

WORKBOOK_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods")
#: The one "sheet" of a CSV file (batches of a CSV file have no sheet name).
CSV_SHEET: str | None = None

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_HEADER_SCAN_ROWS = 30


@dataclass
class RawSheet:
    """The raw rows of one sheet.

    Attributes:
        file: the file name shown to the user.
        sheet: the sheet name, or None for a CSV file.
        rows: the rows, the first one being row ``first_row`` of the sheet.
        first_row: the 1-based row number (as Excel shows it) of ``rows[0]``.
        rectangular: every row has the same length (true of workbooks, not of CSV).
    """

    file: str
    sheet: str | None
    rows: list[list[Any]]
    first_row: int = 1
    rectangular: bool = False


# -- workbook kinds and whole-file problems --------------------------------------------------


def _extension(path: Path) -> str:
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


def _damaged(path: Path, reason: object) -> UserError:
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


def _workbook_format(path: Path, ext: str) -> str:
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
        raise _damaged(path, _("not a complete zip archive"))
    if _looks_like_text(head):
        # A CSV export saved with an Excel name, as some web applications do.
        return "csv"
    raise _not_a_spreadsheet(path)


def _open_workbook(path: Path, ext: str, fmt: str) -> CalamineWorkbook:
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
            raise _damaged(path, _("not a complete zip archive")) from exc
        if fmt == "zip" and not _has_workbook_part(path):
            raise _not_a_spreadsheet(path) from exc
        raise _damaged(path, exc) from exc
    except OSError as exc:
        raise UserError(
            _("{file} cannot be read ({reason}).").format(file=path.name, reason=exc.strerror or exc)
        ) from exc
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # a calamine panic surfaces as pyo3's PanicException, a BaseException
        raise _damaged(path, exc) from exc


def _has_workbook_part(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "xl/workbook.xml" in names or "content.xml" in names or any(n.endswith("workbook.xml") for n in names)


# -- listing and reading sheets --------------------------------------------------------------


class Book:
    """An open spreadsheet file: its sheets, read on demand. Use as a context manager.

    A CSV file is a book with one unnamed sheet.

    Raises:
        UserError: on opening, when the file cannot be read (see the module docstring).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        ext = _extension(self.path)
        self._ext = ext
        self._format = _workbook_format(self.path, ext)
        self._wb: CalamineWorkbook | None = None
        if self._format != "csv":
            self._wb = _open_workbook(self.path, ext, self._format)

    @property
    def is_csv(self) -> bool:
        return self._wb is None

    def sheets(self) -> list[str]:
        """The data sheets in workbook order (hidden and chart sheets left out; ``[]`` for CSV)."""
        if self._wb is None:
            return []
        visible = [
            m.name
            for m in self._wb.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ]
        return visible or list(self._wb.sheet_names)

    def read(self, sheet: str | None = None, nrows: int | None = None) -> RawSheet:
        """The raw rows of ``sheet`` (the first data sheet when None).

        Args:
            sheet: the sheet name; ignored for CSV.
            nrows: read only this many rows from the top (a quick look).

        Raises:
            UserError: no such sheet, or the sheet cannot be read.
        """
        p = self.path
        if self._wb is None:
            raw = read_csv(p)
            if nrows is not None:
                raw.rows = raw.rows[:nrows]
            return raw
        names = list(self._wb.sheet_names)
        if sheet is None:
            candidates = self.sheets()
            if not candidates:
                raise UserError(_("{file} has no sheets.").format(file=p.name))
            sheet = candidates[0]
        if sheet not in names:
            raise UserError(
                _("{file}: there is no sheet named '{sheet}'. Its sheets are: {sheets}.").format(
                    file=p.name, sheet=sheet, sheets=", ".join(names)
                )
            )
        try:
            rows = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=nrows)
        except CalamineError as exc:
            if self._format == "zip" and self._ext in (".xlsx", ".xlsm"):
                rows = _read_with_openpyxl(p, sheet, nrows)
            else:
                raise _damaged(p, exc) from exc
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as exc:  # a calamine panic (pyo3 PanicException)
            raise _damaged(p, exc) from exc
        return RawSheet(file=p.name, sheet=sheet, rows=rows, first_row=1, rectangular=True)

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()
            self._wb = None
            self._format = "closed"

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def list_sheets(path: str | Path) -> list[str]:
    """The data sheets of a workbook in workbook order (hidden and chart sheets left out).

    A CSV file has one unnamed sheet: the list is ``[]``.

    Raises:
        UserError: the file cannot be read (see the module docstring).
    """
    with Book(path) as book:
        return book.sheets()


def read_sheet(path: str | Path, sheet: str | None = None, nrows: int | None = None) -> RawSheet:
    """The raw rows of ``sheet`` (the first data sheet when None) of the file at ``path``.

    Raises:
        UserError: the file cannot be read, or has no such sheet.
    """
    with Book(path) as book:
        return book.read(sheet, nrows)


def _read_with_openpyxl(path: Path, sheet: str, nrows: int | None) -> list[list[Any]]:
    """The fallback reader, for workbooks calamine cannot parse (it is much slower)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, zipfile, XML errors)
        raise _damaged(path, exc) from exc
    try:
        ws = wb[sheet]
        rows: list[list[Any]] = []
        for row in ws.iter_rows(values_only=True):
            rows.append(list(row))
            if nrows is not None and len(rows) >= nrows:
                break
        return rows
    except Exception as exc:
        raise _damaged(path, exc) from exc
    finally:
        wb.close()


# -- CSV -------------------------------------------------------------------------------------

_DELIMITERS = (",", ";", "\t", "|")


def decode_text(data: bytes, file: str) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, cp1252, or a mix.

    A file that is UTF-8 on most lines and cp1252 on a few (files edited by
    several programs, like the NPS survey export) is decoded line by line.

    Raises:
        UserError: the bytes are not text in any of those encodings.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                if encoding != "utf-8":
                    raise _unreadable(file) from None
                return _decode_mixed(data[len(bom) :], file)
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        sample = min(len(data), 4096) // 2 or 1
        encoding = "utf-16-be" if even > 0.4 * sample else "utf-16-le" if odd > 0.4 * sample else ""
        if not encoding:
            raise _unreadable(file)
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise _unreadable(file) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_mixed(data, file)


def _decode_mixed(data: bytes, file: str) -> str:
    lines = data.split(b"\n")
    out = []
    fallback = 0
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            fallback += 1
            out.append(line.decode("cp1252", errors="replace"))
    text = "\n".join(out)
    if "\ufffd" in text and text.count("\ufffd") > max(10, len(text) // 1000):
        raise _unreadable(file)
    controls = sum(1 for c in text[:65536] if c < "\x09" or "\x0d" < c < "\x20")
    if controls > max(5, min(len(text), 65536) // 200):
        raise _unreadable(file)
    return text


def _unreadable(file: str) -> UserError:
    return UserError(
        _(
            "{file}: its text encoding cannot be read (it may not be a CSV file). "
            "Open it in Excel or LibreOffice and save it as 'CSV UTF-8' or .xlsx, then import it again."
        ).format(file=file)
    )


def _detect_delimiter(lines: Sequence[str]) -> str:
    """The delimiter whose field count is the most consistent over the first lines."""
    best, best_score = ",", (-1.0, 0)
    sample = [line for line in lines if line.strip()][:50]
    if not sample:
        return ","
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        consistency = counts.count(mode) / len(counts)
        score = (consistency, mode) if mode > 1 else (-1.0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(path: Path) -> RawSheet:
    """The rows of a CSV file as strings ("" for an empty field)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(
            _("{file} cannot be read ({reason}).").format(file=path.name, reason=exc.strerror or exc)
        ) from exc
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UserError(
            _("{file} is empty. Check that the export finished, then import the file again.").format(file=path.name)
        )
    text = decode_text(data, path.name)
    head = text[:65536].splitlines()
    hint = re.fullmatch(r'"?sep=(.)"?', head[0].strip()) if head else None
    if hint:
        # Excel's "sep=;" first line names the delimiter; Excel hides it, so its rows start after it.
        delimiter = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = _detect_delimiter(head)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _damaged(path, exc) from exc
    return RawSheet(file=path.name, sheet=CSV_SHEET, rows=rows, first_row=1)


# -- header row --------------------------------------------------------------------------------

_NUMBERISH = re.compile(r"^[\s\d.,:/€$£%()+\-\u00a0\u202f]*$")


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _is_label(value: Any) -> bool:
    """A cell that reads like a column title: text that is not a number or a date."""
    return isinstance(value, str) and bool(value.strip()) and not _NUMBERISH.match(value)


def detect_header_row(rows: Sequence[Sequence[Any]], limit: int = _HEADER_SCAN_ROWS) -> int:
    """The index in ``rows`` of the header row: titles and blank rows above it are skipped.

    The header is the first row, among the first ``limit``, whose cells are
    mostly labels and that spans most of the table's width (a merged title cell
    spans one cell; a "Période : mars" line two).
    """
    sample = rows[: limit + 20]
    widths = [sum(1 for v in row if not _is_blank(v)) for row in sample]
    if not widths or max(widths) == 0:
        return 0
    width = max(widths)
    for index, row in enumerate(sample[:limit]):
        filled = widths[index]
        if filled == 0:
            continue
        labels = sum(1 for v in row if _is_label(v))
        distinct = len({str(v).strip().lower() for v in row if _is_label(v)})
        if width == 1 or (filled >= max(2, 0.6 * width) and labels >= 0.6 * filled and distinct >= 0.8 * labels):
            return index
    return next((i for i, w in enumerate(widths) if w), 0)


def header_names(cells: Sequence[Any], width: int) -> list[str]:
    """Column titles from the header cells: stripped, never empty, never repeated.

    An empty title becomes "Column C" (its letter); a repeated one gets " (2)".
    """
    names: list[str] = []
    seen: dict[str, int] = {}
    for i in range(width):
        value = cells[i] if i < len(cells) else None
        name = " ".join(cell_text(value).split())
        if not name:
            name = _("Column {letter}").format(letter=column_letter(i))
        key = name.lower()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        names.append(name)
    return names


# -- a sheet ready for mapping -------------------------------------------------------------------


@dataclass
class PreparedSheet:
    """A sheet with its header row found: the column titles and the data rows below.

    Attributes:
        file: the file name shown to the user.
        sheet: the sheet name (None for CSV).
        headers: the column titles, stripped, unique, never empty.
        header_row: the index in the sheet's raw rows of the header row (0-based;
            Excel shows it as row ``header_row + 1``).
        rows: the data rows under the header, as read (blank rows included, so that
            ``first_data_row + i`` is the Excel row number of ``rows[i]``).
        first_data_row: the Excel row number (1-based) of ``rows[0]``.
        positions: for each header, the index of its cells in a raw row.
    """

    file: str
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: list[list[Any]]
    first_data_row: int
    positions: list[int]
    rectangular: bool = False
    #: Cells in the header row up to its last title: a CSV row longer than that with values
    #: past it has more values than titles (a decimal comma in a comma-separated file...).
    header_width: int = 0
    _columns: dict[str, Any] | None = None
    _cells: dict[str, Column] | None = None

    def overlong_rows(self) -> np.ndarray:
        """Rows of a CSV file holding values past the last column title (always none in a workbook,
        where a column without a title is a column)."""
        flags = np.zeros(len(self.rows), dtype=bool)
        if self.sheet is not None or not self.header_width:
            return flags
        width = self.header_width
        for i, row in enumerate(self.rows):
            if len(row) > width and any(not _is_blank(v) for v in row[width:]):
                flags[i] = True
        return flags

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def column(self, header: str) -> Any:
        """The cells of one column as a 1-D object array (``header`` as in :attr:`headers`)."""
        if self._columns is None:
            self._columns = self._transpose()
        return self._columns[header]

    def cells(self, header: str) -> Column:
        """One column ready to parse (blank cells found once, shared by every step)."""
        if self._cells is None:
            self._cells = {}
        if header not in self._cells:
            self._cells[header] = Column.of(self.column(header))
        return self._cells[header]

    def _transpose(self) -> dict[str, Any]:
        rows = self.rows
        if not rows:
            return {h: np.empty(0, dtype=object) for h in self.headers}
        width = max(self.positions, default=-1) + 1
        ragged = not self.rectangular and any(len(row) != len(rows[0]) for row in rows)
        if ragged or len(rows[0]) < width:
            # Ragged rows (CSV): pad them to a rectangle first.
            width = max(width, max(len(row) for row in rows))
            rows = [row if len(row) == width else [*row, *([""] * (width - len(row)))] for row in rows]
        # One C call builds the (rows x columns) object matrix; far faster than zip(*rows).
        # Each column is a view of it (no copy).
        matrix = np.empty((len(rows), len(rows[0])), dtype=object)
        matrix[:] = rows
        return {h: matrix[:, p] for h, p in zip(self.headers, self.positions, strict=True)}

    def preview(self, count: int = 20) -> list[list[Any]]:
        """The first ``count`` data rows, cells in :attr:`headers` order (for the wizard)."""
        out = []
        for row in self.rows[:count]:
            out.append([row[p] if p < len(row) else "" for p in self.positions])
        return out


def prepare(raw: RawSheet, header_row: int | None = None) -> PreparedSheet:
    """Find the header row of ``raw`` (unless given) and name its columns.

    Columns with neither a title nor any value are dropped.

    Raises:
        UserError: the sheet is empty, or has a header but no data rows.
    """
    where = raw.file if raw.sheet is None else _("{file}, sheet '{sheet}'").format(file=raw.file, sheet=raw.sheet)
    rows = raw.rows
    if not any(any(not _is_blank(v) for v in row) for row in rows[:1000]) and not _any_filled(rows):
        raise UserError(
            _("{where}: the sheet is empty. Choose the sheet that holds the data, or check the file.").format(
                where=where
            )
        )
    index = detect_header_row(rows) if header_row is None else header_row
    if not 0 <= index < len(rows):
        raise UserError(_("{where}: there is no row {row}.").format(where=where, row=index + raw.first_row))
    header_cells = rows[index]
    data = rows[index + 1 :]
    width = max(len(header_cells), max((len(r) for r in data[:1000]), default=0))
    if data and len(data) > 1000 and not raw.rectangular:  # a workbook's rows all have one width
        width = max(width, max(len(r) for r in data))
    names = header_names(header_cells, width)
    keep = [i for i in range(width) if not _is_blank(header_cells[i] if i < len(header_cells) else None)]
    # A column without a title is kept only if it holds values.
    untitled = [i for i in range(width) if i not in set(keep)]
    if untitled and data:
        for i in untitled:
            if any(not _is_blank(row[i]) for row in data if i < len(row)):
                keep.append(i)
        keep.sort()
    headers = [names[i] for i in keep]
    if not any(any(not _is_blank(row[i]) for i in keep if i < len(row)) for row in data):
        raise UserError(
            _("{where}: the sheet has column titles (row {row}) but no data rows under them.").format(
                where=where, row=index + raw.first_row
            )
        )
    return PreparedSheet(
        file=raw.file,
        sheet=raw.sheet,
        headers=headers,
        header_row=index,
        rows=data,
        first_data_row=raw.first_row + index + 1,
        positions=keep,
        header_width=max((i + 1 for i, v in enumerate(header_cells) if not _is_blank(v)), default=0),
        rectangular=raw.rectangular,
    )


def _any_filled(rows: Sequence[Sequence[Any]]) -> bool:
    return any(any(not _is_blank(v) for v in row) for row in rows)
