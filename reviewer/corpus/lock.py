"""One reviewer process per project: a lock file beside the project file.

Two windows saving one project would each overwrite the other's review status, notes and
corrections, so the corpus command holds the project while it is open. The lock is an OS
file lock taken through :mod:`filelock` (``flock`` on POSIX, ``msvcrt.locking`` on
Windows), released when the process ends, however it ends.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout


class ProjectBusy(RuntimeError):
    """Another reviewer process has the project open."""


def lock_path(path: str | Path) -> Path:
    """The lock file of a project: ``<project file>.lock`` beside it."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


def lock_project(path: str | Path) -> FileLock:
    """Hold the project for this process.

    Returns
    -------
    FileLock
        The held lock; keep it while the project is open (``release()`` or the end of the
        process lets the project go).

    Raises
    ------
    ProjectBusy
        If another process holds it: two windows saving one project would lose work.
    """
    lock = FileLock(lock_path(path), mode=0o600, thread_local=False)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        raise ProjectBusy(f"{path}: open in another reviewer window; close it first") from None
    return lock
