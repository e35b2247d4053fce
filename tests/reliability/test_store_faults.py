"""Company files and disks that fail, made by the tests: a full disk, read-only files and folders,
corrupt pages, an empty file, another program's SQLite file, a newer version, a busy file. Each
ends in one clear message naming the file, and the company file is left as it was."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kpidesk.errors import StoreError
from kpidesk.store.database import Store

Fingerprint = Callable[..., dict[str, Any]]
Unchanged = Callable[[Path, dict[str, Any]], None]
Digest = Callable[[Path], str]
WriteCsv = Callable[..., Path]
Run = Callable[..., subprocess.CompletedProcess[str]]
OneMessage = Callable[[subprocess.CompletedProcess[str], Path], str]


def test_a_full_disk_during_an_import_changes_nothing(
    company: Path,
    tmp_path: Path,
    fingerprint: Fingerprint,
    assert_unchanged: Unchanged,
    write_sales_csv: WriteCsv,
    run_kpidesk: Run,
    one_message: OneMessage,
) -> None:
    """The disk fills up (a file-size limit on the process) while the rows are written."""
    before = fingerprint(company)
    big = write_sales_csv(tmp_path / "big.csv", 4000, start=1000)
    limit = 64 * 1024  # the journal of 4,000 rows outgrows it

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = run_kpidesk(["import", str(big), "--db", str(company)], preexec=small_disk)
    message = one_message(done, company)
    assert "disk is full" in message
    assert "not a KPI Desk database" not in message
    assert_unchanged(company, before)
    assert run_kpidesk(["kpis", "--db", str(company)]).returncode == 0


@pytest.fixture
def read_only() -> Iterator[list[Path]]:
    """Make paths read-only for this process, even as root (an immutable attribute); undone after."""
    made: list[Path] = []
    yield made
    _undo_read_only(made)


def _undo_read_only(made: list[Path]) -> None:
    while made:
        path = made.pop()
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)
        path.chmod(0o755 if path.is_dir() else 0o644)


def _make_read_only(path: Path, made: list[Path]) -> None:
    made.append(path)
    path.chmod(0o555 if path.is_dir() else 0o444)
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], check=False, capture_output=True)
        if done.returncode != 0:
            pytest.skip("root writes anywhere, and this file system has no immutable attribute")


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_company_is_read_but_never_written(
    company: Path,
    tmp_path: Path,
    read_only: list[Path],
    what: str,
    fingerprint: Fingerprint,
    assert_unchanged: Unchanged,
    file_digest: Digest,
    write_sales_csv: WriteCsv,
    run_kpidesk: Run,
    one_message: OneMessage,
) -> None:
    source = write_sales_csv(tmp_path / "more.csv", 10, start=500)
    before = fingerprint(company)
    digest = file_digest(company)
    for suffix in ("-wal", "-shm"):  # (left by the look just taken: a folder made read-only keeps them writable)
        Path(f"{company}{suffix}").unlink(missing_ok=True)
    _make_read_only(company if what == "file" else company.parent, read_only)
    done = run_kpidesk(["import", str(source), "--db", str(company)])
    assert "read-only" in one_message(done, company)
    shown = run_kpidesk(["kpis", "--db", str(company)])
    assert shown.returncode == 0, shown.stderr
    assert file_digest(company) == digest
    _undo_read_only(read_only)
    assert_unchanged(company, before)


def _corrupt(db: Path, target: Path) -> None:
    """A copy of ``db`` whose pages after the first are overwritten at their start."""
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(page, len(data), page):
        data[start : start + 64] = b"\xff" * 64
    target.write_bytes(bytes(data))


@pytest.mark.parametrize("command", ["kpis", "imports", "export", "import"])
def test_corrupt_pages_are_named_with_the_backup_to_restore(
    company: Path,
    tmp_path: Path,
    command: str,
    file_digest: Digest,
    write_sales_csv: WriteCsv,
    run_kpidesk: Run,
    one_message: OneMessage,
) -> None:
    damaged = tmp_path / "damaged.kpidesk"
    _corrupt(company, damaged)
    digest = file_digest(damaged)
    args = {
        "kpis": ["kpis"],
        "imports": ["imports"],
        "export": ["export", "--out", str(tmp_path / "out.xlsx")],
        "import": ["import", str(write_sales_csv(tmp_path / "more.csv", 5, start=300))],
    }[command]
    message = one_message(run_kpidesk([*args, "--db", str(damaged)]), damaged)
    assert "damaged" in message and "Restore it from a backup copy" in message
    assert file_digest(damaged) == digest
    if command == "kpis":  # with a backup copy beside it, the message names it
        backup = tmp_path / "damaged.kpidesk.v2.bak"
        shutil.copy(company, backup)
        message = one_message(run_kpidesk([*args, "--db", str(damaged)]), damaged)
        assert f"Restore the backup copy {backup}" in message


def test_a_zero_byte_file_is_refused_when_reading_and_started_when_importing(
    tmp_path: Path, fingerprint: Fingerprint, write_sales_csv: WriteCsv, run_kpidesk: Run, one_message: OneMessage
) -> None:
    empty = tmp_path / "empty.kpidesk"
    empty.write_bytes(b"")
    for args in (["kpis"], ["imports"], ["export", "--out", str(tmp_path / "x.xlsx")]):
        message = one_message(run_kpidesk([*args, "--db", str(empty)]), empty)
        assert "empty file" in message
        assert empty.stat().st_size == 0
    with pytest.raises(StoreError, match="empty file"):
        Store.open(empty)
    assert empty.stat().st_size == 0
    done = run_kpidesk(["import", str(write_sales_csv(tmp_path / "s.csv", 5)), "--db", str(empty)])
    assert done.returncode == 0, done.stderr
    assert fingerprint(empty)["sales"][0] == 5


def test_another_programs_sqlite_file_is_not_a_company(
    tmp_path: Path,
    fingerprint: Fingerprint,
    assert_unchanged: Unchanged,
    write_sales_csv: WriteCsv,
    run_kpidesk: Run,
    one_message: OneMessage,
) -> None:
    other = tmp_path / "other.kpidesk"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    con.execute("INSERT INTO notes(text) VALUES ('keep me')")
    con.commit()
    con.close()
    before = fingerprint(other)
    for args in (["kpis"], ["import", str(write_sales_csv(tmp_path / "s.csv", 5))]):
        assert "not a KPI Desk database" in one_message(run_kpidesk([*args, "--db", str(other)]), other)
        assert_unchanged(other, before)


def test_a_file_from_a_newer_version_is_refused_untouched(
    company: Path,
    tmp_path: Path,
    fingerprint: Fingerprint,
    assert_unchanged: Unchanged,
    write_sales_csv: WriteCsv,
    run_kpidesk: Run,
    one_message: OneMessage,
) -> None:
    con = sqlite3.connect(company)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = fingerprint(company)
    for args in (["kpis"], ["import", str(write_sales_csv(tmp_path / "s.csv", 5, start=900))]):
        message = one_message(run_kpidesk([*args, "--db", str(company)]), company)
        assert "newer version" in message
        assert_unchanged(company, before)


def test_a_busy_file_is_named_and_left_as_it_was(
    company: Path, fingerprint: Fingerprint, assert_unchanged: Unchanged
) -> None:
    before = fingerprint(company)
    holder = sqlite3.connect(company, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing
    try:
        with Store.open(company) as store:
            store.connection.execute("PRAGMA busy_timeout = 50")
            with pytest.raises(StoreError, match=r"company\.kpidesk is busy: another program"):
                store.set_target("revenue", "2024-01", 100.0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_unchanged(company, before)
