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


PLURAL_PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

#, python-brace-format
msgid "{n} row"
msgid_plural "{n} rows"
msgstr[0] "{n} ligne"
msgstr[1] "{n} lignes"

msgctxt "menu"
msgid "File"
msgstr "Fichier"

#, fuzzy
msgid "Guess"
msgstr "Devine"

msgid "Untranslated"
msgstr ""

#~ msgid "Gone"
#~ msgstr "Parti"
"""


def test_plural_forms_come_from_the_catalogue_header() -> None:
    import gettext
    import io

    fr = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(PLURAL_PO)))
    assert [fr.ngettext("{n} row", "{n} rows", n).format(n=n) for n in (0, 1, 2)] == ["0 ligne", "1 ligne", "2 lignes"]
    en = gettext.NullTranslations()
    assert [en.ngettext("{n} row", "{n} rows", n).format(n=n) for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert fr.pgettext("menu", "File") == "Fichier"
    assert fr.gettext("Guess") == "Guess"  # a fuzzy translation is not used
    assert fr.gettext("Untranslated") == "Untranslated"
    assert fr.gettext("Gone") == "Gone"


def test_one_translator_per_language_whatever_the_window_speaks() -> None:
    i18n.set_language("en")
    assert i18n.translator("fr").gettext("Dashboard") == "Tableau de bord"
    assert i18n._("Dashboard") == "Dashboard"
    i18n.set_language("fr")
    assert i18n.translator("en").gettext("Dashboard") == "Dashboard"
    assert i18n.ngettext("{n} row", "{n} rows", 1) in ("{n} ligne", "{n} row")


def test_the_french_catalogue_declares_its_plural_rule() -> None:
    fr = i18n.translator("fr")
    assert fr.info().get("plural-forms") == "nplurals=2; plural=(n > 1);"
    assert [fr.plural(n) for n in (0, 1, 2)] == [0, 0, 1]  # type: ignore[attr-defined]


def test_language_of_a_locale_name() -> None:
    assert [i18n.language_of_locale(n) for n in ("fr_FR", "fr-CA", "fr", "en_GB", "de_DE", "")] == [
        "fr",
        "fr",
        "fr",
        "en",
        "en",
        "en",
    ]


def test_ngettext_marks_are_found_in_source() -> None:
    source = "a = ngettext('{n} row', '{n} rows', n)\nb = f\"{_('In an f-string')}\"\n"
    assert [m for _line, _name, m in i18n.iter_marked_messages(source)] == [("{n} row", "{n} rows"), "In an f-string"]


def test_an_update_keeps_a_translation_the_code_does_not_mark_yet() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_translations", ROOT / "scripts" / "update_translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "resources" / "translations" / "fr.po").read_text(encoding="utf-8")
    extra = current + '\nmsgid "Not in the code yet"\nmsgstr "Pas encore dans le code"\n'
    assert "no longer marked in the code: 'Not in the code yet'" in module.problems(extra)
    text = module.updated(extra)
    assert '#~ msgid "Not in the code yet"\n#~ msgstr "Pas encore dans le code"' in text
    assert not any("Not in the code yet" in p for p in module.problems(text))
    # An obsolete entry the code marks again comes back with its translation.
    entry = 'msgid "Dashboard"\nmsgstr "Tableau de bord"\n'
    assert entry in current
    gone = current.replace(entry, 'msgid "Dashboard (old)"\nmsgstr "x"\n') + "\n#~ " + entry.replace("\n", "\n#~ ")
    assert "not in fr.po: 'Dashboard'" in module.problems(gone)
    revived = module.updated(gone)
    assert '\nmsgid "Dashboard"\nmsgstr "Tableau de bord"' in revived
    assert not any("'Dashboard'" in p for p in module.problems(revived))


def test_the_window_takes_the_system_language_from_qt(qapp: object, tmp_path: Path) -> None:
    from PySide6.QtCore import QLocale, QSettings

    from kpidesk.ui.app import choose_language
    from kpidesk.ui.settings import UserSettings

    settings = UserSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    try:
        assert choose_language(settings) == i18n.language_of_locale(QLocale.system().name())
        settings.set("language", "fr")
        assert choose_language(settings) == "fr" and i18n._("Dashboard") == "Tableau de bord"
    finally:
        settings.set("language", "en")
        choose_language(settings)


def test_counts_in_french_are_singular_up_to_one() -> None:
    fr, en = i18n.translator("fr"), i18n.translator("en")
    said = [fr.ngettext("{count} row is rejected.", "{count} rows are rejected.", n).format(count=n) for n in (0, 1, 2)]
    assert said == ["0 ligne est rejetée.", "1 ligne est rejetée.", "2 lignes sont rejetées."]
    said = [en.ngettext("{count} row is rejected.", "{count} rows are rejected.", n).format(count=n) for n in (0, 1, 2)]
    assert said == ["0 rows are rejected.", "1 row is rejected.", "2 rows are rejected."]
