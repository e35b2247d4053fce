"""Every visible string is translatable, and the French catalogue is complete and current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kpidesk import i18n

ROOT = Path(__file__).resolve().parents[1]


def test_french_catalogue_is_complete_and_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_translations.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_translations_keep_every_placeholder() -> None:
    pattern = re.compile(r"\{[^{}]*\}")
    for msgid, msgstr in i18n.catalogue("fr").items():
        assert sorted(pattern.findall(msgid)) == sorted(pattern.findall(msgstr)), msgid


def test_language_switch() -> None:
    i18n.set_language("fr")
    assert i18n._("Dashboard") == "Tableau de bord"
    i18n.set_language("en")
    assert i18n._("Dashboard") == "Dashboard"


def test_system_language_follows_the_locale(monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
            mp.delenv(var, raising=False)
        mp.setenv("LANG", "fr_FR.UTF-8")
        assert i18n.system_language() == "fr"
        mp.setenv("LANG", "de_DE.UTF-8")
        assert i18n.system_language() == "en"
        mp.setenv("LC_ALL", "fr_CA.UTF-8")
        assert i18n.system_language() == "fr"
    finally:
        mp.undo()


def test_po_parser_reads_multiline_and_escapes() -> None:
    text = 'msgid ""\nmsgstr "header"\n\nmsgid "a\\"b"\nmsgstr ""\n"c\\n"\n"d"\n'
    assert i18n.parse_po(text) == {'a"b': "c\nd"}


def test_marked_strings_are_found_in_source() -> None:
    source = "x = _('Hello {name}')\ny = N_('Later')\nz = self.tr('Qt')\nw = _(variable)\n"
    assert list(i18n.iter_marked_strings(source)) == ["Hello {name}", "Later", "Qt"]
