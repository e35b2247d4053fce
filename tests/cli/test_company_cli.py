"""new, --lang, the instance lock honoured by every command that writes, and 0-byte files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpidesk import i18n
from kpidesk.cli import main
from kpidesk.store.database import Store

HOLD = textwrap.dedent(
    """
    import sys
    from kpidesk.app.company import Company
    company = Company.open(sys.argv[1], write=True, create=True, load=False)
    print("held", flush=True)
    sys.stdin.readline()
    company.close()
    """
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        i18n.set_language("en")
    out, err = capsys.readouterr()
    return code, out, err


def sales_file(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["Date", "Montant"])
    ws.append(["2024-03-01", 100])
    ws.append(["2024-03-02", 50])
    wb.save(path)
    return path


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A company that another running KPI Desk (a real second process) holds open."""
    db = tmp_path / "held.kpidesk"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    try:
        yield db
    finally:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=30)


def test_new_starts_an_empty_company(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    code, out, _err = run(capsys, "new", "--db", str(db), "--name", "Acme", "--currency", "CHF")
    assert code == 0 and "acme.kpidesk" in out
    with Store.open(db) as store:
        settings = store.settings()
        assert (settings.company_name, settings.currency) == ("Acme", "CHF")
        assert store.batches() == []
    code, _out, err = run(capsys, "new", "--db", str(db))
    assert code == 1 and "already exists" in err


def test_lang_chooses_the_words_printed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    code, out, _err = run(capsys, "new", "--db", str(db), "--lang", "fr")
    assert code == 0 and out.startswith("Entreprise vide créée dans")
    code, out, _err = run(capsys, "imports", "--db", str(db), "--lang", "en")
    assert code == 0 and out.strip() == "No import yet."
    code, out, _err = run(capsys, "catalog", "--lang", "fr")
    assert code == 0 and "Chiffre d'affaires" in out


def test_every_write_honours_a_company_held_elsewhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, held: Path
) -> None:
    source = sales_file(tmp_path / "mars.xlsx")
    for args in (
        ["import", str(source), "--db", str(held)],
        ["undo-import", "1", "--db", str(held)],
        ["demo", "--db", str(held), "--force"],
        ["new", "--db", str(held), "--force"],
    ):
        code, _out, err = run(capsys, *args)
        assert code == 1, args
        assert "is open in another KPI Desk" in err and str(held) in err, args
        assert err.count("\n") == 1  # one line
    with Store.open(held) as store:
        assert store.batches() == []
    code, out, _err = run(capsys, "imports", "--db", str(held))  # reading is fine
    assert code == 0 and out.strip() == "No import yet."


def test_a_zero_byte_file_is_refused_by_readers_and_started_by_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "zero.kpidesk"
    db.write_bytes(b"")
    for args in (["kpis", "--db", str(db)], ["export", "--db", str(db), "-o", str(tmp_path / "o.xlsx")]):
        code, _out, err = run(capsys, *args)
        assert code == 1 and "is an empty file" in err, args
        assert db.stat().st_size == 0
    code, out, _err = run(capsys, "import", str(sales_file(tmp_path / "mars.xlsx")), "--db", str(db))
    assert code == 0 and "2 imported" in out
    with Store.open(db) as store:
        assert store.count("sales") == 2


def test_import_refuses_to_guess_between_close_kinds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpidesk.io import mapping

    monkeypatch.setattr(mapping, "kind_candidates", lambda headers: ["sales", "customers"], raising=False)
    db = tmp_path / "acme.kpidesk"
    source = sales_file(tmp_path / "mars.xlsx")
    code, _out, err = run(capsys, "import", str(source), "--db", str(db))
    assert code == 1
    assert "sales (sales)" in err and "customers (customers)" in err and "--kind" in err
    with Store.open(db) as store:
        assert store.batches() == []
    code, out, _err = run(capsys, "import", str(source), "--db", str(db), "--kind", "sales")
    assert code == 0 and "2 imported" in out
