"""The instance lock: held by an open company, refused to a second holder, never a signal."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from kpidesk.app.company import Company
from kpidesk.app.lock import CompanyInUse, InstanceLock

HOLD = textwrap.dedent(
    """
    import sys
    from kpidesk.app.company import Company
    company = Company.open(sys.argv[1], write=True, create=True, load=False)
    print("held", flush=True)
    sys.stdin.readline()  # hold until told to go
    company.close()
    """
)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A company file held open for writing by another running process."""
    db = tmp_path / "acme.kpidesk"
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


def test_a_company_held_by_another_process_is_refused_and_that_process_lives(held: Path) -> None:
    with pytest.raises(CompanyInUse, match="is open in another KPI Desk") as caught:
        Company.open(held, write=True)
    assert str(held) in str(caught.value)
    # Reading is still allowed, and refusing never touched the holder (it answers the fixture's end).
    with Company.open(held) as company:
        assert company.batches() == []


def test_the_lock_is_free_again_when_its_holder_ends(tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    # A process that takes the lock and ends without letting it go (as a crash would).
    subprocess.run(
        [sys.executable, "-c", f"from kpidesk.app.lock import InstanceLock; InstanceLock({str(db)!r}).acquire()"],
        check=True,
    )
    with InstanceLock(db) as lock:
        assert lock.held


def test_one_holder_at_a_time_in_one_process(tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    first = InstanceLock(db)
    first.acquire()
    with pytest.raises(CompanyInUse):
        InstanceLock(db).acquire()
    first.release()
    assert not first.path.exists()
    with InstanceLock(db):
        pass


def test_the_lock_module_never_signals_a_process() -> None:
    source = (Path(__file__).resolve().parents[2] / "kpidesk" / "app" / "lock.py").read_text(encoding="utf-8")
    assert "os.kill" not in source and "signal" not in source.replace("never signals", "")
