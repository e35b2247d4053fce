"""Shared fixtures. Qt runs offscreen: this must happen before anything imports Qt."""

from __future__ import annotations

import os
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Keep the user's real settings, logs and demo database out of the tests.
_home = tempfile.mkdtemp(prefix="kpidesk-tests-")
os.environ["KPIDESK_DATA_DIR"] = os.path.join(_home, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ.setdefault("LANG", "en_US.UTF-8")

import datetime as dt  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kpidesk import i18n  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"
#: The demo company of the tests ends on a fixed day, so its numbers never move.
DEMO_END = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Tests run in English unless they choose French."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo company database (seed 42), made once per test session; copy it to change it."""
    from kpidesk.app.demo import write_demo

    path = tmp_path_factory.mktemp("demo") / "acme.kpidesk"
    write_demo(path, seed=42, end=DEMO_END)
    return path


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database, free to change."""
    from kpidesk.store.database import copy_database

    target = tmp_path / "acme.kpidesk"
    copy_database(demo_db, target)
    return target


@pytest.fixture
def make_db(tmp_path: Path) -> Callable[..., Path]:
    """Make a database holding the given frames: ``make_db(sales=df, leads=df)``."""
    from kpidesk.store.database import Store

    def make(**frames: object) -> Path:
        path = tmp_path / f"company{len(list(tmp_path.glob('*.kpidesk')))}.kpidesk"
        with Store.open(path, create=True) as store:
            for kind, frame in frames.items():
                store.import_frame(kind, frame, file=f"{kind}.xlsx", sheet="Sheet1")  # type: ignore[arg-type]
        return path

    return make
