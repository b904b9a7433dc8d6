"""A diagnosis that names the fix: speaker splits and merges, and who raises the false alarms.

A *split* is one reference speaker spread over several system speakers; a *merge* is
several reference speakers inside one system speaker. For each, :func:`diagnose` builds the
relabelling that would fix it and rescores it exactly, with the same md-eval-22 engine,
regions and settings as :func:`~reviewer.metrics.der.score`: relabelling moves no boundary,
so the elementary intervals, the UEM, collars and skipped overlap stay the same, and only
the system speakers' activity in each interval changes. The promised DER is therefore the
DER ``reviewer score`` gives the relabelled track, to the tick.

The rules (constants below):

- **Candidates.** Scored co-occurrence ``C[r, h]`` (seconds reference speaker ``r`` and
  system speaker ``h`` speak together where md-eval scores). A *split* of ``r`` names every
  system speaker ``h`` other than ``r``'s main one (the one md-eval maps ``r`` to, or the
  one it shares most time with when unmapped) holding at least :data:`MIN_SHARE` of ``r``'s
  scored time. A *merge* in ``h`` names every reference speaker other than ``h``'s main one
  (most co-occurrence) holding at least :data:`MIN_SHARE` of ``h``'s scored speech.
- **Split fix.** Every turn of the extra system speaker is given to the main one (one
  "merge speaker" relabelling, as Ctrl+R does).
- **Merge fix.** The turns of ``h`` that belong to the secondary reference speaker ``r2`` go
  to a new system speaker. A turn belongs to ``r2`` when, of all reference speakers, ``r2``
  shares the most scored time with it (strictly more than any other). This is md-eval's own
  criterion for pairing speakers (most co-occurrence, md-eval-22.pl's
  ``weighted_bipartite_graph_match``) applied turn by turn; a turn split between speakers
  stays where it is. The new speaker is named in the style of the one it leaves
  (:func:`reviewer.model.speakers.new_speaker_name`).
- **Listed.** Only fixes that lower DER by at least :data:`MIN_POINTS` DER points,
  largest first.
- **False alarm by system speaker.** md-eval counts ``max(Nh - Nr, 0)`` false-alarm speakers
  in an interval without naming them; here they are shared equally among the system
  speakers active there that are not correct (not mapped to an active reference speaker),
  so the shares add up to md-eval's false alarm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from reviewer.metrics.der import DiarizationScore, resolve_settings
from reviewer.metrics.engine import (
    Intervals,
    covered,
    elementary_intervals,
    interval_errors,
    sums_of,
)
from reviewer.metrics.inputs import columns
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.numbers import points
from reviewer.metrics.regions import ScoringRegions, scoring_regions
from reviewer.metrics.replay import mdeval_cooccurrence
from reviewer.model.annotation import Track, TrackArrays, Turn
from reviewer.model.speakers import new_speaker_name
from reviewer.model.time import TICKS_PER_SECOND

if TYPE_CHECKING:
    from reviewer.metrics.inputs import UemLike
    from reviewer.model.exclusions import Exclusions
    from reviewer.model.scoring import ScoringSettings

__all__ = [
    "MIN_POINTS",
    "MIN_SHARE",
    "Diagnosis",
    "FalseAlarm",
    "Fix",
    "diagnose",
]

MIN_SHARE = 0.10
"""The least share of a speaker's scored time the second speaker must hold to be named."""

MIN_POINTS = 0.1
"""The least DER points (percent of scored time) a fix must recover to be listed."""


@dataclass(frozen=True)
class Fix:
    """A relabelling of system turns that fixes a split or a merge, with its exact effect.

    Attributes
    ----------
    kind
        ``"split"`` (``reference`` spread over ``system`` and ``target``) or ``"merge"``
        (``reference`` inside ``system``, moved to the new speaker ``target``).
    reference
        The reference speaker split, or the secondary reference speaker of a merge.
    system
        The system speaker whose turns are relabelled.
    target
        The system speaker they are given to (a new name for a merge).
    turns
        The turns of the scored system track relabelled (as they are now).
    share
        The share of the speaker's scored time that named the candidate (0-1).
    before, after
        The score now and after the relabelling (seconds, exact).
    """

    kind: Literal["split", "merge"]
    reference: str
    system: str
    target: str
    turns: tuple[Turn, ...]
    share: float
    before: DiarizationScore
    after: DiarizationScore

    @property
    def recovered(self) -> float:
        """DER points (percent of scored time) the fix recovers."""
        return (points(self.before.error, self.before.scored) or 0.0) - (
            points(self.after.error, self.after.scored) or 0.0
        )

    def relabelled(self) -> tuple[Turn, ...]:
        """The turns as the fix leaves them (``turns`` given to ``target``)."""
        return tuple(Turn(t.start, t.end, self.target) for t in self.turns)

    def describe(self) -> str:
        """One line: what is wrong and what the fix does."""
        share = f"{100 * self.share:.0f} %"
        if self.kind == "split":
            return (
                f"Split: {self.reference} is also {self.system} ({share} of its time); "
                f"give {self.system} to {self.target}"
            )
        return (
            f"Merge: {self.system} also holds {self.reference} ({share} of its time); "
            f"move its {len(self.turns)} turns of {self.reference} to {self.target}"
        )


@dataclass(frozen=True)
class FalseAlarm:
    """One system speaker's share of md-eval's false alarm.

    Attributes
    ----------
    speaker
        The system speaker.
    seconds
        Its false-alarm seconds (see the module docstring for how they are shared).
    share
        Its part of the recording's false alarm (0-1).
    speech
        Seconds it speaks in the scored region (what ``seconds`` is part of).
    """

    speaker: str
    seconds: float
    share: float
    speech: float


@dataclass(frozen=True)
class Diagnosis:
    """Splits, merges and their fixes, and the false alarm by system speaker.

    Attributes
    ----------
    score
        The score diagnosed (equal to :func:`~reviewer.metrics.der.score`'s).
    fixes
        Fixes recovering at least :data:`MIN_POINTS`, most recovered first.
    false_alarms
        Per system speaker with false alarm, most first.
    """

    score: DiarizationScore
    fixes: tuple[Fix, ...] = ()
    false_alarms: tuple[FalseAlarm, ...] = ()

    @property
    def splits(self) -> tuple[Fix, ...]:
        """The fixes of splits."""
        return tuple(f for f in self.fixes if f.kind == "split")

    @property
    def merges(self) -> tuple[Fix, ...]:
        """The fixes of merges."""
        return tuple(f for f in self.fixes if f.kind == "merge")


@dataclass(frozen=True)
class _Scored:
    """One recording's intervals and base score, shared by every rescoring."""

    reference: TrackArrays
    hypothesis: TrackArrays
    turns: tuple[Turn, ...]
    regions: ScoringRegions
    parts: Intervals

    def score(
        self, hyp: TrackArrays, changed: Iterable[int] = ()
    ) -> tuple[DiarizationScore, list[tuple[int, int]]]:
        """md-eval's score with the system turns labelled as ``hyp`` (same times).

        ``changed``: the speaker codes whose turns differ from the diagnosed track's (the
        others keep their activity).
        """
        parts = self.parts
        active = np.zeros((hyp.n_speakers, len(parts.weights)), dtype=bool)
        active[: parts.hyp_active.shape[0]] = parts.hyp_active
        for code in changed:
            mine = hyp.speakers == code
            active[code] = covered(parts.bounds, hyp.starts[mine], hyp.ends[mine])
        sums = sums_of(
            Intervals(parts.bounds, parts.ref_active, active, parts.evaluated, parts.weights)
        )
        ref, regions = self.reference, self.regions
        pairs = speaker_mapping(
            sums.cooccurrence,
            ref.labels,
            hyp.labels,
            lambda: mdeval_cooccurrence(ref, hyp, regions.as_read),
        )
        score = DiarizationScore.from_ticks(
            sums.scored, sums.missed, sums.false_alarm, sums.confusion(pairs)
        )
        return score, pairs

    def relabel(self, chosen: np.ndarray, target: str) -> TrackArrays:
        """The system columns with the turns ``chosen`` (a mask) given to ``target``."""
        hyp = self.hypothesis
        labels = hyp.labels if target in hyp.labels else (*hyp.labels, target)
        speakers = np.where(chosen, labels.index(target), hyp.speakers)
        return TrackArrays(hyp.starts, hyp.ends, speakers, labels)


def diagnose(
    reference: Track,
    hypothesis: Track,
    *,
    uem: UemLike = None,
    settings: ScoringSettings | None = None,
    exclusions: Exclusions | None = None,
    min_share: float = MIN_SHARE,
    min_points: float = MIN_POINTS,
) -> Diagnosis:
    """Name the splits and merges of ``hypothesis`` and what fixing each recovers.

    Parameters
    ----------
    reference, hypothesis
        The two tracks (ticks).
    uem, settings, exclusions
        As for :func:`~reviewer.metrics.der.score` (collar: seconds on EACH side, as
        md-eval's ``-c``): rescore with the settings the live score uses.
    min_share, min_points
        The thresholds (:data:`MIN_SHARE`, a ratio; :data:`MIN_POINTS`, DER points).

    Returns
    -------
    Diagnosis
        The fixes (each with its exact score after), and false alarm per system speaker.

    Raises
    ------
    ValueError, TypeError
        For settings :func:`~reviewer.metrics.der.score` refuses.
    """
    settings = resolve_settings(0.0, False, settings)
    ref, hyp = columns(reference), columns(hypothesis)
    regions = scoring_regions(uem, ref, settings, exclusions)
    parts = elementary_intervals(ref, hyp, regions)
    if parts is None:
        return Diagnosis(DiarizationScore(0.0, 0.0, 0.0, 0.0))
    base = _Scored(ref, hyp, hypothesis.turns, regions, parts)
    before, pairs = base.score(hyp)
    fixes = [
        fix for fix in _candidates(base, before, pairs, min_share) if fix.recovered >= min_points
    ]
    fixes.sort(key=lambda f: (-f.recovered, f.kind, f.reference, f.system))
    return Diagnosis(before, tuple(fixes), _false_alarms(parts, pairs, hyp.labels))


def _candidates(
    base: _Scored, before: DiarizationScore, pairs: list[tuple[int, int]], min_share: float
) -> Iterable[Fix]:
    """Every split and merge fix named by the share rule, rescored."""
    parts, ref, hyp = base.parts, base.reference, base.hypothesis
    weights = parts.weights
    together = (parts.ref_active * weights) @ parts.hyp_active.T.astype(np.int64)  # [r, h]
    ref_time = parts.ref_active.astype(np.int64) @ weights
    hyp_time = parts.hyp_active.astype(np.int64) @ weights
    mapped = dict(pairs)
    for r, name in enumerate(ref.labels):
        if ref_time[r] == 0:
            continue
        main = mapped.get(r, int(together[r].argmax()))
        for h in np.flatnonzero(together[r] >= min_share * ref_time[r]).tolist():
            if h == main or together[r, h] == 0:
                continue
            chosen = hyp.speakers == h
            after, _ = base.score(base.relabel(chosen, hyp.labels[main]), (h, main))
            yield Fix(
                "split",
                name,
                hyp.labels[h],
                hyp.labels[main],
                _turns(base.turns, chosen),
                int(together[r, h]) / int(ref_time[r]),
                before,
                after,
            )
    turn_overlap = _turn_overlap(parts, hyp)  # [turn, r]
    for h, name in enumerate(hyp.labels):
        if hyp_time[h] == 0:
            continue
        main = int(together[:, h].argmax())
        for r in np.flatnonzero(together[:, h] >= min_share * hyp_time[h]).tolist():
            if r == main or together[r, h] == 0:
                continue
            chosen = (hyp.speakers == h) & _belongs(turn_overlap, r)
            if not chosen.any():
                continue
            target = new_speaker_name(hyp.labels, like=name)
            after, _ = base.score(base.relabel(chosen, target), (h, len(hyp.labels)))
            yield Fix(
                "merge",
                ref.labels[r],
                name,
                target,
                _turns(base.turns, chosen),
                int(together[r, h]) / int(hyp_time[h]),
                before,
                after,
            )


def _turns(turns: tuple[Turn, ...], chosen: np.ndarray) -> tuple[Turn, ...]:
    """The turns of a :class:`Track` picked by a mask over its columns (same order)."""
    return tuple(turns[i] for i in np.flatnonzero(chosen).tolist())


def _turn_overlap(parts: Intervals, hyp: TrackArrays) -> np.ndarray:
    """``[turn, r]``: scored ticks each system turn shares with each reference speaker."""
    cumulative = np.zeros((parts.ref_active.shape[0], len(parts.bounds)), dtype=np.int64)
    np.cumsum(parts.ref_active * parts.weights, axis=1, out=cumulative[:, 1:])
    top = len(parts.bounds) - 1  # turns are clipped to the evaluated stretch
    first = np.minimum(np.searchsorted(parts.bounds, hyp.starts), top)
    last = np.minimum(np.searchsorted(parts.bounds, hyp.ends), top)
    return (cumulative[:, last] - cumulative[:, first]).T


def _belongs(turn_overlap: np.ndarray, r: int) -> np.ndarray:
    """Turns sharing strictly more scored time with reference speaker ``r`` than any other."""
    others = np.delete(turn_overlap, r, axis=1)
    best_other = others.max(axis=1) if others.shape[1] else np.zeros(len(turn_overlap))
    return turn_overlap[:, r] > best_other


def _false_alarms(
    parts: Intervals, pairs: list[tuple[int, int]], labels: tuple[str, ...]
) -> tuple[FalseAlarm, ...]:
    """md-eval's false alarm shared among the system speakers that are not correct."""
    counts = interval_errors(parts, pairs)
    used = np.zeros_like(parts.hyp_active)
    for r, h in pairs:
        used[h] |= counts.correct[r]
    spare = parts.hyp_active & ~used
    seconds = parts.weights / TICKS_PER_SECOND
    per = seconds * counts.false_alarm / np.maximum(spare.sum(axis=0), 1)
    alarms = (spare * per).sum(axis=1)
    speech = parts.hyp_active @ seconds
    total = float(alarms.sum())
    rows = [
        FalseAlarm(name, float(alarms[h]), float(alarms[h]) / total, float(speech[h]))
        for h, name in enumerate(labels)
        if alarms[h] > 0
    ]
    return tuple(sorted(rows, key=lambda row: (-row.seconds, row.speaker)))
