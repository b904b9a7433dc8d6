"""The error every reader raises for bad input, and the warning for what it reads its own way."""

from __future__ import annotations

from pathlib import Path


class FormatError(ValueError):
    """Malformed or unreadable input, located by file and line.

    Parameters
    ----------
    path
        The file (or directory) at fault.
    line
        1-based line number, or None when the problem is not one line.
    problem
        What is wrong, in words a user can act on.
    """

    def __init__(self, path: str | Path, line: int | None, problem: str):
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {problem}")


class FormatWarning(UserWarning):
    """Something a reader honoured in its own way or could not represent, located.

    Readers never silently drop, merge, shift or invent what a file says: where they do
    anything but read it as written, they say so with this warning (``warnings.warn``), so
    the command line prints one line on stderr and the app shows it in its status bar.

    Parameters
    ----------
    path
        The file concerned.
    line
        1-based line number (or None when the problem is not one line).
    problem
        What was done, in words a user can act on.
    place
        Instead of a line number, another place in the file (``"cue 12"``, ``"tier 'A'"``,
        ``"segments[3]"``).
    """

    def __init__(self, path: str | Path, line: int | None, problem: str, place: str | None = None):
        self.path = Path(path)
        self.line = line
        self.place = place
        self.problem = problem
        if line is not None:
            where = f"{self.path}:{line}"
        elif place is not None:
            where = f"{self.path} ({place})"
        else:
            where = str(self.path)
        super().__init__(f"{where}: {problem}")


def warn(
    path: str | Path, line: int | None, problem: str, place: str | None = None, stacklevel: int = 2
) -> None:
    """Issue a :class:`FormatWarning` through :mod:`warnings` (filters apply as usual)."""
    import warnings

    warnings.warn(FormatWarning(path, line, problem, place), stacklevel=stacklevel + 1)
