"""The grading sandbox: every kernel sees nothing but its own folder and the learner-facing course.

Two layers, both Linux namespaces:

1. **bubblewrap** (Debian's ``bubblewrap``, the sandbox Flatpak uses) starts the run's zygote in a
   sandbox of its own: a new user, network (only loopback: kernels talk over Unix sockets), IPC
   and UTS namespace; a root made of read-only views of the system libraries, the interpreter,
   the virtual environment and the learner-facing part of the course (``course/`` and its data,
   exam lessons sealed, never the instructor notebooks, hidden tests, gradebook or results);
   private, empty ``/tmp`` and home; an environment built from an allow-list.
2. **unshare(2)**, in each kernel forked from the zygote (:func:`enter`): a new user, mount, PID and
   IPC namespace of its own, so a kernel cannot see a sibling's folder, processes or memory; fresh
   ``/tmp``, home and ``/dev/shm``; its own ``/proc``; limits on memory, processes, open files,
   file size and CPU time; every capability dropped and ``no_new_privs`` set before any learner
   code runs. The kernel is PID 1 of its namespace, so everything it starts dies with it.

Read-only mounts made by the outer sandbox are locked for the kernels' less privileged user
namespaces: they cannot be remounted writable. :func:`problem` says why a sandbox cannot be had
here (no bubblewrap, not Linux, user namespaces disabled) and what to do.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HOME", "Limits", "SandboxUnavailable", "enter", "outer_command", "problem"]

HOME = "/home/learner"
NOBODY = 65534  # the user a kernel runs as when the grader runs as root
_HOLD = "/.own"  # where what a kernel keeps (its own folder, read-only views) waits while /tmp is covered

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x20000000, 0x08000000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_SET_DUMPABLE = 1, 38, 24, 4
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4


class SandboxUnavailable(RuntimeError):
    """The grading sandbox cannot run on this machine; the message says why and how to proceed."""


@dataclass(frozen=True)
class Limits:
    """What one kernel may use: bytes of memory, processes, open files, bytes per file, CPU seconds."""

    memory: int
    processes: int = 256
    files: int = 1024
    file_size: int = 256 * 1024 * 1024
    cpu_seconds: int = 600
    tmpfs_mb: int = 256


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(libc, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: None if s is None else s.encode())
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def enter(own: str, scratch: str, limits: Limits) -> None:
    """In a process forked from the zygote: isolate it, then return *in the kernel*, never in the caller.

    ``own`` is the kernel's folder (its working folder and its sockets), the only part of the run's
    ``scratch`` folder it keeps.

    The calling process becomes a small supervisor outside the new PID namespace (the grader's
    handle on the kernel): it forwards interrupts to the kernel, waits, and exits with its status.
    It dies with the zygote (so a grader killed outright, or a cluster worker that dies, leaves no
    kernel behind), and the kernel dies with it.
    """
    libc = _libc()
    if os.getuid() == 0:  # as root, become nobody first: root is exempt from the process limit, nobody is not
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # a uid change clears it, and its /proc/self files would stay root's
    # armed after any change of user, which clears it
    zygote = os.getppid()
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
    if os.getppid() != zygote:  # the zygote died before the signal was armed
        os._exit(1)
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    covered = ["/tmp", HOME, "/dev/shm"]
    if not scratch.startswith("/tmp/"):
        covered.append(scratch)
    # What must stay visible under the folders about to be covered: the kernel's own folder, and the
    # read-only views the outer sandbox put there (a checkout or a virtual environment under /tmp).
    keep = [own] + _mounts_under(covered, skip=scratch)
    _mount(libc, "tmpfs", _HOLD, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700")
    for i, path in enumerate(keep):
        os.mkdir(f"{_HOLD}/{i}")
        _mount(libc, path, f"{_HOLD}/{i}", None, MS_BIND | MS_REC)
    size = f"size={limits.tmpfs_mb}m,mode=1777"
    for target in covered:
        if os.path.isdir(target):
            _mount(libc, "tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, size)
    for i, path in enumerate(keep):
        os.makedirs(path, exist_ok=True)
        _mount(libc, f"{_HOLD}/{i}", path, None, MS_BIND | MS_REC)
        if i and not os.statvfs(path).f_flag & os.ST_RDONLY:  # a read-only view stays read-only
            keep_flags = os.statvfs(path).f_flag & (os.ST_NOSUID | os.ST_NODEV | os.ST_NOEXEC)  # locked: must stay
            _mount(libc, None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | keep_flags)
    _check(libc.umount2(_HOLD.encode(), MNT_DETACH), "umount hold")
    kernel = os.fork()  # the first process in the new PID namespace: PID 1
    if kernel:
        _supervise(kernel)
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")  # (its parent is outside: getppid() is 0)
    os.setsid()  # a group apart from the supervisor, so a signal to the group reaches the kernel once, forwarded
    _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV)
    import resource

    for which, value in ((resource.RLIMIT_AS, limits.memory), (resource.RLIMIT_NPROC, limits.processes),
                         (resource.RLIMIT_NOFILE, limits.files), (resource.RLIMIT_FSIZE, limits.file_size),
                         (resource.RLIMIT_CPU, limits.cpu_seconds), (resource.RLIMIT_CORE, 0)):
        if value:
            resource.setrlimit(which, (value, value))
    _drop_privileges(libc)
    os.chdir(own)


def _mounts_under(folders: list[str], skip: str) -> list[str]:
    """Mount points strictly inside ``folders`` (outermost only), leaving out ``skip`` and what is inside it."""
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            inside = any(point.startswith(d.rstrip("/") + "/") for d in folders)
            if inside and point != skip and not point.startswith(skip.rstrip("/") + "/"):
                points.append(point)
    outermost = []
    for p in sorted(set(points), key=len):
        if not any(p.startswith(o.rstrip("/") + "/") for o in outermost):
            outermost.append(p)
    return outermost


def _supervise(kernel: int) -> None:
    """The supervisor: forward interrupts and terminations to the kernel, then exit with its status."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, lambda s, f: _forward(kernel, s))
    while True:
        try:
            _, status = os.waitpid(kernel, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            status = 1
            break
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF if status else 0)


def _forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_privileges(libc) -> None:
    """No capability of any kind, now or through exec (no_new_privs), and no core dumps or ptrace by siblings."""
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # past the last capability this fails harmlessly
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(libc.capset(ctypes.byref(header), data), "capset")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def share(scratch: Path, own: Path | None = None) -> None:
    """Let a kernel reach its own folder: others may pass through the run's folder (not list it), and when
    the grader is root (its kernels run as nobody), the kernel's folder becomes nobody's."""
    os.chmod(scratch, 0o711)
    if own is not None and os.geteuid() == 0:
        for p in [own, *own.rglob("*")]:
            os.chown(p, NOBODY, NOBODY)


# --- the outer sandbox -------------------------------------------------------------------------------


def _system_binds() -> list[str]:
    args: list[str] = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts",
                "/etc/alternatives"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    return args


def _installs_packages(folder: str) -> bool:
    """Whether a folder outside the environment holds installed distributions (a site-packages added by a .pth file)."""
    try:
        return any(name.endswith((".dist-info", ".egg-info")) for name in os.listdir(folder))
    except OSError:
        return False


def _course_binds(sealed: dict[str, Path]) -> tuple[list[str], set[str]]:
    """Read-only views of the interpreter, the environment and the learner-facing course; exam lessons sealed."""
    import course
    from course.data import data_dir

    package = Path(course.__file__).resolve().parent
    checkout = package.parent if (package.parent / "pyproject.toml").is_file() else None
    env_roots = [os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)]
    roots: list[str] = list(env_roots)
    for p in sys.path:
        if not p or not os.path.isdir(p):
            continue
        real = os.path.realpath(p)
        inside_env = any(real == e or real.startswith(e + os.sep) for e in env_roots)
        if checkout is not None and not inside_env and (real == str(checkout) or real.startswith(f"{checkout}{os.sep}")):
            continue  # the checkout holds instructor material: only its course/ and data/ go in
        if not inside_env and not _installs_packages(real):
            continue  # the folder `python -m course` ran from, a Dask worker's scratch space: not the kernels' to read
        roots.append(real)
    if checkout is not None:
        roots += [str(package), str(data_dir().resolve())]
    kept: list[str] = []
    for r in sorted(set(roots), key=len):  # a folder inside one already bound needs no bind of its own
        if not any(r == k or r.startswith(k + os.sep) for k in kept):
            kept.append(r)
    args: list[str] = []
    for r in kept:
        args += ["--ro-bind", r, r]
    checks = package / "checks"
    for module, stub in sorted(sealed.items()):
        args += ["--ro-bind", str(stub), str(checks / f"lesson{module}.py")]
    if sealed and (checks / "__pycache__").is_dir():
        args += ["--tmpfs", str(checks / "__pycache__")]  # compiled copies of the full lessons stay out
    return args, set(kept)


def outer_command(command: list[str], *, scratch: Path, env: dict[str, str], sealed: dict[str, Path] | None = None) -> list[str]:
    """The bubblewrap command that runs ``command`` (the zygote) in the run's sandbox."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(problem() or "bubblewrap is not installed")
    course_args, roots = _course_binds(sealed or {})
    # bubblewrap makes the folders above a bound path private to root; nobody (the kernels, under a root grader)
    # must pass through them: make them first, readable and searchable by all
    ancestors = sorted({str(a) for r in [*roots, str(scratch)] for a in Path(r).parents if str(a) not in ("/", "/tmp")},
                       key=lambda a: (a.count("/"), a))
    parents = [arg for a in ancestors for arg in ("--perms", "0755", "--dir", a)]
    # Run by root, the sandbox keeps root's user namespace (its kernels become nobody, for whom the process limit
    # holds), with only the capabilities to do so; otherwise it gets a user namespace of its own.
    users = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"] if os.geteuid() == 0 else ["--unshare-user"]
    args = [bwrap, *users, "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv",
            *_system_binds(),
            "--bind", "/proc", "/proc",  # kernels mount their own /proc, which needs a fully visible one here
            "--dev", "/dev", "--tmpfs", "/tmp", "--perms", "0755", "--dir", "/home", "--perms", "1777", "--dir", HOME,
            "--perms", "0755", "--dir", _HOLD, *parents, *course_args,
            "--bind", str(scratch), str(scratch), "--chdir", str(scratch)]
    for key, value in sorted(env.items()):
        args += ["--setenv", key, value]
    return [*args, "--", *command]


@functools.cache
def problem() -> str | None:
    """Why grading cannot be sandboxed here (None when it can): what is missing, and what to do."""
    if sys.platform != "linux":
        return ("The grading sandbox needs Linux namespaces (bubblewrap); this is " + sys.platform + ". Grade on a Linux "
                "machine, or pass --unsafe-no-sandbox to run submissions with your own rights (recorded on every row).")
    if shutil.which("bwrap") is None:
        return ("The grading sandbox needs bubblewrap, which is not installed: `sudo apt-get install bubblewrap` "
                "(Debian/Ubuntu) or `sudo dnf install bubblewrap`, then grade again. Without it, --unsafe-no-sandbox "
                "runs submissions with your own rights (recorded on every row).")
    if not (hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")):
        return "The grading sandbox needs Linux 5.3 or newer (pidfd); grade on a newer kernel or pass --unsafe-no-sandbox."
    probe = ("import os, sys\nfrom course.instructor.sandbox import Limits, enter\n"
             "pid = os.fork()\nif pid == 0:\n    own = sys.argv[1]\n    enter(own, os.path.dirname(own), Limits(memory=0))\n"
             "    os._exit(0 if os.getpid() == 1 and len([p for p in os.listdir('/proc') if p.isdigit()]) == 1 else 3)\n"
             "_, status = os.waitpid(pid, 0)\nsys.exit(os.waitstatus_to_exitcode(status))\n")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rtr-probe-") as tmp:
        work = Path(tmp) / "k"
        work.mkdir()
        share(Path(tmp), work)
        try:
            cmd = outer_command([sys.executable, "-c", probe, str(work)], scratch=Path(tmp),
                                env={"PATH": "/usr/bin:/bin", "HOME": HOME})
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError, SandboxUnavailable) as exc:
            return f"The grading sandbox could not start ({exc}); pass --unsafe-no-sandbox to grade without it."
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return (f"The grading sandbox could not start here ({why}). Unprivileged user namespaces may be disabled "
                "(sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0). Pass "
                "--unsafe-no-sandbox to grade without it (recorded on every row).")
    return None
