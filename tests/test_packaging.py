"""Packaging: the two README commands, the conda file, and a wheel that works on its own."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
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
    extras = meta["optional-dependencies"]
    assert set(extras) == {"test", "cluster"}, "environment.yml lists every extra: add a new one there too"
    wanted = dict(_requirement(r) for r in meta["dependencies"] + extras["test"] + extras["cluster"])
    wanted = {CONDA_NAMES.get(k, k): v for k, v in wanted.items()}
    assert _conda_dependencies() == wanted
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_every_dependency_is_lower_bounded_not_pinned():
    meta = _pyproject()["project"]
    for r in meta["dependencies"] + [r for extra in meta["optional-dependencies"].values() for r in extra]:
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
    assert not [n for n in names if n.startswith("course/_notebooks/") and not n.endswith(".ipynb")], \
        "only student copies ship: no text twin (.md) of an instructor notebook"
    assert not any(n.startswith(("notebooks/", "tests/", "benchmarks/")) for n in names)
    z = zipfile.ZipFile(wheel)
    for n in notebooks:
        text = z.read(n).decode()
        assert "BEGIN SOLUTION" not in text and '"instructor"' not in text, n
        assert all(c.get("outputs", []) == [] for c in json.loads(text)["cells"]), n


def _fresh_venv_with(wheel: Path, env_dir: Path) -> Path:
    """A new venv with the wheel installed; its dependencies come from this test's environment, offline.

    A .pth file adds this environment's site-packages after the venv's own, so the wheel's ``course``
    is the one imported (an editable install's own .pth there is not processed from a .pth path).
    """
    import sysconfig

    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True)
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "zz-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return py


@pytest.mark.slow
def test_wheel_installs_and_works_in_a_fresh_venv(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    py = _fresh_venv_with(wheel, env_dir)
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


@pytest.mark.slow
def test_a_wheel_grades_as_the_checkout_it_was_built_from(wheel, tmp_path):
    """Cluster workers and shards run the wheel; its grader fingerprint (sources and data) matches the checkout's,
    so a worker built from this checkout is accepted and one from any other is refused."""
    from course.instructor.grade import grader_fingerprint

    py = _fresh_venv_with(wheel, tmp_path / "venv")
    theirs = subprocess.run([str(py), "-c", "from course.instructor.grade import grader_fingerprint as f; print(f())"],
                            cwd=tmp_path, check=True, capture_output=True, text=True).stdout.strip()
    assert theirs == grader_fingerprint()


@pytest.mark.slow
def test_grading_from_an_installed_wheel_refuses_without_the_hidden_tests(wheel, tmp_path):
    """A JupyterHub image carries no hidden tests: the grader says so and grades nothing, or uses the checkout's."""
    env_dir = tmp_path / "venv"
    py = _fresh_venv_with(wheel, env_dir)
    course = str(env_dir / "bin" / "course")
    subprocess.run([course, "lab", "--dir", "ws", "--prepare-only"], cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    shutil.copy(tmp_path / "ws" / "02-language-and-framing.ipynb", tmp_path / "subs" / "ada")
    refused = subprocess.run([course, "grade", "subs", "--out", "results"], cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 2, refused.stderr
    assert "02.2" in refused.stderr and "hidden tests" in refused.stderr and "Nothing was graded" in refused.stderr
    assert "--instructor-dir" in refused.stderr
    db = tmp_path / "results" / "gradebook.sqlite"
    assert not db.exists() or sqlite3.connect(db).execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    graded = subprocess.run([course, "grade", "subs", "--out", "results", "--instructor-dir", str(ROOT), "--timeout", "60"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert graded.returncode == 0 and "graded 1, failed 0" in graded.stdout, graded.stdout + graded.stderr
    assert py.exists()


@pytest.mark.slow
def test_an_exam_wheel_holds_no_reference_code_for_its_exam_module(tmp_path):
    """Nothing a learner can import from an exam build yields an exam question's expected value."""
    import os

    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True, text=True, env={**os.environ, "COURSE_EXAM_MODULES": "07"})
    (built,) = (tmp_path / "dist").glob("reading_the_ranks-*.whl")
    z = zipfile.ZipFile(built)
    sealed = z.read("course/checks/lesson07.py").decode()
    reference_names = re.findall(r"^def (\w+)", (ROOT / "course" / "checks" / "lesson07.py").read_text(encoding="utf-8"), re.M)
    assert reference_names and not any(f"def {n}" in sealed for n in reference_names)
    everything = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".py", ".json")))
    elsewhere = {n for p in (ROOT / "course").rglob("*.py") if p.name != "lesson07.py"
                 for n in re.findall(r"^def (\w+)", p.read_text(encoding="utf-8"), re.M)}  # e.g. each lesson's _load
    leaked = [n for n in reference_names if n not in elsewhere and re.search(rf"\bdef {n}\b", everything)]
    assert not leaked, f"reference code of module 07 is in the wheel: {leaked}"
    py = _fresh_venv_with(built, tmp_path / "venv")
    probe = (
        "import importlib, json, pkgutil, course, course.checks as c\n"
        "from course.checks import check, exercise, question, questions\n"
        "found = []\n"
        "for info in pkgutil.walk_packages(course.__path__, 'course.'):\n"
        "    if info.name.endswith('__main__'):\n"
        "        continue\n"
        "    try:\n"
        "        mod = importlib.import_module(info.name)\n"
        "    except Exception:\n"
        "        continue\n"
        "    for name, value in vars(mod).items():\n"
        "        items = value if isinstance(value, (tuple, list)) else [value]\n"
        "        for q in items:\n"
        "            if isinstance(q, c.Question) and q.id.startswith('07.') and not q.kind.records_only:\n"
        "                found.append((info.name, q.id, q.sealed, q.expected is None, q.variant is None, q.hints, len(q.mistakes)))\n"
        "ids = [q.id for q in questions('07')]\n"
        "lesson = importlib.import_module('course.checks.lesson07')\n"
        "print(json.dumps({'found': found, 'ids': ids, 'names': sorted(n for n in vars(lesson) if not n.startswith('__')),\n"
        "  'choice': repr(check('07.3', 'D')), 'wrong_type': repr(check('07.3', 5)), 'params': dict(exercise('07.10'))}))\n"
    )
    out = json.loads(subprocess.run([str(py), "-c", probe], cwd=tmp_path, check=True, capture_output=True, text=True).stdout)
    from course.checks import questions

    assert out["ids"] == [q.id for q in questions("07")]
    assert out["found"] and all(sealed and no_key and no_variant and hints == [] and mistakes == 0
                                for _, _, sealed, no_key, no_variant, hints, mistakes in out["found"])
    # a lesson hosting the checkpoint keeps it whole in an exam build: it is recorded, never marked, so its keys are no
    # exam answers (tests/test_checkpoint.py: test_an_exam_build_keeps_the_checkpoint_whole)
    hosts_checkpoint = any(q.kind.records_only for q in questions("07"))
    assert out["names"] == ["MODULE", "QUESTIONS", *(["checkpoint_questions"] if hosts_checkpoint else []),
                            "sealed_lesson"], "the sealed lesson defines nothing else"
    assert "Recorded (one option" in out["choice"] and "graded by your instructor" in out["choice"]
    assert "Correct" not in out["choice"] and "Not yet" not in out["choice"]
    assert "Expected one option" in out["wrong_type"], "format feedback still helps"
    assert out["params"] == dict(questions("07")[[q.id for q in questions("07")].index("07.10")].canonical_params())
