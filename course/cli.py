"""The ``course`` command: a thin layer over keyword-only functions in ``course.instructor``.

Each subcommand takes its defaults from the function it wraps, so a default lives in one place.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main"]


_LAB_CONFIG = Path(__file__).resolve().parent / "_lab"


def cmd_lab(args: argparse.Namespace) -> int:
    from course.instructor.workspace import create_workspace

    report = create_workspace(folder=args.dir, learner=args.learner)
    print(report)
    if args.prepare_only:
        return 0
    env = dict(os.environ, COURSE_WORKSPACE=str(report.folder))
    if report.learner:
        env["COURSE_LEARNER"] = report.learner
    # Our page config switches off JupyterLab's news and update prompt for this server only (the
    # learner's own Jupyter settings stay untouched): nothing is fetched while you learn.
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (str(_LAB_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH")) if p)
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={report.folder}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={args.port}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root; the server still listens on loopback only
    start = report.folder / "00-start-here.ipynb"
    if start.exists():  # the browser opens module 00, and --no-browser prints its address
        cmd.append(f"--LabApp.default_url=/lab/tree/{start.name}")
    print("Starting JupyterLab on this computer only (127.0.0.1); stop it with Ctrl-C.", flush=True)
    os.execve(sys.executable, cmd, env)
    return 0  # pragma: no cover - execve does not return


def _sources(args: argparse.Namespace, what: str) -> Path:
    from course.instructor.layout import Layout

    if getattr(args, "source", None):
        return args.source
    return Layout.find(getattr(args, "instructor_dir", None)).require_sources(what)


def cmd_release(args: argparse.Namespace) -> int:
    from course.instructor.assign import MANIFEST, assign, check_release

    source = _sources(args, "course release")
    if args.check:
        status = check_release(source=source, out=args.out, modules=args.modules or None)
        for name, state in status.items():
            print(f"{name}  {state}")
        stale = [n for n, state in status.items() if state != "up to date"]
        if stale:
            print(f"{len(stale)} module(s) need `course release`: {', '.join(stale)}", file=sys.stderr)
        return 1 if stale else 0
    entry = assign(source=source, out=args.out, modules=args.modules or None, roster=args.learners, exam=args.exam)
    for m in entry["modules"]:
        print(f"{m['notebook']}  {m['copy_sha256'][:12]}  written  ({len(m['questions'])} questions, {m['points']} points)")
    if entry["learners"]:
        print(f"{len(entry['learners'])} learner folders, each with its learner id and own numbers: {args.out}/<learner id>/")
    print(f"release {entry['number']} added to the record: {args.out / MANIFEST} (grade with --release {args.out})")
    return 0


def cmd_notebooks(args: argparse.Namespace) -> int:
    from course.instructor import notebooks as nbs
    from course.instructor.release import sources

    paths = [Path(p) for p in args.paths] or sources(_sources(args, "course notebooks"))
    if args.execute:
        for i, p in enumerate(paths, start=1):
            print(f"[{i}/{len(paths)}] executing {p.name} …", flush=True)
            nbs.execute(p)
    elif args.fix:
        import json

        for p in paths:
            nbs.save(p, json.loads(p.read_text(encoding="utf-8")))
    found = [msg for p in paths for msg in nbs.problems(p)]
    for msg in found:
        print(msg)
    print(f"{len(paths)} notebook(s) checked: {'clean' if not found else f'{len(found)} problem(s)'}")
    return 1 if found else 0


def cmd_modules(args: argparse.Namespace) -> int:
    from course.checks import modules, questions

    for m in modules():
        qs = questions(m.id)
        points = sum(q.points for q in qs if q.graded)
        print(f"{m.id}  {m.title}  ({m.minutes} min, {len(qs)} questions, {points} points)")
        for key, text in m.objectives.items():
            print(f"      {key}: {text}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from course.instructor.update import update_workspace
    from course.instructor.workspace import default_location

    print(update_workspace(folder=args.dir or default_location(), source=args.source))
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from course.instructor.grade import GradeSettings, grade

    settings = GradeSettings(cell_timeout=args.cell_timeout, notebook_timeout=args.timeout,
                             output_cap=args.output_cap, memory_mb=args.memory_mb)
    s = grade(submissions=args.submissions, out=args.out, workers=args.workers, settings=settings,
              release=args.release, instructor_dir=args.instructor_dir, sandbox=not args.unsafe_no_sandbox,
              cluster=args.cluster, dask=args.dask, shard=args.shard)
    where = "" if s["where"] == "this computer" else f" on {s['where']}"
    part = f" (shard {s['shard']}: merge the shards with `course gradebook merge`)" if s["shard"] else ""
    print(f"graded {s['graded']}, failed {s['failed']}, unchanged {s['skipped_unchanged']}, in {s['seconds']} s{where}{part}")
    if not s["sandbox"]:
        print("UNSAFE: graded WITHOUT the sandbox (--unsafe-no-sandbox): submissions ran with your rights; "
              "every gradebook row of this run says so")
    if s["launches"]:
        print("kernels: " + ", ".join(f"{n} by {path}" for path, n in sorted(s["launches"].items())))
    if not args.release:
        print("no release record given (--release): each learner is graded on the numbers their notebook recorded")
    for name, why in s["not_submissions"]:
        print(f"  not graded: {name} ({why})")
    for collision in s.get("collisions", []):
        print(f"  note: {collision}")
    print(f"Gradebook: {args.out / 'gradebook.sqlite'}; feedback pages: {args.out / 'feedback'}")
    return 0


def cmd_reflections(args: argparse.Namespace) -> int:
    from course.instructor.gradebook import reflections
    from course.instructor.layout import Layout

    page, table = reflections(results=args.results, out=args.out, guide=Layout.find(args.instructor_dir).guide)
    print(f"Wrote {page} and {table}")
    return 0


def cmd_gradebook_merge(args: argparse.Namespace) -> int:
    from course.instructor.shards import merge

    s = merge(results=args.results, out=args.out, progress=True)
    again = f" ({s['duplicates']} identical rows found twice, kept once)" if s["duplicates"] else ""
    print(f"Merged {s['submissions']} submissions from {s['shards']} gradebooks into {args.out / 'gradebook.sqlite'}{again}; "
          f"feedback pages: {args.out / 'feedback'}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from course.instructor.report import build_report

    r = build_report(results=args.results, out=args.out, release=args.release, roster=args.roster, seed=args.seed)
    print(f"Wrote {r.page} and {len(r.tables)} CSV tables beside it, in {r.seconds:.1f} s ({r.learners:,} learners).")
    if r.flagged_questions:
        print(f"  questions that do not discriminate: {', '.join(r.flagged_questions)}")
    if r.unfair_questions:
        print(f"  questions whose variants differ beyond chance: {', '.join(r.unfair_questions)}")
    return 0


def cmd_gradebook_export(args: argparse.Namespace) -> int:
    from course.instructor.gradebook import export
    from course.instructor.lms import fill

    if args.layout == "plain":
        print(f"Wrote {export(results=args.results, out=args.out, layout=args.layout, deadline=args.deadline)}")
        return 0
    if args.deadline is not None:
        print(f"note: --deadline marks late work in the plain layout only; {args.layout.capitalize()} keeps its own "
              "late marks")
    print(fill(lms=args.layout, results=args.results, template=args.template, out=args.out, roster=args.roster,
               columns=dict(args.column), module=args.module, feedback_zip=args.feedback_zip))
    return 0


def _column(text: str) -> tuple[str, str]:
    module, sep, column = text.partition("=")
    if not sep or not module.strip() or not column.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: give a module and its Canvas assignment, as in 00=5501")
    return module.strip(), column.strip()


def _deadline(text: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date and time like 2026-12-01T23:59") from None


def cmd_site(args: argparse.Namespace) -> int:
    from course.instructor.site import build_site

    pages = build_site(out=args.out, modules=args.modules or None)
    print(f"Wrote {len(pages)} pages to {args.out}; open {args.out / 'index.html'} or publish the folder as is.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``course`` and its subcommands."""
    p = argparse.ArgumentParser(prog="course", description="Reading the Ranks: run the course, release and check notebooks.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lab = sub.add_parser("lab", help="create your workspace (if needed) and open the course in JupyterLab")
    lab.add_argument("--dir", type=Path, default=None,
                     help="workspace folder (default: $COURSE_WORKSPACE, else ~/reading-the-ranks)")
    lab.add_argument("--learner", default=None,
                     help="your learner id, given by your instructor; it picks your own exercise numbers and is remembered")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address instead")
    lab.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888; the next free one is used if taken)")
    lab.add_argument("--prepare-only", action="store_true", help="create or top up the workspace, then stop")
    lab.set_defaults(func=cmd_lab)

    rel = sub.add_parser("release", help="write student copies of instructor notebooks")
    rel.add_argument("modules", nargs="*", help="module ids such as 00 01 (default: all)")
    rel.add_argument("--out", type=Path, required=True, help="folder for the student copies")
    rel.add_argument("--source", type=Path, default=None, help="folder of instructor notebooks (default: the checkout's)")
    rel.add_argument("--instructor-dir", type=Path, default=None, help="the course checkout (default: this one)")
    rel.add_argument("--check", action="store_true", help="write nothing; fail if any copy is missing or out of date")
    rel.add_argument("--exam", action="store_true",
                     help="record these modules as exams: reading the answer key earns nothing (give learners an "
                          "exam build: COURSE_EXAM_MODULES=NN python -m build --wheel --no-isolation)")
    rel.add_argument("--learners", type=Path, default=None, metavar="ROSTER.csv",
                     help="a CSV with a 'learner' column: also write OUT/<learner id>/ with the copies and that "
                          "learner's id, ready to open as their workspace")
    rel.set_defaults(func=cmd_release)

    nbs = sub.add_parser("notebooks", help="check (or execute and clean) the committed instructor notebooks")
    nbs.add_argument("paths", nargs="*", help="notebooks (default: all in notebooks/)")
    mode = nbs.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="report problems and fail if any (the default)")
    mode.add_argument("--fix", action="store_true",
                      help="remove volatile metadata and widget blobs, give cells stable ids, rewrite the text twin (.md), then check")
    mode.add_argument("--execute", action="store_true",
                      help="run each notebook top to bottom, save it clean with its text twin, then check")
    nbs.set_defaults(func=cmd_notebooks)

    upd = sub.add_parser("update", help="bring your workspace up to this course version, keeping every answer")
    upd.add_argument("--dir", type=Path, default=None,
                     help="workspace folder (default: $COURSE_WORKSPACE, else ~/reading-the-ranks)")
    upd.add_argument("--source", type=Path, default=None,
                     help="folder of new student notebooks (default: the ones installed with this course)")
    upd.set_defaults(func=cmd_update)

    from course.instructor.grade import GradeSettings

    d = GradeSettings()
    gr = sub.add_parser("grade", help="run and grade every submission (parallel, resumable) into a gradebook",
                        description="SUBMISSIONS is a folder of learner folders, notebooks named LEARNER__NN-name.ipynb, "
                                    "or a Canvas/Moodle .zip export (see course.instructor.submissions).")
    gr.add_argument("submissions", type=Path, help="folder or .zip of collected notebooks")
    gr.add_argument("--out", type=Path, required=True, help="results folder: gradebook.sqlite and feedback/")
    gr.add_argument("--workers", type=int, default=None, help="parallel submissions (default: number of cores)")
    gr.add_argument("--cell-timeout", type=int, default=d.cell_timeout, help=f"seconds per cell (default {d.cell_timeout})")
    gr.add_argument("--timeout", type=int, default=d.notebook_timeout, help=f"seconds per notebook (default {d.notebook_timeout})")
    gr.add_argument("--output-cap", type=int, default=d.output_cap, help=f"bytes of output before a flag (default {d.output_cap:,})")
    gr.add_argument("--memory-mb", type=int, default=d.memory_mb, help=f"address-space limit per submission (default {d.memory_mb})")
    gr.add_argument("--release", type=Path, default=None, metavar="RELEASE",
                    help="the folder `course release --out` wrote: grade each learner on the numbers issued to them")
    gr.add_argument("--instructor-dir", type=Path, default=None,
                    help="the course checkout with the hidden tests (default: this one; an installed course has none)")
    gr.add_argument("--unsafe-no-sandbox", action="store_true",
                    help="run submissions WITHOUT the sandbox, with your own rights (where bubblewrap cannot run); "
                         "recorded on every gradebook row")
    where = gr.add_mutually_exclusive_group()
    where.add_argument("--cluster", default=None, metavar="ADDRESS",
                       help="grade on the workers of a running Dask cluster (its scheduler, e.g. tcp://HOST:8786); the "
                            "gradebook stays here. Needs the cluster extra: pip install 'reading-the-ranks[cluster]'")
    where.add_argument("--dask", type=int, default=None, metavar="N",
                       help="grade on a Dask cluster of N worker processes started on this computer")
    gr.add_argument("--shard", default=None, metavar="I/N",
                    help="grade only slice I of N (e.g. 2/3; the same files every time) into its own --out, for a batch "
                         "system's array job; then `course gradebook merge`")
    gr.set_defaults(func=cmd_grade)

    rf = sub.add_parser("reflections", help="read the written answers: one HTML page and a CSV, with each rubric")
    rf.add_argument("results", type=Path, help="the results folder given to `course grade --out`")
    rf.add_argument("--out", type=Path, default=Path("reflections"), help="folder to write (default ./reflections)")
    rf.add_argument("--instructor-dir", type=Path, default=None, help="the course checkout (for the guide's rubrics)")
    rf.set_defaults(func=cmd_reflections)

    rp = sub.add_parser("report", help="the class report: one HTML page with a CSV beside every table",
                        description="Completion and scores, each question's difficulty and discrimination, the commonest "
                                    "mistakes, variant fairness, the checkpoint before and after, and learners to follow "
                                    "up. See the instructor guide, 'The class report'.")
    rp.add_argument("results", type=Path, help="the results folder given to `course grade --out`")
    rp.add_argument("--out", type=Path, default=Path("report"), help="folder to write (default ./report)")
    rp.add_argument("--release", type=Path, default=None, metavar="RELEASE",
                    help="the folder `course release --out` wrote: read each learner's variants from its record "
                         "(otherwise they are computed from each learner's id, which is slower)")
    rp.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                    help="a CSV with a 'learner' column: lists learners who have handed in nothing as well")
    rp.add_argument("--seed", type=int, default=0, help="seed for the bootstrap and permutation tests (default 0)")
    rp.set_defaults(func=cmd_report)

    gb = sub.add_parser("gradebook", help="export the gradebook, or merge shards' gradebooks")
    gbs = gb.add_subparsers(dest="action", required=True, metavar="ACTION")
    ex = gbs.add_parser("export", help="write grades as CSV (plain, or into Canvas's or Moodle's own file)",
                        description="plain: per-question points. canvas / moodle: fill the file downloaded from the "
                                    "LMS (--template) with each module's points, for its import, and list everyone it "
                                    "could not match. See docs/instructor-guide.md.")
    ex.add_argument("results", type=Path, help="the results folder given to `course grade --out`")
    ex.add_argument("--out", type=Path, default=Path("grades.csv"), help="CSV file to write (default grades.csv)")
    ex.add_argument("--layout", choices=["plain", "canvas", "moodle"], default="plain",
                    help="plain: per-question points; canvas / moodle: the LMS's own file, filled (needs --template)")
    ex.add_argument("--deadline", type=_deadline, default=None, metavar="WHEN",
                    help="mark submissions handed in after this time as late (e.g. 2026-12-01T23:59, local time)")
    ex.add_argument("--template", type=Path, default=None, metavar="LMS.csv",
                    help="canvas: the gradebook from Grades → Export → Export Entire Gradebook; moodle: the "
                         "assignment's Download grading worksheet")
    ex.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                    help="match learners collected outside the LMS: a 'learner' column and canvas_user_id, "
                         "sis_user_id, sis_login_id, moodle_participant or email")
    ex.add_argument("--column", type=_column, action="append", default=[], metavar="NN=ASSIGNMENT",
                    help="canvas: the assignment column of module NN (its id, as in 00=5501, or its title), when its "
                         "title does not name the module; repeat for each")
    ex.add_argument("--module", default=None, metavar="NN",
                    help="moodle: the module this worksheet's assignment is for (default: read from its file name)")
    ex.add_argument("--feedback-zip", type=Path, default=None, metavar="FEEDBACK.zip",
                    help="also write the feedback for the LMS's bulk upload (canvas: one zip per module, "
                         "FEEDBACK-NN.zip, when there are several)")
    ex.set_defaults(func=cmd_gradebook_export)
    mg = gbs.add_parser("merge", help="combine the gradebooks of shards (course grade --shard I/N) into one",
                        description="Refuses, writing nothing, when a shard is missing or given twice, when shards were "
                                    "graded differently (limits, release record, course), or when two rows conflict.")
    mg.add_argument("results", type=Path, nargs="+", help="each shard's results folder (its --out)")
    mg.add_argument("--out", type=Path, required=True, help="results folder for the merged gradebook and feedback pages")
    mg.set_defaults(func=cmd_gradebook_merge)

    site = sub.add_parser("site", help="build a static HTML edition of the course (no server needed)")
    site.add_argument("modules", nargs="*", help="module ids such as 00 01 (default: all)")
    site.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: ./site)")
    site.set_defaults(func=cmd_site)

    mods = sub.add_parser("modules", help="list the course's modules with minutes, objectives and points")
    mods.set_defaults(func=cmd_modules)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the ``course`` command; errors are one clear line, not a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError, LookupError, RuntimeError) as exc:
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
