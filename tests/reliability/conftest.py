"""What the reliability cases share: a company file's fingerprint (integrity, and each table's
row count and content hash), a small company to break, and the command line run as a process."""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

#: The command line as a user runs it (the installed entry point, else the module).
KPIDESK = [str(Path(sys.executable).with_name("kpidesk"))]
if not Path(KPIDESK[0]).exists():
    KPIDESK = [sys.executable, "-m", "kpidesk"]


#: Columns that hold the time of a write: left out when comparing with a file written at another time.
CLOCK_COLUMNS: dict[str, tuple[str, ...]] = {"batches": ("imported_at",), "mappings": ("saved_at",)}


def _fingerprint(db: Path, ignore: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any]:
    """``PRAGMA integrity_check`` and, for every table, its row count and a hash of its rows.

    Read through a read-only connection: taking it never changes the file.

    Args:
        ignore: columns left out, by table (e.g. :data:`CLOCK_COLUMNS`).
    """
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        out: dict[str, Any] = {"integrity": con.execute("PRAGMA integrity_check").fetchone()[0]}
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            left_out = (ignore or {}).get(table, ())
            columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] not in left_out]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def _assert_unchanged(db: Path, before: dict[str, Any]) -> None:
    """The company file is sound and holds exactly what it held (see :func:`_fingerprint`)."""
    after = _fingerprint(db)
    assert after["integrity"] == "ok"
    assert after == before


def _file_digest(path: Path) -> str:
    """The SHA-256 of the file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_sales_csv(path: Path, rows: int, start: int = 0) -> Path:
    """A sales file of ``rows`` lines (date, invoice, customer, amount), numbered from ``start``."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Date", "Invoice", "Customer", "Amount"])
        for i in range(start, start + rows):
            out.writerow(
                [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", f"F{i}", f"C{i % 37}", f"{10 + (i * 7919) % 500}.25"]
            )
    return path


def _run_kpidesk(
    args: Sequence[str], *, preexec: Callable[[], None] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``kpidesk ARGS`` as a process, in English, with the tests' settings folders."""
    return subprocess.run(
        [*KPIDESK, *args], capture_output=True, text=True, timeout=timeout, env=_env(), preexec_fn=preexec, check=False
    )


def _env() -> dict[str, str]:
    return {**os.environ, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "QT_QPA_PLATFORM": "offscreen"}


def _start_kpidesk(args: Sequence[str]) -> subprocess.Popen[str]:
    """``kpidesk ARGS`` started as a process (to be killed), its output discarded."""
    return subprocess.Popen(
        [*KPIDESK, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=_env()
    )


def _one_message(done: subprocess.CompletedProcess[str], names: Path) -> str:
    """The single error line of a failed command, which names the file ``names``; no traceback."""
    assert done.returncode != 0, done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr, done.stderr
    assert names.name in lines[0], lines[0]
    return lines[0]


@pytest.fixture(name="fingerprint", scope="session")
def fingerprint_fixture() -> Callable[..., dict[str, Any]]:
    """``fingerprint(db, ignore=None)``: integrity and each table's row count and content hash."""
    return _fingerprint


@pytest.fixture(name="assert_unchanged", scope="session")
def assert_unchanged_fixture() -> Callable[[Path, dict[str, Any]], None]:
    """``assert_unchanged(db, before)``: the file is sound and holds what ``before`` recorded."""
    return _assert_unchanged


@pytest.fixture(name="file_digest", scope="session")
def file_digest_fixture() -> Callable[[Path], str]:
    return _file_digest


@pytest.fixture(name="write_sales_csv", scope="session")
def write_sales_csv_fixture() -> Callable[..., Path]:
    return _write_sales_csv


@pytest.fixture(name="run_kpidesk", scope="session")
def run_kpidesk_fixture() -> Callable[..., subprocess.CompletedProcess[str]]:
    return _run_kpidesk


@pytest.fixture(name="clock_columns", scope="session")
def clock_columns_fixture() -> dict[str, tuple[str, ...]]:
    """Columns holding the time of a write, by table (see :data:`CLOCK_COLUMNS`)."""
    return CLOCK_COLUMNS


@pytest.fixture(name="start_kpidesk", scope="session")
def start_kpidesk_fixture() -> Callable[[Sequence[str]], subprocess.Popen[str]]:
    return _start_kpidesk


@pytest.fixture(name="one_message", scope="session")
def one_message_fixture() -> Callable[[subprocess.CompletedProcess[str], Path], str]:
    return _one_message


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """A small company of 40 sales lines, imported by the command line."""
    db = tmp_path / "company.kpidesk"
    done = _run_kpidesk(["import", str(_write_sales_csv(tmp_path / "first.csv", 40)), "--db", str(db)])
    assert done.returncode == 0, done.stderr
    return db
