"""Voice sets from folders of single-speaker recordings (``voices/<set>/<speaker>.wav``).

Each file of a set's folder is one speaker, named after the file's stem, speaking alone all
through it. The set becomes one voice source: the files joined in name order with 0.5 s of
silence between them (resampled with soxr to the first file's rate when rates differ), and
a reference with one turn per file, written once to a cache folder.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from reviewer.corpus.entries import AUDIO_SUFFIXES
from reviewer.factorial.design import VoiceSource
from reviewer.io.audio import AudioSource
from reviewer.io.files import write_bytes_atomic
from reviewer.model.annotation import Track, Turn
from reviewer.model.errors import FormatError
from reviewer.model.time import frames_to_ticks

GAP = 0.5
"""Seconds of silence between two speakers' files."""


def voice_set(folder: str | Path, cache: str | Path) -> VoiceSource:
    """The voice source of one set's folder, its joined audio written to ``cache``.

    Raises
    ------
    FormatError
        If the folder holds no audio file.
    AudioError
        If a speaker's file cannot be read, naming it.
    """
    import soundfile as sf

    folder, cache = Path(folder), Path(cache)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise FormatError(folder, None, "no speaker audio file in this voice set")
    pieces, turns, at, rate = [], [], 0, None
    for path in files:
        source = AudioSource.open(path)  # an unreadable file: AudioError naming it
        samples, file_rate = source.read(0, source.frames), source.sample_rate
        rate = rate or file_rate
        if file_rate != rate:
            import soxr

            samples = soxr.resample(samples, file_rate, rate, quality="HQ").astype(np.float32)
        turns.append(
            Turn(frames_to_ticks(at, rate), frames_to_ticks(at + len(samples), rate), path.stem)
        )
        gap = np.zeros(int(GAP * rate), np.float32)
        pieces += [samples, gap]
        at += len(samples) + len(gap)
    cache.mkdir(parents=True, exist_ok=True)
    audio = cache / f"{folder.name}.wav"
    buffer = io.BytesIO()
    sf.write(buffer, np.concatenate(pieces), rate, format="WAV", subtype="PCM_16")
    data = buffer.getvalue()
    if not audio.exists() or audio.read_bytes() != data:  # same bytes: same cell keys
        write_bytes_atomic(audio, data)
    return VoiceSource(folder.name, audio, Track(turns, uri=folder.name))


def voice_sets(folder: str | Path, cache: str | Path) -> list[VoiceSource]:
    """Every set of a voice bank (one sub-folder per set, in name order)."""
    folder = Path(folder)
    return [voice_set(sub, cache) for sub in sorted(p for p in folder.iterdir() if p.is_dir())]
