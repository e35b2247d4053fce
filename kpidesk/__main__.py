"""``python -m kpidesk``."""

from __future__ import annotations

import sys

from kpidesk.cli import main

sys.exit(main())
