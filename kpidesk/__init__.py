"""KPI Desk: the commercial KPIs of a small business, from its own spreadsheets."""

__version__ = "0.1.0"
