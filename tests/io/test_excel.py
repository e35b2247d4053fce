"""Excel's epoch and column letters (:mod:`kpidesk.io.excel`), against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from kpidesk.io.excel import column_index, column_letter, from_serials, to_serials


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
    assert [column_index(s) for s in ("A", "z", "AA", "ZZ", "AAA")] == [0, 25, 26, 701, 702]
    with pytest.raises(ValueError):
        column_index("A1")


def test_serials() -> None:
    # 1 March 1900 is serial 61 (after Excel's phantom 29 February 1900); 5 March 2024 is
    # 45356 (Excel shows it so); noon is half a day.
    stamps = np.array(["1900-03-01", "2024-03-05", "2024-03-05T12:00", "NaT"], dtype="datetime64[ns]")
    serials = to_serials(stamps)
    assert serials[:3].tolist() == [61.0, 45356.0, 45356.5] and np.isnan(serials[3])
    back = from_serials(serials)
    assert back[:3].tolist() == stamps[:3].tolist() and np.isnat(back[3])
