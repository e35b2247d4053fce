"""The frozen application's entry point: PyInstaller starts a script, which runs the ``kpidesk`` command."""

import sys

from kpidesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
