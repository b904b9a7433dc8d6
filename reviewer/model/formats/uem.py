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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reviewer.model.annotation import Span, Track
from reviewer.model.formats.errors import FormatError, warn
from reviewer.model.formats.files import (
    field_lines,
    input_files,
    parse_time_field,
    write_text_atomic,
)
from reviewer.model.time import format_seconds

_FIELDS = 4


class UemRegions(tuple):
    """The regions of one (file id, channel) in a UEM: a sorted tuple of :class:`Span`.

    Attributes
    ----------
    file_id, channel
        As written in the UEM file.
    path, line
        Where the first of them was read (None for regions built in code).
    """

    file_id: str
    channel: str
    path: Path | None
    line: int | None

    def __new__(
        cls,
        spans: Iterable[Span],
        file_id: str,
        channel: str = "1",
        path: Path | None = None,
        line: int | None = None,
    ):
        """Build regions (sorted) that remember where they were read."""
        regions = super().__new__(cls, sorted(spans))
        regions.file_id, regions.channel, regions.path, regions.line = (
            file_id,
            channel,
            path,
            line,
        )
        return regions

    def __getnewargs__(self):  # pickling and copying keep the attributes
        return (tuple(self), self.file_id, self.channel, self.path, self.line)


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
            key = (fields[0], fields[1].lower())
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = _Entry(fields[0], fields[1], file, number, [])
            if end == start:
                warn(file, number, "region of zero length ignored (md-eval-22 refuses it)")
                continue
            entry.spans.append((Span(start, end), number))
    channels: dict[str, int] = {}
    for file_id, _ in entries:
        channels[file_id] = channels.get(file_id, 0) + 1
    result = {}
    for (file_id, _), entry in entries.items():
        key = file_id if channels[file_id] == 1 else f"{file_id}:{entry.channel}"
        result[key] = UemRegions(
            _without_overlaps(entry), entry.file_id, entry.channel, entry.path, entry.line
        )
    return result


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


def mdeval_file_id(file_id: str) -> str:
    r"""A UEM file id as md-eval-22 reads it: directory and first extension stripped.

    md-eval-22.pl lines 455-456: ``s/.*\///`` then ``s/\.[^.]*//``, which removes the first
    dot and what follows it up to the next dot: ``/data/talk.sph`` -> ``talk``,
    ``ES2004a.Mix-Headset`` -> ``ES2004a``, ``a.b.c`` -> ``a.c``.
    """
    return re.sub(r"\.[^.]*", "", file_id.rsplit("/", 1)[-1], count=1)


def match_uems(
    uems: Mapping[str, tuple[Span, ...]], references: Mapping[str, object]
) -> dict[str, tuple[Span, ...]]:
    """The UEM regions that apply to each reference recording, as md-eval applies them.

    Parameters
    ----------
    uems
        From :func:`read_uem` (regions that know their file id and channel), or a plain
        ``{file id: spans}`` mapping (matched by exact id, then md-eval's stripped id).
    references
        The recordings scored, ``{key: track}``; a :class:`Track` gives its file id and
        channel, anything else (a pyannote ``Annotation``) is known by its key only.

    Returns
    -------
    dict
        ``{reference key: regions}`` for the recordings a UEM applies to. The rules, and the
        warnings (:class:`~reviewer.model.formats.errors.FormatWarning`) for regions in
        another channel, ids md-eval reads differently, and ids that match nothing, are in
        the module docstring.
    """
    used: set[str] = set()
    matched: dict[str, tuple[Span, ...]] = {}
    for ref_key, reference in references.items():
        uri, channel = _identity(ref_key, reference)
        found = _lookup(uems, uri, channel, used)
        if found is not None:
            matched[ref_key] = found
    for key, regions in uems.items():
        if key not in used:
            _warn_at(
                regions,
                f"UEM file id {getattr(regions, 'file_id', key)!r} names no "
                "scored recording: its regions are not used",
            )
    return matched


def lookup_uem(
    uems: Mapping[str, tuple[Span, ...]], uri: str, channel: str | None = None
) -> tuple[Span, ...] | None:
    """The UEM regions that apply to one recording, as md-eval applies them, or None.

    Rules 1-3 of the module docstring, with their warnings; takes the ``uems`` of
    :func:`match_uems`. ``channel`` None matches regions of any channel.
    """
    return _lookup(uems, uri, channel, set())


def _lookup(
    uems: Mapping[str, tuple[Span, ...]], uri: str, channel: str | None, used: set[str]
) -> tuple[Span, ...] | None:
    exact = [(k, r) for k, r in uems.items() if getattr(r, "file_id", k) == uri]
    stripped = [
        (k, r)
        for k, r in uems.items()
        if mdeval_file_id(getattr(r, "file_id", k)) == uri and getattr(r, "file_id", k) != uri
    ]
    same = [(k, r) for k, r in exact + stripped if _channel(r, channel)]
    if same:  # md-eval gathers every line whose stripped id is the recording's
        if exact and mdeval_file_id(uri) != uri:
            _warn_at(
                exact[0][1],
                f"UEM file id {uri!r} is applied to {uri!r}; md-eval-22 reads it as "
                f"{mdeval_file_id(uri)!r} and would not apply it (scores differ)",
            )
        used.update(k for k, _ in same)
        if len(same) == 1:
            return same[0][1]
        first = same[0][1]
        spans = sorted(span for _, regions in same for span in regions)
        merged = _merged(spans, getattr(first, "path", None), getattr(first, "line", None), uri)
        return UemRegions(
            merged,
            uri,
            getattr(first, "channel", "1"),
            getattr(first, "path", None),
            getattr(first, "line", None),
        )
    for key, regions in exact + stripped:
        used.add(key)
        _warn_at(
            regions,
            f"UEM regions for {uri!r} are in channel {regions.channel!r}, the reference "
            f"in channel {channel!r}: md-eval-22 applies a UEM only to its own channel, "
            "so neither does reviewer (scored over the reference's extent)",
        )
    return None


def _merged(spans: list[Span], path: Path | None, line: int | None, uri: str) -> list[Span]:
    """Regions gathered from several UEM ids, overlapping ones merged (and reported)."""
    merged: list[Span] = []
    for span in spans:
        if merged and span.start < merged[-1].end:
            if path is not None:
                warn(path, line, f"UEM regions for {uri!r} overlap: merged (md-eval refuses)")
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def _identity(key: str, reference: object) -> tuple[str, str | None]:
    if isinstance(reference, Track):
        return reference.uri or key, reference.channel
    return key, None


def _channel(regions: tuple[Span, ...], channel: str | None) -> bool:
    """Whether regions apply to a channel (unknown channels match anything)."""
    own = getattr(regions, "channel", None)
    return own is None or channel is None or own.lower() == channel.lower()


def _warn_at(regions: tuple[Span, ...], problem: str) -> None:
    path = getattr(regions, "path", None)
    if path is None:
        import warnings

        warnings.warn(problem, stacklevel=3)
    else:
        warn(path, regions.line, problem, stacklevel=3)


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
