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
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kpidesk import i18n  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
#: The public datasets beside the checkout (CI has them; a lone clone does not: their tests skip).
DATASETS = REPO.parent / "shared" / "datasets"
#: A modal dialog left open this long fails its test instead of hanging the suite.
MODAL_TIMEOUT_S = float(os.environ.get("KPIDESK_TEST_MODAL_TIMEOUT", "5"))
#: The demo company of the tests ends on a fixed day, so its numbers never move.
DEMO_END = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Tests run in English unless they choose French."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def need_dataset(*paths: Path) -> None:
    """Skip the calling test, with the reason, when one of ``paths`` (under :data:`DATASETS`) is absent."""
    for path in paths:
        if not path.exists():
            pytest.skip(f"dataset not available: {path} (../shared/datasets is not beside this checkout)")


@pytest.fixture(autouse=True)
def _no_modal_left_open(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close a modal dialog left open more than a few seconds, and fail the test that left it.

    Offscreen, a ``QMessageBox`` or ``QDialog.exec()`` nobody answers blocks forever; a timer
    on the GUI thread still runs inside the dialog's event loop, so it can close it.
    """
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("qapp")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    seen: dict[int, float] = {}
    closed: list[str] = []

    def check() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            seen.clear()
            return
        first = seen.setdefault(id(widget), time.monotonic())
        if time.monotonic() - first < MODAL_TIMEOUT_S:
            return
        seen.pop(id(widget), None)
        text = getattr(widget, "text", None)
        detail = text() if callable(text) else ""
        closed.append(f"{type(widget).__name__} {widget.windowTitle()!r} {detail!r}".strip())
        if isinstance(widget, QDialog):
            widget.reject()
        else:
            widget.close()

    timer = QTimer()
    timer.setInterval(250)
    timer.timeout.connect(check)
    timer.start()
    request.node.stash[_MODALS] = closed
    try:
        yield
    finally:
        timer.stop()
    if closed:
        pytest.fail(_modal_message(closed), pytrace=False)


_MODALS = pytest.StashKey[list[str]]()


def _modal_message(closed: Sequence[str]) -> str:
    return f"a modal dialog was left open over {MODAL_TIMEOUT_S:g} s and closed: " + "; ".join(closed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not only its teardown) when it left a modal dialog open."""
    result = yield
    closed = item.stash.get(_MODALS, [])
    if closed:
        message = _modal_message(closed)
        closed.clear()
        pytest.fail(message, pytrace=False)
    return result


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
