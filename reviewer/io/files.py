"""File helpers shared by the readers and writers: listing inputs, decoding text, atomic writes.

Every reader of a text format decodes it here, with :func:`read_text` (whole files: SRT,
WebVTT, TextGrid, EAF, JSON) or :func:`numbered_lines` (line formats: RTTM, UEM, STM, CTM,
list files), so they all accept the same encodings and refuse the rest with the same words.
The line formats split their fields with :func:`split_fields`, on ASCII blanks only, as
NIST's tools do.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from reviewer.model.errors import FormatError, warn
from reviewer.model.time import TICKS_PER_SECOND, parse_seconds

T = TypeVar("T")


def input_files(path: str | Path, suffix: str) -> list[Path]:
    """The files a path names: itself, or every ``*suffix`` file in a directory (sorted).

    The suffix is matched without regard to case (``.rttm`` takes ``X.RTTM`` too), as the
    transcript formats are chosen by extension.

    Raises
    ------
    FormatError
        If the path does not exist, or is a directory without such files.
    """
    path = Path(path)
    if path.is_dir():
        wanted = suffix.lower()
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == wanted and p.is_file())
        if not files:
            raise FormatError(path, None, f"directory holds no *{suffix} file")
        return files
    if not path.exists():
        raise FormatError(path, None, "no such file")
    return [path]


BOM = "\ufeff"
"""A byte order mark, which some editors put at the start of UTF-8 files."""

INVISIBLE_MARKS = BOM + "\u200e\u200f\u061c"
"""Characters skipped at the start of a text: a byte order mark (left after decoding, or
doubled) and the invisible direction marks (left-to-right, right-to-left, Arabic letter
mark) that subtitle editors put before the first cue of a right-to-left file."""

_BOMS = (
    # UTF-32 first: its little-endian mark starts like UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_XML_ENCODING = re.compile(rb"""\A<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
_UNICODE_CODECS = frozenset({"utf-8", "utf-16", "utf-32", "utf-16-le", "utf-16-be"})

MAX_TICKS = 2**63 - 1
"""The latest time a reader accepts, in ticks (about 82 years): the most an ``int64`` holds,
so that no time read overflows where ticks are stored as such."""

MAX_SECONDS = Decimal(MAX_TICKS) / TICKS_PER_SECOND
""":data:`MAX_TICKS` in seconds."""


def read_bytes(path: Path) -> bytes:
    """The content of a file.

    Raises
    ------
    FormatError
        If the file cannot be read (missing, a directory, no permission), naming it.
    """
    try:
        return path.read_bytes()
    except OSError as error:
        raise FormatError(path, None, f"cannot read: {error.strerror or error}") from None


def decode_text(path: Path, data: bytes, *, fallback: str | None = None, xml: bool = False) -> str:
    """Decode a text file's bytes as the tools that write them do, leading marks skipped.

    The encoding is chosen by the byte order mark: UTF-8, UTF-16 (LE or BE) or UTF-32, as
    Praat, ELAN, Notepad and subtitle editors write them; without a mark the text must be
    UTF-8 (ASCII included). Then the invisible marks of :data:`INVISIBLE_MARKS` at the
    start of the text are skipped. Lines end with LF, CR LF or CR.

    Parameters
    ----------
    path
        The file, for the messages.
    data
        Its bytes.
    fallback
        An 8-bit encoding (``"windows-1252"``) for text that is not UTF-8 and has no byte
        order mark, as some tools read it (Praat: "try UTF-8, then Latin-1"); reading with
        it is reported with a :class:`~reviewer.io.FormatWarning`. By default
        such text is refused.
    xml
        Honour the encoding an XML declaration (``<?xml ... encoding="ISO-8859-1"?>``)
        names when there is no byte order mark, as an XML parser does.

    Returns
    -------
    str
        The text, without byte order mark or leading direction marks.

    Raises
    ------
    FormatError
        Naming the line and the problem: bytes that are not UTF-8 (nor UTF-16 with a mark),
        a UTF-16 file cut in the middle of a character, UTF-16 without a byte order mark,
        a NUL character (binary data), an encoding an XML declaration names that Python
        does not know.
    """
    codec, name, body = "utf-8", "UTF-8", data
    for mark, candidate, candidate_name in _BOMS:
        if data.startswith(mark):
            codec, name, body = candidate, candidate_name, data[len(mark) :]
            break
    else:
        if xml:
            codec, name = _xml_codec(path, data)
    eight_bit: tuple[int, int] | None = None  # (line, byte) of the first non-UTF-8 byte
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as error:
        if codec != "utf-8" or fallback is None or body is not data:
            raise _decode_error(path, body, codec, name, error) from None
        text = _decode_8bit(data, fallback)
        eight_bit = (_line_of(body[: error.start].decode("utf-8")), body[error.start])
    text = text.lstrip(INVISIBLE_MARKS)
    nul = text.find("\0")
    if nul >= 0:
        raise FormatError(path, _line_of(text[:nul]), _nul_problem(data))
    if eight_bit is not None:
        line, byte = eight_bit
        warn(
            path,
            line,
            f"not UTF-8 text (byte 0x{byte:02X}): read as {fallback}, as its tool does; "
            "check its accented letters",
        )
    return text


def read_text(path: str | Path, *, fallback: str | None = None, xml: bool = False) -> str:
    """The whole text of a file, decoded by :func:`decode_text`.

    Raises
    ------
    FormatError
        If the file cannot be read or decoded, naming the line and the problem.
    """
    path = Path(path)
    return decode_text(path, read_bytes(path), fallback=fallback, xml=xml)


def split_lines(text: str) -> list[str]:
    """The lines of a text, split at LF, CR LF and CR only (as line numbers count them)."""
    return _LINE_BREAK.split(text)


def _line_of(prefix: str) -> int:
    """The 1-based line at the end of ``prefix``."""
    return len(_LINE_BREAK.findall(prefix)) + 1


def _decode_8bit(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        return data.decode("latin-1")


def _xml_codec(path: Path, data: bytes) -> tuple[str, str]:
    declared = _XML_ENCODING.match(data)
    if declared is None:
        return "utf-8", "UTF-8"
    label = declared.group(1).decode("ascii")
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        raise FormatError(
            path, 1, f"the XML declaration names an unknown encoding {label!r}"
        ) from None
    if codec in _UNICODE_CODECS:
        return "utf-8", "UTF-8"  # UTF-16 needs a byte order mark; this text is 8-bit
    return codec, label


def _decode_error(
    path: Path, body: bytes, codec: str, name: str, error: UnicodeDecodeError
) -> FormatError:
    line = _line_of(body[: error.start].decode(codec, errors="replace"))
    if codec == "utf-8":
        byte = body[error.start]
        if body.count(0) * 4 >= len(body) > 0:
            return FormatError(path, line, _nul_problem(body))
        return FormatError(
            path,
            line,
            f"not valid UTF-8 or UTF-16 text (byte 0x{byte:02X} at line {line}): "
            "save it as UTF-8 (it may be Latin-1 or Windows-1252)",
        )
    if codec.startswith("utf") and error.reason == "truncated data":
        return FormatError(path, line, f"{name} text cut in the middle of a character")
    return FormatError(path, line, f"not valid {name} text ({error.reason} at line {line})")


def _nul_problem(data: bytes) -> str:
    sample = data[:512]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if max(even, odd) * 4 >= len(sample) and min(even, odd) * 10 <= max(even, odd):
        return (
            "UTF-16 text without a byte order mark: save it as UTF-8, or as UTF-16 with "
            "a byte order mark"
        )
    return "holds a NUL character: binary data, not text"


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for each line of a text file.

    The file is decoded by :func:`decode_text` (UTF-8, or UTF-16/32 with a byte order
    mark; leading byte order and direction marks skipped); lines end with LF, CR LF or CR.

    Raises
    ------
    FormatError
        If the file cannot be read or decoded (before any line is yielded).
    """
    text = read_text(path)
    lines = split_lines(text)
    if lines and not lines[-1]:
        lines.pop()  # the text after the last line break
    yield from enumerate(lines, start=1)


ASCII_BLANKS = " \t\n\r\f\v"
"""The characters that separate fields in the NIST line formats (STM, CTM, RTTM, UEM):
md-eval and sclite split on Perl's ``\\s`` over bytes, ASCII blanks only. A no-break space
(U+00A0) or an ideographic space (U+3000) is part of a field, as in those tools."""

_BLANK_RUN = re.compile(f"[{re.escape(ASCII_BLANKS)}]+")


def split_fields(line: str) -> list[str]:
    """The fields of a line, split on runs of :data:`ASCII_BLANKS` (none for a blank line).

    Unlike ``str.split()``, a no-break space or any other non-ASCII blank stays inside its
    field: ``Ana`` + U+00A0 + ``Maria`` is one speaker name, as md-eval and sclite read it.
    """
    stripped = line.strip(ASCII_BLANKS)
    return _BLANK_RUN.split(stripped) if stripped else []


def one_line(text: str) -> str:
    """The words of ``text`` separated by single spaces.

    Line breaks and runs of ASCII blanks become one space; a no-break space (U+00A0) or any
    other non-ASCII space is kept as written, as the NIST tools keep it inside a field.
    """
    return " ".join(split_fields(text))


def field_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` of each line that has data (:func:`split_fields`).

    Blank lines and ``#`` / ``;;`` comments are skipped.

    Raises
    ------
    FormatError
        As :func:`numbered_lines`.
    """
    for number, line in numbered_lines(path):
        fields = split_fields(line)
        if fields and not fields[0].startswith(("#", ";;")):
            yield number, fields


def field_count_error(path: Path, line: int, kind: str, count: int, expected: str) -> FormatError:
    """The error of a line of a NIST line format with the wrong number of fields.

    Parameters
    ----------
    path, line
        Where the line is.
    kind
        What the line is (``"STM"``, ``"SPEAKER"``).
    count
        How many fields it has.
    expected
        What was expected, with the layout if it helps (``"4 (file-id channel start end)"``).

    Returns
    -------
    FormatError
        ``<kind> line has <count> fields, expected <expected>``, naming the file and line.
    """
    return FormatError(path, line, f"{kind} line has {count} fields, expected {expected}")


def recording_keys(
    entries: Mapping[tuple[str, str], T], channel: Callable[[T], str]
) -> list[tuple[str, T]]:
    """Entries kept per (file id, channel), each with its recording name as md-eval gives it.

    Parameters
    ----------
    entries
        ``{(file id, lower-case channel): entry}`` in reading order (RTTM turns, UEM regions).
    channel
        The channel of an entry as it is written in its file.

    Returns
    -------
    list
        ``(name, entry)`` in the same order, where the name is the file id alone, or
        ``<file-id>:<channel>`` for a file id found in several channels.
    """
    channels = Counter(file_id for file_id, _ in entries)
    return [
        (file_id if channels[file_id] == 1 else f"{file_id}:{channel(entry)}", entry)
        for (file_id, _), entry in entries.items()
    ]


class WriteError(OSError):
    """A file could not be written: names the file asked for and why, never a temporary one.

    An :class:`OSError` (``filename`` is the target, ``strerror`` the problem), so callers
    that catch write failures as such keep doing so.
    """

    def __init__(self, path: Path, problem: str, code: int | None = None):
        super().__init__(code, problem, str(path))

    def __str__(self) -> str:
        return f"{self.filename}: cannot write: {self.strerror}"


def write_text_atomic(path: str | Path, text: str, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file beside it, then a rename.

    A reader never sees a half-written file, and a failed write leaves the old one intact.
    With :func:`write_bytes_atomic` (which it calls), this is reviewer's one atomic write;
    every file it saves goes through it.

    Parameters
    ----------
    path
        The file to write (its directory must exist).
    text
        Written as UTF-8.
    mode
        Permission bits of the new file; by default ``0o644`` less the umask, as ``open``
        would create it. ``0o600`` keeps a secret (a token) readable by its owner only,
        from the first byte on disk.

    Raises
    ------
    WriteError
        If the file cannot be written, naming ``path`` (not the temporary file) and the
        problem: no such directory, not a directory, permission denied, a directory in the
        way, a full disk.
    FormatError
        If ``text`` holds a lone surrogate (half of a UTF-16 pair, which no UTF-8 file can
        hold), naming ``path``; nothing is written.
    """
    path = Path(path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        raise FormatError(
            path, None, f"cannot write U+{code:04X}: half of a UTF-16 pair, not a character"
        ) from None
    write_bytes_atomic(path, data, mode)


def write_bytes_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically, as :func:`write_text_atomic` writes text.

    Raises
    ------
    WriteError
        If the file cannot be written, naming ``path`` and the problem.
    """
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise _write_error(path, error, creating=True) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, (0o644 & ~_umask()) if mode is None else mode)
        os.replace(temporary, path)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):
            raise _write_error(path, error, creating=False) from None
        raise


def _write_error(path: Path, error: OSError, creating: bool) -> WriteError:
    """The problem of a failed write, said of ``path`` and its directory."""
    directory = path.parent
    if creating and error.errno == errno.ENOENT and not directory.is_dir():
        problem = f"no such directory {str(directory)!r}"
    elif creating and error.errno == errno.ENOTDIR:
        problem = f"{str(directory)!r} is not a directory"
    elif creating and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        problem = f"{error.strerror or 'permission denied'} (in directory {str(directory)!r})"
    elif error.errno == errno.EISDIR or (not creating and path.is_dir()):
        problem = "it is a directory"
    else:
        problem = error.strerror or str(error)
    return WriteError(path, problem[:1].lower() + problem[1:], error.errno)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def seconds_to_ticks(text: str) -> int:
    """Parse a decimal number of seconds into ticks, refusing what no recording holds.

    Parameters
    ----------
    text
        A decimal number (``"12.5"``, ``"1e-3"``, ``"-0"``).

    Returns
    -------
    int
        Ticks, possibly negative (the caller decides whether that is allowed).

    Raises
    ------
    ValueError
        Saying why: not a number, not finite, or beyond :data:`MAX_SECONDS` either way
        (``1e999999`` would otherwise take the memory of a number with a million digits).
    """
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text[:30]!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text[:30]!r} is not a finite number")
    if not _DECIMAL.fullmatch(text):  # Decimal also takes '1_000', '١٢' and blanks
        raise ValueError(f"{text[:30]!r} is not a number")
    if value.copy_abs() > MAX_SECONDS:  # abs() would overflow the context for 1e9999999
        raise ValueError(f"{text[:30]!r} is too large (more than {MAX_SECONDS:.0f} s)")
    return parse_seconds(text)


def parse_time_field(text: str, name: str, path: Path, line: int) -> int:
    """Parse a non-negative time field in seconds into ticks.

    Raises
    ------
    FormatError
        If the field is not a finite number, is negative, or is beyond
        :data:`MAX_SECONDS`.
    """
    try:
        ticks = seconds_to_ticks(text)
    except ValueError as error:
        raise FormatError(path, line, f"{name} {error}") from None
    if ticks < 0 or (text.startswith("-") and Decimal(text) != 0):
        raise FormatError(path, line, f"{name} {text!r} is negative")
    return ticks
