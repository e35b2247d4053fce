"""The former home of the workbook rules, kept so that old imports work: see :mod:`kpidesk.io.xlsx`."""

from __future__ import annotations

from kpidesk.io.xlsx import *  # noqa: F403
from kpidesk.io.xlsx import __all__ as __all__
