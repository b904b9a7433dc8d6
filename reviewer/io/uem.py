"""UEM: the un-partitioned evaluation map (NIST), the regions of each recording to score.

Each line is ``<file-id> <channel> <start> <end>`` in seconds. What reviewer reads, beside
md-eval-22.pl (``get_uem_data``, lines 435-481):

- blank lines and lines starting with ``#`` or ``;`` are skipped;
- regions are kept per (file id, channel) as written, sorted; a file id with regions in
  several channels is keyed ``<file-id>:<channel>``, as RTTM tracks are;
- overlapping regions (md-eval refuses the file) are merged, and reported; a region of
  zero length (md-eval refuses it too) is dropped, and reported; one that ends before it
  starts is refused with :class:`FormatError`.

Matching a UEM to the recordings scored (:func:`match_uems`) follows md-eval, which strips
a directory and an extension from UEM file ids (``/data/talk.sph`` scores ``talk``) and
applies regions only to the same channel:

1. regions whose file id is the recording's own, in its channel, are used. md-eval strips
   everything from the first dot of an id (``ES2004a.Mix-Headset`` becomes ``ES2004a``) and
   would not apply them: reviewer does, and warns that md-eval would not;
2. otherwise, regions whose file id is the recording's once stripped as md-eval strips it;
3. regions for the recording in another channel are not used (md-eval does not), with a
   warning; the recording is then scored over md-eval's default extent;
4. every UEM file id that matches no scored recording is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reviewer.io.files import (
    field_count_error,
    field_lines,
    input_files,
    parse_time_field,
    recording_keys,
    write_text_atomic,
)
from reviewer.model.annotation import Span
from reviewer.model.errors import FormatError, warn
from reviewer.model.regions import UemRegions
from reviewer.model.time import format_seconds

_FIELDS = 4


@dataclass
class _Entry:
    file_id: str
    channel: str
    path: Path
    line: int
    spans: list[tuple[Span, int]]


def read_uem(path: str | Path) -> dict[str, UemRegions]:
    """Read a UEM file, or every ``*.uem`` in a directory.

    Returns
    -------
    dict
        ``{file id: regions}`` (``{"<file-id>:<channel>": regions}`` for a file id with
        regions in several channels), regions sorted; see the module docstring for what is
        merged and reported.

    Raises
    ------
    FormatError
        Naming the file, the line and the problem, for the first malformed line.
    """
    entries: dict[tuple[str, str], _Entry] = {}
    for file in input_files(path, ".uem"):
        for number, fields in field_lines(file):
            if fields[0].startswith(";"):
                continue  # md-eval skips lines starting with ';' (field_lines: ';;')
            if len(fields) != _FIELDS:
                raise field_count_error(
                    file, number, "UEM", len(fields), f"{_FIELDS} (file-id channel start end)"
                )
            start = parse_time_field(fields[2], "start", file, number)
            end = parse_time_field(fields[3], "end", file, number)
            if end < start:
                raise FormatError(
                    file, number, f"region ends ({fields[3]}) before it starts ({fields[2]})"
                )
            key = (fields[0], fields[1].lower())
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = _Entry(fields[0], fields[1], file, number, [])
            if end == start:
                warn(file, number, "region of zero length ignored (md-eval-22 refuses it)")
                continue
            entry.spans.append((Span(start, end), number))
    return {
        name: UemRegions(
            _without_overlaps(entry), entry.file_id, entry.channel, entry.path, entry.line
        )
        for name, entry in recording_keys(entries, lambda e: e.channel)
    }


def _without_overlaps(entry: _Entry) -> tuple[Span, ...]:
    """The regions, overlapping ones merged (and reported); touching ones kept apart."""
    merged: list[Span] = []
    reported = False
    for span, number in sorted(entry.spans):
        if merged and span.start < merged[-1].end:
            if not reported:
                warn(
                    entry.path,
                    number,
                    f"region overlaps another of {entry.file_id} channel {entry.channel}: "
                    "merged (md-eval-22 refuses overlapping regions)",
                )
                reported = True
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return tuple(merged)


def format_uem(regions: Mapping[str, tuple[Span, ...]], channel: str = "1") -> str:
    """Format regions as UEM lines, sorted by file id and start.

    Regions read from a UEM keep their own file id and channel; others get ``channel``.
    """
    lines = []
    for key in sorted(regions):
        spans = regions[key]
        file_id = getattr(spans, "file_id", key)
        own = getattr(spans, "channel", channel)
        lines += [
            f"{file_id} {own} {format_seconds(span.start)} {format_seconds(span.end)}\n"
            for span in sorted(spans)
        ]
    return "".join(lines)


def write_uem(path: str | Path, regions: Mapping[str, tuple[Span, ...]]) -> None:
    """Write regions to a UEM file atomically."""
    write_text_atomic(path, format_uem(regions))
