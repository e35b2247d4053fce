"""The allocator setting that lets a large company's arrays go back to the system when freed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kpidesk.memory import tune_allocator

# Frees a 20 MiB block (glibc then raises its mmap threshold to 20 MiB), then fills 50 blocks
# of 8 MiB and frees all but the last: the resident memory the process keeps is printed.
PROGRAM = """
import sys
import numpy as np
from kpidesk.memory import tune_allocator
if sys.argv[1] == "tuned":
    assert tune_allocator()
def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096
big = np.ones(20 * 2**20 // 8)
del big
before = resident()
blocks = [np.ones(8 * 2**20 // 8) for _ in range(50)]
last = blocks[-1]
del blocks
print(resident() - before)
"""

glibc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")


def retained(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


@glibc
def test_freed_arrays_go_back_to_the_system_once_tuned() -> None:
    mib = 2**20
    assert retained("default") > 200 * mib  # the heap keeps the freed blocks under the last one
    assert retained("tuned") < 40 * mib  # each block had its own mapping, returned when freed


@glibc
def test_window_and_command_line_tune_the_allocator() -> None:
    code = (
        "import sys\n"
        "from kpidesk import cli, memory\n"
        "cli.main(['catalog'])\n"
        "print('tuned' if memory.tuned() else 'default', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "tuned"
    assert tune_allocator()
