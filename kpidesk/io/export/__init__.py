"""The workbooks KPI Desk exports: the summary a manager sends to the board (SPEC §6) and the
data table as ``.xlsx``.

* :mod:`.summary` - :func:`export_summary`, the Summary sheet and the breakdown sheets;
* :mod:`.trends` - the Trends sheet and its native charts;
* :mod:`.definitions` - the Definitions and Settings sheets, the document properties;
* :mod:`.context`, :mod:`.look` - what the sheets share: results, words, number formats, styles;
* :mod:`.table` - :func:`export_table`, the data page's rows streamed to a sheet.

Every workbook follows :mod:`kpidesk.io.xlsx`: formula-proof text, shared styles, a temporary
file renamed into place, openpyxl's public API only.
"""

from __future__ import annotations

from kpidesk.io.export.look import CancelledCallback, ProgressCallback
from kpidesk.io.export.summary import export_summary
from kpidesk.io.export.table import export_table
from kpidesk.io.export.trends import MAIN_KPIS

__all__ = ["MAIN_KPIS", "CancelledCallback", "ProgressCallback", "export_summary", "export_table"]
