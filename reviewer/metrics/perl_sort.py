"""Perl's ``sort``, step for step, for comparators that are not a consistent order.

md-eval-22 sorts its events with a comparator that is not an order (md-eval-22.pl line
2286): two ends (or two begins) less than 1e-8 s apart compare as "less" (or "greater")
whichever comes first. The order such a comparator leaves depends on the sorting
algorithm's exact sequence of comparisons, and that order decides md-eval's
floating-point sums (:mod:`reviewer.metrics.replay`). Perl 5's ``sort`` is Peter
McIlroy's merge sort with natural-run detection, as integrated into Perl by John P.
Linderman (``pp_sort.c``: ``dynprep`` builds the initial runs, ``mergesortsv`` merges them
with a galloping binary merge). :func:`perl_sort` reproduces its comparisons and moves, so
it returns exactly what Perl returns for any comparator (checked against perl 5.36 on
random inputs with near-equal times, ``tests/test_replay.py``).

This module is a re-expression in Python of that algorithm, whose C implementation is
distributed under the same terms as Perl itself (GPL or Artistic License); the
original's run pointers, kept inside the arrays in C, are kept in dictionaries here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
Comparator = Callable[[Any, Any], int]

#: Pairs with the same sense needed before looking for a long run (``PTHRESH``).
PTHRESH = 8
#: Elements in a row from one run before the merge gallops (``RTHRESH``).
RTHRESH = 6


def perl_sort(items: Sequence[T], cmp: Comparator) -> list[T]:
    """Sort as Perl 5's ``sort { cmp($a, $b) } @items`` does.

    Parameters
    ----------
    items
        The elements, in their initial order.
    cmp
        Returns a negative number, zero or a positive number, like Perl's sort block.

    Returns
    -------
    list
        A new list in the order Perl leaves them (stable for a consistent comparator).
    """
    n = len(items)
    data: list[list[Any]] = [list(items), [None] * n]
    nxt: list[dict[int, int]] = [{}, {}]
    if n <= 1:
        return data[0]
    BASE, AUX = 0, 1
    runs0 = _dynprep(data[BASE], nxt[AUX], n, cmp)
    level = 0
    stack = [[runs0, 0]]  # [runs, offset]
    sp = 0
    offset = 0
    which = (BASE, AUX, BASE)
    while True:
        runs = stack[sp][0]
        if runs == 0:
            iwhich = level & 1
            list1, list2 = which[iwhich], which[iwhich + 1]
            while True:
                L1, L2 = data[list1], data[list2]
                offset = stack[sp][1]
                f1 = p1 = offset
                tp2 = offset
                t = nxt[list2][offset]
                f2 = l1 = t
                t = nxt[list2][t]
                l2 = t
                offset = t
                while f1 < l1 and f2 < l2:
                    if cmp(L1[f1], L1[f2]) <= 0:
                        q, b, t, sense = f2, f1, l1, -1
                    else:
                        q, b, t, sense = f1, f2, l2, 0
                    i, run = 1, 0
                    while True:
                        p = b + i
                        if p >= t:
                            p = t - 1
                            if p > b and cmp(L1[q], L1[p]) <= sense:
                                t = p
                            else:
                                b = p
                            break
                        elif cmp(L1[q], L1[p]) <= sense:
                            t = p
                            break
                        else:
                            b = p
                        run += 1
                        if run >= RTHRESH:
                            i += i
                    b += 1
                    while b < t:
                        p = b + (t - b - 1) // 2
                        if cmp(L1[q], L1[p]) <= sense:
                            t = p
                        else:
                            b = p + 1
                    if q == f1:  # the strictly lower run of list 2, then head 1
                        f2, tp2 = _copy(L1, f2, t, L2, tp2)
                        f1, tp2 = _copy(L1, f1, f1 + 1, L2, tp2)
                    else:
                        f1, tp2 = _copy(L1, f1, t, L2, tp2)
                        f2, tp2 = _copy(L1, f2, f2 + 1, L2, tp2)
                if f1 == l1:
                    if f2 < l2:
                        f2, tp2 = _copy(L1, f2, l2, L2, tp2)
                else:
                    f1, tp2 = _copy(L1, f1, l1, L2, tp2)
                nxt[list1][p1] = tp2
                level -= 1
                if level == 0:
                    return data[BASE]
                sp -= 1
                list1, list2 = list2, list1
                runs = stack[sp][0]
                if runs != 0:
                    break
        stack[sp][0] = 0
        while runs > 2:
            level += 1
            sp += 1
            half = runs // 2
            if len(stack) <= sp:
                stack.append([0, 0])
            stack[sp][1] = offset
            stack[sp][0] = half
            runs -= half
        iwhich = level & 1
        if runs == 1:
            if iwhich:
                b = offset
                t = nxt[AUX][offset]
                _copy(data[BASE], offset, t, data[AUX], offset)
                offset = t
                nxt[BASE][b] = t
            elif level == 0:
                return data[BASE]
        else:
            level += 1
            sp += 1
            if len(stack) <= sp:
                stack.append([0, 0])
            stack[sp][1] = offset
            stack[sp][0] = 0
            if not iwhich:
                b = offset
                p = nxt[AUX][offset]
                t = nxt[AUX][p]
                _copy(data[BASE], offset, t, data[AUX], offset)
                offset = p
                nxt[BASE][b] = p
                nxt[BASE][p] = t


def _copy(source: list, start: int, stop: int, target: list, at: int) -> tuple[int, int]:
    """Perl's ``FROMTOUPTO``: copy ``source[start:stop]`` to ``target[at:]``, at least one.

    Returns the new ``start`` and ``at``.
    """
    count = max(stop - start, 1)
    target[at : at + count] = source[start : start + count]
    return start + count, at + count


def _dynprep(L1: list, nxt2: dict[int, int], n: int, cmp: Comparator) -> int:
    """Cut ``L1`` into runs (reversing descending ones); chain run starts in ``nxt2``."""
    b = 0
    last = n
    sense = cmp(L1[b], L1[b + 1]) > 0
    p2 = 0
    runs = 0
    while b < last:
        p = b + 2
        t = p
        while True:
            p += 1
            if not p < last:
                break
            if (cmp(L1[t], L1[p]) > 0) != sense:
                break
            p += 1
            t = p
        q = b
        while True:
            p = r = b + 2 * PTHRESH
            if r >= t:
                p = r = t
            else:
                while True:
                    if (cmp(L1[p - 1], L1[p]) > 0) != sense:
                        break
                    p -= 2
                    if not p > q:
                        break
                if p <= q:
                    p = q = r
                    while True:
                        p += 2
                        if not p < t:
                            break
                        if (cmp(L1[p - 1], L1[p]) > 0) != sense:
                            break
                        q = p
                    r = p = q + 2
            if q > b:
                savep = p
                p = q = q + 2
                if p == t and t + 1 == last and (cmp(L1[p - 1], L1[p]) > 0) == sense:
                    savep = r = p = q = last
                nxt2[p2] = p2 + (p - b)
                p2 = p2 + (p - b)
                runs += 1
                if sense:
                    while True:
                        p -= 1
                        if not b < p:
                            break
                        L1[b], L1[p] = L1[p], L1[b]
                        b += 1
                p = savep
            while q < p:
                nxt2[p2] = p2 + 2
                p2 += 2
                runs += 1
                if sense:
                    L1[q], L1[q + 1] = L1[q + 1], L1[q]
                q += 2
            b = p
            if b == t and t + 1 == last:
                nxt2[p2] = p2 + 1
                p2 += 1
                runs += 1
                b += 1
            q = r
            if not b < t:
                break
        sense = not sense
    return runs
