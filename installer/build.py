"""Build KPI Desk for users: PyInstaller bundle, then what this system installs it with.

    python installer/build.py               # on Linux, Windows or macOS: everything for this system
    python installer/build.py --windows-iss # only fill the Inno Setup script (build/kpidesk.iss), anywhere

Run it with the Python of the build environment (``make installer`` makes ``build/venv``):
it reinstalls KPI Desk there (not editable, so ``resources/`` becomes the
``kpidesk.resources`` package), then runs ``installer/kpidesk.spec``.

Linux: ``dist/kpidesk/`` (the application, ``install.sh``, menu entry, icons,
file type), ``dist/kpidesk-<version>-linux-x86_64.tar.gz`` of it, and
``dist/kpidesk.desktop`` + ``dist/kpidesk.png``.
Windows: ``dist/kpidesk/`` and, with Inno Setup 6 installed,
``dist/kpidesk-<version>-windows-x64-setup.exe``.
macOS: ``dist/KPI Desk.app`` and ``dist/kpidesk-<version>-macos-<arch>.dmg``.
No AppImage: see installer/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INSTALLER = REPO / "installer"
DIST = REPO / "dist"
BUILD = REPO / "build"
BUNDLE = DIST / "kpidesk"
ICONS = REPO / "resources" / "icons"
#: The sizes of the Linux ``hicolor`` icon theme we install (the PNGs make_icons.py writes).
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def version() -> str:
    """``kpidesk.__version__``, read from the source (this script runs before or without the package)."""
    text = (REPO / "kpidesk" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if match is None:
        raise SystemExit("kpidesk/__init__.py has no __version__")
    return match.group(1)


def numeric_version(text: str) -> str:
    """``0.2.0rc1`` -> ``0.2.0.0``: the four numbers Windows' version resources take."""
    numbers = [re.match(r"\d*", part).group() or "0" for part in text.split(".")[:4]]  # type: ignore[union-attr]
    return ".".join((numbers + ["0"] * 4)[:4])


def placeholders(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with every ``@NAME@`` replaced; a missing or an unused value is an error."""
    wanted = placeholders(template)
    if wanted != set(values):
        raise ValueError(f"template placeholders {sorted(wanted)} != values {sorted(values)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


# --- the bundle ---------------------------------------------------------------------------------


def install_kpidesk() -> None:
    """Install this checkout into the running Python, as a wheel would (the spec freezes that copy)."""
    for stale in (BUILD / "lib", *BUILD.glob("bdist.*")):  # setuptools reuses build/lib: drop deleted files
        shutil.rmtree(stale, ignore_errors=True)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--force-reinstall",
            str(REPO),
        ]
    )


def pyinstaller(clean: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(BUILD / "pyinstaller"),
    ]
    if clean:
        command.append("--clean")
    run([*command, str(INSTALLER / "kpidesk.spec")])


# --- Linux ----------------------------------------------------------------------------------------


def desktop_entry(exec_path: str) -> str:
    template = (INSTALLER / "linux" / "kpidesk.desktop.in").read_text(encoding="utf-8")
    return fill(template, {"EXEC": exec_path, "VERSION": version()})


def linux_extras(bundle: Path) -> None:
    """What makes the folder installable: install.sh, the launcher, menu entry, icons, file type."""
    linux = INSTALLER / "linux"
    for name in ("install.sh", "kpidesk-open"):
        shutil.copy2(linux / name, bundle / name)
        (bundle / name).chmod(0o755)
    shutil.copy2(linux / "README.txt", bundle / "README.txt")
    # Exec is a name on PATH here; install.sh writes the installed launcher's full path instead.
    (bundle / "kpidesk.desktop").write_text(desktop_entry("kpidesk-open"), encoding="utf-8")
    share = bundle / "share"
    for size in HICOLOR_SIZES:
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "kpidesk.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ICONS / f"kpidesk-{size}.png", target)
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ICONS / "kpidesk.svg", scalable / "kpidesk.svg")
    mime = share / "mime" / "packages"
    mime.mkdir(parents=True, exist_ok=True)
    shutil.copy2(linux / "kpidesk-mime.xml", mime / "kpidesk.xml")


def last_commit_time() -> int:
    """Seconds since 1970 of the checkout's last commit; 0 outside git."""
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), "log", "-1", "--format=%ct"], capture_output=True, text=True, check=False
        )
    except OSError:
        return 0
    return int(done.stdout.strip() or 0) if done.returncode == 0 else 0


def reproducible_tar(source: Path, target: Path, top: str) -> None:
    """``source`` as ``target`` (.tar.gz) under the folder ``top``: sorted, no owner, fixed times."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or last_commit_time()

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = epoch
        if not info.issym():
            info.mode = 0o755 if info.isdir() or info.mode & 0o100 else 0o644
        return info

    tmp = target.with_name(target.name + ".part")
    with (
        open(tmp, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=epoch, filename="") as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        paths = sorted(source.rglob("*"), key=lambda p: p.relative_to(source).as_posix())
        tar.add(source, arcname=top, recursive=False, filter=normalise)
        for path in paths:
            tar.add(path, arcname=f"{top}/{path.relative_to(source).as_posix()}", recursive=False, filter=normalise)
    tmp.replace(target)


def build_linux() -> list[Path]:
    linux_extras(BUNDLE)
    tarball = DIST / f"kpidesk-{version()}-linux-{platform.machine()}.tar.gz"
    reproducible_tar(BUNDLE, tarball, f"kpidesk-{version()}")
    desktop = DIST / "kpidesk.desktop"
    desktop.write_text(desktop_entry("kpidesk-open"), encoding="utf-8")
    icon = DIST / "kpidesk.png"
    shutil.copy2(ICONS / "kpidesk-256.png", icon)
    return [BUNDLE, tarball, desktop, icon]


# --- Windows --------------------------------------------------------------------------------------


def windows_iss() -> Path:
    """Fill installer/windows/kpidesk.iss.in into build/kpidesk.iss (paths relative to it, so any OS can)."""
    BUILD.mkdir(exist_ok=True)
    target = BUILD / "kpidesk.iss"

    def rel(path: Path) -> str:
        return os.path.relpath(path, target.parent).replace("/", "\\")

    values = {
        "VERSION": version(),
        "VERSION_NUMERIC": numeric_version(version()),
        "BUNDLE_DIR": rel(BUNDLE),
        "ICON_FILE": rel(ICONS / "kpidesk.ico"),
        "OUTPUT_DIR": rel(DIST),
        "OUTPUT_NAME": f"kpidesk-{version()}-windows-x64-setup",
    }
    template = (INSTALLER / "windows" / "kpidesk.iss.in").read_text(encoding="utf-8")
    # Inno Setup reads a UTF-8 script when it starts with a byte order mark.
    target.write_text("\ufeff" + fill(template, values), encoding="utf-8")
    return target


def inno_setup_compiler() -> str | None:
    found = shutil.which("iscc")
    if found:
        return found
    # Its installer's default folders: for all users, or for one (under %LOCALAPPDATA%\Programs).
    for variable, folder in (("PROGRAMFILES(X86)", ""), ("PROGRAMFILES", ""), ("LOCALAPPDATA", "Programs")):
        base = os.environ.get(variable)
        candidate = Path(base, folder, "Inno Setup 6", "ISCC.exe") if base else None
        if candidate is not None and candidate.is_file():
            return str(candidate)
    return None


def build_windows() -> list[Path]:
    script = windows_iss()
    compiler = inno_setup_compiler()
    if compiler is None:
        print(f"Inno Setup 6 not found: install it (jrsoftware.org) and run ISCC.exe {script}", file=sys.stderr)
        return [BUNDLE, script]
    run([compiler, "/Q", str(script)])
    return [BUNDLE, DIST / f"kpidesk-{version()}-windows-x64-setup.exe"]


# --- macOS ----------------------------------------------------------------------------------------


def build_macos() -> list[Path]:
    app = DIST / "KPI Desk.app"
    staging = BUILD / "dmg"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    run(["ditto", str(app), str(staging / app.name)])
    (staging / "Applications").symlink_to("/Applications")
    dmg = DIST / f"kpidesk-{version()}-macos-{platform.machine()}.dmg"
    run(
        [
            "hdiutil",
            "create",
            "-volname",
            f"KPI Desk {version()}",
            "-srcfolder",
            str(staging),
            "-fs",
            "HFS+",
            "-format",
            "UDZO",
            "-ov",
            str(dmg),
        ]
    )
    identity = os.environ.get("KPIDESK_CODESIGN_IDENTITY")
    if identity:
        run(["codesign", "--force", "--timestamp", "--sign", identity, str(dmg)])
    return [app, dmg]


# --- main -----------------------------------------------------------------------------------------


def run(command: list[str]) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build KPI Desk's bundle and installer for this system.")
    parser.add_argument("--windows-iss", action="store_true", help="only fill build/kpidesk.iss and stop")
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="freeze the KPI Desk already installed in this Python (default: reinstall this checkout)",
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    args = parser.parse_args(argv)

    if args.windows_iss:
        print(windows_iss())
        return 0
    if not args.no_install:
        install_kpidesk()
    pyinstaller(args.clean)
    if sys.platform.startswith("linux"):
        outputs = build_linux()
    elif sys.platform == "win32":
        outputs = build_windows()
    elif sys.platform == "darwin":
        outputs = build_macos()
    else:
        outputs = [BUNDLE]
    print(f"\nKPI Desk {version()}:")
    for path in outputs:
        print(f"  {path.relative_to(REPO)}  {size(path) / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
