"""Two systems scored on the same recordings: which recordings and error classes changed.

Everything is kept in seconds (:class:`~reviewer.metrics.der.DiarizationScore`,
:class:`~reviewer.metrics.breakdown.ClassErrors`); DER points come from
:func:`reviewer.metrics.numbers.points`. Totals are time-weighted as md-eval's, over the
recordings both systems could be scored on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.corpus.entries import CorpusEntry
from reviewer.corpus.scoring import (
    DEFAULT_SETTINGS,
    RecordingRow,
    score_entries,
    sum_classes,
    sum_scores,
)
from reviewer.metrics.breakdown import CLASSES, ClassErrors
from reviewer.metrics.der import ZERO, DiarizationScore
from reviewer.metrics.numbers import percent, points
from reviewer.model.scoring import ScoringSettings


def der_points(score: DiarizationScore | None) -> float | None:
    """A score's DER in percent points, or None when it was not or nothing was scored."""
    return None if score is None else percent(score.der)


@dataclass(frozen=True)
class RecordingChange:
    """One recording under two systems (None: could not be scored under that system)."""

    uri: str
    a: DiarizationScore | None
    b: DiarizationScore | None

    @property
    def der_a(self) -> float | None:
        """DER of A (a ratio), None when nothing was scored."""
        return None if self.a is None else self.a.der

    @property
    def der_b(self) -> float | None:
        """DER of B (a ratio), None when nothing was scored."""
        return None if self.b is None else self.b.der

    @property
    def delta(self) -> float | None:
        """DER points of B minus DER points of A (negative: B is better)."""
        a, b = self.der_a, self.der_b
        return None if a is None or b is None else percent(b - a)


@dataclass(frozen=True)
class ClassChange:
    """One error class over the corpus under two systems (``scored``: speaker seconds)."""

    name: str
    a: ClassErrors
    b: ClassErrors
    scored: float

    def points(self, which: str) -> float:
        """The class's share of the corpus DER, in percent points, for ``"a"`` or ``"b"``.

        0 when nothing was scored.
        """
        value = points(getattr(self, which).error, self.scored)
        return 0.0 if value is None else value

    def rate_points(self, which: str) -> float | None:
        """The class's error rate (errors per second of exposure) in percent, or None."""
        return percent(getattr(self, which).rate)

    @property
    def delta(self) -> float:
        """Points of B minus points of A (negative: B is better here)."""
        return self.points("b") - self.points("a")


@dataclass(frozen=True)
class SystemComparison:
    """Two systems scored on the same recordings: which recordings and classes changed.

    Totals and classes cover the recordings both systems could be scored on; the others are
    listed in ``unscored``.
    """

    recordings: tuple[RecordingChange, ...]
    classes: tuple[ClassChange, ...]
    total_a: DiarizationScore
    total_b: DiarizationScore
    unscored: tuple[str, ...] = ()  # could not be scored under A or B: left out of totals

    def changed(self, threshold: float = 0.5) -> tuple[list[str], list[str]]:
        """The recordings B made better and worse by more than ``threshold`` DER points."""
        better = [r.uri for r in self.recordings if r.delta is not None and r.delta < -threshold]
        worse = [r.uri for r in self.recordings if r.delta is not None and r.delta > threshold]
        return better, worse

    def as_dict(self) -> dict:
        """JSON-ready numbers (DER and rates in percent, class shares in DER points)."""
        return {
            "der_a": der_points(self.total_a),
            "der_b": der_points(self.total_b),
            "unscored": list(self.unscored),
            "recordings": [
                {
                    "uri": r.uri,
                    "der_a": der_points(r.a),
                    "der_b": der_points(r.b),
                    "delta": r.delta,
                }
                for r in self.recordings
            ],
            "classes": [
                {
                    "class": c.name,
                    "points_a": c.points("a"),
                    "points_b": c.points("b"),
                    "rate_a": c.rate_points("a"),
                    "rate_b": c.rate_points("b"),
                    "delta": c.delta,
                }
                for c in self.classes
            ],
        }


def compare_systems(rows_a: list[RecordingRow], rows_b: list[RecordingRow]) -> SystemComparison:
    """Compare two systems' rows of the same recordings (see :func:`score_entries`).

    Recordings are matched by uri; one that could not be scored under either system is
    listed with None. Corpus totals are time-weighted like md-eval's.
    """
    by_uri = {row.uri: row for row in rows_b}
    matched = [(a, by_uri.get(a.uri)) for a in rows_a]

    def scored(row: RecordingRow | None) -> DiarizationScore | None:
        return None if row is None or row.problem is not None else row.score

    recordings = tuple(RecordingChange(a.uri, scored(a), scored(b)) for a, b in matched)
    # totals over the recordings both systems could be scored on, so that they compare
    unscored = tuple(r.uri for r in recordings if r.a is None or r.b is None)
    left_out = set(unscored)
    side_a = [a for a, _ in matched if a.uri not in left_out]
    side_b = [b for a, b in matched if b is not None and a.uri not in left_out]
    total_a = sum_scores((row.score for row in side_a), ZERO)
    total_b = sum_scores((row.score for row in side_b), ZERO)
    classes_a = sum_classes(row.classes for row in side_a)
    classes_b = sum_classes(row.classes for row in side_b)
    classes = tuple(
        ClassChange(name, classes_a[name], classes_b[name], total_a.scored) for name in CLASSES
    )
    return SystemComparison(recordings, classes, total_a, total_b, unscored)


def compare_entries(
    entries: list[CorpusEntry], other: str | Path, settings: ScoringSettings = DEFAULT_SETTINGS
) -> SystemComparison:
    """Each entry's own system output (A) against another system's output (B)."""
    return compare_systems(
        score_entries(entries, None, settings),
        score_entries(entries, None, settings, system=other),
    )
