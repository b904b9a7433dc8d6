"""Planning a remix: the voices of one recording in the turn-and-pause schedule of another.

The plan is pure arithmetic on sample frames (no audio is read here, see
:mod:`reviewer.factorial.synthesis`), so every rule below is tested on its own:

1. **Speaker mapping** (:func:`rank_mapping`): the structure's speakers, ranked by total talk
   time, take the voice source's speakers of the same rank (the most talkative to the most
   talkative; ties by name). The structure may not have more speakers than the voice source.
2. **Material** (:func:`solo_stretches`): a voice speaker's speech is taken only from its
   single-speaker regions (no other reference speaker active), trimmed by a guard margin on
   each side, so that no other voice leaks in; pieces shorter than ``shortest`` are not used.
3. **Filling** (:func:`plan_remix`): the structure's turns are filled in time order, each with
   its mapped speaker's material consumed in order and cycled when exhausted. A turn longer
   than what is left of a stretch continues with the next stretch (a join). After a turn the
   speaker's next turn starts at the quietest frame within ``seek`` after where it stopped,
   when an energy envelope is given, so that turns start at low-energy points.

These are reviewer's design choices (``../shared/design/factorial.md``), not the paper's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from reviewer.model.annotation import Span, Track, merge_spans
from reviewer.model.time import ticks_to_frames


@dataclass(frozen=True)
class Piece:
    """A stretch of one voice speaker's audio placed in the remix.

    Attributes
    ----------
    target_start, target_end
        Where it goes in the remix, in sample frames at the remix's rate.
    source_start
        Where it comes from in the voice source, frames at the same rate.
    speaker
        The voice source's speaker.
    turn
        Index of the structure turn it fills (in time order).
    """

    target_start: int
    target_end: int
    source_start: int
    speaker: str
    turn: int

    @property
    def frames(self) -> int:
        """Its length in frames."""
        return self.target_end - self.target_start

    @property
    def source_end(self) -> int:
        """Where it ends in the voice source (frames, exclusive)."""
        return self.source_start + self.frames


def talk_time(track: Track) -> dict[str, int]:
    """Each speaker's total talk time in ticks (overlapping turns of a speaker counted once)."""
    spans: dict[str, list[Span]] = {}
    for turn in track:
        spans.setdefault(turn.speaker, []).append(turn.span)
    return {
        speaker: sum(span.duration for span in merge_spans(pieces))
        for speaker, pieces in spans.items()
    }


def rank_mapping(structure: Track, voices: Track) -> dict[str, str]:
    """``{structure speaker: voice speaker}`` by rank of total talk time.

    Raises
    ------
    ValueError
        If the structure has more speakers than the voice source.
    """
    structure_ranked = _ranked(structure)
    voices_ranked = _ranked(voices)
    if len(structure_ranked) > len(voices_ranked):
        raise ValueError(
            f"the structure has {len(structure_ranked)} speakers and the voice source only "
            f"{len(voices_ranked)}: choose a voice source with at least as many"
        )
    return dict(zip(structure_ranked, voices_ranked, strict=False))


def _ranked(track: Track) -> list[str]:
    times = talk_time(track)
    return sorted(times, key=lambda speaker: (-times[speaker], speaker))


def check_mapping(mapping: Mapping[str, str], structure: Track, voices: Track) -> None:
    """Refuse a mapping that does not give one known voice to each structure speaker.

    A structure speaker without a voice, a voice the voice source does not have, and one
    voice for two structure speakers are refused.

    Raises
    ------
    ValueError
        Naming the speaker at fault.
    """
    for speaker in structure.labels:
        if speaker not in mapping:
            raise ValueError(f"the mapping gives no voice to structure speaker {speaker!r}")
    known = set(voices.labels)
    taken: dict[str, str] = {}
    for speaker, voice in mapping.items():
        if voice in taken:
            raise ValueError(
                f"structure speakers {taken[voice]!r} and {speaker!r} both take voice "
                f"{voice!r}: one voice per structure speaker"
            )
        taken[voice] = speaker
        if voice not in known:
            raise ValueError(
                f"structure speaker {speaker!r} is mapped to {voice!r}, who does not speak in "
                f"the voice source ({', '.join(sorted(known))})"
            )


def solo_stretches(
    voices: Track, sample_rate: int, guard: int, shortest: int
) -> dict[str, list[tuple[int, int]]]:
    """Each voice speaker's single-speaker regions, in frames, trimmed and long enough.

    Parameters
    ----------
    voices
        The voice source's reference.
    sample_rate
        Frames per second of the audio they will be read from.
    guard
        Ticks trimmed from each side of every region (speaker changes are imprecise).
    shortest
        Ticks: regions shorter than this after trimming are not used.

    Returns
    -------
    dict
        ``{speaker: [(start_frame, end_frame), ...]}`` in time order; a speaker with no
        usable region has an empty list.
    """
    events: dict[int, list[tuple[int, str]]] = {}
    for turn in voices:
        events.setdefault(turn.start, []).append((1, turn.speaker))
        events.setdefault(turn.end, []).append((-1, turn.speaker))
    active: Counter[str] = Counter()
    result: dict[str, list[tuple[int, int]]] = {speaker: [] for speaker in voices.labels}
    times = sorted(events)
    for start, end in zip(times, times[1:], strict=False):
        for change, speaker in events[start]:
            active[speaker] += change
        speaking = [speaker for speaker, n in active.items() if n > 0]
        if len(speaking) != 1:
            continue
        pieces = result[speaking[0]]
        if pieces and pieces[-1][1] == start:  # the same speaker's speech goes on
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    return {
        speaker: [
            (ticks_to_frames(s + guard, sample_rate), ticks_to_frames(e - guard, sample_rate))
            for s, e in pieces
            if e - s - 2 * guard >= shortest
        ]
        for speaker, pieces in result.items()
    }


def plan_remix(
    structure: Track,
    mapping: Mapping[str, str],
    stretches: Mapping[str, list[tuple[int, int]]],
    sample_rate: int,
    energy: np.ndarray | None = None,
    frame: int = 1,
    seek: int = 0,
    start_at: Mapping[str, int] | None = None,
) -> list[Piece]:
    """The pieces that fill every structure turn with its mapped speaker's material.

    Parameters
    ----------
    structure
        The turns to fill (their speakers are keys of ``mapping``).
    mapping
        ``{structure speaker: voice speaker}``.
    stretches
        Each voice speaker's material, ``[(start_frame, end_frame), ...]``
        (:func:`solo_stretches`).
    sample_rate
        Frames per second of the remix and of the material.
    energy
        Optional energy envelope of the voice source, one value per ``frame`` frames; with
        it, a speaker's next turn starts at the quietest point within ``seek`` frames.
    frame, seek
        The envelope's hop and the search reach, in frames.
    start_at
        Optional index of the stretch each voice speaker's material starts with.

    Returns
    -------
    list of Piece
        In the order the turns are filled; each turn's pieces cover it exactly:
        ``ticks_to_frames(turn.start)`` to ``ticks_to_frames(turn.end)``.

    Raises
    ------
    ValueError
        If a mapped voice speaker has no material.
    """
    cursors = {
        speaker: [(start_at or {}).get(speaker, 0) % max(len(pieces), 1), 0]
        for speaker, pieces in stretches.items()
    }
    plan: list[Piece] = []
    turns = sorted(structure, key=lambda t: (t.start, t.end, t.speaker))
    for index, turn in enumerate(turns):
        voice = mapping[turn.speaker]
        material = stretches.get(voice) or []
        if not material:
            raise ValueError(
                f"voice speaker {voice!r} has no single-speaker speech long enough to use"
            )
        cursor = cursors[voice]
        at = ticks_to_frames(turn.start, sample_rate)
        end = ticks_to_frames(turn.end, sample_rate)
        while at < end:
            start, stop = material[cursor[0]]
            take = min(end - at, stop - start - cursor[1])
            plan.append(Piece(at, at + take, start + cursor[1], voice, index))
            at += take
            cursor[1] += take
            if start + cursor[1] >= stop:
                cursor[0], cursor[1] = (cursor[0] + 1) % len(material), 0
        if energy is not None and cursor[1] > 0:
            start, stop = material[cursor[0]]
            cursor[1] = _quiet_offset(energy, frame, start, stop, cursor[1], seek)
            if start + cursor[1] >= stop:
                cursor[0], cursor[1] = (cursor[0] + 1) % len(material), 0
    return plan


def _quiet_offset(
    energy: np.ndarray, frame: int, start: int, stop: int, offset: int, seek: int
) -> int:
    """The offset of the quietest envelope frame in ``[offset, offset + seek)`` of a stretch."""
    first = (start + offset + frame - 1) // frame
    last = min((start + offset + seek) // frame, stop // frame, len(energy))
    if last <= first:
        return offset
    quietest = first + int(np.argmin(energy[first:last]))
    return max(quietest * frame - start, offset)
