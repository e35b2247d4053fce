"""Refresh resources/translations/fr.po from the strings marked in the code.

Every literal passed to ``_()``, ``N_()`` or ``tr()`` under ``kpidesk/`` becomes
an entry; existing translations are kept, new entries have an empty msgstr,
and entries no longer used are dropped. Prints how many are left to translate.

    python scripts/update_translations.py          # rewrite fr.po
    python scripts/update_translations.py --check  # exit 1 if fr.po is stale or incomplete
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kpidesk.i18n import iter_marked_strings, parse_po, po_quote  # noqa: E402

PO = ROOT / "resources" / "translations" / "fr.po"
HEADER = """# French translation of KPI Desk.
# Refresh with: python scripts/update_translations.py
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr\\n"

"""


def marked_strings() -> dict[str, list[str]]:
    """msgid -> the files that use it, in order of first use."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "kpidesk").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for text in iter_marked_strings(path.read_text(encoding="utf-8")):
            files = found.setdefault(text, [])
            if rel not in files:
                files.append(rel)
    return found


def render(found: dict[str, list[str]], translations: dict[str, str]) -> str:
    parts = [HEADER]
    for msgid, files in found.items():
        parts.append("".join(f"#: {f}\n" for f in files))
        parts.append(f"msgid {po_quote(msgid)}\nmsgstr {po_quote(translations.get(msgid, ''))}\n\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    found = marked_strings()
    current = PO.read_text(encoding="utf-8") if PO.exists() else ""
    translations = parse_po(current)
    text = render(found, translations)
    missing = [m for m in found if not translations.get(m)]
    if "--check" in argv:
        if text != current or missing:
            print(f"fr.po is stale or incomplete: {len(missing)} untranslated; run scripts/update_translations.py")
            return 1
        return 0
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_text(text, encoding="utf-8")
    print(f"{len(found)} strings, {len(missing)} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
