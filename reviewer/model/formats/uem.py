"""UEM: the un-partitioned evaluation map (NIST), the regions of each recording to score.

Each line is ``<file-id> <channel> <start> <end>`` in seconds. Blank lines and ``#`` / ``;;``
comments are skipped. Overlapping or touching regions of one file id are merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reviewer.model.annotation import Span, merge_spans
from reviewer.model.formats.errors import FormatError
from reviewer.model.formats.files import (
    field_lines,
    input_files,
    parse_time_field,
    write_text_atomic,
)
from reviewer.model.time import format_seconds

_FIELDS = 4


def read_uem(path: str | Path) -> dict[str, tuple[Span, ...]]:
    """Read a UEM file, or every ``*.uem`` in a directory.

    Returns
    -------
    dict
        ``{file id: sorted, merged regions}``.

    Raises
    ------
    FormatError
        Naming the file, the line and the problem, for the first malformed line.
    """
    regions: dict[str, list[Span]] = {}
    for file in input_files(path, ".uem"):
        for number, fields in field_lines(file):
            if len(fields) != _FIELDS:
                raise FormatError(
                    file,
                    number,
                    f"UEM line has {len(fields)} fields, expected {_FIELDS} "
                    "(file-id channel start end)",
                )
            start = parse_time_field(fields[2], "start", file, number)
            end = parse_time_field(fields[3], "end", file, number)
            if end < start:
                raise FormatError(
                    file, number, f"region ends ({fields[3]}) before it starts ({fields[2]})"
                )
            regions.setdefault(fields[0], []).append(Span(start, end))
    return {uri: merge_spans(spans) for uri, spans in regions.items()}


def format_uem(regions: Mapping[str, tuple[Span, ...]], channel: str = "1") -> str:
    """Format regions as UEM lines, sorted by file id and start."""
    return "".join(
        f"{uri} {channel} {format_seconds(span.start)} {format_seconds(span.end)}\n"
        for uri in sorted(regions)
        for span in sorted(regions[uri])
    )


def write_uem(path: str | Path, regions: Mapping[str, tuple[Span, ...]]) -> None:
    """Write regions to a UEM file atomically."""
    write_text_atomic(path, format_uem(regions))
