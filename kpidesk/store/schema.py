"""The tables of a ``.kpidesk`` file and the forward migrations between versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from kpidesk.core.kinds import KINDS, FieldType

#: ``PRAGMA application_id`` of a KPI Desk file ("KPID").
APPLICATION_ID = 0x4B504944
#: The schema version this program writes (``PRAGMA user_version``).
SCHEMA_VERSION = 3

#: Unix seconds of an ISO date text (``unixepoch`` is SQLite 3.38+).
EPOCH_SECONDS = "unixepoch({})" if sqlite3.sqlite_version_info >= (3, 38) else "CAST(strftime('%s', {}) AS INTEGER)"

SQL_TYPES: dict[FieldType, str] = {
    # Seconds since 1970-01-01 (a day at midnight), the wall-clock time of the file: eight
    # bytes at most where ISO text took nineteen, and read back without parsing text.
    # SQLite shows them with datetime(column, 'unixepoch'). Version 1 and 2 files kept ISO text.
    "date": "INTEGER",
    "number": "REAL",
    "text": "TEXT",
    "bool": "INTEGER",
    "status": "TEXT",
    "activity_type": "TEXT",
    "category": "TEXT",
}

#: Columns every kind table has before its canonical fields.
PROVENANCE_COLUMNS: tuple[str, ...] = ("batch_id", "source_row")


def kind_table_sql(kind: str, name: str | None = None, date_type: str = "INTEGER") -> str:
    """The table of one kind: provenance, the row's hash, then its canonical fields.

    A row is identified by ``(row_hash, dup_index)``, the hash of its values and its rank
    among identical lines of its file: re-importing a row already stored is a no-op (SPEC
    §2). The store checks that itself when importing (see ``Store.import_frame``): since
    version 2 no index is kept on it, nor on the batch, as maintaining them cost more than
    the whole import of a large file, and deleting a batch without them is one scan.

    Args:
        name: the table's name (the kind's, unless a migration builds it aside).
        date_type: the SQL type of date fields (``TEXT`` in files before version 3).
    """
    types = {**SQL_TYPES, "date": date_type}
    cols = ",\n  ".join(f'"{f.name}" {types[f.type]}{" NOT NULL" if f.required else ""}' for f in KINDS[kind].fields)
    return f"""CREATE TABLE "{name or kind}" (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER REFERENCES batches(id) ON DELETE CASCADE,
  source_row INTEGER,
  row_hash INTEGER NOT NULL,
  dup_index INTEGER NOT NULL DEFAULT 0,
  {cols}
)"""


def _create_v1(con: sqlite3.Connection) -> None:
    statements = [
        "CREATE TABLE company (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  file TEXT NOT NULL,
  sheet TEXT,
  imported_at TEXT NOT NULL,
  imported INTEGER NOT NULL DEFAULT 0,
  skipped_duplicates INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  report TEXT NOT NULL DEFAULT '[]',
  mapping TEXT NOT NULL DEFAULT '{}'
)""",
        """CREATE TABLE mappings (
  signature TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  mapping TEXT NOT NULL,
  saved_at TEXT NOT NULL
)""",
    ]
    for kind in KINDS:
        statements.append(kind_table_sql(kind, date_type="TEXT"))
        # Version 1 kept these indexes (version 2 drops them).
        statements.append(f'CREATE UNIQUE INDEX "{kind}_dedup" ON "{kind}"(row_hash, dup_index)')
        statements.append(f'CREATE INDEX "{kind}_batch" ON "{kind}"(batch_id)')
    for statement in statements:
        con.execute(statement)


def _drop_row_indexes(con: sqlite3.Connection) -> None:
    """Version 2: duplicates are found by the store when importing, without indexes."""
    for kind in KINDS:
        con.execute(f'DROP INDEX IF EXISTS "{kind}_dedup"')
        con.execute(f'DROP INDEX IF EXISTS "{kind}_batch"')


def _dates_as_seconds(con: sqlite3.Connection) -> None:
    """Version 3: date fields hold Unix seconds instead of ISO text (each table rebuilt)."""
    for kind, spec in KINDS.items():
        dates = {f.name for f in spec.fields if f.type == "date"}
        if not dates:
            continue
        columns = ["id", *PROVENANCE_COLUMNS, "row_hash", "dup_index", *spec.field_names]
        values = [EPOCH_SECONDS.format(f'"{c}"') if c in dates else f'"{c}"' for c in columns]
        aside = f"{kind}_v3"
        names = ", ".join(f'"{c}"' for c in columns)
        con.execute(kind_table_sql(kind, aside))
        con.execute(f'INSERT INTO "{aside}" ({names}) SELECT {", ".join(values)} FROM "{kind}" ORDER BY id')
        con.execute(f'DROP TABLE "{kind}"')
        con.execute(f'ALTER TABLE "{aside}" RENAME TO "{kind}"')


#: MIGRATIONS[v] brings a file from version v to v + 1; 0 is the empty file.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: _create_v1,
    1: _drop_row_indexes,
    2: _dates_as_seconds,
}


def migrate(con: sqlite3.Connection, from_version: int) -> None:
    """Run every step from ``from_version`` to ``SCHEMA_VERSION`` in one transaction."""
    con.execute("BEGIN IMMEDIATE")
    try:
        for version in range(from_version, SCHEMA_VERSION):
            MIGRATIONS[version](con)
        con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
