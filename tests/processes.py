"""Grading processes alive on this machine, to prove that none outlives a run."""

from __future__ import annotations

import sys
from pathlib import Path


def grading_processes() -> set[int]:
    """This environment's zygotes, the kernels forked from them (they keep the zygote's command line) and kernels
    started as new interpreters, in any namespace; other environments' (another checkout's tests) are not counted."""
    found, mine = set(), sys.executable.encode()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes()
                state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state not in "ZX" and cmd.startswith(mine) and (b"course.instructor.zygote" in cmd or b"ipykernel" in cmd):
                found.add(int(d.name))
    return found
