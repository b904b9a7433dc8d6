"""Synthetic meetings: reproducible reference/system pairs for benchmarks, tests and demos."""

from __future__ import annotations

import numpy as np

from reviewer.model.annotation import Track, Turn
from reviewer.model.time import TICKS_PER_SECOND

_MS = TICKS_PER_SECOND // 1000


def meeting(
    hours: float = 1.0,
    turns: int = 1000,
    speakers: int = 4,
    overlap: float = 0.10,
    seed: int = 0,
    uri: str = "meeting",
) -> Track:
    """A reference meeting: ``turns`` turns of ``speakers`` speakers over ``hours``.

    About ``overlap`` of the speech is overlapped; times are whole milliseconds.
    """
    rng = np.random.default_rng(seed)
    total_ms = int(hours * 3_600_000)
    mean_ms = total_ms / turns
    result: list[tuple[float, float, int]] = []
    cursor = 0.0
    previous = -1
    for _ in range(turns):
        speaker = int(rng.integers(speakers - 1))
        speaker = speaker + 1 if speaker >= previous >= 0 else speaker
        duration = max(200.0, rng.gamma(2.0, mean_ms * 0.45))
        start = cursor
        if result and rng.random() < overlap * 2:
            start = cursor - min(duration, rng.uniform(0.2, 0.5) * result[-1][1])
        start = max(0.0, start)
        end = start + duration
        result.append((start, duration, speaker))
        cursor = max(cursor, end) + rng.exponential(mean_ms * 0.1)
        previous = speaker
    scale = total_ms / max(cursor, 1.0)
    return Track(
        (
            Turn(round(s * scale) * _MS, round((s + d) * scale) * _MS, f"spk{k:02d}")
            for s, d, k in result
        ),
        uri=uri,
    )


def system_output(reference: Track, seed: int = 1, shift: float = 0.2) -> Track:
    """A plausible system output for ``reference``.

    Boundaries move by up to ``shift`` seconds (normal, s.d. ``shift / 2``), 3 % of turns
    are missed, 5 % get another speaker's label, 3 % false-alarm turns are added, and
    speakers are renamed.
    """
    rng = np.random.default_rng(seed)
    labels = sorted({turn.speaker for turn in reference})
    rename = {label: f"sys{i:02d}" for i, label in enumerate(rng.permutation(labels))}
    out = []
    sd_ms = shift * 500
    extent = reference.extent
    end_ms = extent.end // _MS if extent else 0
    for turn in reference:
        draw = rng.random()
        if draw < 0.03:
            continue
        speaker = rename[turn.speaker]
        if draw < 0.08:
            speaker = rename[labels[int(rng.integers(len(labels)))]]
        start = turn.start // _MS + int(rng.normal(0, sd_ms))
        end = turn.end // _MS + int(rng.normal(0, sd_ms))
        start, end = max(0, start), max(0, end)
        if end > start:
            out.append(Turn(start * _MS, end * _MS, speaker))
    for _ in range(int(0.03 * len(reference))):
        start = int(rng.integers(max(end_ms - 2000, 1)))
        out.append(
            Turn(
                start * _MS,
                (start + int(rng.integers(300, 2000))) * _MS,
                rename[labels[int(rng.integers(len(labels)))]],
            )
        )
    return Track(out, uri=reference.uri)
