"""Errors whose message is meant for the user (already translated, one line)."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` is the message shown to them."""


class StoreError(UserError):
    """The database file cannot be opened, read or written."""


class Cancelled(Exception):
    """Long work stopped because the user asked; nothing was changed."""
