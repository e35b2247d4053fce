"""The suite's own guards: a modal dialog left open fails its test instead of hanging, datasets skip when absent."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_modal_dialog_left_open_fails_the_test_instead_of_hanging(tmp_path: Path) -> None:
    case = tmp_path / "test_modal_case.py"
    case.write_text(
        textwrap.dedent(
            """
            from PySide6.QtWidgets import QMessageBox


            def test_leaves_a_message_box(qtbot):
                QMessageBox.warning(None, "Title", "Nobody answers")


            def test_answers_its_dialog(qtbot):
                assert 1 + 1 == 2
            """
        ),
        encoding="utf-8",
    )
    # The suite's conftest loaded as a plugin, with the suite's settings, on a case outside the suite.
    env = {
        **os.environ,
        "KPIDESK_TEST_MODAL_TIMEOUT": "0.5",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest"]
    done = subprocess.run(
        [*command, "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), str(case)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout, done.stdout
    assert "a modal dialog was left open" in done.stdout and "Nobody answers" in done.stdout
