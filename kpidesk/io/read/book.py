"""An open spreadsheet file and its sheets as raw rows (python-calamine, openpyxl as fallback)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io.read.csvfile import read_csv
from kpidesk.io.read.sheet import RawSheet
from kpidesk.io.read.sniff import damaged, extension, open_workbook, workbook_format

log = logging.getLogger(__name__)


class Book:
    """An open spreadsheet file: its sheets, read on demand. Use as a context manager.

    A CSV file is a book with one unnamed sheet.

    Raises:
        UserError: on opening, when the file cannot be read (see the module docstring).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        ext = extension(self.path)
        self._ext = ext
        self._format = workbook_format(self.path, ext)
        self._wb: CalamineWorkbook | None = None
        if self._format != "csv":
            self._wb = open_workbook(self.path, ext, self._format)

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
                raise damaged(p, exc) from exc
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as exc:  # a calamine panic (pyo3 PanicException)
            raise damaged(p, exc) from exc
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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for warning in caught:
            # openpyxl's "Workbook contains no default style" and the like: for the log, not the user.
            log.info("%s: %s", path.name, warning.message)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, zipfile, XML errors)
        raise damaged(path, exc) from exc
    try:
        ws = wb[sheet]
        rows: list[list[Any]] = []
        for row in ws.iter_rows(values_only=True):
            rows.append(list(row))
            if nrows is not None and len(rows) >= nrows:
                break
        return rows
    except Exception as exc:
        raise damaged(path, exc) from exc
    finally:
        wb.close()
