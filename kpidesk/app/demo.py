"""Writing the demo company (``kpidesk.core.demo``) into a new database file."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from kpidesk.core import demo
from kpidesk.core.settings import CompanySettings
from kpidesk.i18n import _
from kpidesk.store.database import ProgressCallback, Store


def write_demo(
    path: str | os.PathLike[str],
    seed: int = 42,
    overwrite: bool = False,
    end: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """Create ``path`` holding the demo company: one batch per kind, as if imported.

    The file is built under a temporary name and renamed, so a failure leaves nothing behind.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        from kpidesk.errors import StoreError

        raise StoreError(
            _("{path} already exists. Choose another file, or add --force to replace it.").format(path=target)
        )
    tmp = target.with_name(target.name + ".creating")
    frames = demo.generate(seed=seed, end=end)
    store = Store.create(tmp, overwrite=True)
    try:
        store.save_settings(CompanySettings(company_name=demo.COMPANY_NAME, currency="EUR"))
        for i, (kind, frame) in enumerate(frames.items()):
            store.import_frame(kind, frame, file=_("Demo company (seed {seed})").format(seed=seed), sheet=kind)
            if progress is not None:
                progress((i + 1) / len(frames), kind)
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    if overwrite:
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(tmp, target)
    return target
