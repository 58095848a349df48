"""Start JupyterLab for tests exactly as a learner does: ``course lab --no-browser``."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(folder: Path, log: Path, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``course lab --no-browser`` exactly as a learner would; return it and the address it printed."""
    port = _free_port()
    with log.open("w") as out:  # the child keeps its own copy of the file descriptor
        proc = subprocess.Popen([sys.executable, "-m", "course", "lab", "--dir", str(folder), "--no-browser",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = re.search(r"http://127\.0\.0\.1:\d+/\S*\?token=\w+", log.read_text())
        if found:
            return proc, found.group(0)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"course lab printed no address; see {log}:\n{log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
