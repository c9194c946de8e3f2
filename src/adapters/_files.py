"""File machinery for the JSON store: atomic replacement and an inter-process write lock.

Atomic write (ADR 0020): the bytes go to a temporary file in the target's own directory
(same file system, so the rename cannot be a copy), are flushed and fsynced, the temporary
file is renamed over the target (atomic on POSIX), and the directory is fsynced so the rename
itself survives a power cut. A crash at any point leaves either the old file or the new one,
never a half-written or empty file; at worst a stray temporary file, which starts with ``.``
and ends in ``.tmp`` so listings ignore it. Each target has one temporary name, and writes
hold the folder's lock, so the next write of the same entity truncates and reuses a stray
file a crash left: leftovers never pile up.

The lock (ADR 0021) is ``fcntl.flock`` on a lock file: it excludes other processes and other
threads alike (each acquisition opens its own file description), and the kernel releases it
when a holder dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TEMP_SUFFIX", "atomic_write", "exclusive_lock", "fsync_dir"]

#: Suffix of temporary files; together with a leading ``.`` it keeps them out of listings.
TEMP_SUFFIX = ".tmp"
#: Never follow a symbolic link where the store opens a file it writes.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def fsync_dir(directory: Path) -> None:
    """Flush a directory's entries (a rename or a new file) to stable storage."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` atomically and durably (temp file, fsync, rename, fsync).

    Readers see the old content or the new, never a mixture; if anything fails before the
    rename the target is untouched and the temporary file is removed. The caller must hold
    :func:`exclusive_lock` for the target's folder: the temporary name is fixed per target
    (``.<name>.tmp``), so a stray one from a crashed writer is simply overwritten.
    """
    directory = target.parent
    temp = directory / f".{target.name}{TEMP_SUFFIX}"
    # A stray temporary file (a crash) or anything planted at its name (a symlink to a file
    # elsewhere) is removed, never written through: unlink removes a link, not its target,
    # and O_EXCL | O_NOFOLLOW refuse whatever appears at the name before the open.
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_dir(directory)


@contextlib.contextmanager
def exclusive_lock(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created if absent) for the ``with`` body.

    Blocks until every other holder, in this process or another, has released it.
    """
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        # Closing the descriptor releases the flock.
        os.close(fd)
