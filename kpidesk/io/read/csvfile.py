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
        encoding = "utf-16-be" if even > 0.4 * sample else "utf-16-le" if odd > 0.4 * sample else ""
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
        raise damaged(path, exc) from exc
    return RawSheet(file=path.name, sheet=CSV_SHEET, rows=rows, first_row=1)
