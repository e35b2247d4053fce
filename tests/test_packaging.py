"""The installer's sources stay consistent (installer/): fast checks, no bundle is built here.

``make installer`` builds and ``make installer-test`` runs the real bundle.
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import importlib.util
import re
import struct
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kpidesk import __version__

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "installer"
ICONS = ROOT / "resources" / "icons"


def _load(name: str) -> ModuleType:
    """An installer/ script as a module (installer/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"kpidesk_installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return _load("build")


@pytest.fixture(scope="module")
def icons() -> ModuleType:
    return _load("make_icons")


def _spec_constant(name: str) -> Any:
    tree = ast.parse((INSTALLER / "kpidesk.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not in the spec")


# --- the PyInstaller spec ---------------------------------------------------------------------------


def test_spec_is_python_and_takes_the_version_from_the_package() -> None:
    tree = ast.parse((INSTALLER / "kpidesk.spec").read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "kpidesk"]
    assert any(alias.name == "__version__" for n in imports for alias in n.names)
    assert "COLLECT" in {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert (INSTALLER / "kpidesk_main.py").is_file()


def test_every_resource_the_code_reads_is_bundled() -> None:
    bundled = _spec_constant("RESOURCE_FILES")
    for name in bundled:
        assert (ROOT / "resources" / name).is_file(), name
    # Each resource_path(...) call in the package; a part computed at run time matches anything.
    reads = []
    for path in (ROOT / "kpidesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "resource_path" and node.args:
                parts = [a.value if isinstance(a, ast.Constant) else "*" for a in node.args]
                reads.append("/".join(parts))
    assert reads, "no resource_path() call found"
    for pattern in reads:
        assert fnmatch.filter(bundled, pattern), f"{pattern} is read by the code but not in the spec's RESOURCE_FILES"
    assert "translations/fr.po" in bundled


def test_spec_keeps_only_qts_french_catalogue_and_leaves_out_unused_qt_modules() -> None:
    assert _spec_constant("QT_TRANSLATIONS") == {"qtbase_fr.qm"}
    source = (INSTALLER / "kpidesk.spec").read_text(encoding="utf-8")
    for module in (
        "QtQml",
        "QtQuick",
        "QtWebEngineCore",
        "Qt3DCore",
        "QtMultimedia",
        "QtPdf",
        "QtDesigner",
        "QtNetwork",
        "QtSvg",
        "QtTest",
    ):
        assert f'"{module}"' in source, module


# --- templates ---------------------------------------------------------------------------------------


def test_fill_refuses_a_missing_or_an_unused_value(build: ModuleType) -> None:
    assert build.fill("a=@A@ b=@B@", {"A": "1", "B": "2"}) == "a=1 b=2"
    with pytest.raises(ValueError):
        build.fill("a=@A@ b=@B@", {"A": "1"})
    with pytest.raises(ValueError):
        build.fill("a=@A@", {"A": "1", "C": "3"})


@pytest.mark.parametrize(("text", "expected"), [("0.1.0", "0.1.0.0"), ("1.2", "1.2.0.0"), ("2.0.1rc1", "2.0.1.0")])
def test_numeric_version(build: ModuleType, text: str, expected: str) -> None:
    assert build.numeric_version(text) == expected


def test_version_is_the_packages(build: ModuleType) -> None:
    assert build.version() == __version__


def test_inno_setup_script_is_filled_completely(
    build: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "BUILD", tmp_path / "build")
    template = (INSTALLER / "windows" / "kpidesk.iss.in").read_text(encoding="utf-8")
    assert build.placeholders(template) == {
        "VERSION",
        "VERSION_NUMERIC",
        "BUNDLE_DIR",
        "ICON_FILE",
        "OUTPUT_DIR",
        "OUTPUT_NAME",
    }
    script = build.windows_iss().read_text(encoding="utf-8-sig")
    assert not re.search(r"@[A-Z_]+@", script)
    assert f"AppVersion={__version__}\n" in script
    assert f"OutputBaseFilename=kpidesk-{__version__}-windows-x64-setup\n" in script
    # Paths are relative to the script (Inno Setup's default), so the filled copy works on any machine.
    values = dict(re.findall(r"^(SetupIconFile|OutputDir)=(.+)$", script, re.MULTILINE))
    source = re.search(r'^Source: "(.+)\\\*";', script, re.MULTILINE)
    assert source is not None

    def resolved(relative: str) -> Path:
        return (tmp_path / "build" / relative.replace("\\", "/")).resolve()

    assert resolved(values["SetupIconFile"]) == (ICONS / "kpidesk.ico").resolve()
    assert resolved(values["OutputDir"]) == (ROOT / "dist").resolve()
    assert resolved(source.group(1)) == (ROOT / "dist" / "kpidesk").resolve()


def test_inno_setup_script_installs_per_user_and_keeps_the_users_data() -> None:
    script = (INSTALLER / "windows" / "kpidesk.iss.in").read_text(encoding="utf-8")
    assert "PrivilegesRequired=lowest\n" in script
    assert "PrivilegesRequiredOverridesAllowed" not in script  # never an all-users install
    assert "DefaultDirName={autopf}\\" in script
    assert '"{autoprograms}\\' in script  # Start menu
    assert re.search(r'^Name: "\{autodesktop\}.*Tasks: desktopicon$', script, re.MULTILINE)
    assert re.search(r'^Name: "desktopicon";.*Flags: unchecked$', script, re.MULTILINE)  # optional
    assert 'Subkey: "Software\\Classes\\.kpidesk"' in script
    registry = [line for line in script.splitlines() if line.startswith("Root:")]
    assert registry and all(line.startswith("Root: HKCU;") for line in registry)
    assert 'gui --db ""%1""' in script
    # Uninstall deletes what setup installed and nothing of the user's folders.
    deletes = script.split("[UninstallDelete]", 1)[1].split("\n[", 1)[0]
    assert "{userappdata}" not in deletes and "{localappdata}" not in deletes and "{app}" in deletes


def test_desktop_entry_template(build: ModuleType) -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read_string(build.desktop_entry("kpidesk-open"))
    keys = entry["Desktop Entry"]
    assert keys["Type"] == "Application"
    assert keys["Name"] == "KPI Desk"
    assert keys["Exec"] == "kpidesk-open %f"
    assert keys["Icon"] == "kpidesk"
    assert keys["Terminal"] == "false"
    assert keys["Categories"].endswith(";") and keys["MimeType"] == "application/x-kpidesk;"
    assert keys["X-KPIDesk-Version"] == __version__


def test_mime_type_matches_the_desktop_entry() -> None:
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(INSTALLER / "linux" / "kpidesk-mime.xml").getroot()
    mime = root.find("m:mime-type", ns)
    assert mime is not None and mime.get("type") == "application/x-kpidesk"
    glob = mime.find("m:glob", ns)
    assert glob is not None and glob.get("pattern") == "*.kpidesk"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts")
@pytest.mark.parametrize("script", ["install.sh", "kpidesk-open"])
def test_linux_scripts_parse_and_are_executable(script: str) -> None:
    path = INSTALLER / "linux" / script
    done = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert path.stat().st_mode & 0o111


def test_tarball_is_reproducible_and_keeps_links_and_modes(build: ModuleType, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "_internal").mkdir(parents=True)
    (tree / "kpidesk").write_text("#!/bin/sh\n")
    (tree / "kpidesk").chmod(0o755)
    (tree / "_internal" / "lib.so.6").write_text("x")
    (tree / "lib.so.6").symlink_to("_internal/lib.so.6")
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    build.reproducible_tar(tree, first, "kpidesk-1.0")
    (tree / "kpidesk").touch()  # a newer time changes nothing
    build.reproducible_tar(tree, second, "kpidesk-1.0")
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert list(members) == [
        "kpidesk-1.0",
        "kpidesk-1.0/_internal",
        "kpidesk-1.0/_internal/lib.so.6",
        "kpidesk-1.0/kpidesk",
        "kpidesk-1.0/lib.so.6",
    ]
    assert members["kpidesk-1.0/kpidesk"].mode == 0o755
    assert members["kpidesk-1.0/lib.so.6"].issym()
    assert members["kpidesk-1.0/kpidesk"].uid == 0


# --- icons ---------------------------------------------------------------------------------------------


def test_icon_containers_from_the_svg(icons: ModuleType, qapp: object) -> None:
    svg = (ICONS / "kpidesk.svg").read_bytes()
    pngs = {size: icons.render_png(svg, size) for size in (16, 32)}
    assert {size: icons.png_size(png) for size, png in pngs.items()} == {16: (16, 16), 32: (32, 32)}
    ico = icons.ico_bytes(pngs)
    assert struct.unpack_from("<HHH", ico) == (0, 1, 2)
    assert icons.read_ico(ico) == pngs
    icns = icons.icns_bytes([(b"ic11", pngs[32])])
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert icons.read_icns(icns) == {b"ic11": pngs[32]}


def test_committed_icons_are_complete(icons: ModuleType) -> None:
    for size in icons.PNG_SIZES:
        assert icons.png_size((ICONS / f"kpidesk-{size}.png").read_bytes()) == (size, size)
    ico = icons.read_ico((ICONS / "kpidesk.ico").read_bytes())
    assert sorted(ico) == sorted(icons.ICO_SIZES)
    icns = icons.read_icns((ICONS / "kpidesk.icns").read_bytes())
    assert {kind: icons.png_size(png)[0] for kind, png in icns.items()} == dict(icons.ICNS_TYPES)


def test_committed_icons_are_rendered_from_the_current_svg(icons: ModuleType, qapp: object) -> None:
    """Change kpidesk.svg, then run ``python installer/make_icons.py``."""
    from PySide6.QtGui import QImage

    fresh = QImage.fromData(icons.render_png((ICONS / "kpidesk.svg").read_bytes(), 48))
    committed = QImage.fromData((ICONS / "kpidesk-48.png").read_bytes())

    def rgba(image: QImage, x: int, y: int) -> tuple[int, ...]:
        colour = image.pixelColor(x, y)
        return colour.red(), colour.green(), colour.blue(), colour.alpha()

    # Allow for anti-aliasing differences between Qt versions, not for another drawing.
    diff = [
        abs(a - b)
        for x in range(48)
        for y in range(48)
        for a, b in zip(rgba(fresh, x, y), rgba(committed, x, y), strict=True)
    ]
    assert sum(diff) / len(diff) < 2 and max(diff) < 64


def test_every_package_is_in_the_wheel() -> None:
    """setuptools lists the packages by hand (resources/ becomes kpidesk.resources): a new one must be added."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "kpidesk").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_application_needs_no_developer_tool_at_run_time() -> None:
    """Babel keeps the catalogues and import-linter checks the layers; the runtime reads the .po with gettext only."""
    dev_only = {"babel", "importlinter", "pytest", "pytestqt"}
    found = {}
    for path in (ROOT / "kpidesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module
                else []
            )
            bad = {n.split(".")[0] for n in names} & dev_only
            if bad:
                found[path.relative_to(ROOT).as_posix()] = sorted(bad)
    assert found == {}
