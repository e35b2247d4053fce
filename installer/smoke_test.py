"""Smoke test of the built bundle (``make installer-test``), with its size and start time.

    python installer/smoke_test.py [--bundle dist/kpidesk] [--source-python .venv/bin/python] [--runs 5]

Runs the frozen executable as a user's machine would: ``--version``, ``demo``,
``kpis --json``, ``import`` of workbooks and a CSV (from ``../shared/datasets``
when there), the window offscreen on a company and on first launch (the
demo company made in an empty data folder), the window on a real X server
when ``xvfb-run`` is there, and on Linux ``install.sh`` then ``--uninstall``
into a scratch home. Then prints the bundle's size and the median time from
start to closed window (``KPIDESK_QUIT_AFTER_LOAD``: closed once the dashboard
is computed), for the bundle and for ``python -m kpidesk`` from source.
Only the standard library: any Python 3.11 runs it. Exit status 1 on a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The goals of the issue: at most this many bytes, and no slower than from source.
MAX_BYTES = 200 * 1024 * 1024
TIMEOUT = 180
#: Qt modules the bundle must not carry (the spec leaves them out).
UNWANTED_QT = (
    "QtQml",
    "QtQuick",
    "QtWebEngine",
    "Qt3D",
    "QtMultimedia",
    "QtPdf",
    "QtDesigner",
    "QtNetwork",
    "QtSql",
    "QtTest",
    "QtSvgWidgets",
)

failures: list[str] = []


def check(ok: bool, what: str, detail: str = "") -> bool:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""), flush=True)
    if not ok:
        failures.append(what)
    return ok


def version() -> str:
    text = (REPO / "kpidesk" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    assert match is not None
    return match.group(1)


def executables(bundle: Path) -> tuple[Path, Path]:
    """The GUI executable and the command-line one (the same file except on Windows)."""
    if sys.platform == "win32":
        return bundle / "kpidesk.exe", bundle / "kpidesk-cli.exe"
    return bundle / "kpidesk", bundle / "kpidesk"


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user whose data and settings are all under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPIDESK_", "QT_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        LANG=os.environ.get("LANG", "en_US.UTF-8"),
    )
    env.update(extra)
    return env


def run(command: Sequence[str | Path], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [str(c) for c in command], capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(exc.cmd, -1, "", f"no exit within {TIMEOUT} s")


def window_env(home: Path, **extra: str) -> dict[str, str]:
    return isolated_env(
        home,
        QT_QPA_PLATFORM="offscreen",
        KPIDESK_QUIT_AFTER_LOAD="1",
        KPIDESK_DATA_DIR=str(home / "kpidesk-data"),
        **extra,
    )


def logged_errors(home: Path) -> list[str]:
    log = home / "kpidesk-data" / "kpidesk.log"
    if not log.exists():
        return []
    return [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if " ERROR " in line]


def smoke(bundle: Path, scratch: Path) -> None:
    gui, cli = executables(bundle)
    home = scratch / "home"
    home.mkdir()
    env = isolated_env(home)
    db = scratch / "acme.kpidesk"

    print("Command line")
    done = run([cli, "--version"], env)
    check(
        done.returncode == 0 and done.stdout.strip() == f"kpidesk {version()}",
        "kpidesk --version",
        done.stdout + done.stderr,
    )
    done = run([cli, "demo", "--db", db], env)
    check(done.returncode == 0 and db.exists(), "kpidesk demo --db", done.stdout + done.stderr)
    done = run([cli, "kpis", "--db", db, "--json"], env)
    try:
        result = json.loads(done.stdout)
        kpis = {row["kpi"] for row in result["rows"]}
        ok = done.returncode == 0 and {"from", "to", "grain", "rows"} <= set(result) and "revenue" in kpis
    except (ValueError, KeyError, TypeError) as exc:
        ok, kpis = False, set()
        done.stderr += f"\n{exc}"
    check(ok, f"kpidesk kpis --json ({len(kpis)} KPIs)", done.stdout[:500] + done.stderr)
    done = run([cli, "kpis", "--db", db], isolated_env(home, LANG="fr_FR.UTF-8"))
    check(
        done.returncode == 0 and "Chiffre d'affaires" in done.stdout,
        "French (bundled fr.po)",
        done.stdout[:300] + done.stderr,
    )
    done = run([cli, "kpis", "--db", scratch / "missing.kpidesk"], env)
    check(
        done.returncode == 1 and done.stderr.startswith("kpidesk: error:") and "Traceback" not in done.stderr,
        "a missing file is one line of error",
        done.stderr,
    )

    datasets = REPO.parent / "shared" / "datasets"
    samples = [
        datasets / "financial-sample" / "Financial Sample.xlsx",
        datasets / "hypermarche-fr" / "Hypermarché.xls",
        datasets / "crm-sales-opportunities" / "sales_pipeline.csv",
    ]
    if all(s.exists() for s in samples):
        imported = scratch / "imported.kpidesk"
        run([cli, "demo", "--db", imported], env)
        done = run([cli, "import", *samples, "--db", imported, "--json"], env)
        try:
            counts = {b["file"]: b["imported"] for b in json.loads(done.stdout)["batches"]}
        except (ValueError, KeyError, TypeError):
            counts = {}
        check(
            done.returncode == 0 and len(counts) == 3 and all(counts.values()),
            "kpidesk import .xlsx, .xls and .csv (calamine, pandas)",
            f"{counts} {done.stderr[-500:]}",
        )
    else:
        print(f"  skip importing spreadsheets: no sample files in {datasets}")

    print("Window (offscreen)")
    done = run([gui, "gui", "--db", db], window_env(home))
    check(
        done.returncode == 0 and not logged_errors(home),
        "opens a company and closes cleanly",
        f"exit {done.returncode} {done.stderr[-800:]} {logged_errors(home)}",
    )
    first = scratch / "first"
    first.mkdir()
    done = run([gui], window_env(first))
    # Only XDG systems keep the settings (the last company opened) under the scratch home.
    demo = (first / "kpidesk-data" / "demo.kpidesk").exists() or not sys.platform.startswith("linux")
    check(
        done.returncode == 0 and demo and not logged_errors(first),
        "first launch creates and opens the demo company",
        f"exit {done.returncode} {done.stderr[-800:]}",
    )
    done = run([gui, "gui", "--db", db], window_env(home, LANG="fr_FR.UTF-8"))
    check(done.returncode == 0 and not logged_errors(home), "in French", done.stderr[-800:])
    check(any((bundle / "_internal").rglob("qtbase_fr.qm")), "Qt's own French catalogue is bundled")

    if sys.platform.startswith("linux"):
        print("Window (X11)")
        if shutil.which("xvfb-run"):
            env_x = window_env(home)
            del env_x["QT_QPA_PLATFORM"]
            done = run(["xvfb-run", "-a", gui, "gui", "--db", db], env_x)
            check(
                done.returncode == 0,
                "opens and closes on an X server (xcb plugin and its libraries)",
                done.stderr[-800:],
            )
        else:
            print("  skip xvfb-run is not installed (apt-get install xvfb)")
        print("Linux install")
        linux_install(bundle, scratch)


def linux_install(bundle: Path, scratch: Path) -> None:
    home = scratch / "installhome"
    home.mkdir()
    env = isolated_env(home)
    data = home / "data"
    done = run(["sh", bundle / "install.sh"], env)
    target = home / ".local" / "opt" / "kpidesk"
    desktop = data / "applications" / "kpidesk.desktop"
    ok = done.returncode == 0 and (target / "kpidesk").exists() and desktop.exists()
    check(ok, "install.sh installs for the user alone", done.stdout + done.stderr)
    if not ok:
        return
    entry = desktop.read_text(encoding="utf-8")
    check(f'Exec="{target}/kpidesk-open" %f' in entry, "menu entry runs the installed launcher", entry)
    check(
        (data / "icons" / "hicolor" / "256x256" / "apps" / "kpidesk.png").exists()
        and (data / "mime" / "packages" / "kpidesk.xml").exists(),
        "icons and the .kpidesk file type",
    )
    done = run([home / ".local" / "bin" / "kpidesk", "--version"], env)
    check(done.returncode == 0, "~/.local/bin/kpidesk runs", done.stderr)
    company = data / "KPI Desk" / "KPI Desk" / "mine.kpidesk"  # where the user's companies live
    company.parent.mkdir(parents=True)
    company.write_bytes(b"keep me")
    done = run(["sh", target / "install.sh", "--uninstall"], env)
    gone = not target.exists() and not desktop.exists() and not (home / ".local" / "bin" / "kpidesk").exists()
    check(done.returncode == 0 and gone, "install.sh --uninstall removes the application", done.stdout + done.stderr)
    check(company.read_bytes() == b"keep me", "...and keeps the user's companies")


def tree_bytes(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


def du(path: Path) -> str:
    if shutil.which("du"):
        done = subprocess.run(["du", "-sh", str(path)], capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return done.stdout.split()[0]
    return "?"


def start_times(command: Sequence[str | Path], home: Path, db: Path, runs: int) -> list[float]:
    """Seconds from start to exit of the offscreen window closing itself once the dashboard is computed."""
    env = window_env(home)
    run([*command, "gui", "--db", db], env)  # warm the disk cache; not counted
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = run([*command, "gui", "--db", db], env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            check(False, f"timing run of {command[0]}", done.stderr[-500:])
            break
    return times


def measure(bundle: Path, scratch: Path, source_python: str | None, runs: int) -> None:
    print("Size")
    size = tree_bytes(bundle)
    print(
        f"  bundle {bundle.relative_to(REPO) if bundle.is_relative_to(REPO) else bundle}: {du(bundle)} (du -sh), "
        f"{size:,} bytes = {size / 2**20:.1f} MiB"
    )
    for tarball in sorted((bundle.parent).glob("kpidesk-*.tar.gz")):
        print(f"  {tarball.name}: {tarball.stat().st_size / 2**20:.1f} MiB")
    check(size <= MAX_BYTES, f"at most {MAX_BYTES // 2**20} MiB")
    present = sorted(p.name.split(".")[0] for p in (bundle / "_internal" / "PySide6").glob("Qt*.*"))
    print(f"  Qt modules: {', '.join(present)}")
    check(not [m for m in present if m.startswith(UNWANTED_QT)], "no Qt module KPI Desk does not use")

    print(f"Start time (window start to close, median of {runs})")
    home = scratch / "timing"
    home.mkdir()
    db = scratch / "timing.kpidesk"
    gui, cli = executables(bundle)
    run([cli, "demo", "--db", db], isolated_env(home))
    frozen = statistics.median(start_times([gui], home, db, runs))
    print(f"  bundle:  {frozen:.2f} s   ({gui.relative_to(REPO) if gui.is_relative_to(REPO) else gui})")
    if source_python is None:
        print("  source:  skipped (no --source-python)")
        return
    source = statistics.median(start_times([source_python, "-m", "kpidesk"], home, db, runs))
    print(f"  source:  {source:.2f} s   ({source_python} -m kpidesk)")
    print(f"  ratio bundle/source: {frozen / source:.2f}")
    # Timing noise: a bundle within 5 % of the source counts as "at least as fast".
    check(frozen <= source * 1.05, "the bundle starts at least as fast as from source")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "kpidesk")
    parser.add_argument("--source-python", help="a Python with KPI Desk installed, to time the source against")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)

    bundle = args.bundle.resolve()
    if not executables(bundle)[0].exists():
        print(f"No bundle at {bundle}: build it first with 'make installer'.", file=sys.stderr)
        return 1
    print(f"KPI Desk {version()}, bundle {bundle}")
    with tempfile.TemporaryDirectory(prefix="kpidesk-smoke-") as tmp:
        scratch = Path(tmp)
        smoke(bundle, scratch)
        if not args.no_timing:
            measure(bundle, scratch, args.source_python, args.runs)
    if failures:
        print(f"\n{len(failures)} failed: {'; '.join(failures)}")
        return 1
    print("\nAll smoke tests passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
