"""Material for factorial tests: tone 'voices', schedules, and a real system to run on them.

Each voice source's speakers are pure tones (one pitch each), so a system that tracks pitch
diarizes them perfectly, except where it is made to fail on purpose:

- with ``--shortest S`` it drops every segment shorter than S seconds: its errors come from
  the conversation's structure (short turns) and not from the voices;
- with ``--band HZ`` it cannot tell apart pitches closer than HZ: its errors come from the
  voices (similar voices), whatever the structure.

Run as a script, it is that system: ``python factorial_material.py AUDIO RTTM [options]``;
with ``--fail-on TEXT`` it fails (exit 3, "model exploded" on stderr) on audio whose name
holds TEXT, as a user's broken system does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from reviewer.io import write_rttm
from reviewer.model.annotation import Track, Turn
from reviewer.model.synthetic import meeting
from reviewer.model.time import ticks_to_frames

RATE = 16000
SYSTEM = Path(__file__).resolve()


def tone_source(
    folder: Path, name: str, pitches: list[float], seconds: float = 60.0, seed: int = 0
):
    """A voice source: ``len(pitches)`` tone speakers taking turns; (audio path, track)."""
    if len(pitches) == 1:
        track = Track([Turn.from_seconds(0.5, seconds, "spk00")], uri=name)
    else:
        track = meeting(hours=seconds / 3600, turns=int(seconds / 2), speakers=len(pitches),
                        overlap=0.05, seed=seed, uri=name)  # fmt: skip
    names = {label: f"{name}_{k}" for k, label in enumerate(sorted(track.labels))}
    pitch = {names[label]: p for label, p in zip(sorted(track.labels), pitches, strict=True)}
    track = Track((Turn(t.start, t.end, names[t.speaker]) for t in track), uri=name)
    frames = ticks_to_frames(max(t.end for t in track), RATE) + RATE
    audio = np.zeros(frames)
    time = np.arange(frames) / RATE
    for turn in track:
        a, b = ticks_to_frames(turn.start, RATE), ticks_to_frames(turn.end, RATE)
        audio[a:b] += 0.1 * np.sin(2 * np.pi * pitch[turn.speaker] * time[a:b])
    path = folder / f"{name}.wav"
    sf.write(path, audio, RATE, subtype="PCM_16")  # float WAVs carry a time stamp (PEAK)
    write_rttm(folder / f"{name}.rttm", [track])
    return path, track


def schedule(name: str, mean_turn: float, speakers: int = 2, seconds: float = 40.0, seed: int = 0):
    """A structure: turns of about ``mean_turn`` seconds."""
    return meeting(hours=seconds / 3600, turns=max(int(seconds / mean_turn), 2),
                   speakers=speakers, overlap=0.0, seed=seed, uri=name)  # fmt: skip


def pitch_system(audio: Path, rttm: Path, shortest: float = 0.0, band: float = 1.0) -> None:
    """Diarize tone voices by pitch (20 ms frames); see the module's documentation."""
    samples, rate = sf.read(audio, dtype="float64")
    hop = rate // 50
    frames = samples[: len(samples) // hop * hop].reshape(-1, hop)
    energy = np.sqrt((frames**2).mean(axis=1))
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(hop), n=8 * hop, axis=1))
    pitch = np.fft.rfftfreq(8 * hop, 1 / rate)[spectrum.argmax(axis=1)]
    labels = np.where(energy > 0.005, np.round(pitch / band).astype(int), -1)
    turns, start = [], 0
    for k in range(1, len(labels) + 1):
        if k == len(labels) or labels[k] != labels[start]:
            if labels[start] >= 0 and (k - start) * 0.02 >= shortest:
                turns.append(Turn.from_seconds(start * 0.02, k * 0.02, f"p{labels[start]}"))
            start = k
    write_rttm(rttm, [Track(turns, uri=audio.stem)])


def command(
    shortest: float = 0.0, band: float = 1.0, fail_on: str | None = None, script: Path = SYSTEM
) -> str:
    """The ``--system`` template that runs :func:`pitch_system` (``script``: a copy of this)."""
    fail = f" --fail-on {fail_on}" if fail_on else ""
    return f"{sys.executable} {script} {{audio}} {{rttm}} --shortest {shortest} --band {band}{fail}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("audio", type=Path)
    parser.add_argument("rttm", type=Path)
    parser.add_argument("--shortest", type=float, default=0.0)
    parser.add_argument("--band", type=float, default=1.0)
    parser.add_argument("--fail-on")
    args = parser.parse_args()
    if args.fail_on and args.fail_on in args.audio.name:
        sys.stderr.write("loading the model\nmodel exploded\n")
        sys.exit(3)
    pitch_system(args.audio, args.rttm, args.shortest, args.band)
