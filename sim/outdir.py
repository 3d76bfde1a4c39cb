"""Whole-directory atomic output: a locked writer builds a staging copy and swaps it in at the end.

Every command that writes a results directory (``run``, ``compare``, ``report``, ``sweep``,
``size``, ``sensitivity``) goes through :func:`writing`:

1. A lock file ``.<name>.lock`` beside the target is taken with ``flock`` and holds the writer's
   pid. A second writer is refused at once (:class:`BusyError`, exit code 2, naming the pid).
   The kernel drops the lock when its process dies, so a lock left by a killed process is stale:
   the next writer sees that its pid no longer runs, says so and takes it over.
2. The writer fills a staging directory ``.<name>.staging-<pid>/<name>/`` (same parent, same
   file system, same base name so that reports show the right directory name).
3. On success the staging directory and the target are exchanged in one ``renameat2`` call
   (``RENAME_EXCHANGE``), so a reader sees either the whole old directory or the whole new one,
   never a mixture; the old one is then removed. Where the kernel lacks the exchange, two renames
   are used and a kill between them is repaired by the next writer (the old directory is put back).
4. On any failure the staging directory is removed and the target is untouched. After a kill the
   staging directory stays until the next writer of the same target removes it (studies salvage
   the finished runs stored in it, see ``salvage``; on failure or Ctrl-C a study adds its finished
   runs to ``runs/`` of the target).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from sim.errors import InputError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class BusyError(InputError):
    """Another live process is writing the same output directory (exit code 2)."""


def _libc_renameat2() -> object | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - not a glibc/musl platform
        return None
    fn = getattr(libc, "renameat2", None)
    if fn is not None:
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap the paths ``a`` and ``b`` (both must exist); False if the system cannot."""
    fn = _libc_renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)  # type: ignore[operator]
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_path(target: Path) -> Path:
    """The lock file of output directory ``target``."""
    return target.parent / f".{target.name}.lock"


def _staging_prefix(target: Path) -> str:
    return f".{target.name}.staging-"


def stale_stagings(target: Path) -> list[Path]:
    """Staging folders of ``target`` left by writers that are gone (call with the lock held)."""
    prefix = _staging_prefix(target)
    if not target.parent.is_dir():
        return []
    found = []
    for p in sorted(target.parent.iterdir()):
        if p.name.startswith(prefix) and p.is_dir():
            pid = p.name[len(prefix):]
            if not (pid.isdigit() and int(pid) == os.getpid()):
                found.append(p)
    return found


class DirLock:
    """An exclusive ``flock`` on ``.<name>.lock`` beside ``target`` that records the holder's pid."""

    def __init__(self, target: Path, *, option: str = "--out") -> None:
        self.target = target
        self.path = lock_path(target)
        self.option = option
        self.fd: int | None = None
        self.stale_pid: int | None = None

    def _read_pid(self, fd: int) -> int:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 64).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else 0

    def acquire(self) -> None:
        """Take the lock or raise :class:`BusyError` naming the live holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = self._read_pid(fd)
                os.close(fd)
                who = f"process {pid}" if pid else "another process"
                raise BusyError(
                    f"{self.option} {self.target}: {who} is writing this directory (lock {self.path}); "
                    "wait for it to finish or choose another output directory"
                ) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the holder removed the file between our open and flock: retry
                os.close(fd)
                continue
            old = self._read_pid(fd)
            if old and old != os.getpid() and not _pid_alive(old):
                self.stale_pid = old
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            self.fd = fd
            return
        raise BusyError(f"{self.option} {self.target}: could not take the lock {self.path}; try again")  # pragma: no cover

    def release(self) -> None:
        """Remove the lock file and drop the lock."""
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> DirLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _recover(target: Path) -> list[Path]:
    """Repair and list the stale staging folders of ``target`` (lock held).

    A writer killed between the two renames of the fallback swap leaves ``old`` in its staging
    folder and no target: the old directory is put back.
    """
    stale = stale_stagings(target)
    for st in stale:
        old = st / "old"
        if not target.exists() and old.is_dir():
            os.rename(old, target)
    return stale


def _hardlink_tree(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with hard links (files written by rename are never changed in place)."""

    def link(s: str, d: str) -> None:
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)

    shutil.copytree(src, dst, copy_function=link, dirs_exist_ok=True)


def _salvage(stale: Sequence[Path], target: Path, staged: Path, subdir: str) -> int:
    """Hard-link ``subdir/*.json`` files of stale staging folders into ``staged`` (missing ones only)."""
    n = 0
    dest = staged / subdir
    for st in stale:
        src = st / target.name / subdir
        if not src.is_dir():
            continue
        dest.mkdir(parents=True, exist_ok=True)
        for f in src.glob("*.json"):
            if f.name.startswith(".") or (dest / f.name).exists():
                continue
            try:
                os.link(f, dest / f.name)
            except OSError:
                shutil.copy2(f, dest / f.name)
            n += 1
    return n


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def swap_in(staged: Path, target: Path) -> None:
    """Replace ``target`` by ``staged`` (its sibling folder's child) as atomically as the system allows."""
    holder = staged.parent
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise InputError(f"{target}: exists and is not a directory (or is a symbolic link); give a directory path")
        if not exchange(staged, target):
            os.rename(target, holder / "old")
            os.rename(staged, target)
    else:
        os.rename(staged, target)
    _fsync_dir(target.parent)
    shutil.rmtree(holder, ignore_errors=True)


@contextlib.contextmanager
def writing(
    target: Path,
    *,
    option: str = "--out",
    keep: Sequence[str] = (),
    keep_all: bool = False,
    salvage: str | None = None,
) -> Iterator[Path]:
    """Lock ``target`` and yield the staging directory to fill; swap it in when the block succeeds.

    Parameters
    ----------
    target
        The output directory (its parent is created).
    option
        How the directory was given, for messages (``--out``, ``report``).
    keep
        Sub-folders of an existing ``target`` copied (hard links) into the staging directory first,
        e.g. ``("runs",)`` for a resumed study.
    keep_all
        Start from a copy (hard links) of the whole existing ``target`` (``report`` adds to it).
    salvage
        A sub-folder of ``*.json`` files each complete in itself and named by its content (the
        runs of a study): recovered from the staging folders of killed writers into the new
        staging folder, and on failure or Ctrl-C added to ``target/<salvage>`` (missing ones
        only) so that ``--resume`` reuses them. That sub-folder is the one exception to "the old
        directory or the new one": it only ever gains whole files.
    """
    target = Path(os.path.abspath(target))  # "." and ".." resolved, symbolic links kept
    if not target.name:
        raise InputError(f"{option} {target}: cannot replace the root directory; give a folder inside it")
    if target.is_symlink():
        raise InputError(f"{option} {target}: is a symbolic link; give the directory it points to")
    if target.exists() and not target.is_dir():
        raise InputError(f"{option} {target}: exists and is not a directory; give a directory path")
    with DirLock(target, option=option):
        stale = _recover(target)
        holder = target.parent / f"{_staging_prefix(target)}{os.getpid()}"
        shutil.rmtree(holder, ignore_errors=True)
        staged = holder / target.name
        holder.mkdir()
        try:
            if keep_all and target.is_dir():
                _hardlink_tree(target, staged)
            else:
                staged.mkdir()
                for sub in keep:
                    if (target / sub).is_dir():
                        _hardlink_tree(target / sub, staged / sub)
            if salvage and salvage in keep:
                _salvage(stale, target, staged, salvage)
            for st in stale:
                shutil.rmtree(st, ignore_errors=True)
            yield staged
            swap_in(staged, target)
        except BaseException as exc:
            if salvage:
                # a failed or interrupted study keeps its finished runs (whole files named by content)
                with contextlib.suppress(OSError):
                    _salvage([holder], target, target, salvage)
            shutil.rmtree(holder, ignore_errors=True)
            if isinstance(exc, OSError) and exc.filename and not exc.filename2:
                where = relocate(Path(os.fsdecode(exc.filename)), staged, target)
                if where != Path(os.fsdecode(exc.filename)):  # name the file as the user knows it
                    raise type(exc)(exc.errno, exc.strerror, str(where)) from None
            raise


def unstaged(path: Path) -> Path:
    """Where directory ``path`` will be once swapped in, if it is a staging directory
    (``<parent>/.<name>.staging-<pid>/<name>`` -> ``<parent>/<name>``); else ``path`` itself."""
    path = Path(path)
    if path.parent.name.startswith(_staging_prefix(path)):
        return path.parent.parent / path.name
    return path


def relocate(path: Path, staged: Path, target: Path) -> Path:
    """The final location of ``path`` written under ``staged`` once it is swapped in as ``target``."""
    try:
        return target / Path(path).relative_to(staged)
    except ValueError:
        return Path(path)
