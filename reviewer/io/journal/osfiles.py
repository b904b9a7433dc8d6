"""The operating system under the journal: directory, appends, fsync, locks, liveness.

The file format is described in :mod:`reviewer.io.journal`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: liveness is judged by the pid alone
    fcntl = None  # type: ignore[assignment]


class JournalBusy(RuntimeError):
    """The journal belongs to a process that is still running."""


def journal_directory() -> Path:
    """The user's state directory for reviewer (platformdirs) plus ``journal``, created.

    On Linux ``$XDG_STATE_HOME/reviewer/journal``, or ``~/.local/state/reviewer/journal``
    when it is unset or not absolute (the XDG base directory spec says to ignore a relative
    one); on macOS and Windows the platform's own place.
    """
    import platformdirs

    state = os.environ.get("XDG_STATE_HOME", "")
    if state and not os.path.isabs(state) and sys.platform.startswith("linux"):
        base = Path.home() / ".local" / "state" / "reviewer"
    else:
        base = platformdirs.user_state_path("reviewer")
    directory = base / "journal"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _line(record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _lock(fd: int) -> bool:
    """Take the exclusive lock on a journal; False if another process holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _locked(path: Path) -> bool | None:
    """Whether a process holds the journal's lock; None where that cannot be told."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)  # also releases the probe's lock
    return False


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, under another user
    except OSError:
        return False
    return True


def _alive_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    # os.kill(pid, 0) on Windows sends CTRL_C_EVENT or terminates the process: never use it.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _sync_directory(directory: Path) -> None:
    """Make a new name in ``directory`` durable (POSIX; a no-op where it cannot be done)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
