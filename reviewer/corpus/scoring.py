"""Scoring a corpus: one row per recording (md-eval's DER and its breakdown), and totals.

Rows hold md-eval's :class:`~reviewer.metrics.der.DiarizationScore` and the breakdown's
:class:`~reviewer.metrics.breakdown.ClassErrors` per class, in seconds; every percentage is
computed from them where it is shown (:mod:`reviewer.metrics.numbers`). Corpus totals are
time-weighted as md-eval's: seconds summed over recordings, then one division.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypeVar

from reviewer.corpus.entries import CorpusEntry, system_files
from reviewer.corpus.project import STATUSES, Project, ProjectEntry
from reviewer.io import FormatError, read_uem
from reviewer.io.rttm import RttmContents, read_rttm_contents
from reviewer.metrics.breakdown import CLASSES, NO_ERRORS, STRUCTURE, ClassErrors, breakdown
from reviewer.metrics.der import ZERO, DiarizationScore
from reviewer.metrics.numbers import points
from reviewer.metrics.pairing import lookup_uem
from reviewer.model.annotation import Track
from reviewer.model.exclusions import Exclusions
from reviewer.model.scoring import ScoringSettings
from reviewer.model.time import TICKS_PER_SECOND

Score = TypeVar("Score", bound=DiarizationScore)

DEFAULT_SETTINGS = ScoringSettings()
"""md-eval's defaults: no collar, overlap scored."""
SPEAKER_CLASSES = tuple(name for name in CLASSES if name not in STRUCTURE)
"""The classes where only the voices can be blamed: steady speech and non-speech."""


def class_points(
    classes: Mapping[str, ClassErrors], names: Iterable[str], scored: float
) -> float | None:
    """DER points of some error classes: their error seconds over ``scored`` seconds, x 100.

    None when nothing was scored; a class missing from ``classes`` counts as no error.
    """
    return points(sum(classes[n].error for n in names if n in classes), scored)


def sum_scores(scores: Iterable[Score], zero: Score) -> Score:
    """``sum(scores, zero)``, field by field in the same order, in one pass per field.

    The same floats as adding the scores one by one (md-eval's time weighting: seconds
    summed), without building a score per addition: totals are redone as rows arrive.
    """
    scores = list(scores)
    return type(zero)(
        *(sum((getattr(s, f.name) for s in scores), getattr(zero, f.name)) for f in fields(zero))
    )


def sum_classes(parts: Iterable[Mapping[str, ClassErrors]]) -> dict[str, ClassErrors]:
    """Each class's errors summed over recordings (seconds: md-eval's time weighting)."""
    parts = list(parts)
    return {
        name: sum_scores((part[name] for part in parts if name in part), NO_ERRORS)
        for name in CLASSES
    }


class SplitByCause:
    """DER points split by cause, for anything with a ``score`` and its ``classes``."""

    score: DiarizationScore
    classes: Mapping[str, ClassErrors]

    @property
    def structure_points(self) -> float | None:
        """DER points (percent) from overlap, speaker changes and short turns."""
        return class_points(self.classes, STRUCTURE, self.score.scored)

    @property
    def speaker_points(self) -> float | None:
        """DER points (percent) in steady speech and non-speech: the voices, not the structure."""
        return class_points(self.classes, SPEAKER_CLASSES, self.score.scored)


@dataclass(frozen=True)
class RecordingRow(SplitByCause):
    """One line of the recordings table: a recording's errors, split by cause.

    Attributes
    ----------
    score
        md-eval's totals of the recording (:data:`~reviewer.metrics.der.ZERO` when it could
        not be scored).
    classes
        The errors of each class of :data:`~reviewer.metrics.breakdown.CLASSES` (empty when
        it could not be scored).
    problem
        Why it could not be scored, or None.
    corrected
        Whether the reviewer's corrections were scored instead of the system output.
    """

    uri: str
    duration: float
    speakers: int
    score: DiarizationScore = ZERO
    classes: Mapping[str, ClassErrors] = field(default_factory=dict, compare=False)
    status: str = STATUSES[0]
    problem: str | None = None
    corrected: bool = False

    @property
    def der(self) -> float | None:
        """md-eval's DER (a ratio), or None when nothing was scored."""
        return self.score.der


@dataclass(frozen=True)
class CorpusTotals(SplitByCause):
    """Totals of some rows, time-weighted like md-eval's (seconds summed, then divided).

    Attributes
    ----------
    recordings
        How many rows.
    score, classes
        Their scores and class errors summed.
    duration
        Their audio, in seconds.
    problems
        How many could not be scored.
    statuses
        How many have each review status of :data:`~reviewer.corpus.project.STATUSES`.
    """

    recordings: int
    score: DiarizationScore
    classes: Mapping[str, ClassErrors]
    duration: float
    problems: int
    statuses: Mapping[str, int]


def corpus_totals(rows: Iterable[RecordingRow]) -> CorpusTotals:
    """Time-weighted totals like md-eval's: errors summed, then divided by scored time."""
    rows = list(rows)
    return CorpusTotals(
        len(rows),
        sum_scores((row.score for row in rows), ZERO),
        sum_classes(row.classes for row in rows),
        sum(row.duration for row in rows),
        sum(row.problem is not None for row in rows),
        {status: sum(row.status == status for row in rows) for status in STATUSES},
    )


class TrackCache:
    """RTTM and UEM files read once per scoring pass (one file may hold every recording)."""

    def __init__(self) -> None:
        self._rttm: dict[Path, RttmContents] = {}
        self._uem: dict[Path, dict] = {}

    def _contents(self, path: Path) -> RttmContents:
        if path not in self._rttm:
            self._rttm[path] = read_rttm_contents(path)
        return self._rttm[path]

    def track(self, path: Path | None, uri: str) -> Track | None:
        """The turns of ``uri`` in an RTTM file, or None without a file."""
        if path is None:
            return None
        return self._contents(path).tracks.get(uri)

    def exclusions(self, path: Path | None, uri: str) -> Exclusions | None:
        """The scoring marks (``NOSCORE``, ``NON-LEX``...) of ``uri`` in an RTTM file."""
        if path is None:
            return None
        return self._contents(path).exclusions.get(uri)

    def uem(self, path: Path | None, uri: str, channel: str | None = None):
        """The scored regions of ``uri`` in a UEM file (md-eval's id matching), or None."""
        if path is None:
            return None
        if path not in self._uem:
            self._uem[path] = read_uem(path)
        return lookup_uem(self._uem[path], uri, channel)


def score_entry(
    entry: CorpusEntry,
    record: ProjectEntry | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
    *,
    system: Path | None | bool = True,
    cache: TrackCache | None = None,
) -> RecordingRow:
    """Score one recording: md-eval's DER and the breakdown by cause.

    Parameters
    ----------
    entry
        The recording.
    record
        Its review record: its corrections, when it has some, are scored instead of the
        system output.
    settings
        md-eval's collar (seconds each side) and overlap rule.
    system
        True for the entry's own system output; otherwise the RTTM file to score (or None
        for none), and the corrections are not used.
    cache
        Shares the files read across recordings.

    A recording that cannot be read gets a row with its ``problem`` instead of raising.
    """
    cache = cache or TrackCache()
    record = record or ProjectEntry()
    corrected = system is True and record.corrected is not None
    try:
        reference = cache.track(entry.reference, entry.uri) or Track(uri=entry.uri)
        if corrected:
            hypothesis = record.corrected
        else:
            path = entry.system if system is True else system or None
            hypothesis = cache.track(path, entry.uri)
        hypothesis = hypothesis or Track(uri=entry.uri)
        uem = cache.uem(entry.uem, entry.uri, reference.channel)
        result = breakdown(
            reference,
            hypothesis,
            uem=uem,
            exclusions=cache.exclusions(entry.reference, entry.uri),
            settings=settings,
        )
    except (FormatError, OSError, ValueError) as error:
        return RecordingRow(entry.uri, 0.0, 0, status=record.status, problem=str(error))
    extent = reference.extent
    return RecordingRow(
        entry.uri,
        _duration(entry.audio, extent.end / TICKS_PER_SECOND if extent else 0.0),
        len(reference.labels),
        result.total,
        result.classes,
        record.status,
        corrected=corrected,
    )


def score_entries(
    entries: list[CorpusEntry],
    project: Project | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
    *,
    system: str | Path | None = None,
    on_row: Callable[[int, int, RecordingRow], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[RecordingRow]:
    """Score every recording (see :func:`score_entry`).

    Parameters
    ----------
    system
        Another system's output (a folder of ``<uri>.rttm`` or one RTTM), scored instead of
        each entry's own system and corrections: the second system of a comparison.
    on_row
        Called with ``(done, total, row)`` after each recording, from the scoring thread.
    should_stop
        Checked before each recording; scoring stops early when it returns True.

    Raises
    ------
    FormatError
        If ``system`` does not exist.
    """
    cache = TrackCache()
    others = system_files(system) if system is not None else None
    rows = []
    for index, entry in enumerate(entries):
        if should_stop is not None and should_stop():
            break
        record = project.review.get(entry.uri) if project else None
        which = True if others is None else others.get(entry.uri)
        row = score_entry(entry, record, settings, system=which, cache=cache)
        rows.append(row)
        if on_row is not None:
            on_row(index + 1, len(entries), row)
    return rows


def _duration(audio: Path | None, fallback: float) -> float:
    if audio is None:
        return fallback
    import soundfile

    try:
        info = soundfile.info(str(audio))
    except Exception:  # unreadable audio: the reference's extent still says something
        return fallback
    return info.frames / info.samplerate
