"""The raw rows of one sheet, as a reader returns them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The one "sheet" of a CSV file (batches of a CSV file have no sheet name).
CSV_SHEET: str | None = None


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
