"""md-eval-22's speaker mapping, tie-breaking included.

md-eval maps reference to system speakers with its own Kuhn-Munkres implementation
(``weighted_bipartite_graph_match``, md-eval-22.pl lines 2676-2906) over the speakers
sorted by name, on costs ``-overlap`` it summed in floating point. The rule reviewer
implements:

1. The co-occurrence is computed exactly (integer ticks) and md-eval's matcher, ported line
   by line, is run on it (:func:`speaker_mapping`).
2. If another one-to-one mapping reaches the same total co-occurrence (a *tie*, found by
   solving once more with the chosen pairs slightly penalised), the exact sums cannot say which
   one md-eval returns: its choice is made by the rounding of its floating-point sums. The
   co-occurrence is then recomputed as md-eval computes it
   (:func:`~reviewer.metrics.replay.mdeval_cooccurrence`: same doubles, same segment
   order) and the same matcher is run on those floating-point costs, so the mapping is the
   one md-eval picks.

Without a tie the two agree (rounding errors are ~1e-15 s, far below one tick), so step 2
costs nothing in the usual case. When md-eval's floating-point sums of the tied mappings are
themselves equal, its pick depends on Perl's per-process hash order (md-eval-22 run 40 times
on ``tie_055`` of the conformance material returns each of two mappings 20 times); reviewer
then returns the one md-eval returns when it visits speakers by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_PRECISION = 10**12  # md-eval's no-match cost is max overlap * (1 + 1e-12)


def speaker_mapping(
    cooccurrence: np.ndarray,
    ref_labels: Sequence[str],
    hyp_labels: Sequence[str],
    tie_breaker: Callable[[], np.ndarray] | None = None,
) -> list[tuple[int, int]]:
    """md-eval's one-to-one mapping maximising co-occurrence, as ``(ref code, hyp code)`` pairs.

    Parameters
    ----------
    cooccurrence
        ``[r, h]``: time (integer ticks) reference speaker ``r`` and system speaker ``h``
        are active together. Pairs that never co-occur are never mapped.
    ref_labels, hyp_labels
        Speaker names by code; md-eval sorts speakers by name, which decides ties.
    tie_breaker
        Returns md-eval's own floating-point co-occurrence (seconds, same shape); called only
        when several mappings tie on ``cooccurrence`` (see the module docstring). Without
        it, ties are broken by the matcher on the exact sums.

    Returns
    -------
    list of tuple
        Sorted ``(reference code, system code)`` pairs.
    """
    ticks = np.asarray(cooccurrence)
    if not np.issubdtype(ticks.dtype, np.integer):  # tick sums computed in float64
        ticks = np.rint(ticks).astype(np.int64)
    pairs = _mapping(ticks, ref_labels, hyp_labels, exact=True)
    if tie_breaker is not None and _tied(ticks, pairs, ref_labels, hyp_labels):
        return _mapping(tie_breaker(), ref_labels, hyp_labels, exact=False)
    return pairs


def _mapping(
    cooccurrence: np.ndarray, ref_labels: Sequence[str], hyp_labels: Sequence[str], exact: bool
) -> list[tuple[int, int]]:
    """Run md-eval's matcher on a co-occurrence matrix.

    ``exact``: integer ticks, as scaled integer costs (no rounding); otherwise md-eval's own
    floating-point seconds and costs, rounding included.
    """
    positive = cooccurrence > 0
    ref_present = np.flatnonzero(positive.any(axis=1)).tolist()
    if not ref_present:
        return []
    hyp_present = np.flatnonzero(positive.any(axis=0)).tolist()
    ref_codes = sorted(ref_present, key=lambda r: str(ref_labels[r]))
    hyp_codes = sorted(hyp_present, key=lambda h: str(hyp_labels[h]))
    best = cooccurrence.max()
    best = int(best) if exact else float(best)
    reverse = len(ref_codes) < len(hyp_codes)
    rows, cols = (hyp_codes, ref_codes) if reverse else (ref_codes, hyp_codes)
    table = cooccurrence[np.ix_(ref_codes, hyp_codes)]
    values = (table.T if reverse else table).tolist()  # Python ints or floats, row by row
    if exact:
        cost = [[(best - v) * _PRECISION if v > 0 else None for v in line] for line in values]
    else:  # md-eval's -overlap - min(-overlap) (line 2711): the same double
        cost = [[best - v if v > 0 else None for v in line] for line in values]
    # md-eval's no-match cost, line 2725: -min_score * (1 + 1e-12)
    no_match = best * (_PRECISION + 1) if exact else best * (1 + 1e-12)
    matches = _match(cost, no_match=no_match)
    result = []
    for k, m in matches:
        r, h = (cols[m], rows[k]) if reverse else (rows[k], cols[m])
        result.append((r, h))
    return sorted(result)


def _tied(
    ticks: np.ndarray,
    pairs: list[tuple[int, int]],
    ref_labels: Sequence[str],
    hyp_labels: Sequence[str],
) -> bool:
    """Whether another one-to-one mapping reaches the co-occurrence of the optimal ``pairs``.

    A different optimal mapping lacks at least one of the chosen pairs (weights are
    positive, so it cannot contain them all and more). Scaling every weight by ``K + 1``
    (``K`` the most pairs a mapping can have) and taking one tick off each chosen pair keeps
    every strictly better mapping better and makes any tied one win, so the matcher run
    once more returns ``pairs`` again exactly when there is no tie.
    """
    if not pairs:
        return False
    scale = min(ticks.shape) + 1
    trial = ticks.astype(np.int64) * scale
    for r, h in pairs:
        trial[r, h] -= 1
    return _mapping(trial, ref_labels, hyp_labels, exact=True) != pairs


def _match(cost: list[list[Any]], no_match: float) -> list[tuple[int, int]]:
    """Port of md-eval's weighted_bipartite_graph_match on a cost table (None: no edge).

    One extra row ("miss") and column ("fa") are added, as md-eval does; returns the
    matched ``(row, col)`` pairs that have an edge.
    """
    nrows, ncols = len(cost) + 1, len(cost[0]) + 1
    nmax = max(nrows, ncols)

    def c(k: int, m: int) -> float:
        if k < nrows - 1 and m < ncols - 1:
            value = cost[k][m]
            return no_match if value is None else value
        return no_match

    col_min = [no_match] * nmax
    for m in range(ncols - 1):
        for k in range(nrows - 1):
            value = cost[k][m]
            if value is not None and value < col_min[m]:
                col_min[m] = value

    row_mate: list[int | None] = [None] * nmax
    col_mate: list[int] = [-1] * nmax
    row_dec: list[float] = [0] * nmax
    col_inc: list[float] = [0] * nmax
    slack: list[float] = [math.inf] * nmax
    slack_row = [0] * nmax
    parent_row = [-1] * nmax
    unchosen: list[int] = []

    for k in range(nmax):
        row_min = no_match
        for m in range(ncols):
            value = (c(k, m) if k < nrows else no_match) - col_min[m]
            row_min = min(row_min, value)
        row_dec[k] = row_min
        for m in range(nmax):
            value = (c(k, m) if k < nrows else no_match) - col_min[m]
            if value == row_min and row_mate[m] is None:
                col_mate[k] = m
                row_mate[m] = k
                break
        else:
            col_mate[k] = -1
            unchosen.append(k)

    def cell(k: int, m: int) -> float:
        return (c(k, m) if k < nrows else no_match) - col_min[m]

    unmatched = len(unchosen)
    while unmatched:
        k, m = _augmenting_path(
            cell, nmax, unchosen, row_dec, col_inc, slack, slack_row, parent_row, row_mate
        )
        while True:
            j = col_mate[k]
            col_mate[k] = m
            row_mate[m] = k
            if j < 0:
                break
            k = parent_row[j]
            m = j
        unmatched -= 1
        if not unmatched:
            break
        for m in range(nmax):
            parent_row[m] = -1
            slack[m] = math.inf
        unchosen[:] = [k for k in range(nmax) if col_mate[k] < 0]

    return [
        (k, m)
        for m, k in enumerate(row_mate)
        if k is not None and k < nrows - 1 and m < ncols - 1 and cost[k][m] is not None
    ]


def _augmenting_path(
    cell, nmax, unchosen, row_dec, col_inc, slack, slack_row, parent_row, row_mate
) -> tuple[int, int]:
    """One stage of the search: the (row, column) where the matching can grow."""
    q = 0
    while True:
        while q < len(unchosen):
            k = unchosen[q]
            s = row_dec[k]
            for m in range(nmax):
                if slack[m] > 0:
                    delta = cell(k, m) - s + col_inc[m]
                    if delta < slack[m]:
                        if delta == 0:
                            if row_mate[m] is None:
                                return k, m
                            slack[m] = 0
                            parent_row[m] = k
                            unchosen.append(row_mate[m])
                        else:
                            slack[m] = delta
                            slack_row[m] = k
            q += 1
        s = min((value for value in slack if value), default=math.inf)
        for row in unchosen:
            row_dec[row] += s
        for m in range(nmax):
            if slack[m]:
                slack[m] -= s
                if slack[m] == 0:
                    k = slack_row[m]
                    if row_mate[m] is None:
                        for j in range(m + 1, nmax):
                            if slack[j] == 0:
                                col_inc[j] += s
                        return k, m
                    parent_row[m] = k
                    unchosen.append(row_mate[m])
            else:
                col_inc[m] += s
