"""Text in a cell: never a formula, only characters XML holds, Excel's escapes kept literal."""

from __future__ import annotations

import re

#: Text starting with one of these is written as text with a quote prefix, never as a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on the characters of one cell.
MAX_TEXT = 32_767

#: Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Text Excel would read as an escaped character (``_x0041_`` is "A").
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (or a DDE payload)."""
    return text.startswith(FORMULA_START)


def clean_text(text: str) -> str:
    """``text`` without the characters XML cannot hold, cut to Excel's cell limit."""
    if not text.isprintable():
        text = _XML_ILLEGAL.sub("", text)
    return text[:MAX_TEXT]


def cell_text(text: str) -> str:
    """``text`` as it is stored in a cell so that Excel reads it back as written.

    XML turns a carriage return into a line feed: it is stored as Excel's own escape
    ``_x000D_``; text that already looks like such an escape (``_x0041_``) gets its
    underscore escaped (``_x005F_``), so that Excel does not read it as "A".
    """
    text = clean_text(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    if "\r" in text:
        text = text.replace("\r", "_x000D_")
    return text
