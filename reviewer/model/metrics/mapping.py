"""md-eval-22's speaker mapping, tie-breaking included.

md-eval maps reference to system speakers with its own Kuhn-Munkres implementation
(``weighted_bipartite_graph_match``) over the speakers sorted by name. When several
mappings share the maximal co-occurrence, which one it returns depends on that
implementation's search order, and the choice changes the confusion under collars or
overlap removal. This is a line-by-line port run on exact integer costs, so reviewer picks
the same mapping md-eval does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_PRECISION = 10**12  # md-eval's no-match cost is max overlap * (1 + 1e-12)


def speaker_mapping(
    cooccurrence: np.ndarray, ref_labels: Sequence[str], hyp_labels: Sequence[str]
) -> list[tuple[int, int]]:
    """md-eval's one-to-one mapping maximising co-occurrence, as ``(ref code, hyp code)`` pairs.

    Parameters
    ----------
    cooccurrence
        ``[r, h]``: time (integer ticks) reference speaker ``r`` and system speaker ``h``
        are active together. Pairs that never co-occur are never mapped.
    ref_labels, hyp_labels
        Speaker names by code; md-eval sorts speakers by name, which decides ties.
    """
    pairs = np.argwhere(cooccurrence > 0)
    if len(pairs) == 0:
        return []
    ref_codes = sorted({int(r) for r, _ in pairs}, key=lambda r: str(ref_labels[r]))
    hyp_codes = sorted({int(h) for _, h in pairs}, key=lambda h: str(hyp_labels[h]))
    best = int(cooccurrence.max())
    reverse = len(ref_codes) < len(hyp_codes)
    rows, cols = (hyp_codes, ref_codes) if reverse else (ref_codes, hyp_codes)
    cost: list[list[int | None]] = []
    for row in rows:
        line: list[int | None] = []
        for col in cols:
            r, h = (col, row) if reverse else (row, col)
            value = int(cooccurrence[r, h])
            line.append((best - value) * _PRECISION if value > 0 else None)
        cost.append(line)
    matches = _match(cost, no_match=best * (_PRECISION + 1))
    result = []
    for k, m in matches:
        r, h = (cols[m], rows[k]) if reverse else (rows[k], cols[m])
        result.append((r, h))
    return sorted(result)


def _match(cost: list[list[int | None]], no_match: int) -> list[tuple[int, int]]:
    """Port of md-eval's weighted_bipartite_graph_match on a cost table (None: no edge).

    One extra row ("miss") and column ("fa") are added, as md-eval does; returns the
    matched ``(row, col)`` pairs that have an edge.
    """
    nrows, ncols = len(cost) + 1, len(cost[0]) + 1
    nmax = max(nrows, ncols)

    def c(k: int, m: int) -> int:
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
    row_dec = [0] * nmax
    col_inc = [0] * nmax
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

    def cell(k: int, m: int) -> int:
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
