"""A quick read-only look at a company file's settings and revision, without opening it as a store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["company_state"]


def company_state(database: Path) -> dict[str, Any] | None:
    """The ``company`` table of ``database`` (settings and revision), or None when it cannot be read.

    Opened read-only with one small query: nothing is created, migrated or locked.
    """
    try:
        con = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT key, value FROM company").fetchall()
        finally:
            con.close()
    except (sqlite3.Error, OSError, ValueError):
        return None
    return {str(key): json.loads(value) for key, value in rows}
