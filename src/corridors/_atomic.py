"""Atomic output files: a file the project writes is either whole or not there.

Kept by hand: no installed library writes through an anonymous O_TMPFILE linked into place on success.

Every writer (``run --out``, ``results export``, report files, figures) writes through
:func:`atomic_output`: the content goes to a temporary file in the target's folder, which
is fsynced and renamed over the target only when the writer succeeded. On failure the
temporary file is removed and a previous target is left as it was.

On Linux the temporary file is anonymous (``O_TMPFILE``): it has no name until it is
linked into place, so even a process killed with SIGKILL leaves nothing behind. Where the
file system lacks ``O_TMPFILE`` a hidden named file ``.NAME.XXXX.tmp`` is used instead
(removed on any failure the process survives).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corridors.errors import CorridorsError

__all__ = ["atomic_output", "check_output_path"]

_TMPFILE = getattr(os, "O_TMPFILE", 0)


def check_output_path(target: str | Path, *, option: str, suffixes: tuple[str, ...] | None = None) -> Path:
    """Check, before any work, that ``target`` can be written: suffix, folder, permission.

    Raises a one-line :class:`CorridorsError` naming the option and what to do.
    """
    path = Path(target)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise CorridorsError(f"{option} {path}: use a {' or '.join(suffixes)} file name")
    if path.is_dir():
        raise CorridorsError(f"{option} {path}: is a folder; give a file name")
    folder = path.parent
    if not folder.exists():
        raise CorridorsError(f"{option} {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise CorridorsError(f"{option} {path}: {folder} is not a folder")
    try:
        with atomic_output(path, probe=True):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CorridorsError(
            f"{option} {path}: cannot write files in {folder} ({reason}); choose another folder"
        ) from None
    return path


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _commit(fd: int, folder_fd: int, target: Path) -> None:
    """Give the anonymous file ``fd`` the name ``target`` (replacing a previous file)."""
    source = f"/proc/self/fd/{fd}"
    try:
        os.link(source, target.name, dst_dir_fd=folder_fd, follow_symlinks=True)
        return
    except FileExistsError:
        pass
    temporary = f".{target.name}.{secrets.token_hex(4)}.tmp"
    os.link(source, temporary, dst_dir_fd=folder_fd, follow_symlinks=True)
    try:
        os.replace(temporary, target.name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder_fd)
        raise


_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO, errno.EACCES, errno.EPERM})
"""Errors of the disk or folder, not of the program: a full disk, a read-only folder, a quota."""


@contextmanager
def atomic_output(target: str | Path, *, probe: bool = False) -> Iterator[Path]:
    """Yield a path to write ``target``'s content to; it becomes ``target`` only on success.

    Writers open the yielded path themselves (pandas, DuckDB ``COPY``, matplotlib with an
    explicit ``format=``). ``probe=True`` only checks that a file can be made there. A full
    disk or a read-only folder, met while writing or committing, is one line (a
    :class:`CorridorsError`) and leaves nothing behind: a previous target stays as it was.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "a.txt") as path:
    ...     _ = path.write_text("whole")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('whole', ['a.txt'])
    """
    try:
        with _atomic_output(target, probe=probe) as path:
            yield path
    except OSError as exc:
        if probe or exc.errno not in _DISK_ERRNOS:
            raise
        kept = " (the previous file is unchanged)" if Path(target).exists() else ""
        raise CorridorsError(
            f"{target}: cannot write ({exc.strerror or exc}); nothing was written{kept}: free some space or "
            "choose another folder"
        ) from None


@contextmanager
def _atomic_output(target: str | Path, *, probe: bool = False) -> Iterator[Path]:
    """:func:`atomic_output` without the one-line errors."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd = -1
    if _TMPFILE and Path("/proc/self/fd").is_dir():
        try:
            fd = os.open(folder, _TMPFILE | os.O_RDWR, 0o666)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                raise
            fd = -1
    if fd >= 0:
        try:
            yield Path(f"/proc/self/fd/{fd}")
            if probe:
                return
            os.fsync(fd)
            folder_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                _commit(fd, folder_fd, target)
                os.fsync(folder_fd)
            finally:
                os.close(folder_fd)
        finally:
            os.close(fd)
        return
    temporary = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "xb"):
            pass
        yield temporary
        if probe:
            return
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _fsync_folder(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
