"""`course lab` as a learner meets it: the address printed is module 00's, and no news prompt."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"))
    proc, url = start_lab(tmp / "ws", tmp / "lab.log", env)
    yield url
    stop(proc)


def test_no_browser_prints_the_address_of_module_00(lab):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/lab/tree/00-start-here\.ipynb\?token=\w+", lab), lab
    with urllib.request.urlopen(lab, timeout=20) as page:
        assert page.status == 200


def test_the_learner_server_switches_off_jupyterlab_news_and_update_checks(lab):
    # The prompt "Would you like to get notified about official Jupyter news?" comes from this
    # frontend plugin whatever news_url says; disabling the plugin is what switches it off.
    with urllib.request.urlopen(lab, timeout=20) as page:
        html = page.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"]
    token = lab.split("token=")[1]
    base = lab.split("/lab/")[0]
    with urllib.request.urlopen(f"{base}/lab/api/update?token={token}", timeout=20) as r:
        assert json.loads(r.read())["notification"] is None  # NeverCheckForUpdate: nothing is fetched
