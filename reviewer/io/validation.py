"""Strict reading of the JSON files reviewer saves: sessions, projects and crash journals.

Each check takes a decoded JSON value and where it sits in the file, as a field path
(``settings.skip_overlap``, ``tracks["system"].turns[3][0] (start)``), and returns the
value or raises :class:`FieldError` saying where, what was expected and what was found::

    settings.skip_overlap: expected true or false, got the string "false"

Nothing is converted on the way: a bool is a JSON ``true`` or ``false`` (not ``"false"``,
not ``0``), a number is a JSON number and finite (``NaN`` and ``1e999`` are refused), a
whole number has no fraction, a text field is a JSON string. Objects are closed: a field
the format does not define is reported, never skipped (a typo, or a file from another
program or a newer reviewer). The loaders turn a :class:`FieldError` into a
:class:`~reviewer.model.errors.FormatError` naming the file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from reviewer.io.files import MAX_TICKS, read_bytes
from reviewer.model.errors import FormatError


class FieldError(ValueError):
    """A value of a saved file that is not what its format says.

    Parameters
    ----------
    where
        The field path (``settings.collar``, ``recordings[2].status``); empty for the
        whole file.
    problem
        What is wrong (``expected a number, got the string "0.5"``).
    """

    def __init__(self, where: str, problem: str):
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


def describe(value: Any) -> str:
    """A JSON value in words, for an error message (``the string "false"``, ``null``)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return json.dumps(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {json.dumps(shown, ensure_ascii=False)}"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("-" if value < 0 else "") + "Infinity"
    if isinstance(value, int | float):
        shown = repr(value)
        return f"the number {shown if len(shown) <= 30 else shown[:27] + '...'}"
    if isinstance(value, list):
        return f"a list of {len(value)} items" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # not JSON: only from a caller's own data


def field(where: str, name: str) -> str:
    """The path of field ``name`` of the object at ``where`` (``settings.collar``)."""
    if not name.isidentifier():
        return key(where, name)
    return f"{where}.{name}" if where else name


def key(where: str, name: str) -> str:
    """The path of a user-named entry of a mapping (``tracks["system"]``)."""
    return f"{where}[{json.dumps(name, ensure_ascii=False)}]"


def index(where: str, position: int) -> str:
    """The path of item ``position`` (0-based) of the list at ``where``."""
    return f"{where}[{position}]"


def obj(
    value: Any, where: str, required: Collection[str] = (), optional: Collection[str] = ()
) -> dict[str, Any]:
    """An object with every ``required`` field and no field outside ``required | optional``.

    Raises
    ------
    FieldError
        If the value is not an object, lacks a required field or has another one.
    """
    mapping(value, where)
    for name in required:
        if name not in value:
            raise FieldError(field(where, name), "missing")
    known = set(required) | set(optional)
    for name in value:
        if name not in known:
            fields = ", ".join(sorted(known))
            raise FieldError(field(where, name), f"unknown field (the fields here are {fields})")
    return value


def mapping(value: Any, where: str) -> dict[str, Any]:
    """An object with names of the user's choosing (tracks by name).

    Raises
    ------
    FieldError
        If the value is not an object.
    """
    if not isinstance(value, dict):
        raise FieldError(where, f"expected an object, got {describe(value)}")
    return value


def array(value: Any, where: str) -> list[Any]:
    """A list.

    Raises
    ------
    FieldError
        If the value is not a list.
    """
    if not isinstance(value, list):
        raise FieldError(where, f"expected a list, got {describe(value)}")
    return value


def fixed(value: Any, where: str, names: tuple[str, ...]) -> list[Any]:
    """A list of exactly ``len(names)`` items (``[start, end, speaker]``).

    Raises
    ------
    FieldError
        If the value is not a list of that length.
    """
    shape = "[" + ", ".join(names) + "]"
    if not isinstance(value, list) or len(value) != len(names):
        raise FieldError(where, f"expected {shape}, got {describe(value)}")
    return value


def boolean(value: Any, where: str) -> bool:
    """``true`` or ``false`` (not a string, not a number).

    Raises
    ------
    FieldError
        If the value is anything else.
    """
    if value is not True and value is not False:
        raise FieldError(where, f"expected true or false, got {describe(value)}")
    return value


def text(value: Any, where: str, *, empty: bool = True) -> str:
    """A string (non-empty unless ``empty``).

    Raises
    ------
    FieldError
        If the value is not a string, or is empty when it may not be.
    """
    if not isinstance(value, str):
        expected = "a string" if empty else "a non-empty string"
        raise FieldError(where, f"expected {expected}, got {describe(value)}")
    if not empty and not value:
        raise FieldError(where, "expected a non-empty string, got an empty one")
    return value


def optional_text(value: Any, where: str, *, empty: bool = False) -> str | None:
    """Null, or a string (non-empty unless ``empty``).

    Raises
    ------
    FieldError
        If the value is neither.
    """
    if value is None:
        return None
    if not isinstance(value, str) or (not empty and not value):
        expected = "a string" if empty else "a non-empty string"
        raise FieldError(where, f"expected {expected} or null, got {describe(value)}")
    return value


def number(value: Any, where: str, *, minimum: float | None = None) -> int | float:
    """A finite JSON number (not a bool), at least ``minimum`` if given.

    Raises
    ------
    FieldError
        If the value is not a number, is NaN or infinite, or is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        expected = "a number" if minimum is None else f"a number of at least {minimum:g}"
        raise FieldError(where, f"expected {expected}, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(where, f"expected a finite number, got {describe(value)}")
    if minimum is not None and value < minimum:
        raise FieldError(where, f"expected a number of at least {minimum:g}, got {describe(value)}")
    return value


def whole(value: Any, where: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole JSON number (no fraction, not a bool) from ``minimum`` to ``maximum``.

    Raises
    ------
    FieldError
        If the value is not a whole number or is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(where, f"expected a whole number, got {describe(value)}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise FieldError(where, f"expected a whole number {bound}, got {describe(value)}")
    return value


def ticks(value: Any, where: str) -> int:
    """A time in ticks: a whole number from 0 to :data:`~reviewer.io.files.MAX_TICKS`.

    Raises
    ------
    FieldError
        If the value is not such a number.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TICKS:
        raise FieldError(
            where, f"expected a time in ticks (a whole number, 0 or more), got {describe(value)}"
        )
    return value


def span(value: Any, where: str, names: tuple[str, str] = ("start", "end")) -> tuple[int, int]:
    """``[start, end]`` in ticks, ending at or after its start.

    Raises
    ------
    FieldError
        If the value is not such a pair.
    """
    start, end = fixed(value, where, names)
    start = ticks(start, f"{index(where, 0)} ({names[0]})")
    end = ticks(end, f"{index(where, 1)} ({names[1]})")
    if end < start:
        raise FieldError(where, f"ends ({end}) before it starts ({start})")
    return start, end


def choice(value: Any, where: str, choices: Iterable[str]) -> str:
    """One of ``choices`` (strings).

    Raises
    ------
    FieldError
        If the value is not one of them.
    """
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(json.dumps(c) for c in choices)
        raise FieldError(where, f"expected one of {allowed}, got {describe(value)}")
    return value


def header(data: Any, kind: str, format_name: str, version: int, what: str, where: str = "") -> int:
    """Check a saved file's ``format`` and ``version`` before anything else in it.

    Parameters
    ----------
    data
        The decoded file (or the object at ``where`` in it).
    kind
        What the file is, in words (``"reviewer session"``).
    format_name
        The expected ``format`` value.
    version
        The newest version this reviewer reads; older ones are read too.
    what
        The format's short name in messages (``"session"``).
    where
        The path of ``data`` in its file (empty for the whole file).

    Returns
    -------
    int
        The file's version.

    Raises
    ------
    FieldError
        If it is not such a file, or its version is unknown (a newer version is refused
        saying so and which version this reviewer reads).
    """
    if not isinstance(data, dict):
        raise FieldError(where, f"not a {kind} (expected a JSON object, got {describe(data)})")
    if data.get("format") != format_name:
        found = f"got {describe(data['format'])}" if "format" in data else "it is missing"
        problem = f"not a {kind} (expected {json.dumps(format_name)}, {found})"
        raise FieldError(field(where, "format"), problem)
    if "version" not in data:
        raise FieldError(field(where, "version"), "missing")
    written = whole(data["version"], field(where, "version"), minimum=1)
    if written > version:
        raise FieldError(
            field(where, "version"),
            f"this {what} file was written by a newer reviewer (version {written}); this "
            f"reviewer reads {what} files up to version {version}: update reviewer to open it",
        )
    return written


def read_json(path: Path) -> Any:
    """Decode a UTF-8 JSON file (a byte order mark allowed), refusing duplicate keys.

    Raises
    ------
    FormatError
        If the file cannot be read, is not UTF-8, or is not JSON (with the line at fault),
        or an object repeats a key.
    """
    data = read_bytes(path)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(path, line, "not valid UTF-8 text") from None
    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        raise FormatError(path, error.lineno, f"not valid JSON: {error.msg}") from None
    except ValueError as error:  # a duplicate key, or a number with too many digits
        raise FormatError(path, None, str(error)) from None


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An ``object_pairs_hook`` for :func:`json.loads` refusing a repeated key.

    Raises
    ------
    ValueError
        Naming the repeated key.
    """
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise ValueError(f"duplicate key {json.dumps(name, ensure_ascii=False)}")
            seen.add(name)
    return data
