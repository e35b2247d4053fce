"""Text keys that compare names the way a person reads them."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """``text`` without case, accents, spaces or punctuation: ``"N° Facture "`` → ``"nfacture"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", stripped)


def member_label(member: str, name: str | None) -> str:
    """A member with its name when it has one: ``Name (id)``; else the member itself."""
    return member if not name or name == member else f"{name} ({member})"
