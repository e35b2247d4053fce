"""Text keys that compare names the way a person reads them: case, accents and punctuation folded
in one place for the whole application (headers, customer names, statuses, dates in words)."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def unaccent(text: str) -> str:
    """``text`` case-folded, without accents: ``"Société Générale"`` → ``"societe generale"``.

    The one rule for case and accents; :func:`fold` and :func:`normalise` build on it.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """``text`` as words: case and accents folded, runs of anything but letters and digits as one space.

    ``" N° de Facture "`` → ``"n de facture"``; ``"e-mail"`` → ``"e mail"``.
    """
    return " ".join(_NON_ALNUM.sub(" ", unaccent(text.replace("º", " ").replace("°", " "))).split())


def normalise(text: str) -> str:
    """``text`` without case, accents, spaces or punctuation: ``"N° Facture "`` → ``"nfacture"``."""
    return fold(text).replace(" ", "")


def member_label(member: str, name: str | None) -> str:
    """A member with its name when it has one: ``Name (id)``; else the member itself."""
    return member if not name or name == member else f"{name} ({member})"
