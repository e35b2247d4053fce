"""What the KPI functions share: the "never" day, CLV's window, and the building of their values."""

from __future__ import annotations

from typing import Any

import numpy as np

from kpidesk.core.engine import (
    Intervals,
    Values,
)

#: A day after every real day: "never".
NEVER = np.iinfo(np.int64).max // 4
#: CLV's lifespan cap, in years.
MAX_LIFESPAN_YEARS = 10.0
#: CLV looks at the 12 months ending at the period's end.
CLV_MONTHS = 12

Members = tuple[np.ndarray, np.ndarray] | None


def _key(iv: Intervals) -> tuple[bytes, bytes]:
    return iv.lo.tobytes(), iv.hi.tobytes()


def _labels(members: Members) -> tuple[np.ndarray | None, int]:
    if members is None:
        return None, 1
    return members[1], max(len(members[1]), 1)


def _values(value: np.ndarray, labels: np.ndarray | None, base: np.ndarray | None = None, **kw: Any) -> Values:
    return Values(value, base, labels, **kw)
