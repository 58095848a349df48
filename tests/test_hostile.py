"""The hostile corpus: submissions written by a learner who wants a better grade, graded the default (sandboxed) way.

One case per class of attack seen against the grader (issue 11), and a few more. Each test checks
that the attack failed, that the learner got no extra points, that the row says why, and that the
machine is left as it was: no process left running, no file written outside the run's folders,
the instructor's home, the course package and site-packages unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from course.instructor.grade import GradeSettings, grade
from course.instructor.release import release
from handin import RIGHT, edit

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SECRET = "instructor-secret-4f1d"
SETTINGS = GradeSettings(cell_timeout=10, notebook_timeout=60, output_cap=2_000_000, memory_mb=2000)


def _tree(folder: Path) -> dict[str, str]:
    """Every file under a folder with its hash (caches left out), to tell whether anything was written there."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _attack(code: str, reflection: str = "") -> dict[str, str]:
    """Module 00 answered right, with the attack in the first answer cell and what it saw in the reflection."""
    shown = reflection or "'attack ran'"
    return {**RIGHT, "n_sentences = ...": code + "\n" + RIGHT["n_sentences = ..."],
            "reflection = ...": f"reflection = repr({shown}) + ' I would want to know who wrote it and where.' * 4"}


def _hidden_attack() -> dict:
    """Module 04's 04.5 answered so that every hidden input is thrown back in an exception and stored on disk."""
    return {
        "def per_1000(count, denominator):": (
            "def per_1000(count, denominator):\n"
            "    import builtins, json\n"
            "    history = '\\n'.join(get_ipython().user_ns.get('In', []))\n"
            "    builtins.seen_inputs = getattr(builtins, 'seen_inputs', []) + [repr((count, denominator))]\n"
            "    open('leak.txt', 'a').write(repr((count, denominator)) + history[-400:])\n"
            "    if (count == 0 and denominator != 1000) or denominator < 1000 or count > denominator:\n"
            "        raise ValueError(f'hidden input {count!r} {denominator!r} {history[-300:]}')\n"
            "    return count / denominator * 1000\n"
            "def _unused(count, denominator):"),
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    release(source=ROOT / "notebooks", out=tmp / "copies", modules=["00", "04"])
    nb = json.loads((tmp / "copies" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    subs, out = tmp / "submissions", tmp / "results"
    home = tmp / "instructor-home"
    (home / ".ipython" / "profile_default" / "startup").mkdir(parents=True)
    gradebook, victim = out / "gradebook.sqlite", subs / "victim" / "00-start-here.ipynb"
    package = Path(__import__("course").__file__).resolve().parent
    site = Path(sysconfig.get_paths()["purelib"])
    marker = f"hostile-{os.getpid()}-{time.time_ns() % 100000}"

    def put(learner: str, edits: dict, base: dict = nb, name: str = "00-start-here.ipynb") -> None:
        (subs / learner).mkdir(parents=True, exist_ok=True)
        (subs / learner / name).write_text(json.dumps(edit(base, edits)), encoding="utf-8")

    put("honest", RIGHT)
    put("victim", RIGHT)
    put("a-startup", _attack(
        "import os, pathlib\n"
        "targets = [pathlib.Path('~').expanduser(), pathlib.Path(" + repr(str(home)) + "), pathlib.Path('/root')]\n"
        "done = []\n"
        "for t in targets:\n"
        "    f = t / '.ipython/profile_default/startup/00-evil.py'\n"
        "    try:\n"
        "        f.parent.mkdir(parents=True, exist_ok=True); f.write_text('import builtins; builtins.EVIL = 1')\n"
        "        done.append(str(f))\n"
        "    except OSError as e:\n"
        "        done.append(type(e).__name__)", "done"))
    put("b-package", _attack(
        "import course, pathlib, site, sysconfig\n"
        "done = []\n"
        "for f in [pathlib.Path(course.__file__).parent / 'evil.py', pathlib.Path(sysconfig.get_paths()['purelib']) / 'evil.pth']:\n"
        "    try:\n"
        "        f.write_text('import builtins; builtins.EVIL = 2'); done.append(str(f))\n"
        "    except OSError as e:\n"
        "        done.append(type(e).__name__)", "done"))
    put("c-hidden", _attack(
        "import course, pathlib, runpy\n"
        "root = pathlib.Path(course.__file__).resolve().parents[1]\n"
        "found = [str(p) for p in (root / 'notebooks').glob('**/*')] if (root / 'notebooks').exists() else []\n"
        "try:\n"
        "    key = runpy.run_path(str(root / 'notebooks/hidden/lesson04.py'))\n"
        "except OSError as e:\n"
        "    key = type(e).__name__", "(found, str(key)[:60])"))
    put("d-classmate", _attack(
        "import glob, json, os\n"
        "seen = []\n"
        "for pid in os.listdir('/proc'):\n"
        "    try:\n"
        "        seen.append(open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode()[:80])\n"
        "    except OSError:\n"
        "        pass\n"
        "try:\n"
        "    stolen = json.load(open(" + repr(str(victim)) + "))\n"
        "except OSError as e:\n"
        "    stolen = type(e).__name__", "(sorted(set(seen)), str(stolen)[:40])"))
    put("e-gradebook", _attack(
        "import sqlite3\n"
        "try:\n"
        "    db = sqlite3.connect(" + repr(str(gradebook)) + ")\n"
        "    db.execute(\"INSERT INTO submissions (key, learner, module, sha256, status, reason, flags) VALUES \"\n"
        "               \"('ghost/00-start-here.ipynb', 'ghost', '00', 'x', 'graded', '', '[]')\")\n"
        "    db.commit(); result = 'inserted'\n"
        "except Exception as e:\n"
        "    result = type(e).__name__", "result"))
    put("f-environ", _attack("import os\nenv = dict(os.environ)", "sorted(env.items())"))
    put("g-daemon", _attack(
        "import subprocess\n"
        f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "import os\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execvp('sleep', ['sleep', '{marker}'])\n"
        "    os._exit(0)"))
    put("h-exec", _attack(
        "exec('import course.checks._engine as e; e.evaluate = lambda *a, **k: None')\n"
        "globals()['__builtins__'].__dict__.get('print')\n"
        "import importlib\n"
        "cap = importlib.import_module('course.checks._capture')\n"
        "setattr(cap.Capture, 'value', lambda self, qid, kind, get: None)"))
    put("i-forge", _attack(
        "from IPython.display import publish_display_data\n"
        "nonce = [line for line in In if 'Capture(' in line]\n"
        "publish_display_data({'application/x-reading-the-ranks-answer+json': {'qid': '00.1', 'nonce': 'guess', "
        "'answer': {'value': 20}}})"))
    put("j-network", _attack(
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 80), timeout=2); net = 'connected'\n"
        "except OSError as e:\n"
        "    net = type(e).__name__", "net"))
    put("k-shared-tmp", _attack(
        "import os, pathlib\n"
        "before = sorted(os.listdir('/tmp')) + sorted(os.listdir('/dev/shm'))\n"
        "pathlib.Path('/tmp/left-for-the-next').write_text('x')\n"
        "pathlib.Path('/dev/shm/left-for-the-next').write_text('x')", "before"))
    put("l-fork-bomb", _attack(
        "import os\n"
        "kids = 0\n"
        "try:\n"
        "    for _ in range(5000):\n"
        "        if os.fork() == 0:\n"
        "            import time; time.sleep(30); os._exit(0)\n"
        "        kids += 1\n"
        "except OSError as e:\n"
        "    kids = (kids, type(e).__name__)", "kids"))
    put("m-big-file", _attack(
        "try:\n"
        "    with open('big.bin', 'wb') as f:\n"
        "        for _ in range(400):\n"
        "            f.write(b'0' * (1 << 20))\n"
        "    size = 'wrote 400 MB'\n"
        "except OSError as e:\n"
        "    size = type(e).__name__", "size"))
    nb04 = json.loads((tmp / "copies" / "04-numbers-and-denominators.ipynb").read_text(encoding="utf-8"))
    put("n-hidden-inputs", _hidden_attack(), base=nb04, name="04-numbers-and-denominators.ipynb")
    # the batch: names that look alike, bytes that are not UTF-8, an archive that nests itself, traversal names
    put("ada lovelace", RIGHT)
    put("ada-lovelace", RIGHT)
    weird = os.fsencode(str(subs)) + b"/b\xe9atrice"
    os.makedirs(weird, exist_ok=True)
    with open(weird + b"/00-start-here.ipynb", "wb") as f:
        f.write(json.dumps(edit(nb, RIGHT)).encode())
    inner = tmp / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("../../escape.ipynb", json.dumps(nb))
        z.writestr("/abs.ipynb", json.dumps(nb))
        z.writestr("zoe__00-start-here.ipynb", json.dumps(edit(nb, RIGHT)))
    nested = inner.read_bytes()
    for level in range(6):  # an archive inside an archive inside ...: deeper than anyone hands in
        path = tmp / f"nest{level}.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(f"level{level}.zip", nested)
        nested = path.read_bytes()
    (subs / "nested.zip").write_bytes(nested)
    (subs / "inner.zip").write_bytes(inner.read_bytes())

    before = {"home": _tree(home), "package": _tree(package), "site": sorted(p.name for p in site.iterdir())}
    tmp_before = {p.name for p in Path("/tmp").iterdir()}
    scratch = tmp / "grader-tmp"  # the run's own temporary folder (outside /tmp: that path is sandboxed too)
    scratch.mkdir()
    old_env = {k: os.environ.get(k) for k in ("HOME", "INSTRUCTOR_SECRET")}
    os.environ.update(HOME=str(home), INSTRUCTOR_SECRET=SECRET)
    old_tmp, tempfile.tempdir = tempfile.tempdir, str(scratch)
    try:
        summary = grade(submissions=subs, out=out, workers=2, settings=SETTINGS, progress=False)
    finally:
        tempfile.tempdir = old_tmp
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    after = {"home": _tree(home), "package": _tree(package), "site": sorted(p.name for p in site.iterdir())}
    tmp_after = {p.name for p in Path("/tmp").iterdir()}
    left = [p.name for p in scratch.iterdir()]
    return {"summary": summary, "out": out, "before": before, "after": after, "marker": marker, "home": home,
            "tmp_new": tmp_after - tmp_before, "subs": subs, "scratch_left": left}


def _rows(out: Path) -> dict[str, dict]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    db.row_factory = sqlite3.Row
    rows = {}
    for r in db.execute("SELECT * FROM submissions"):
        row = dict(r)
        row["flags"] = json.loads(row["flags"])
        row["results"] = {x["qid"]: dict(x) for x in db.execute("SELECT * FROM results WHERE key = ?", (r["key"],))}
        rows[r["key"]] = row
    return rows


def _row(attacked, learner: str) -> dict:
    (row,) = [r for k, r in _rows(attacked["out"]).items() if k.startswith(learner + "/")]
    return row


def _points(row) -> float:
    return sum(r["points"] for r in row["results"].values())


def _saw(row) -> str:
    return row["results"]["00.4"]["text"]


def test_the_honest_learner_is_graded_as_usual_and_nothing_is_flagged(attacked):
    honest = _row(attacked, "honest")
    assert _points(honest) == 3 and honest["flags"] == [] and honest["unsafe"] == 0


def test_the_machine_is_left_as_it_was(attacked):
    assert attacked["after"] == attacked["before"], "instructor home, course package and site-packages unchanged"
    assert attacked["scratch_left"] == [], "the run's temporary folders are removed"
    assert not [n for n in attacked["tmp_new"] if n.startswith("left-for")], attacked["tmp_new"]
    assert not (attacked["home"] / ".ipython" / "profile_default" / "startup" / "00-evil.py").exists()
    for _ in range(50):
        alive = [d.name for d in Path("/proc").iterdir() if d.name.isdigit() and _cmd(d, attacked["marker"])]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, "a daemon started by a submission outlived the run"


def _cmd(d: Path, marker: str) -> bool:
    try:
        return marker.encode() in (d / "cmdline").read_bytes()
    except OSError:
        return False


def test_an_ipython_startup_file_lands_in_the_kernels_own_home_and_nowhere_else(attacked):
    row = _row(attacked, "a-startup")
    saw = _saw(row)
    assert "/home/learner/.ipython" in saw, "the kernel's home is its own, empty and private"
    assert str(attacked["home"]) not in saw.split("'")[3:4], "the instructor's home is not there to write into"
    assert _points(row) == 3
    assert any("tried to write outside its own folder" in f for f in row["flags"]), row["flags"]
    later = [r for k, r in _rows(attacked["out"]).items() if k[0] > "a"]
    assert all("EVIL" not in (r["results"].get("00.4", {}).get("text") or "") for r in later)


def test_the_course_package_and_site_packages_are_read_only(attacked):
    row = _row(attacked, "b-package")
    assert "OSError" in _saw(row) and "evil" not in _saw(row).replace("'OSError'", "")
    assert _points(row) == 3 and any("tried to write outside its own folder" in f for f in row["flags"])


def test_hidden_tests_and_instructor_notebooks_are_not_there_to_read(attacked):
    row = _row(attacked, "c-hidden")
    assert "([], 'FileNotFoundError')" in _saw(row)
    assert _points(row) == 3 and any("the sandbox does not show" in f for f in row["flags"]), row["flags"]


def test_no_classmate_and_no_grader_can_be_found_through_proc(attacked):
    row = _row(attacked, "d-classmate")
    saw = _saw(row)
    assert "FileNotFoundError" in saw, "another learner's submission is not in the sandbox"
    assert "grade" not in saw.lower().replace("graded", "") and "submissions" not in saw, saw[:300]
    assert _points(row) == 3 and any("/proc" in f or "the sandbox does not show" in f for f in row["flags"])


def test_the_gradebook_cannot_be_reached(attacked):
    row = _row(attacked, "e-gradebook")
    assert "OperationalError" in _saw(row)
    assert not [k for k in _rows(attacked["out"]) if k.startswith("ghost/")]
    assert any("tried to" in f for f in row["flags"]), row["flags"]


def test_the_instructors_environment_is_not_passed_on(attacked):
    row = _row(attacked, "f-environ")
    saw = _saw(row)
    assert SECRET not in saw and "INSTRUCTOR_SECRET" not in saw and str(attacked["home"]) not in saw
    assert "('HOME', '/home/learner')" in saw and "COURSE_GRADING" in saw


def test_a_double_forked_daemon_dies_with_its_kernel(attacked):
    row = _row(attacked, "g-daemon")
    assert _points(row) == 3
    assert not [d for d in Path("/proc").iterdir() if d.name.isdigit() and _cmd(d, attacked["marker"])]


def test_changing_the_checker_through_exec_globals_or_importlib_gains_nothing_and_is_flagged(attacked):
    row = _row(attacked, "h-exec")
    assert _points(row) <= 3, "graded outside the kernel: the patch earns nothing"
    assert any(f.startswith("changed the checker while it ran") for f in row["flags"]), row["flags"]
    assert any("course.checks._engine.evaluate" in f or "_capture.Capture" in f for f in row["flags"])


def test_a_forged_grader_output_is_ignored_and_flagged(attacked):
    row = _row(attacked, "i-forge")
    assert _points(row) == 3
    assert "published a grader output from its own cell" in row["flags"]


def test_there_is_no_network(attacked):
    row = _row(attacked, "j-network")
    assert "connected" not in _saw(row) and "OSError" in _saw(row)
    assert any("tried to use the network" in f for f in row["flags"])


def test_tmp_and_shared_memory_are_private_to_each_kernel(attacked):
    rows = _rows(attacked["out"])
    for key, row in rows.items():
        text = (row["results"].get("00.4") or {}).get("text") or ""
        assert "left-for-the-next" not in text, key


def test_processes_and_file_sizes_are_limited(attacked):
    bomb, big = _row(attacked, "l-fork-bomb"), _row(attacked, "m-big-file")
    kids = _saw(bomb)
    assert "BlockingIOError" in kids or "OSError" in kids, kids
    assert "wrote 400 MB" not in _saw(big)
    assert _points(bomb) <= 3 and _points(big) == 3


def test_hidden_inputs_never_reach_feedback_or_the_gradebook(attacked):
    from course.instructor.layout import Layout
    from course.instructor.scoring import hidden_cases

    row = _row(attacked, "n-hidden-inputs")
    result = row["results"]["04.5"]
    assert result["points"] == 0 and "raised ValueError" in result["message"]
    hidden = hidden_cases("04", Layout.find())["04.5"]
    page = (attacked["out"] / "feedback" / "n-hidden-inputs.html").read_text(encoding="utf-8")
    db_text = json.dumps(_rows(attacked["out"]))
    for case in hidden:
        for shown in (repr(tuple(case)), ", ".join(map(str, case)), f"{case[0]!r} {case[1]!r}"):
            assert shown not in result["message"] and shown not in page and shown not in db_text, shown


def test_the_batch_accounts_for_every_file_and_merges_no_learners(attacked):
    summary, rows = attacked["summary"], _rows(attacked["out"])
    reasons = {name: why for name, why in summary["not_submissions"]}
    assert any("points outside the archive" in why for why in reasons.values())
    assert any("nested more than" in why for why in reasons.values())
    assert {r["learner"] for r in rows.values()} >= {"ada lovelace", "ada-lovelace"}
    assert any("'ada lovelace'" in c and "'ada-lovelace'" in c for c in summary["collisions"])
    odd = [k for k in rows if k.startswith("b\ufffdatrice~")]
    assert odd and _points(rows[odd[0]]) == 3, "a name that is not UTF-8 is graded, not the end of the batch"
    assert [k for k in rows if k.startswith("zoe/")], "a good entry of an archive with bad ones is still graded"
    skipped = [r for r in rows.values() if r["status"] == "skipped"]
    assert {r["reason"] for r in skipped} >= {"an archive entry whose name points outside the archive (not extracted)"}
    assert sys.getrecursionlimit() > 0
