"""Translation of every user-visible string, in every layer.

Like MusicBrainz Picard, KPI Desk marks its strings with ``_()`` in the GUI and
in the headless layers alike. The catalogue is a standard gettext ``.po`` file
in ``resources/translations/`` (read at first use: no compile step, and any
translator's tool edits it). English is the source language.

Qt's own dialogs are translated separately by loading Qt's ``qtbase``
translator (see ``kpidesk.ui.app``).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator

from kpidesk.resources_path import resource_path

LANGUAGES: tuple[str, ...] = ("en", "fr")

_language: str | None = None
_catalogues: dict[str, dict[str, str]] = {}


def system_language() -> str:
    """The language of the environment's locale, among ours (``fr`` or ``en``)."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX"):
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def set_language(language: str | None) -> None:
    """Choose the language of ``_()``; None follows the system locale."""
    global _language
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def language() -> str:
    return _language or system_language()


def _(message: str) -> str:
    """The translation of ``message`` in the current language."""
    lang = language()
    if lang == "en":
        return message
    return catalogue(lang).get(message) or message


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now."""
    return message


def catalogue(lang: str) -> dict[str, str]:
    """msgid -> msgstr of ``lang``'s ``.po`` file (empty translations left out)."""
    if lang not in _catalogues:
        path = resource_path("translations", f"{lang}.po")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = ""
        _catalogues[lang] = {k: v for k, v in parse_po(text).items() if v}
    return _catalogues[lang]


def parse_po(text: str) -> dict[str, str]:
    """Parse the msgid/msgstr pairs of a gettext ``.po`` file."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key = "".join(msgid)
            if key:
                entries[key] = "".join(msgstr)

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [_unquote(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


def _unquote(token: str) -> str:
    value = ast.literal_eval(token.strip())
    return value if isinstance(value, str) else ""


def po_quote(text: str) -> str:
    """``text`` as a ``.po`` string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def iter_marked_strings(source: str) -> Iterator[str]:
    """The literal strings passed to ``_()``, ``N_()`` or ``tr()`` in Python ``source``."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in ("_", "N_", "tr"):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value
