"""The SQLite file of one company: schema, migrations, batches, typed frames (no Qt)."""
