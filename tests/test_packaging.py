"""Packaging: the two README commands, the conda file, and a wheel that works on its own."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"build": "python-build"}  # where conda-forge's name differs from PyPI's


def _requirement(text: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9][0-9.]*)?\s*", text)
    assert m, f"unexpected requirement {text!r}: use name>=version"
    return m.group(1).lower(), (m.group(2) or "").replace(" ", "")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _conda_dependencies() -> dict[str, str]:
    """Top-level conda packages, and the PyPI-only ones listed under ``pip:`` (not the ``-e .``)."""
    deps, in_deps = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^  - ([^\s#:]+)\s*$", line) or re.match(r"^      - ([A-Za-z][^\s#:]*)\s*$", line)
        if in_deps and m:
            name, bound = _requirement(m.group(1))
            if name not in {"python", "pip"}:
                deps[name] = bound
    return deps


def test_environment_yml_matches_pyproject():
    meta = _pyproject()["project"]
    wanted = dict(_requirement(r) for r in meta["dependencies"] + meta["optional-dependencies"]["test"])
    wanted = {CONDA_NAMES.get(k, k): v for k, v in wanted.items()}
    assert _conda_dependencies() == wanted
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_every_dependency_is_lower_bounded_not_pinned():
    meta = _pyproject()["project"]
    for r in meta["dependencies"] + meta["optional-dependencies"]["test"]:
        assert _requirement(r)[1].startswith(">="), r


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", text, flags=re.S)[:2]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    opening = (ROOT / "README.md").read_text().split("\n## ")[0]
    open_cmd, test_cmd = _readme_commands()
    assert open_cmd in opening and test_cmd in opening
    assert open_cmd.endswith("course lab") and "pytest" in test_cmd
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci_lines[-1] == test_cmd and ci_lines.count(test_cmd) == 1


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (built,) = out.glob("reading_the_ranks-*.whl")
    return built


@pytest.mark.slow
def test_wheel_carries_package_data_and_student_copies_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "course/__init__.py" in names and "course/_data/manifest.json" in names
    assert "course/_lab/labconfig/page_config.json" in names  # course lab switches JupyterLab news off with it
    data_files = {n.removeprefix("course/_data/") for n in names if n.startswith("course/_data/")}
    listed = {e["path"] for e in json.loads((ROOT / "data" / "manifest.json").read_text())["files"]}
    assert listed <= data_files
    notebooks = [n for n in names if n.endswith(".ipynb")]
    sources = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert sorted(Path(n).name for n in notebooks) == sources
    assert all(n.startswith("course/_notebooks/") for n in notebooks)
    assert not any(n.startswith(("notebooks/", "tests/", "benchmarks/")) for n in names)
    z = zipfile.ZipFile(wheel)
    for n in notebooks:
        text = z.read(n).decode()
        assert "BEGIN SOLUTION" not in text and '"instructor"' not in text, n
        assert all(c.get("outputs", []) == [] for c in json.loads(text)["cells"]), n


@pytest.mark.slow
def test_wheel_installs_and_works_in_a_fresh_venv(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True)
    script = (
        "import course, json, pathlib\n"
        "from course.instructor.workspace import create_workspace\n"
        "a = course.article()\n"
        "r = create_workspace(folder=pathlib.Path('ws'), learner='wheel')\n"
        "print(json.dumps({'file': course.__file__, 'sections': len(a.sections), 'added': r.added}))\n"
    )
    out = subprocess.run([str(py), "-c", script], cwd=tmp_path, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    assert str(env_dir) in result["file"], "the wheel's copy must be imported, not the checkout"
    assert result["sections"] == 6 and "00-start-here.ipynb" in result["added"]
    cli = subprocess.run([str(env_dir / "bin" / "course"), "lab", "--dir", "ws2", "--prepare-only"],
                         cwd=tmp_path, check=True, capture_output=True, text=True)
    assert "added" in cli.stdout and (tmp_path / "ws2" / "00-start-here.ipynb").is_file()
