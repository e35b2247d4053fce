"""Process-wide memory settings, applied once at start (window and command line).

glibc's ``malloc`` raises its mmap threshold each time a large block is freed, up to
32 MiB. After the first large free, the column arrays of a big company (a few MiB each)
are carved from the heap, whose freed blocks are seldom given back to the system: the
process then keeps the peak of every load and computation. Fixing the threshold keeps
each large array in a mapping of its own, returned to the system when freed. Measured on
the 1,000,000-line benchmark database (benchmark B6): the window's peak fell by about a
quarter. Other systems' allocators need nothing here.
"""

from __future__ import annotations

import ctypes
import sys

#: ``M_MMAP_THRESHOLD`` of glibc's ``mallopt``.
_M_MMAP_THRESHOLD = -3
#: Blocks from this size up get their own mapping (glibc's default before it adapts).
MMAP_THRESHOLD = 128 * 1024

_tuned = False


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold (see the module docstring). True when it is set."""
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on: glibc's has it
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    return _tuned


def tuned() -> bool:
    """Whether :func:`tune_allocator` has set the threshold in this process."""
    return _tuned
