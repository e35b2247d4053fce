"""Spreadsheets in and out: reading, value parsing, mapping, validation, export (no Qt)."""
