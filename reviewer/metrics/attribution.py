"""Who said what: words attributed to the speaker whose turns overlap them most, and WDER.

WDER is counted over words (:class:`WordErrors` says exactly what is counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from reviewer.metrics.inputs import columns
from reviewer.metrics.structure import merged_turns
from reviewer.model.annotation import Track
from reviewer.model.events import event

if TYPE_CHECKING:
    from reviewer.metrics.live import LiveScore


def attribute(starts: np.ndarray, ends: np.ndarray, track: Track) -> list[str | None]:
    """The speaker of ``track`` overlapping each interval ``[start, end)`` most.

    Ties go to the speaker first in sorted order; an interval no turn overlaps gets None.
    A zero-length interval takes the speaker active at its time.
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    cols = columns(track)
    m_starts, m_ends, m_speakers = merged_turns(cols)
    if len(starts) == 0:
        return []
    if not cols.labels:
        return [None] * len(starts)
    overlap = np.zeros((len(cols.labels), len(starts)), dtype=np.int64)
    probe_lo = np.where(ends > starts, starts, starts)
    probe_hi = np.where(ends > starts, ends, starts + 1)  # a point probes one tick
    for k in range(len(cols.labels)):
        s, e = m_starts[m_speakers == k], m_ends[m_speakers == k]
        if len(s) == 0:
            continue
        covered = np.concatenate(([0], np.cumsum(e - s)))
        overlap[k] = _coverage(s, e, covered, probe_hi) - _coverage(s, e, covered, probe_lo)
    best = overlap.argmax(axis=0)
    found = overlap.max(axis=0) > 0
    return [cols.labels[b] if hit else None for b, hit in zip(best, found, strict=True)]


def _coverage(s: np.ndarray, e: np.ndarray, covered: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Total length of the sorted, disjoint ``[s, e)`` before each time ``t``."""
    i = np.searchsorted(s, t, side="right")  # turns starting at or before t
    before = covered[np.maximum(i - 1, 0)]
    last = np.maximum(i - 1, 0)
    inside = np.clip(t - s[last], 0, e[last] - s[last])
    return np.where(i > 0, before + inside, 0)


def word_count(text: str) -> int:
    """How many words ``text`` holds: its whitespace-separated tokens."""
    return len(text.split())


@dataclass(frozen=True)
class WordErrors:
    """Word-level diarization error (WDER), counted over words.

    Shafey et al. (2019, "Joint speech recognition and speaker diarization via sequence
    transduction", Interspeech) define WDER as the words recognised with the wrong speaker
    over the words recognised: ``(S_IS + C_IS) / (S + C)``. reviewer has no speech
    recogniser, so every word of the transcript counts as recognised; what is counted is

        WDER = words attributed to the wrong speaker / words with a reference speaker

    where a word is attributed to the system speaker its time overlaps most
    (:func:`attribute`), and it is wrong when that is not the speaker md-eval maps its
    reference speaker to. An utterance without word times is one *unit*: its words
    (whitespace-separated tokens, :func:`word_count`) all take the utterance's speaker.

    Attributes
    ----------
    words, errors
        Counted words (those with a reference speaker) and how many are wrong.
    speakers
        ``{reference speaker: (words, errors)}``.
    wrong
        Per unit of the transcript (a timed word, or an utterance without word times, in
        :meth:`~reviewer.model.transcript.Transcript.words` order): True where wrong, None
        where not counted.
    units
        Counted units (timed words and utterances without word times).
    """

    words: int
    errors: int
    speakers: dict[str, tuple[int, int]] = field(default_factory=dict)
    wrong: tuple[bool | None, ...] = ()
    units: int = 0

    @property
    def wder(self) -> float | None:
        """The word-level diarization error rate, or None without counted words."""
        return self.errors / self.words if self.words else None


def word_errors(
    starts: np.ndarray,
    ends: np.ndarray,
    reference: Track,
    hypothesis: Track,
    mapping: dict[str, str],
    words: np.ndarray | None = None,
) -> WordErrors:
    """WDER of the units at ``[starts, ends)`` (ticks) under md-eval's ``mapping`` (ref -> system).

    ``words``: how many words each unit holds (1 for a timed word, the default; an
    utterance's word count for an utterance without word times). See :class:`WordErrors`.
    """
    weights = np.ones(len(starts), np.int64) if words is None else np.asarray(words, np.int64)
    ref = attribute(starts, ends, reference)
    hyp = attribute(starts, ends, hypothesis)
    per: dict[str, list[int]] = {}
    wrong: list[bool | None] = []
    units = 0
    for r, h, n in zip(ref, hyp, weights.tolist(), strict=True):
        if r is None:
            wrong.append(None)
            continue
        bad = h is None or mapping.get(r) != h
        wrong.append(bad)
        units += 1
        counts = per.setdefault(r, [0, 0])
        counts[0] += n
        counts[1] += n * bad
    total = sum(c[0] for c in per.values())
    errors = sum(c[1] for c in per.values())
    return WordErrors(
        total, errors, {k: (v[0], v[1]) for k, v in sorted(per.items())}, tuple(wrong), units
    )


class LiveAttribution:
    """Transcript utterances attributed to the scored track's speakers, and WDER, kept live.

    Computed on first read after each change of the tracks, settings or transcript.
    """

    updated = event(description="the attribution is out of date (read it again)")

    def __init__(self, live: LiveScore) -> None:
        self.live = live
        self._stale = True
        self._speakers: list[str | None] = []
        self._errors: WordErrors | None = None
        live.updated.connect(self._changed, priority=5)
        live.document.transcript_changed.connect(self._changed, priority=5)

    def _changed(self) -> None:
        self._stale = True
        self.updated.emit()

    def wrong_utterances(self) -> set[int]:
        """Indices (transcript order) of the utterances holding a wrongly attributed word."""
        errors = self.errors
        transcript = self.live.document.transcript
        if errors is None or transcript is None:
            return set()
        index = {id(u): i for i, u in enumerate(transcript)}
        owners = [u for _, u in transcript.words()]
        return {index[id(owner)] for owner, bad in zip(owners, errors.wrong, strict=True) if bad}

    @property
    def speakers(self) -> list[str | None]:
        """The attributed speaker of each utterance, in transcript order."""
        self._refresh()
        return self._speakers

    @property
    def errors(self) -> WordErrors | None:
        """WDER of the transcript's words (None without transcript or tracks)."""
        self._refresh()
        return self._errors

    def _refresh(self) -> None:
        if not self._stale:
            return
        document, setup = self.live.document, self.live.setup
        transcript = document.transcript
        if transcript is None or setup.hypothesis not in document:
            self._speakers, self._errors = [], None
            self._stale = False
            return
        utterances = transcript.utterances
        starts = np.fromiter((u.start for u in utterances), np.int64, len(utterances))
        ends = np.fromiter((u.end for u in utterances), np.int64, len(utterances))
        self._speakers = attribute(starts, ends, document[setup.hypothesis])
        self._errors = None
        if setup.reference in document and self.live.available:
            units = transcript.words()
            w_starts = np.fromiter((w.start for w, _ in units), np.int64, len(units))
            w_ends = np.fromiter((w.end for w, _ in units), np.int64, len(units))
            counts = np.fromiter(
                (1 if u.words else word_count(u.text) for _, u in units), np.int64, len(units)
            )
            self._errors = word_errors(
                w_starts,
                w_ends,
                document[setup.reference],
                document[setup.hypothesis],
                self.live.mapping,
                counts,
            )
        self._stale = False
