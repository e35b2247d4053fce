"""The rules the readers share, each in its one home, against values worked out by hand."""

from __future__ import annotations

import numpy as np

from kpidesk.core.kinds import missing_required, sales_amount
from kpidesk.core.text import fold, normalise, unaccent
from kpidesk.io.mapping import header_signature
from kpidesk.io.mapping import normalise as header_key


def test_text_is_folded_in_one_place() -> None:
    assert unaccent("Société Générale") == "societe generale"
    assert fold(" N° de Facture ") == "n de facture"
    assert fold("E-mail") == "e mail"
    assert normalise("N° Facture ") == "nfacture"
    # The headers compare through it too.
    assert header_key("Date de Création") == fold("Date de Création") == "date de creation"
    assert header_signature(["Date", "Montant HT"]) == header_signature([" DATE ", "montant_ht"])


def test_amount_or_quantity_times_unit_price() -> None:
    amount = np.array([10.0, np.nan, np.nan])
    quantity = np.array([2.0, 3.0, np.nan])
    price = np.array([5.0, 4.0, 1.0])
    # Row 1 has its amount; row 2 is 3 x 4 = 12; row 3 has neither.
    np.testing.assert_array_equal(sales_amount(amount, quantity, price), [10.0, 12.0, np.nan])
    np.testing.assert_array_equal(sales_amount(None, quantity, price), [10.0, 12.0, np.nan])
    assert missing_required("sales", ["date", "quantity", "unit_price"]) == []
    assert missing_required("sales", ["date", "quantity"]) == ["amount"]
    assert missing_required("opportunities", ["status", "close_date"]) == ["created_date"]
