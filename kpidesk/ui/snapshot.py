"""The last dashboard of each database, kept so the next start shows it at once.

At start-up the window shows the values it computed last time for the same
database (same stored rows: its ``revision``; same company settings; same
period, grain and comparison; same day; same version of KPI Desk), while the
engine loads and computes them afresh. A snapshot is plain JSON in the user's
data folder, and the company file is checked with one small read-only query
(:func:`kpidesk.app.company.company_state`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kpidesk import __version__
from kpidesk.app.company import company_state
from kpidesk.core.dashboard import DashboardContext, DashboardData
from kpidesk.core.periods import Period
from kpidesk.core.results import KpiRow, Query, Result
from kpidesk.ui import paths

log = logging.getLogger(__name__)
FORMAT = 1


def snapshot_file(database: Path) -> Path:
    digest = hashlib.sha1(str(database.resolve()).encode("utf-8")).hexdigest()[:16]
    return paths.data_dir() / "snapshots" / f"{digest}.json"


def database_state(database: Path) -> dict[str, Any] | None:
    """What the numbers depend on: the company's settings and the revision of its rows."""
    return company_state(database)


def _key(database: Path, controls: tuple[str, str, str]) -> dict[str, Any] | None:
    state = database_state(database)
    if state is None:
        return None
    return {
        "format": FORMAT,
        "version": __version__,
        "database": str(database.resolve()),
        "state": state,
        "controls": list(controls),
        "today": dt.date.today().isoformat(),
    }


def save(database: Path, controls: tuple[str, str, str], context: DashboardContext, data: DashboardData) -> None:
    """Keep ``data`` (unfiltered) as the start-up dashboard of ``database``."""
    if data.query.filters or controls[0] == "custom":
        return
    key = _key(database, controls)
    if key is None:
        return
    content = {
        "key": key,
        "context": {
            "span": [d.isoformat() for d in context.span] if context.span else None,
            "members": context.members,
            "currency": context.currency,
            "fiscal_start": context.fiscal_start,
            "company_name": context.company_name,
            "names": context.names,
        },
        "query": {
            "start": _iso(data.query.start),
            "end": _iso(data.query.end),
            "grain": data.query.grain,
            "compare": data.query.compare,
            "kpis": list(data.query.kpis or ()),
        },
        "as_of": data.as_of.isoformat(),
        "summary": _result(data.summary),
        "trend": _result(data.trend),
    }
    target = snapshot_file(database)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(content, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:  # a cache: failing to keep it only costs time at the next start
        log.warning("could not keep the dashboard snapshot: %s", exc)


def load(database: Path, controls: tuple[str, str, str]) -> tuple[DashboardContext, DashboardData] | None:
    """The dashboard kept for ``database`` if it still holds for it today, else None."""
    target = snapshot_file(database)
    try:
        content = json.loads(target.read_text(encoding="utf-8"))
        if content["key"] != _key(database, controls):
            return None
        c, q = content["context"], content["query"]
        context = DashboardContext(
            tuple(_date(d) for d in c["span"]) if c["span"] else None,  # type: ignore[arg-type]
            {k: list(v) for k, v in c["members"].items()},
            c["currency"],
            int(c["fiscal_start"]),
            c.get("company_name", ""),
            {k: dict(v) for k, v in c.get("names", {}).items()},
        )
        query = Query(_date(q["start"]), _date(q["end"]), q["grain"], q["compare"], None, tuple(q["kpis"]) or None)
        data = DashboardData(
            query, _from_result(content["summary"]), _from_result(content["trend"]), _date(content["as_of"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return context, data


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _result(result: Result) -> dict[str, Any]:
    return {
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "grain": result.grain,
        "compare": result.compare,
        "periods": [
            [p.label, p.start.isoformat(), p.end.isoformat(), p.full_start.isoformat(), p.full_end.isoformat()]
            for p in result.periods
        ],
        "rows": [_row(r) for r in result.rows],
    }


def _row(row: KpiRow) -> dict[str, Any]:
    data = asdict(row)
    for name in ("start", "end", "target_start", "target_end"):
        data[name] = _iso(data[name])
    return data


def _from_result(data: dict[str, Any]) -> Result:
    periods = [Period(p[0], _date(p[1]), _date(p[2]), _date(p[3]), _date(p[4])) for p in data["periods"]]
    rows = []
    for r in data["rows"]:
        r = dict(r)
        for name in ("start", "end", "target_start", "target_end"):
            r[name] = None if r[name] is None else _date(r[name])
        for name in ("missing_fields", "best", "worst"):  # JSON gives lists, KpiRow holds tuples
            if isinstance(r.get(name), list):
                r[name] = tuple(r[name])
        rows.append(KpiRow(**r))
    return Result(_date(data["start"]), _date(data["end"]), data["grain"], data["compare"], periods, rows)
