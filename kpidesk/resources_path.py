"""Where the shipped resources (icons, translations) are, in every way of running.

The files live in the top-level ``resources/`` folder of the source tree, which
the wheel and the PyInstaller bundle install as the ``kpidesk.resources``
package; they are read through ``importlib.resources`` (qutebrowser
``utils/resources.py``).
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable


def resource_path(*parts: str) -> Traversable:
    """The resource at ``resources/<parts...>``."""
    node: Traversable = importlib.resources.files("kpidesk.resources")
    for part in parts:
        node = node / part
    return node
