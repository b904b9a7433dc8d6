"""The error every reader raises for bad input."""

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
