"""Timed transcripts: utterances (and optionally words) with their speakers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Word:
    """One word from ``start`` to ``end`` (ticks)."""

    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"word {self.text!r} ends before it starts")


@dataclass(frozen=True, slots=True, order=True)
class Utterance:
    """A stretch of speech with its text, its speaker if known, and its words if known."""

    start: int
    end: int
    text: str
    speaker: str | None = None
    words: tuple[Word, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"utterance {self.text[:30]!r} ends before it starts")

    def with_speaker(self, speaker: str | None) -> Utterance:
        """The same utterance attributed to another speaker."""
        return Utterance(self.start, self.end, self.text, speaker, self.words)


class Transcript:
    """An immutable, time-sorted sequence of utterances of one recording.

    Parameters
    ----------
    utterances
        In any order; kept sorted by (start, end, text, speaker).
    uri
        The recording's file id, if known.
    """

    __slots__ = ("utterances", "uri")

    def __init__(self, utterances: Iterable[Utterance] = (), uri: str | None = None):
        self.utterances: tuple[Utterance, ...] = tuple(
            sorted(utterances, key=lambda u: (u.start, u.end, u.text, u.speaker or ""))
        )
        self.uri = uri

    def __len__(self) -> int:
        return len(self.utterances)

    def __iter__(self) -> Iterator[Utterance]:
        return iter(self.utterances)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Transcript):
            return NotImplemented
        return self.utterances == other.utterances and all(
            a.words == b.words for a, b in zip(self.utterances, other.utterances, strict=True)
        )

    def __repr__(self) -> str:
        return f"Transcript(uri={self.uri!r}, {len(self.utterances)} utterances)"

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speaker names, sorted."""
        return tuple(sorted({u.speaker for u in self.utterances if u.speaker}))

    @property
    def has_words(self) -> bool:
        """Whether word timings are known."""
        return any(u.words for u in self.utterances)

    def words(self) -> list[tuple[Word, Utterance]]:
        """Every word with its utterance (an utterance without words counts as one word)."""
        out: list[tuple[Word, Utterance]] = []
        for utterance in self.utterances:
            if utterance.words:
                out.extend((word, utterance) for word in utterance.words)
            else:
                out.append((Word(utterance.start, utterance.end, utterance.text), utterance))
        return out

    def replaced(self, old: Utterance, new: Utterance) -> Transcript:
        """A new transcript with ``old`` replaced by ``new``.

        Raises
        ------
        KeyError
            If ``old`` is not in the transcript.
        """
        items = list(self.utterances)
        for i, utterance in enumerate(items):
            if utterance == old and utterance.words == old.words:
                items[i] = new
                return Transcript(items, self.uri)
        raise KeyError(f"no such utterance: {old.text[:40]!r}")


def utterance_to_json(utterance: Utterance) -> list:
    """``[start, end, speaker, text, [[start, end, word], ...]]`` (ticks)."""
    return [
        utterance.start,
        utterance.end,
        utterance.speaker,
        utterance.text,
        [[w.start, w.end, w.text] for w in utterance.words],
    ]


def utterance_from_json(item: object, where: str = "utterance") -> Utterance:
    """Inverse of :func:`utterance_to_json`, validating it.

    Raises
    ------
    ValueError
        Saying what is wrong and where.
    """
    if not isinstance(item, list) or len(item) != 5:
        raise ValueError(f"{where}: expected [start, end, speaker, text, words]")
    start, end, speaker, text, words = item
    if type(start) is not int or type(end) is not int or start < 0:
        raise ValueError(f"{where}: times must be non-negative whole ticks")
    if speaker is not None and not isinstance(speaker, str):
        raise ValueError(f"{where}: the speaker must be a string or null")
    if not isinstance(text, str) or not isinstance(words, list):
        raise ValueError(f"{where}: text must be a string and words a list")
    try:
        parsed = tuple(Word(int(w[0]), int(w[1]), str(w[2])) for w in words)
        return Utterance(start, end, text, speaker, parsed)
    except (TypeError, ValueError, IndexError) as error:
        raise ValueError(f"{where}: {error}") from None
