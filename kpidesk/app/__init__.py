"""The use cases, no Qt: what a user does to a company (open it, import, export).

- :mod:`kpidesk.app.company`: :class:`~kpidesk.app.company.Company`, the open company file
  (settings, engine, revision, instance lock); reloads only the kinds that changed.
- :mod:`kpidesk.app.imports`: :class:`~kpidesk.app.imports.ImportSession` (read a file once,
  rank the kinds, propose the mapping, validate, commit in one transaction) and
  :func:`~kpidesk.app.imports.import_file`; undo.
- :mod:`kpidesk.app.exports`: the summary workbook, the data table, the report's inputs.
- :mod:`kpidesk.app.demo`: the demo company written into a new file.
- :mod:`kpidesk.app.lock`: the instance lock (an operating-system file lock).

The modules are imported on use, not here: the window starts before pandas is loaded.
"""

from kpidesk.io import SUPPORTED_EXTENSIONS

__all__ = ["SUPPORTED_EXTENSIONS"]
