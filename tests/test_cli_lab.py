"""`course lab` as a learner meets it: the address printed is module 00's, and no news prompt."""

from __future__ import annotations

import json
import os
import re
import urllib.request

import pytest
from lab_server import start_lab, stop


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
