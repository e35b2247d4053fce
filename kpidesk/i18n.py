"""Translation of every user-visible string, in every layer, through the standard library's ``gettext``.

Like MusicBrainz Picard, KPI Desk marks its strings with ``_()`` (``ngettext()`` for a
count, ``N_()`` to translate later) in the GUI and in the headless layers alike. The
catalogue is a gettext ``.po`` file in ``resources/translations/``, kept by Babel
(``make translations``). At first use it is compiled in memory into a
``gettext.GNUTranslations`` with this module's stdlib-only code: no compile step, so a
clone, a wheel and the bundle all read the same ``.po``, and a stale ``.mo`` cannot exist.
Plural forms come from the catalogue's ``Plural-Forms`` header (« 0 ligne », « 2 lignes »).

There is one translation object per language (:func:`translator`), so a French workbook
can be written while the window is in English. English is the source language.

Qt's own dialogs are translated separately by loading Qt's ``qtbase`` translator
(see ``kpidesk.ui.app``).
"""

from __future__ import annotations

import array
import ast
import gettext
import io
import os
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from kpidesk.resources_path import resource_path

LANGUAGES: tuple[str, ...] = ("en", "fr")

_language: str | None = None
_catalogues: dict[str, dict[str, str]] = {}
_translators: dict[str, gettext.NullTranslations] = {}
_lock = threading.Lock()


def language_of_locale(name: str) -> str:
    """Ours among the languages for a locale name (``fr_CA.UTF-8``, ``fr-FR``, ``de_DE``): ``fr`` or ``en``."""
    return "fr" if name.strip().lower().startswith("fr") else "en"


def system_language() -> str:
    """The language of the environment's locale, among ours (``fr`` or ``en``).

    The window asks ``QLocale.system()`` instead: Windows and macOS set no ``LANG``.
    """
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX"):
            return language_of_locale(value)
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
    return translator(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` translated for the count ``n``, by the language's plural rule."""
    return translator(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now."""
    return message


def translator(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang``, whatever the current language (an export may differ from the window)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    found = _translators.get(lang)
    if found is None:
        with _lock:
            found = _translators.get(lang)
            if found is None:
                found = _load(lang)
                _translators[lang] = found
    return found


def _load(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    try:
        text = resource_path("translations", f"{lang}.po").read_text(encoding="utf-8")
    except OSError:
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compile_po(text)))


def catalogue(lang: str) -> dict[str, str]:
    """msgid -> msgstr of ``lang``'s ``.po`` file (empty translations left out; plurals by their first form)."""
    if lang not in _catalogues:
        try:
            text = resource_path("translations", f"{lang}.po").read_text(encoding="utf-8")
        except OSError:
            text = ""
        _catalogues[lang] = {k: v for k, v in parse_po(text).items() if v}
    return _catalogues[lang]


@dataclass
class PoEntry:
    """One entry of a ``.po`` file."""

    msgid: str
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    context: str | None = None
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr)


def read_po(text: str) -> list[PoEntry]:
    """The entries of a gettext ``.po`` file, the header (msgid ``""``) first if present; obsolete ones left out."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    target: list[str] | None = None
    fuzzy = False
    parts: dict[str, list[str]] = {}

    def flush() -> None:
        if entry is not None:
            entry.msgid = "".join(parts.get("msgid", []))
            plural = parts.get("msgid_plural")
            entry.msgid_plural = "".join(plural) if plural is not None else None
            ctx = parts.get("msgctxt")
            entry.context = "".join(ctx) if ctx is not None else None
            forms = sorted(k for k in parts if k.startswith("msgstr"))
            entry.msgstr = ["".join(parts[k]) for k in forms]
            entries.append(entry)

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if target is not None:
                target.append(_unquote(line))
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (entry is None or any(k.startswith("msgstr") for k in parts)):
            flush()
            entry, parts, fuzzy = PoEntry(msgid="", fuzzy=fuzzy), {}, False
        if entry is None:
            continue
        key = f"msgstr{int(keyword[7:-1]):03d}" if keyword.startswith("msgstr[") else keyword
        target = parts.setdefault(key, [])
        target.append(_unquote(rest))
    flush()
    return entries


def compile_po(text: str) -> bytes:
    """The ``.mo`` bytes of a ``.po`` text, as ``msgfmt`` makes them (untranslated and fuzzy entries left out)."""
    messages: dict[bytes, bytes] = {}
    for entry in read_po(text):
        if entry.msgid and not entry.translated:
            continue
        key = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\x00{entry.msgid_plural}"
        if entry.context is not None:
            key = f"{entry.context}\x04{key}"
        messages[key.encode("utf-8")] = "\x00".join(entry.msgstr).encode("utf-8")
    keys = sorted(messages)
    ids = strs = b""
    spans: list[tuple[int, int, int, int]] = []
    for raw in keys:
        spans.append((len(ids), len(raw), len(strs), len(messages[raw])))
        ids += raw + b"\x00"
        strs += messages[raw] + b"\x00"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets: list[int] = []
    value_offsets: list[int] = []
    for id_at, id_len, str_at, str_len in spans:
        key_offsets += [id_len, id_at + key_start]
        value_offsets += [str_len, str_at + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return header + array.array("i", key_offsets + value_offsets).tobytes() + ids + strs


def parse_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a gettext ``.po`` file (a plural entry by its first form; the header left out)."""
    return {e.msgid: (e.msgstr[0] if e.msgstr else "") for e in read_po(text) if e.msgid and e.context is None}


def _unquote(token: str) -> str:
    value = ast.literal_eval(token.strip())
    return value if isinstance(value, str) else ""


def po_quote(text: str) -> str:
    """``text`` as a ``.po`` string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


#: The marking functions and which arguments are the message (Babel's keyword spec).
KEYWORDS: dict[str, tuple[int, ...]] = {"_": (1,), "N_": (1,), "tr": (1,), "ngettext": (1, 2)}


def iter_marked_messages(source: str) -> Iterator[tuple[int, str, str | tuple[str, str]]]:
    """(line, function, message) of each marked literal in Python ``source``, f-strings included.

    A plural message is the pair (singular, plural). ``ast`` rather than tokens, so a ``_()``
    inside an f-string is found on every Python version.
    """
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        spec = KEYWORDS.get(name)
        if spec is None or len(node.args) < len(spec):
            continue
        args = [node.args[i - 1] for i in spec]
        texts = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(texts) != len(spec):
            continue
        yield node.lineno, name, (texts[0], texts[1]) if len(texts) == 2 else texts[0]


def iter_marked_strings(source: str) -> Iterator[str]:
    """The literal strings passed to ``_()``, ``N_()`` or ``tr()`` in Python ``source`` (singulars of ``ngettext``)."""
    for _line, _name, message in iter_marked_messages(source):
        yield message if isinstance(message, str) else message[0]
