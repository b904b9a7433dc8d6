"""md-eval-22's own floating-point pass over a recording, replayed to break mapping ties.

reviewer scores in exact integer ticks. md-eval-22 works in Perl floating point: it reads
each RTTM onset and duration as a double, computes ``TEND = TBEG + TDUR``, cuts the
evaluated region into segments at every event (``create_speaker_segs``, md-eval-22.pl
lines 2261-2315: events sorted with a 1e-8 s tolerance, ends before begins), and sums each
segment's ``TEND - TBEG`` into the co-occurrence of every reference/system speaker pair
active in it, segment after segment (``score_speaker_diarization``, lines 1890-1906).

When two speaker mappings reach the same co-occurrence in exact arithmetic, these rounding
errors decide which one md-eval's matcher returns. :func:`mdeval_cooccurrence` reproduces
the sums bit for bit: the doubles md-eval reads are the correctly rounded ``ticks / rate``
of the integer ticks (exact for every time written with up to six decimals), the sums are
taken in md-eval's segment order, and times within 1e-8 s are ordered as its comparator
orders them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reviewer.metrics.perl_sort import perl_sort
from reviewer.model.annotation import Span, TrackArrays
from reviewer.model.time import TICKS_PER_SECOND

#: md-eval-22's ``$epsilon`` (line 109): times closer than this sort as simultaneous.
EPSILON = 1e-8

_END, _BEGIN = 0, 1
_UEM, _REF, _SYS = 0, 1, 2


def mdeval_cooccurrence(
    reference: TrackArrays, hypothesis: TrackArrays, uem: Sequence[Span] | None
) -> np.ndarray:
    """Co-occurrence of every speaker pair, in seconds, summed as md-eval-22 sums it.

    Parameters
    ----------
    reference, hypothesis
        The two tracks' turns (ticks), as read from their files: overlapping turns of one
        speaker are kept apart, since md-eval cuts segments at each of their edges too.
    uem
        The evaluated regions (ticks) sorted by start and as written in the UEM file (not
        merged: md-eval cuts at the edge between two touching regions), or None for md-eval's
        default, from the earliest reference onset to the latest reference ``TBEG + TDUR``.

    Returns
    -------
    numpy.ndarray
        ``float64`` of shape ``(reference.n_speakers, hypothesis.n_speakers)``; pairs that
        never co-occur hold 0.0.
    """
    ref_times = _float_times(reference)
    hyp_times = _float_times(hypothesis)
    if uem is None:
        if len(reference.starts) == 0:
            return np.zeros((reference.n_speakers, hypothesis.n_speakers))
        regions = [(min(ref_times[0]), max(ref_times[1]))]  # uem_from_rttm, lines 2245-2259
    else:
        regions = [(span.start / TICKS_PER_SECOND, span.end / TICKS_PER_SECOND) for span in uem]

    events: list[tuple[float, int, int, int]] = []  # (time, end/begin, source, speaker code)
    for begin, end in regions:
        if end > begin + EPSILON:
            events += [(begin, _BEGIN, _UEM, -1), (end, _END, _UEM, -1)]
    for source, columns, (begins, ends, durations) in (
        (_REF, reference, ref_times),
        (_SYS, hypothesis, hyp_times),
    ):
        for i in _speaker_then_midpoint_order(columns, begins, durations):
            if durations[i] > 0:
                code = int(columns.speakers[i])
                events += [(begins[i], _BEGIN, source, code), (ends[i], _END, source, code)]
    events = perl_sort(events, _compare)

    overlap = np.zeros((reference.n_speakers, hypothesis.n_speakers))
    active: tuple[dict[int, int], dict[int, int]] = ({}, {})
    evaluating = False
    start = 0.0
    for time, kind, source, code in events:
        if evaluating and start < time:
            duration = time - start
            for r in active[0]:
                for h in active[1]:
                    overlap[r, h] += duration
            start = time
        if source == _UEM:
            evaluating = kind == _BEGIN
            if evaluating:
                start = time
        else:
            counts = active[source - 1]
            counts[code] = counts.get(code, 0) + (1 if kind == _BEGIN else -1)
            if not counts[code]:
                del counts[code]
    return overlap


def _float_times(columns: TrackArrays) -> tuple[list[float], list[float], list[float]]:
    """``TBEG``, ``TEND = TBEG + TDUR`` and ``TDUR`` as md-eval computes them (lines 531-557)."""
    begins = [int(t) / TICKS_PER_SECOND for t in columns.starts]
    lengths = columns.ends - columns.starts
    durations = [int(length) / TICKS_PER_SECOND for length in lengths]
    ends = [b + d for b, d in zip(begins, durations, strict=True)]
    return begins, ends, durations


def _speaker_then_midpoint_order(
    columns: TrackArrays, begins: list[float], durations: list[float]
) -> list[int]:
    """Turn indices grouped by speaker name, each speaker's turns by midpoint (line 589).

    md-eval visits speakers in Perl's hash order, which changes from run to run; reviewer
    takes them by name, one of the orders md-eval can take.
    """
    names = columns.labels
    return sorted(
        range(len(begins)),
        key=lambda i: (str(names[int(columns.speakers[i])]), begins[i] + durations[i] / 2),
    )


def _compare(a: tuple[float, int, int, int], b: tuple[float, int, int, int]) -> int:
    """md-eval's event order (line 2286): by time within 1e-8 s, then ends before begins."""
    if a[0] < b[0] - EPSILON:
        return -1
    if a[0] > b[0] + EPSILON:
        return 1
    return -1 if a[1] == _END else 1
