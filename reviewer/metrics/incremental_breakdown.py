"""The error breakdown kept current by recounting only the stretch that changed.

:class:`IncrementalBreakdown` holds the breakdown of two tracks as exact sums
(:class:`~reviewer.metrics.tally.Tally`, md-eval's :class:`~reviewer.metrics.engine.Sums`),
the error intervals and the elementary interval bounds. Given the tracks again after
edits, it finds the turns that differ (one pass over the columns), widens their span to
everything that can depend on them, and recounts that stretch only: the old stretch's sums
are taken off and the new one's added, which is exact because every sum is in integer
ticks. What the stretch must cover:

- a system edit: the intervals that meet the changed turns;
- a reference edit: also the merged turns it changes, the change points whose status
  can change (within ``gap`` of them), the near-change zones (``tau``) and the
  change-distance bins (up to the last finite edge, 4 s) around those, and the collars.

The stretch is cut at interval bounds that exist before and after the edit (bounds
before it, after it, are untouched), so the intervals in it are the same as a recount of
the whole recording would find. Everything is recounted from scratch when the mapping
changes (every interval's correct speakers change), when a speaker appears or goes, when
the scored region moves with the reference (default UEM extent, md-eval's replayed walks,
scoring marks), or when the stretch is a large part of the recording.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from reviewer.metrics.breakdown import (
    CLASSES,
    NO_ERRORS,
    ClassifiedErrors,
    ErrorBreakdown,
    assemble,
    classified_errors,
)
from reviewer.metrics.curves import DISTANCE_BINS
from reviewer.metrics.der import ZERO, tie_breaker
from reviewer.metrics.engine import Intervals, Sums, elementary_intervals, interval_errors, sums_of
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.regions import ScoringRegions, scoring_regions
from reviewer.metrics.structure import Structure, reference_structure
from reviewer.metrics.tally import Tally, tally
from reviewer.model.annotation import TrackArrays
from reviewer.model.time import from_seconds

if TYPE_CHECKING:
    from reviewer.metrics.inputs import UemLike
    from reviewer.model.exclusions import Exclusions
    from reviewer.model.scoring import ScoringSettings

_RECOUNT_ALL = 0.25  # above this share of the intervals, a full recount is cheaper


@dataclass(frozen=True)
class _Inputs:
    """What one count was of: the tracks' columns and where and how they are scored."""

    reference: TrackArrays
    hypothesis: TrackArrays
    regions: ScoringRegions
    structure: Structure
    structure_bounds: np.ndarray


@dataclass(frozen=True)
class _State:
    """One count: its inputs, bounds, md-eval's sums and mapping, the tally and errors."""

    inputs: _Inputs
    bounds: np.ndarray
    totals: Sums
    pairs: list[tuple[int, int]]
    sums: Tally
    errors: ClassifiedErrors
    result: ErrorBreakdown


class IncrementalBreakdown:
    """The breakdown of two tracks, recounting only what changed since the last call.

    Parameters
    ----------
    uem, settings, exclusions
        As for :func:`~reviewer.metrics.breakdown.breakdown` (fixed for this object).
    tau, short, gap
        Seconds, as for :func:`~reviewer.metrics.breakdown.breakdown`.

    Attributes
    ----------
    recounted
        ``(lo, hi)`` ticks of the stretch the last :meth:`update` recounted, ``"all"`` for a
        full recount, or None when nothing had changed (for tests and benchmarks).
    """

    def __init__(
        self,
        *,
        uem: UemLike = None,
        settings: ScoringSettings,
        exclusions: Exclusions | None = None,
        tau: float = 0.5,
        short: float = 1.0,
        gap: float = 2.0,
    ):
        self.uem = uem
        self.settings = settings
        self.exclusions = exclusions or None
        self._tau, self._short, self._gap = (
            from_seconds(tau),
            from_seconds(short),
            from_seconds(gap),
        )
        self._margin = (
            self._gap + max(self._tau, from_seconds(DISTANCE_BINS[-2])) + settings.collar_ticks
        )
        self._state: _State | None = None
        self.recounted: tuple[int, int] | str | None = None

    def update(self, reference: TrackArrays, hypothesis: TrackArrays) -> ErrorBreakdown:
        """The breakdown of the tracks now (``columns`` of each), equal to one from scratch."""
        state = self._state
        if (
            state is None
            or state.inputs.reference.labels != reference.labels
            or state.inputs.hypothesis.labels != hypothesis.labels
        ):
            return self._recount_all(self._inputs(reference, hypothesis))
        old = state.inputs
        ref_span = _changed(old.reference, reference)
        hyp_span = _changed(old.hypothesis, hypothesis)
        if ref_span is None and hyp_span is None:
            self.recounted = None
            return state.result
        if ref_span is None:
            new = replace(old, hypothesis=hypothesis)
        else:
            new = self._inputs(reference, hypothesis)
            if not _same_regions(old.regions, new.regions):
                return self._recount_all(new)
        lo, hi = self._stretch(state, new, ref_span, hyp_span)
        bounds = state.bounds
        first, last = np.searchsorted(bounds, [lo, hi])
        if last - first > _RECOUNT_ALL * len(bounds):
            return self._recount_all(new)
        before, after = _parts(old, (lo, hi)), _parts(new, (lo, hi))
        if before is None or after is None:
            return self._recount_all(new)
        totals = state.totals - sums_of(before) + sums_of(after)
        pairs = _mapping(totals, new)
        if pairs != state.pairs:
            return self._recount_all(new)
        old_sums, _ = _count(before, pairs, old.structure)
        new_sums, new_errors = _count(after, pairs, new.structure)
        sums = state.sums - old_sums + new_sums
        errors = _spliced(state.errors, new_errors, lo, hi)
        bounds = np.concatenate([bounds[:first], after.bounds, bounds[last + 1 :]])
        result = assemble(sums, totals, pairs, reference.labels, hypothesis.labels, errors)
        self._state = _State(new, bounds, totals, pairs, sums, errors, result)
        self.recounted = (lo, hi)
        return result

    def _inputs(self, reference: TrackArrays, hypothesis: TrackArrays) -> _Inputs:
        """The tracks with the reference's scored regions and structure."""
        structure = reference_structure(reference, self._tau, self._short, self._gap)
        return _Inputs(
            reference,
            hypothesis,
            scoring_regions(self.uem, reference, self.settings, self.exclusions),
            structure,
            structure.bounds(),
        )

    def _recount_all(self, inputs: _Inputs) -> ErrorBreakdown:
        self.recounted = "all"
        parts = _parts(inputs, None)
        reference, hypothesis = inputs.reference, inputs.hypothesis
        if parts is None:
            self._state = None
            return ErrorBreakdown(
                ZERO, dict.fromkeys(CLASSES, NO_ERRORS), unmapped_system=tuple(hypothesis.labels)
            )
        totals = sums_of(parts)
        pairs = _mapping(totals, inputs)
        sums, errors = _count(parts, pairs, inputs.structure)
        result = assemble(sums, totals, pairs, reference.labels, hypothesis.labels, errors)
        self._state = _State(inputs, parts.bounds, totals, pairs, sums, errors, result)
        return result

    def _stretch(
        self,
        state: _State,
        new: _Inputs,
        ref_span: tuple[int, int] | None,
        hyp_span: tuple[int, int] | None,
    ) -> tuple[int, int]:
        """Interval bounds (before and after the edit) around all that the edit can change."""
        spans = [span for span in (hyp_span,) if span is not None]
        if ref_span is not None:
            a, b = ref_span
            for structure in (state.inputs.structure, new.structure):
                touched = (structure.starts <= b) & (structure.ends >= a)
                if touched.any():
                    a = min(a, int(structure.starts[touched].min()))
                    b = max(b, int(structure.ends[touched].max()))
            spans.append((a - self._margin, b + self._margin))
        low = min(a for a, _ in spans)
        high = max(b for _, b in spans)
        bounds = state.bounds
        i = int(np.searchsorted(bounds, low, side="left")) - 1  # the last bound before
        j = int(np.searchsorted(bounds, high, side="right"))  # the first bound after
        return int(bounds[max(i, 0)]), int(bounds[min(j, len(bounds) - 1)])


def _changed(old: TrackArrays, new: TrackArrays) -> tuple[int, int] | None:
    """``(start, end)`` ticks covering the turns that differ between two columns, or None.

    The common first and last turns are skipped; what is left of either is the change.
    """
    n_old, n_new = len(old.starts), len(new.starts)
    m = min(n_old, n_new)
    same = _equal(old, new, slice(0, m), slice(0, m))
    first = int(np.argmin(same)) if not same.all() else m
    rest = m - first
    tail = _equal(old, new, slice(n_old - rest, n_old), slice(n_new - rest, n_new))[::-1]
    last = int(np.argmin(tail)) if not tail.all() else rest
    gone, come = slice(first, n_old - last), slice(first, n_new - last)
    starts = np.concatenate([old.starts[gone], new.starts[come]])
    if len(starts) == 0:
        return None
    ends = np.concatenate([old.ends[gone], new.ends[come]])
    return int(starts.min()), int(ends.max())


def _equal(old: TrackArrays, new: TrackArrays, a: slice, b: slice) -> np.ndarray:
    return (
        (old.starts[a] == new.starts[b])
        & (old.ends[a] == new.ends[b])
        & (old.speakers[a] == new.speakers[b])
    )


def _same_regions(a: ScoringRegions, b: ScoringRegions) -> bool:
    """Whether a reference edit left the scored region's definition where it was."""
    return (
        a.scored is None
        and b.scored is None
        and (a.evaluated, a.as_read, a.collar, a.skip_overlap)
        == (b.evaluated, b.as_read, b.collar, b.skip_overlap)
    )


def _parts(inputs: _Inputs, window: tuple[int, int] | None) -> Intervals | None:
    return elementary_intervals(
        inputs.reference,
        inputs.hypothesis,
        inputs.regions,
        window=window,
        extra_bounds=inputs.structure_bounds,
    )


def _mapping(totals: Sums, inputs: _Inputs) -> list[tuple[int, int]]:
    ref, hyp = inputs.reference, inputs.hypothesis
    return speaker_mapping(
        totals.cooccurrence, ref.labels, hyp.labels, tie_breaker(ref, hyp, inputs.regions)
    )


def _count(
    parts: Intervals, pairs: list[tuple[int, int]], structure: Structure
) -> tuple[Tally, ClassifiedErrors]:
    counts = interval_errors(parts, pairs)
    label = structure.classify(parts.bounds, counts.n_ref)
    return tally(counts, pairs, structure, label), classified_errors(counts, label)


def _spliced(
    errors: ClassifiedErrors, middle: ClassifiedErrors, lo: int, hi: int
) -> ClassifiedErrors:
    """``errors`` with those in ``[lo, hi)`` replaced by ``middle``."""
    i, j = np.searchsorted(errors.starts, [lo, hi])

    def join(name: str, axis: int = 0) -> np.ndarray:
        old = getattr(errors, name)
        pieces = (old[..., :i], getattr(middle, name), old[..., j:])
        return np.concatenate(pieces, axis=axis)

    return ClassifiedErrors(
        starts=join("starts"),
        ends=join("ends"),
        missed=join("missed"),
        false_alarm=join("false_alarm"),
        confusion=join("confusion"),
        ref_active=join("ref_active", axis=1),
        hyp_active=join("hyp_active", axis=1),
        cls=join("cls"),
    )
