"""Refresh resources/translations/fr.po from the strings marked in the code, with Babel.

Babel extracts every literal passed to ``_()``, ``N_()``, ``tr()`` or ``ngettext()``
under ``kpidesk/`` (found with ``ast``, so a ``_()`` inside an f-string counts), then
updates the catalogue: translations are kept, new entries come with an empty msgstr,
and entries the code no longer marks stay at the end as obsolete (``#~``), never
dropped, so a translation written before its code lands is not lost.

    python scripts/update_translations.py          # update fr.po (make translations)
    python scripts/update_translations.py --check  # exit 1, listing why, if fr.po is incomplete or stale
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kpidesk import __version__  # noqa: E402
from kpidesk.i18n import KEYWORDS, iter_marked_messages  # noqa: E402

PO = ROOT / "resources" / "translations" / "fr.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """A Babel extraction method: the marked messages of one Python file."""
    for line, name, message in iter_marked_messages(fileobj.read().decode("utf-8")):
        if name in keywords:
            yield line, name, message, []


def template() -> Catalog:
    """The messages the code marks, in order of first use, each with the files that use it."""
    found = Catalog(locale=None, project="KPI Desk")
    for filename, _line, message, _comments, context in extract_from_dir(
        ROOT / "kpidesk", method_map=[("**.py", _extract)], keywords=KEYWORDS, comment_tags=()
    ):
        location = (f"kpidesk/{Path(filename).as_posix()}", None)
        known = found.get(message, context)
        if known is None:
            found.add(message, None, [location], context=context)
        elif location not in known.locations:
            known.locations.append(location)
    return found


def load(text: str) -> Catalog:
    return read_po(io.StringIO(text), locale="fr")


def problems(text: str) -> list[str]:
    """Why the catalogue ``text`` is not complete and current; empty when it is."""
    catalog, wanted = load(text), template()
    have = {m.id for m in catalog if m.id}
    need = {m.id for m in wanted if m.id}
    found = [f"not in fr.po: {m!r}" for m in need - have]
    found += [f"no longer marked in the code: {m!r}" for m in have - need]
    forms = catalog.num_plurals
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            found.append(f"untranslated: {message.id!r}")
            continue
        if len(ids) == 2 and len(strings) != forms:
            found.append(f"{len(strings)} plural forms instead of {forms}: {message.id!r}")
        allowed = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if not set(PLACEHOLDER.findall(string)) <= allowed:
                found.append(f"placeholder not in the English: {message.id!r} -> {string!r}")
        if sorted(PLACEHOLDER.findall(strings[-1])) != sorted(PLACEHOLDER.findall(ids[-1])):
            found.append(f"placeholders differ: {message.id!r} -> {strings[-1]!r}")
    return sorted(found)


def updated(text: str) -> str:
    """The catalogue ``text`` updated to the code's messages (obsolete entries kept as ``#~``)."""
    catalog = load(text)
    catalog.project, catalog.version = "KPI Desk", __version__
    wanted = template()
    for message in list(catalog.obsolete.values()):  # marked again: its translation comes back
        if wanted.get(message.id, message.context) is not None:
            catalog[message.id] = message
    catalog.update(wanted, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    out = io.BytesIO()
    write_po(out, catalog, width=0, include_lineno=False, ignore_obsolete=False, sort_output=False)
    return out.getvalue().decode("utf-8")


def main(argv: list[str]) -> int:
    current = PO.read_text(encoding="utf-8") if PO.exists() else ""
    if "--check" in argv:
        found = problems(current)
        for line in found:
            print(line)
        if found:
            print(f"fr.po: {len(found)} problems; run `make translations` and translate the new entries")
        return 1 if found else 0
    text = updated(current)
    if PO.read_text(encoding="utf-8") != current:  # someone appended meanwhile: do not write over it
        print("fr.po changed while it was being updated; run again")
        return 1
    PO.write_text(text, encoding="utf-8")
    left = sum(
        1 for m in load(text) if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,)))
    )
    print(f"{sum(1 for m in load(text) if m.id)} messages, {left} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
