from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from kpidesk.errors import StoreError
from kpidesk.store.lock import InstanceLock


def test_a_live_owner_is_detected_and_a_dead_one_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    lock = InstanceLock(db)
    # The parent of this process is alive: it stands for another running window.
    lock.path.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    with pytest.raises(StoreError, match="already open in another KPI Desk window"):
        InstanceLock(db).acquire()
    lock.path.write_text(json.dumps({"pid": 2**22 + 12345, "host": socket.gethostname()}))
    mine = InstanceLock(db)
    mine.acquire()
    assert json.loads(mine.path.read_text())["pid"] == os.getpid()
    mine.release()
    assert not mine.path.exists()


def test_an_unreadable_lock_is_stale(tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    lock = InstanceLock(db)
    lock.path.write_text('{"pid": "abc"}')
    lock.acquire()
    assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    lock.release()
