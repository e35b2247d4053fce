"""The tables of a ``.kpidesk`` file and the forward migrations between versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from kpidesk.core.kinds import KINDS, FieldType

#: ``PRAGMA application_id`` of a KPI Desk file ("KPID").
APPLICATION_ID = 0x4B504944
#: The schema version this program writes (``PRAGMA user_version``).
SCHEMA_VERSION = 2

SQL_TYPES: dict[FieldType, str] = {
    "date": "TEXT",
    "number": "REAL",
    "text": "TEXT",
    "bool": "INTEGER",
    "status": "TEXT",
    "activity_type": "TEXT",
    "category": "TEXT",
}

#: Columns every kind table has before its canonical fields.
PROVENANCE_COLUMNS: tuple[str, ...] = ("batch_id", "source_row")


def kind_table_sql(kind: str) -> str:
    """The table of one kind: provenance, the row's hash, then its canonical fields.

    A row is identified by ``(row_hash, dup_index)``, the hash of its values and its rank
    among identical lines of its file: re-importing a row already stored is a no-op (SPEC
    §2). The store checks that itself when importing (see ``Store.import_frame``): since
    version 2 no index is kept on it, nor on the batch, as maintaining them cost more than
    the whole import of a large file, and deleting a batch without them is one scan.
    """
    cols = ",\n  ".join(
        f'"{f.name}" {SQL_TYPES[f.type]}{" NOT NULL" if f.required else ""}' for f in KINDS[kind].fields
    )
    return f"""CREATE TABLE "{kind}" (
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
        statements.append(kind_table_sql(kind))
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


#: MIGRATIONS[v] brings a file from version v to v + 1; 0 is the empty file.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: _create_v1,
    1: _drop_row_indexes,
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
