"""Spreadsheets in and out: reading, value parsing, mapping, validation, export (no Qt)."""

#: The files KPI Desk imports (kept here, light to import, for the window's drag and drop).
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
