"""CSV files: their encoding and delimiter detected, their rows as strings."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io.read.sheet import CSV_SHEET, RawSheet
from kpidesk.io.read.sniff import damaged

_DELIMITERS = (",", ";", "\t", "|")
#: Excel's widest sheet: a CSV row wider than that is no table (a JSON dump, a binary file).
MAX_COLUMNS = 16_384


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
                    raise unreadable(file) from None
                return _decode_mixed(data[len(bom) :], file)
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        sample = min(len(data), 4096) // 2 or 1
        # Text in UTF-16 has its zeros on one side only; zeros on both sides are no text.
        high, low = 0.4 * sample, 0.05 * sample
        encoding = "utf-16-be" if even > high and odd < low else "utf-16-le" if odd > high and even < low else ""
        if not encoding:
            raise unreadable(file)
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise unreadable(file) from None
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
        raise unreadable(file)
    controls = sum(1 for c in text[:65536] if c < "\x09" or "\x0d" < c < "\x20")
    if controls > max(5, min(len(text), 65536) // 200):
        raise unreadable(file)
    return text


def unreadable(file: str) -> UserError:
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
        # Line by line, each on its own: a quote that never closes on one line cannot swallow the
        # lines after it and flip the choice (quotes are honoured within a line).
        counts = [_fields(line, delimiter) for line in sample]
        if max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        consistency = counts.count(mode) / len(counts)
        score = (consistency, mode) if mode > 1 else (-1.0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _fields(line: str, delimiter: str) -> int:
    """The fields of one line, its quotes honoured; a line whose quote never closes counts its
    delimiters as they are."""
    try:
        row = next(csv.reader([line], delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration):
        return line.count(delimiter) + 1
    return len(row)


def _unclosed_quote(text: str, rows: list[list[str]], first_line: int) -> int | None:
    """The line where a quoted value opens and never closes (it swallowed every line after it into
    the last row), or None."""
    if not rows or not any("\n" in field or "\r" in field for field in rows[-1]):
        return None
    if text.rstrip().endswith('"'):
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    swallowed = sum(field.count("\n") for field in rows[-1])
    return first_line + lines - swallowed - (0 if text.endswith("\n") else 1)


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
    first_line = 1
    if hint:
        # Excel's "sep=;" first line names the delimiter; Excel hides it, so its rows start after it.
        delimiter = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_line = 2
    else:
        if text.lstrip()[:1] in ("[", "{") and len(head) <= 2:
            raise UserError(
                _(
                    "{file} holds JSON data, not a table of rows. Export the data as CSV or .xlsx, "
                    "then import it again."
                ).format(file=path.name)
            )
        delimiter = _detect_delimiter(head)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise damaged(path, exc) from exc
    line = _unclosed_quote(text, rows, first_line)
    if line is not None:
        raise UserError(
            _(
                '{file}, row {row}: a quote (") opens a value that never closes, so every line after it would '
                "be read as that one value. Close or remove that quote, then import the file again."
            ).format(file=path.name, row=line)
        )
    width = max((len(row) for row in rows[:1000]), default=0)
    if width > MAX_COLUMNS:
        raise UserError(
            _(
                "{file} has {count} columns; a spreadsheet holds at most {limit}. Check that it is a table "
                "of rows, separated by commas, semicolons or tabs."
            ).format(file=path.name, count=width, limit=MAX_COLUMNS)
        )
    return RawSheet(file=path.name, sheet=CSV_SHEET, rows=rows, first_row=1)
