"""Which system output and which UEM regions go with each reference recording.

md-eval-22 scores each (file id, channel) of the reference on its own (``evaluate``,
md-eval-22.pl lines 613-625): the system output of the same file id *and channel*, and the
UEM regions of the same file id (directory and extension stripped) and channel. reviewer
pairs recordings the same way, so its totals are md-eval's, and says so
(:class:`ScoringWarning`) where md-eval's rule scores something differently from what a
user probably meant:

- a system output whose file id matches but whose channel does not (``<NA>`` against
  ``1``, say) is not used: md-eval scores that reference channel as all missed. dscore and
  pyannote.metrics force every channel to 1 and would pair them; reviewer follows md-eval,
  whose numbers it reproduces, and warns;
- system recordings that no reference has are ignored, as md-eval ignores them;
- UEM matching and its warnings: :func:`match_uems`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.model.annotation import Span, Track
from reviewer.model.errors import warn
from reviewer.model.regions import UemRegions


class ScoringWarning(UserWarning):
    """Something about the inputs that md-eval's rules score differently than it may seem."""


@dataclass(frozen=True)
class Pair:
    """One reference recording with what it is scored against.

    Attributes
    ----------
    key
        The reference's key (file id, or ``<file-id>:<channel>``).
    reference, hypothesis
        The tracks (the hypothesis is empty when the system has none for it).
    uem
        The UEM regions that apply, or None for md-eval's default extent.
    """

    key: str
    reference: Any
    hypothesis: Any
    uem: Any


def pair_recordings(
    references: Mapping[str, Any],
    hypotheses: Mapping[str, Any],
    uems: Mapping[str, Any] | None = None,
) -> list[Pair]:
    """Pair every reference recording with its system output and UEM, as md-eval does.

    Parameters
    ----------
    references, hypotheses
        ``{key: track}``: :class:`Track` (which knows its file id and channel) or pyannote
        ``Annotation`` (known by its key only).
    uems
        ``{file id: regions}``, e.g. from :func:`~reviewer.io.uem.read_uem`.

    Returns
    -------
    list of Pair
        In the order of the reference keys, sorted.
    """
    matched_uems = match_uems(uems, references) if uems else {}
    by_identity: dict[tuple[str, str | None], Any] = {}
    channels: dict[str, list[str]] = {}
    for key, track in hypotheses.items():
        uri, channel = _identity(key, track)
        by_identity.setdefault((uri, channel and channel.lower()), track)
        if channel is not None:
            channels.setdefault(uri, []).append(track.channel)
    pairs = []
    unmatched = []
    for key in sorted(references):
        reference = references[key]
        uri, channel = _identity(key, reference)
        hypothesis = by_identity.get((uri, channel and channel.lower()))
        if hypothesis is None and channel is None:
            hypothesis = next((t for (u, _), t in by_identity.items() if u == uri), None)
        if hypothesis is None:
            hypothesis = by_identity.get((uri, None))
        if hypothesis is None and uri in channels:
            warnings.warn(
                ScoringWarning(
                    f"{key}: the system output for {uri!r} is in channel "
                    f"{', '.join(map(repr, channels[uri]))}, the reference in channel "
                    f"{reference.channel!r}: md-eval-22 scores each (file, channel) on its "
                    "own, so this reference channel is scored as all missed (dscore and "
                    "pyannote.metrics force both to channel 1)"
                ),
                stacklevel=2,
            )
        elif hypothesis is None:
            unmatched.append(uri)
        hypothesis = Track() if hypothesis is None else hypothesis
        pairs.append(Pair(key, reference, hypothesis, matched_uems.get(key)))
    if unmatched and hypotheses:
        names = sorted({uri for uri, _ in by_identity})
        warnings.warn(
            ScoringWarning(
                f"no system output for {len(unmatched)} of {len(references)} reference "
                f"recordings ({_listed(unmatched)}): scored as all missed, as md-eval-22 "
                f"does; the system output's file ids are {_listed(names)}"
            ),
            stacklevel=2,
        )
    if not references:
        warnings.warn(
            ScoringWarning("the reference holds no recording: nothing is scored"), stacklevel=2
        )
    return pairs


def _listed(names: list[str], most: int = 5) -> str:
    """``'a', 'b', 'c'`` or ``'a', 'b', ... (12 in all)``."""
    shown = ", ".join(map(repr, names[:most]))
    return shown if len(names) <= most else f"{shown}, ... ({len(names)} in all)"


def _identity(key: str, track: Any) -> tuple[str, str | None]:
    """``(file id, channel)`` of a Track; ``(key, None)`` for anything else."""
    if isinstance(track, Track):
        return track.uri or key, track.channel
    return key, None


# ----------------------------------------------------------- UEM file ids, as md-eval


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
        warnings (:class:`~reviewer.model.errors.FormatWarning`) for regions in
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
        own = getattr(regions, "channel", None)
        _warn_at(
            regions,
            f"UEM regions for {uri!r} are in channel {own!r}, the reference "
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
        warn(path, getattr(regions, "line", None), problem, stacklevel=3)
