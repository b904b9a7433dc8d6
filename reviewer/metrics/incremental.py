"""Rescoring after one edit without rescoring the whole recording."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from reviewer.metrics.der import DiarizationScore, resolve_settings, tie_breaker
from reviewer.metrics.engine import (
    ErrorRegions,
    Sums,
    accumulate,
    elementary_intervals,
    error_regions,
)
from reviewer.metrics.inputs import columns
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.regions import ScoringRegions, scoring_regions
from reviewer.model.annotation import Track, TrackArrays, Turn

if TYPE_CHECKING:
    from reviewer.metrics.inputs import UemLike
    from reviewer.model.exclusions import Exclusions
    from reviewer.model.scoring import ScoringSettings

Side = Literal["reference", "hypothesis"]


class _Turns:
    """A growable, unordered column store of one side's turns."""

    def __init__(self, track: Track):
        arrays = columns(track)
        self.labels: dict[str, int] = {label: i for i, label in enumerate(arrays.labels)}
        self.starts, self.ends, self.speakers = arrays.starts, arrays.ends, arrays.speakers

    def code(self, speaker: str) -> int:
        return self.labels.setdefault(speaker, len(self.labels))

    def columns(self) -> TrackArrays:
        return TrackArrays(self.starts, self.ends, self.speakers, tuple(self.labels))

    def add(self, turn: Turn) -> None:
        self.starts = np.append(self.starts, turn.start)
        self.ends = np.append(self.ends, turn.end)
        self.speakers = np.append(self.speakers, self.code(turn.speaker))

    def remove_all(self, turns: Sequence[Turn]) -> None:
        """Remove each turn once (by value); KeyError, with nothing removed, if one is missing."""
        gone = np.zeros(len(self.starts), dtype=bool)
        for turn in turns:
            code = self.labels.get(turn.speaker, -1)
            found = np.flatnonzero(
                (self.starts == turn.start)
                & (self.ends == turn.end)
                & (self.speakers == code)
                & ~gone
            )
            if len(found) == 0:
                raise KeyError(f"no such turn: {turn}")
            gone[found[0]] = True
        keep = ~gone
        self.starts, self.ends, self.speakers = (
            self.starts[keep],
            self.ends[keep],
            self.speakers[keep],
        )

    def extent(self) -> tuple[int, int] | None:
        if len(self.starts) == 0:
            return None
        return int(self.starts.min()), int(self.ends.max())


class IncrementalScorer:
    """Holds a reference and a hypothesis and keeps their md-eval score up to date.

    After each :meth:`add`, :meth:`remove` or :meth:`replace`, only the stretch the edit
    touched (widened by the collar for reference edits) is summed again; the speaker
    mapping is then re-chosen over the whole recording, so :attr:`score` always equals a
    full :func:`~reviewer.metrics.der.score` of the current tracks.

    Parameters
    ----------
    reference, hypothesis
        The starting tracks.
    uem
        Scored regions, or None for md-eval's default (the reference's extent, followed as
        reference edits move it).
    collar
        Seconds on EACH side of every reference boundary (md-eval's ``-c``).
    skip_overlap
        Do not score overlapped reference speech.
    exclusions
        The reference RTTM's scoring marks (``NOSCORE``, ``NON-LEX``, ``LEXEME``); their
        zones depend on the reference's turns, so a reference edit then rescores all.
    settings
        The collar and skip-overlap as one
        :class:`~reviewer.model.scoring.ScoringSettings`, instead of ``collar`` and
        ``skip_overlap``.

    Raises
    ------
    ValueError, TypeError
        For a collar or setting that :func:`~reviewer.metrics.der.score` refuses.
    """

    def __init__(
        self,
        reference: Track,
        hypothesis: Track,
        *,
        uem: UemLike = None,
        collar: float = 0.0,
        skip_overlap: bool = False,
        exclusions: Exclusions | None = None,
        settings: ScoringSettings | None = None,
    ):
        self._sides = {"reference": _Turns(reference), "hypothesis": _Turns(hypothesis)}
        self._uem = uem
        self._exclusions = exclusions or None
        self._settings = resolve_settings(collar, skip_overlap, settings)
        self._mapping_cache: tuple[Sums, list[tuple[int, int]]] | None = None
        self._rescore_all()

    def _rescore_all(self) -> None:
        ref = self._sides["reference"].columns()
        self._regions = scoring_regions(self._uem, ref, self._settings, self._exclusions)
        self._default_extent = self._sides["reference"].extent() if self._uem is None else None
        self._sums = self._accumulate(None)

    def _accumulate(self, window: tuple[int, int] | None) -> Sums:
        return accumulate(*self.columns(), self._regions, window)

    def columns(self) -> tuple[TrackArrays, TrackArrays]:
        """The current reference and hypothesis columns."""
        return self._sides["reference"].columns(), self._sides["hypothesis"].columns()

    @property
    def settings(self) -> ScoringSettings:
        """The collar and skip-overlap scored with."""
        return self._settings

    def errors(self, window: tuple[int, int] | None = None) -> ErrorRegions:
        """Missed, false-alarm and confused regions under the current mapping.

        All of them, or those inside ``window`` (ticks); touching intervals with the same
        error counts are joined.
        """
        parts = elementary_intervals(*self.columns(), self._regions, window=window)
        return error_regions(parts, self.code_mapping())

    @property
    def regions(self) -> ScoringRegions:
        """Where the recording is evaluated and scored (UEM, scoring marks, settings)."""
        return self._regions

    @property
    def sums(self) -> Sums:
        """The current additive sums (ticks)."""
        return self._sums

    def code_mapping(self) -> list[tuple[int, int]]:
        """md-eval's mapping as ``(reference code, system code)`` pairs (cached per update)."""
        cached = self._mapping_cache
        if cached is None or cached[0] is not self._sums:
            ref, hyp = self._label_tuples()
            ties = tie_breaker(*self.columns(), self._regions)
            cached = (self._sums, speaker_mapping(self._sums.cooccurrence, ref, hyp, ties))
            self._mapping_cache = cached
        return cached[1]

    @property
    def score(self) -> DiarizationScore:
        """The current score, identical to a full rescoring."""
        sums = self._sums
        return DiarizationScore.from_ticks(
            sums.scored, sums.missed, sums.false_alarm, sums.confusion(self.code_mapping())
        )

    @property
    def mapping(self) -> dict[str, str]:
        """The current md-eval mapping, ``{reference speaker: system speaker}``."""
        ref, hyp = self._label_tuples()
        return {ref[r]: hyp[h] for r, h in self.code_mapping()}

    def _label_tuples(self) -> tuple[tuple, tuple]:
        return tuple(self._sides["reference"].labels), tuple(self._sides["hypothesis"].labels)

    def add(self, side: Side, turn: Turn) -> None:
        """Add a turn to one side."""
        self.replace(side, None, turn)

    def remove(self, side: Side, turn: Turn) -> None:
        """Remove a turn (matched by value) from one side."""
        self.replace(side, turn, None)

    def replace(self, side: Side, old: Turn | None, new: Turn | None) -> None:
        """Replace ``old`` by ``new`` on one side (move, resize or relabel a turn).

        Either may be None: adding or removing.
        """
        self.apply(side, [] if old is None else [old], [] if new is None else [new])

    def apply(self, side: Side, removed: Sequence[Turn], added: Sequence[Turn]) -> None:
        """Remove some turns (matched by value) from one side and add others, in one step.

        The stretch they cover is summed twice (before and after), however many turns.

        Raises
        ------
        KeyError
            If a removed turn is not there (nothing changes).
        """
        turns = self._sides[side]
        for old in removed:
            if old.speaker not in turns.labels:
                raise KeyError(f"no such turn: {old}")
        for new in added:
            turns.code(new.speaker)
        self._resize()
        edited = [*removed, *added]
        if not edited:
            return
        margin = self._settings.collar_ticks if side == "reference" else 0
        window = (
            min(turn.start for turn in edited) - margin,
            max(turn.end for turn in edited) + margin,
        )
        before = self._accumulate(window)
        turns.remove_all(removed)
        for new in added:
            turns.add(new)
        if side == "reference" and self._regions_moved():
            self._rescore_all()
            return
        self._sums = self._sums - before + self._accumulate(window)

    def _regions_moved(self) -> bool:
        """Whether a reference edit changed more than the window it touched.

        The default extent follows the reference's; md-eval's replayed walks (scoring marks,
        or overlap edges that meet other edges) depend on every reference turn.
        """
        if self._exclusions is not None or self._regions.scored is not None:
            return True
        if self._uem is None and self._sides["reference"].extent() != self._default_extent:
            return True
        if self._settings.skip_overlap:
            ref = self._sides["reference"].columns()
            return scoring_regions(self._uem, ref, self._settings).scored is not None
        return False

    def _resize(self) -> None:
        self._sums = self._sums.resized(
            len(self._sides["reference"].labels), len(self._sides["hypothesis"].labels)
        )
