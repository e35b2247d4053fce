"""The command line of SPEC §4: JSON shapes, values, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from kpidesk import __version__
from kpidesk.cli import main
from kpidesk.core import catalog
from kpidesk.core.kinds import KINDS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tiny(make_db: Callable[..., Path]) -> Path:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-03", "2024-01-03", "2024-01-20", "2024-02-07", "2024-02-08"]),
            "amount": [100.0, 50.0, -30.0, 120.0, 60.0],
            "invoice_id": ["F1", "F1", "AV1", "F3", "F4"],
            "customer_id": ["C1", "C1", "C1", "C1", "C3"],
            "salesperson": ["Alice", "Alice", "Alice", "Alice", "Bruno"],
        }
    )
    targets = pd.DataFrame({"kpi": ["revenue"], "period": ["2024-02"], "value": [200.0]})
    return make_db(sales=sales, targets=targets)


def test_kpis_json_values_by_hand(capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    code, out, _ = run(capsys, "kpis", "--db", str(tiny), "--grain", "month", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["from"], data["to"], data["grain"]) == ("2024-01-01", "2024-02-08", "month")
    rows = {(r["kpi"], r["period"]): r for r in data["rows"] if r["member"] is None}
    # January: 100 + 50 - 30; one positive invoice (F1); C1 new and active.
    assert rows[("revenue", "2024-01")]["value"] == 120.0
    assert rows[("sales_count", "2024-01")]["value"] == 1.0
    assert rows[("average_order_value", "2024-01")]["value"] == 120.0
    assert rows[("active_customers", "2024-01")]["value"] == 1.0
    assert rows[("new_customers", "2024-01")]["value"] == 1.0
    # February: 120 + 60 over two invoices; C1 and C3 active, C3 new. The data ends on the 8th,
    # so February is compared like for like with 1-8 January: 150 (the credit note came later).
    feb = rows[("revenue", "2024-02")]
    assert (feb["value"], feb["comparison"], feb["target"]) == (180.0, 150.0, 200.0)
    assert rows[("average_order_value", "2024-02")]["value"] == 90.0
    assert rows[("average_order_value", "2024-02")]["low_confidence"] is True
    assert rows[("active_customers", "2024-02")]["value"] == 2.0
    assert rows[("new_customers", "2024-02")]["value"] == 1.0
    for row in data["rows"]:
        assert set(row) == {
            "kpi",
            "period",
            "member",
            "value",
            "target",
            "pacing",
            "attainment",
            "comparison",
            "change",
            "change_unit",
            "partial",
            "unavailable",
            "low_confidence",
            "forecast",
        }


def test_kpis_by_member_and_selected_kpis(capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    code, out, _ = run(
        capsys,
        "kpis",
        "--db",
        str(tiny),
        "--grain",
        "year",
        "--by",
        "salesperson",
        "--kpi",
        "revenue",
        "--compare",
        "none",
        "--json",
    )
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [(r["kpi"], r["period"], r["member"], r["value"], r["comparison"]) for r in rows] == [
        ("revenue", "2024", None, 300.0, None),
        ("revenue", "2024", "Alice", 240.0, None),
        ("revenue", "2024", "Bruno", 60.0, None),
    ]


def test_kpis_range_and_text_output(capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    code, out, _ = run(
        capsys, "kpis", "--db", str(tiny), "--from", "2024-02-01", "--to", "2024-02-29", "--kpi", "revenue"
    )
    assert code == 0
    assert "Revenue  2024-02  €180.00  +50.0%" in out


def test_unavailable_kpis_are_null_not_zero(capsys: pytest.CaptureFixture[str], make_db: Callable[..., Path]) -> None:
    path = make_db()
    code, out, _ = run(capsys, "kpis", "--db", str(path), "--from", "2024-01-01", "--to", "2024-01-31", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert rows and all(r["unavailable"] and r["value"] is None for r in rows)


def test_catalog_json_lists_every_kpi_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "--json")
    assert code == 0
    kpis = json.loads(out)["kpis"]
    assert [k["id"] for k in kpis] == list(catalog.KPI_IDS)
    assert len(kpis) == 33
    revenue = kpis[0]
    assert revenue["name"] == {"fr": "Chiffre d'affaires", "en": "Revenue"}
    assert revenue["unit"] == "currency" and revenue["direction"] == "higher" and revenue["needs"] == ["sales"]
    assert {k["unit"] for k in kpis} <= {"currency", "count", "percent", "days", "score", "ratio"}
    assert all(set(k["needs"]) <= set(KINDS) for k in kpis)


def test_demo_then_kpis(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "acme.kpidesk"
    assert run(capsys, "demo", "--db", str(db), "--seed", "3")[0] == 0
    code, _, err = run(capsys, "demo", "--db", str(db))
    assert code == 1 and err.startswith("kpidesk: error: ") and "--force" in err
    code, out, _ = run(capsys, "kpis", "--db", str(db), "--grain", "year", "--json")
    assert code == 0
    revenue = [r for r in json.loads(out)["rows"] if r["kpi"] == "revenue"]
    assert len(revenue) in (3, 4) and all(r["value"] > 0 for r in revenue)


def test_imports_and_undo(capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    code, out, _ = run(capsys, "imports", "--db", str(tiny), "--json")
    assert code == 0
    batches = json.loads(out)["batches"]
    assert [(b["kind"], b["imported"]) for b in batches] == [("sales", 5), ("targets", 1)]
    assert set(batches[0]) == {
        "batch_id",
        "file",
        "sheet",
        "kind",
        "imported_at",
        "imported",
        "skipped_duplicates",
        "rejected",
    }
    assert run(capsys, "undo-import", str(batches[1]["batch_id"]), "--db", str(tiny))[0] == 0
    code, out, _ = run(capsys, "imports", "--db", str(tiny), "--json")
    assert [b["kind"] for b in json.loads(out)["batches"]] == ["sales"]
    code, _, err = run(capsys, "undo-import", "99", "--db", str(tiny))
    assert code == 1 and err.strip() == "kpidesk: error: There is no import batch 99."


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["kpis", "--db", "{missing}"], 1, "no such file"),
        (["kpis", "--db", "{notdb}"], 1, "not a KPI Desk database"),
        (["kpis", "--db", "{tiny}", "--grain", "decade"], 2, "invalid choice"),
        (["kpis", "--db", "{tiny}", "--kpi", "happiness"], 2, "invalid choice"),
        (["kpis", "--db", "{tiny}", "--from", "yesterday"], 2, "not a date"),
        (["kpis"], 2, "--db"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_errors_are_one_line_with_the_right_status(
    capsys: pytest.CaptureFixture[str], tiny: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    notdb = tmp_path / "notes.kpidesk"
    notdb.write_text("hello")
    paths = {"missing": str(tmp_path / "nope.kpidesk"), "notdb": str(notdb), "tiny": str(tiny)}
    got, _, err = run(capsys, *[a.format(**paths) for a in args])
    assert got == code
    last = err.strip().splitlines()[-1]
    assert last.startswith("kpidesk: error: ") and message in last
    assert "Traceback" not in err


def test_entry_point_version_and_exit_status(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kpidesk", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"kpidesk {__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "kpidesk", "kpis", "--db", str(tmp_path / "x.kpidesk")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("kpidesk: error: ")


def test_a_range_that_ends_before_it_starts_is_bad_usage(capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    code, _, err = run(capsys, "kpis", "--db", str(tiny), "--from", "2024-03-01", "--to", "2024-01-01")
    assert code == 2 and "--to (2024-01-01) is before --from (2024-03-01)" in err
    # Starting after the data: that range, empty, not the data turned round.
    code, out, _ = run(capsys, "kpis", "--db", str(tiny), "--from", "2025-01-01", "--kpi", "revenue", "--json")
    data = json.loads(out)
    assert (data["from"], data["to"]) == ("2025-01-01", "2025-01-01")
    assert data["rows"][0]["value"] == 0.0


def test_the_default_range_reaches_the_last_close_date(
    capsys: pytest.CaptureFixture[str], make_db: Callable[..., Path]
) -> None:
    deals = pd.DataFrame(
        {
            "created_date": pd.to_datetime(["2024-01-10", "2024-02-01"]),
            "status": ["won", "won"],
            "close_date": pd.to_datetime(["2024-03-30", "2024-04-15"]),
            "amount": [100.0, 250.0],
        }
    )
    db = make_db(opportunities=deals)
    code, out, _ = run(capsys, "kpis", "--db", str(db), "--grain", "month", "--kpi", "won_value", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["to"] == "2024-04-15"  # the last deal closed then, though none was opened after February
    assert {r["period"]: r["value"] for r in data["rows"]}["2024-04"] == 250.0


def test_import_goes_on_past_a_bad_file_and_reports_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "ventes.csv"
    good.write_text("Date;Montant\n05/03/2024;12\n06/03/2024;abc\n", encoding="utf-8")
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    db = tmp_path / "new.kpidesk"  # does not exist yet: the import starts the company
    code, out, err = run(capsys, "import", str(good), str(empty), "--db", str(db), "--json")
    assert code == 1
    batches = json.loads(out)["batches"]
    assert [(b["file"], b["imported"], b["rejected"]) for b in batches] == [("ventes.csv", 1, 1)]
    assert err.strip().splitlines() == [err.strip().splitlines()[0]] and "vide.csv" in err
    code, out, err = run(capsys, "import", str(good), "--db", str(tmp_path / "s.kpidesk"), "--strict", "--json")
    assert code == 1 and json.loads(out)["batches"][0]["batch_id"] is None
    assert "nothing was imported (--strict)" in err
    code, out, _ = run(capsys, "imports", "--db", str(tmp_path / "s.kpidesk"), "--json")
    assert json.loads(out)["batches"] == []
