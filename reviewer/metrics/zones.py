"""md-eval-22's evaluated and scored regions when a reference has ``NOSCORE``/``NON-LEX`` lines.

md-eval builds a recording's regions in steps, each a walk over sorted events in Perl
floating point (``score_speaker_diarization``, md-eval-22.pl lines 1871-1926):

1. evaluated = UEM minus the no-evaluation zones of ``NOSCORE`` lines
   (``add_exclusion_zones_to_uem`` with ``max_extend`` 1e-8 s, line 671); speakers are
   mapped over it;
2. scored = evaluated minus the collars (``add_collars_to_uem``, lines 2034-2069), minus the
   zones of ``NOSCORE`` and ``NON-LEX`` lines (1e-8 s, line 1911), minus the zones of
   ``NON-LEX`` lines widened by up to 0.5 s (line 1913), minus overlapped speech with
   ``-1`` (which the engine applies).

A zone (lines 2143-2207) starts up to ``max_extend`` before an excluded line, but not before
the last word end (``LEXEME``) or speaker-turn edge; it ends at the next word or speaker
edge after the excluded lines, at most ``max_extend`` after them; excluded lines more than
``2 * max_extend`` apart give two zones; a zone that nothing ends runs to the end. Each
walk is replayed here step for step on md-eval's own doubles (``TBEG``, ``TBEG + TDUR``) and
in its event order (Perl's sort, :mod:`~reviewer.metrics.perl_sort`), because both
change results: ``4.3 + 2.5 < 3.7 + 3.1`` in binary floating point decides whether a zone is
widened, and a zone that begins exactly where an evaluated region begins does not cut it
when md-eval happens to visit the region's start first. The regions are then rounded to
ticks for the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from reviewer.metrics.perl_sort import perl_sort
from reviewer.model.annotation import Span
from reviewer.model.exclusions import Exclusions
from reviewer.model.time import TICKS_PER_SECOND

#: md-eval's ``$epsilon`` (line 109), seconds: the widening of ``NOSCORE`` zones.
EPSILON = 1e-8
#: md-eval's ``$default_extend`` (line 158), seconds: how far a NON-LEX zone may be widened.
MAX_EXTEND = 0.5

_WORD, _TURN, _EXCLUDED, _REGION = "LEX", "SEG", "NSZ", "UEM"
_BEGIN, _END = "BEG", "END"

Segment = tuple[float, float]


def mdeval_regions(
    regions: Sequence[Span] | None,
    exclusions: Exclusions,
    starts: np.ndarray,
    ends: np.ndarray,
    collar: float,
    skip_overlap: bool = False,
) -> tuple[list[Segment], list[Segment]]:
    """md-eval's evaluated and scored segments (seconds, as doubles) of one recording.

    Parameters
    ----------
    regions
        The UEM's regions (ticks, sorted, as read), or None for md-eval's default extent:
        the earliest ``TBEG`` to the latest ``TBEG + TDUR`` of the reference's turns and of
        the other lines it counts (``exclusions.extent``).
    exclusions
        The reference's ``NOSCORE``, ``NON-LEX`` and ``LEXEME`` lines.
    starts, ends
        The reference's speaker turns (ticks).
    collar
        Seconds on each side of every reference turn edge (md-eval's ``-c``).
    skip_overlap
        Also take out overlapped reference speech (md-eval's ``-1``,
        ``exclude_overlapping_speech_from_uem``, lines 2072-2128).

    Returns
    -------
    evaluated, scored
        Lists of ``(start, end)`` in seconds: steps 1 and 2 of the module docstring.
    """
    turns = [_doubles(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]
    if regions is None:
        edges = [(b, e) for b, e in turns]
        if exclusions.extent is not None:
            edges.append(_doubles(exclusions.extent.start, exclusions.extent.end))
        if not edges:
            return [], []
        segments = [(min(b for b, _ in edges), max(e for _, e in edges))]
    else:
        segments = [
            (span.start / TICKS_PER_SECOND, span.end / TICKS_PER_SECOND) for span in regions
        ]
    words = [_doubles(span.start, span.end) for span in exclusions.lexemes]
    no_score = [_doubles(span.start, span.end) for span in exclusions.no_score]
    non_lexical = [_doubles(span.start, span.end) for span in exclusions.non_lexical]

    evaluated = _cut(segments, _walk(no_score, words, turns, EPSILON))
    scored = _collars(evaluated, turns, collar) if collar > 0 else evaluated
    scored = _cut(scored, _walk(no_score + non_lexical, words, turns, EPSILON))
    scored = _cut(scored, _walk(non_lexical, words, turns, MAX_EXTEND))
    if skip_overlap:
        scored = _cut(scored, _overlaps(turns))
    return evaluated, scored


def to_spans(segments: Iterable[Segment]) -> list[Span]:
    """Segments in seconds rounded to ticks (md-eval's doubles are within ulps of them)."""
    starts, ends = to_arrays(segments)
    return [Span(int(b), int(e)) for b, e in zip(starts, ends, strict=True)]


def to_arrays(segments: Iterable[Segment]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`to_spans` as ``(starts, ends)`` ``int64`` arrays, touching segments joined."""
    seconds = np.array(list(segments), dtype=np.float64).reshape(-1, 2)
    ticks = np.rint(seconds * TICKS_PER_SECOND).astype(np.int64)
    ticks = ticks[ticks[:, 1] > ticks[:, 0]]
    if len(ticks) > 1:  # join segments that touch once rounded
        joined = ticks[1:, 0] <= ticks[:-1, 1]
        first = np.concatenate(([True], ~joined))
        last = np.concatenate((~joined, [True]))
        return ticks[first, 0], np.maximum.accumulate(ticks[:, 1])[last]
    return ticks[:, 0], ticks[:, 1]


def _seconds(span: Span) -> Segment:
    return span.start / TICKS_PER_SECOND, span.end / TICKS_PER_SECOND


def _doubles(start: int, end: int) -> Segment:
    """``(TBEG, TBEG + TDUR)`` as md-eval computes them from the line's two numbers."""
    begin = start / TICKS_PER_SECOND
    return begin, begin + (end - start) / TICKS_PER_SECOND


def _walk(
    excluded: list[Segment], words: list[Segment], turns: list[Segment], max_extend: float
) -> list[tuple[float, str]]:
    """The zone edges the excluded lines make (lines 2143-2207), in the order found."""
    if not excluded:
        return []
    max_extend = max(max_extend, EPSILON)
    tokens = [(_WORD, b, e) for b, e in words] + [(_TURN, b, e) for b, e in turns]
    tokens += [(_EXCLUDED, b, e) for b, e in excluded]
    tokens = [token for token in tokens if token[2] - token[1] > 0]
    tokens.sort(key=lambda token: token[1] + (token[2] - token[1]) / 2)  # lines by midpoint
    events = [
        (time, edge, kind) for kind, b, e in tokens for time, edge in ((b, _BEGIN), (e, _END))
    ]
    events = _sorted(events)

    marks: list[tuple[float, str]] = []
    evaluating = True
    last_turn_edge = words_end = zone_end = 0.0
    words_open = zones_open = 0
    for time, edge, kind in events:
        if kind == _WORD:
            if edge == _BEGIN:
                words_open += 1
            else:
                words_end = time if words_open == 1 else words_end
                words_open -= 1
        elif kind == _EXCLUDED:
            if edge == _BEGIN:
                zones_open += 1
            else:
                zone_end = time if zones_open == 1 else zone_end
                zones_open -= 1
        else:
            last_turn_edge = time
        if evaluating:
            if zones_open == 0 or kind != _EXCLUDED:
                continue
            begin = time if words_open > 0 else max(words_end, last_turn_edge, time - max_extend)
            marks.append((begin, _BEGIN))
            evaluating = False
        elif zones_open == 0 and (words_open > 0 or kind == _TURN):
            marks.append((min(zone_end + max_extend, time), _END))
            evaluating = True
        elif (
            zones_open == 1
            and kind == _EXCLUDED
            and edge == _BEGIN
            and time > zone_end + 2 * max_extend
        ):
            marks.append((zone_end + max_extend, _END))
            marks.append((time - max_extend, _BEGIN))
    return marks


def _overlaps(turns: list[Segment]) -> list[tuple[float, str]]:
    """Where two or more reference turns are active (lines 2078-2097), as zone edges."""
    events = [
        (t, edge)
        for b, e in sorted(turns, key=lambda turn: turn[0] + (turn[1] - turn[0]) / 2)
        if e - b > 0
        for t, edge in ((b, _BEGIN), (e, _END))
    ]
    events.sort(key=lambda event: (event[0], event[1] == _BEGIN))  # a count: ties do not matter
    marks: list[tuple[float, str]] = []
    active = 0
    start = 0.0
    for time, edge in events:
        if edge == _BEGIN:
            active += 1
            if active == 2:
                start = time
        else:
            active -= 1
            if active == 1:
                marks += [(start, _BEGIN), (time, _END)]
    return marks


def _cut(segments: list[Segment], marks: list[tuple[float, str]]) -> list[Segment]:
    """Segments minus zones, walked as md-eval walks them (lines 2209-2240)."""
    if not marks:  # md-eval's walk gives back the same segments
        return [(b, e) for b, e in segments if e - b > 0]
    events = [(time, edge, _EXCLUDED) for time, edge in marks]
    for b, e in segments:
        if e - b > 0:
            events += [(b, _BEGIN, _REGION), (e, _END, _REGION)]
    events = _sorted(events)
    result: list[Segment] = []
    inside = zones = 0
    start = 0.0  # Perl's undefined $tbeg compares as 0
    evaluating = False
    for time, edge, kind in events:
        step = 1 if edge == _BEGIN else -1
        if kind == _REGION:
            inside += step
        else:
            zones += step
        if evaluating and (inside == 0 or zones > 0) and time > start:
            result.append((start, time))
            evaluating = False
        elif inside > 0 and zones == 0:
            start = time
            evaluating = True
    return result


def _collars(segments: list[Segment], turns: list[Segment], collar: float) -> list[Segment]:
    """Segments minus ``collar`` around every turn edge (lines 2034-2069)."""
    events = []
    for b, e in segments:
        events += [(b, _BEGIN), (e, _END)]
    for b, e in turns:
        events += [
            (b - collar, _END),
            (b + collar, _BEGIN),
            (e - collar, _END),
            (e + collar, _BEGIN),
        ]
    events.sort(key=lambda event: (event[0], event[1] == _END))  # a count: ties do not matter
    result: list[Segment] = []
    depth = 0
    start = 0.0
    for time, edge in events:
        if edge == _BEGIN:
            depth += 1
            if depth == 1:
                start = time
        else:
            depth -= 1
            if depth == 0 and time > start:
                result.append((start, time))
    return result


def _sorted(events: list[tuple]) -> list[tuple]:
    """Events in md-eval's order (lines 2160, 2221: by time, then begins after the rest).

    That comparator is an order except between two begins at one time, which it calls
    "greater" both ways; only then is the result Perl's sort's own, and Perl's sort is
    replayed. Otherwise Python's stable sort gives the same order, far faster.
    """
    begins = [event[0] for event in events if event[1] == _BEGIN]
    if len(set(begins)) < len(begins):
        return perl_sort(events, _begins_last_tie_zero)
    return sorted(events, key=lambda event: (event[0], event[1] == _BEGIN))


def _begins_last_tie_zero(a: tuple, b: tuple) -> int:
    """md-eval's order (lines 2160, 2221): by time, then a begin after the other."""
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    return 1 if a[1] == _BEGIN else 0
