"""A real ``kpidesk import`` process killed at random moments (seeded): each kill leaves the
company exactly as before or exactly as after the import, and ``kpidesk kpis`` runs cleanly."""

from __future__ import annotations

import random
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest

#: How many kills, and the seed of their moments.
KILLS = 12
SEED = 20261203
#: Lines of the file being imported: its import lasts a few tenths of a second past start-up.
LINES = 8000

Run = Callable[..., subprocess.CompletedProcess[str]]


class Scene(NamedTuple):
    company: Path
    source: Path
    before: dict[str, Any]
    after: dict[str, Any]


@pytest.fixture(scope="module")
def scene(
    tmp_path_factory: pytest.TempPathFactory,
    fingerprint: Callable[..., dict[str, Any]],
    write_sales_csv: Callable[..., Path],
    run_kpidesk: Run,
    clock_columns: dict[str, tuple[str, ...]],
) -> Scene:
    """A company of 40 lines, a file of :data:`LINES` more, and the company before and after
    importing it (the times of the writes left out)."""
    folder = tmp_path_factory.mktemp("kills")
    company = folder / "company.kpidesk"
    first = run_kpidesk(["import", str(write_sales_csv(folder / "first.csv", 40)), "--db", str(company)])
    assert first.returncode == 0, first.stderr
    source = write_sales_csv(folder / "more.csv", LINES, start=40)
    imported = folder / "imported.kpidesk"
    shutil.copy(company, imported)
    done = run_kpidesk(["import", str(source), "--db", str(imported)])
    assert done.returncode == 0, done.stderr
    before = fingerprint(company, clock_columns)
    after = fingerprint(imported, clock_columns)
    assert before != after
    return Scene(company, source, before, after)


@pytest.mark.parametrize("attempt", range(KILLS))
def test_a_killed_import_leaves_the_company_before_or_after(
    attempt: int,
    scene: Scene,
    tmp_path: Path,
    fingerprint: Callable[..., dict[str, Any]],
    run_kpidesk: Run,
    start_kpidesk: Callable[[Sequence[str]], subprocess.Popen[str]],
    clock_columns: dict[str, tuple[str, ...]],
) -> None:
    company = tmp_path / "company.kpidesk"
    shutil.copy(scene.company, company)
    chance = random.Random(SEED + attempt)
    process = start_kpidesk(["import", str(scene.source), "--db", str(company)])
    if attempt % 2:
        # Anywhere from the middle of start-up to past the end of a typical import.
        time.sleep(chance.uniform(0.2, 1.0))
    else:
        # While the rows are written: once the journal holds its first pages, a few milliseconds on.
        journal = Path(f"{company}-wal")
        while not _size(journal) and process.poll() is None:
            time.sleep(0.0005)
        time.sleep(chance.uniform(0.0, 0.006))
    process.kill()
    process.wait(timeout=30)
    state = fingerprint(company, clock_columns)
    assert state["integrity"] == "ok"
    assert state in (scene.before, scene.after)
    shown = run_kpidesk(["kpis", "--db", str(company), "--json"])
    assert shown.returncode == 0, shown.stderr
    assert shown.stderr == ""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
