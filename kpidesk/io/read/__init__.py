"""Spreadsheet files to raw rows: what a file holds (sniff), workbooks (book), CSV files (csvfile)
and the header row (header). Every whole-file problem raises one :class:`~kpidesk.errors.UserError`
naming the file and what to do; no reader exception gets through."""

from __future__ import annotations

from kpidesk.io import SUPPORTED_EXTENSIONS
from kpidesk.io.read.book import Book, list_sheets, read_sheet
from kpidesk.io.read.csvfile import decode_text, read_csv
from kpidesk.io.read.header import PreparedSheet, detect_header_row, header_names, prepare
from kpidesk.io.read.sheet import CSV_SHEET, RawSheet

__all__ = [
    "CSV_SHEET",
    "SUPPORTED_EXTENSIONS",
    "Book",
    "PreparedSheet",
    "RawSheet",
    "decode_text",
    "detect_header_row",
    "header_names",
    "list_sheets",
    "prepare",
    "read_csv",
    "read_sheet",
]
