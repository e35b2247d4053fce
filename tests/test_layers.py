"""The layer rule: nothing but ui imports Qt (STYLE.md, 'The house'); the rest of the rule is import-linter's."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kpidesk"
HEADLESS = ("core", "io", "store", "app", "demo")
QT = ("PySide6", "pyqtgraph", "shiboken6")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
            if node.module.startswith("kpidesk.ui"):
                names.add("kpidesk.ui")
    return names


@pytest.mark.parametrize("layer", HEADLESS)
def test_headless_layers_do_not_import_qt_in_source(layer: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imports(path) & {*QT, "kpidesk.ui"})
        for path in (PACKAGE / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_headless_layers_do_not_load_qt_at_run_time() -> None:
    modules = [
        ".".join(("kpidesk", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for layer in HEADLESS
        for path in sorted((PACKAGE / layer).rglob("*.py"))
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "import kpidesk.cli\n"
        + f"bad = [m for m in sys.modules if m.split('.')[0] in {QT!r}]\n"
        + "print(bad)\n"
        + "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_rule_catches_a_qt_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport pyqtgraph as pg\n", encoding="utf-8")
    assert _imports(sample) & set(QT) == {"PySide6", "pyqtgraph"}


SHARED = {"i18n", "labels", "errors", "resources_path", "memory", "__main__"}


def test_every_module_has_a_layer_or_is_shared() -> None:
    """The import-linter contracts (pyproject.toml, run by `lint-imports` in `make test`) see every package."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]
    layered = {name.strip().removeprefix("kpidesk.") for layer in layers["layers"] for name in layer.split("|")}
    top = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    assert top - layered - SHARED - {"__init__"} == set(), "put the new module in a layer of pyproject.toml"
    no_sqlite = next(c for c in config["contracts"] if c.get("forbidden_modules") == ["sqlite3"])
    assert set(no_sqlite["source_modules"]) == {f"kpidesk.{m}" for m in (top - {"store", "__init__", "__main__"})}
