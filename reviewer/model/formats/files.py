"""File helpers shared by the readers and writers: listing inputs, reading lines, atomic writes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from reviewer.model.formats.errors import FormatError
from reviewer.model.time import parse_seconds


def input_files(path: str | Path, suffix: str) -> list[Path]:
    """The files a path names: itself, or every ``*suffix`` file in a directory (sorted).

    Raises
    ------
    FormatError
        If the path does not exist, or is a directory without such files.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == suffix and p.is_file())
        if not files:
            raise FormatError(path, None, f"directory holds no *{suffix} file")
        return files
    if not path.exists():
        raise FormatError(path, None, "no such file")
    return [path]


BOM = "\ufeff"
"""A byte order mark, which some editors put at the start of UTF-8 files."""


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for each line of a UTF-8 text file (no byte order mark).

    Raises
    ------
    FormatError
        If the file cannot be read or a line is not valid UTF-8.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FormatError(path, None, f"cannot read: {error.strerror or error}") from None
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(path, number, "not valid UTF-8 text") from None
        yield number, text.removeprefix(BOM) if number == 1 else text


def field_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, whitespace-separated fields)`` of each line that has data.

    Blank lines and ``#`` / ``;;`` comments are skipped.

    Raises
    ------
    FormatError
        As :func:`numbered_lines`.
    """
    for number, line in numbered_lines(path):
        fields = line.split()
        if fields and not fields[0].startswith(("#", ";;")):
            yield number, fields


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file beside it, then a rename.

    A reader never sees a half-written file, and a failed write leaves the old one intact.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def parse_time_field(text: str, name: str, path: Path, line: int) -> int:
    """Parse a non-negative time field in seconds into ticks.

    Raises
    ------
    FormatError
        If the field is not a finite number, or is negative.
    """
    try:
        ticks = parse_seconds(text)
    except ValueError as error:
        raise FormatError(path, line, f"{name} {error}") from None
    if ticks < 0 or (text.startswith("-") and Decimal(text) != 0):
        raise FormatError(path, line, f"{name} {text!r} is negative")
    return ticks
