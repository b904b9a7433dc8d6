"""Real speech for tests: conversations spoken by espeak-ng voices, with their references.

espeak-ng is installed by ``.ci/run`` (apt). Each voice is an espeak-ng voice variant
(``en-us+m3``, ``en-gb+f4``, ...), so speakers differ in pitch and timbre as voices do.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from reviewer.io import write_rttm
from reviewer.model.annotation import Track, Turn

RATE = 16000

SENTENCES = (
    "The meeting starts at nine and we will go through the budget first.",
    "I think the numbers from last quarter were better than we expected.",
    "Could you send me the report before Friday, please?",
    "We should ask the team in Paris what they think about it.",
    "That sounds reasonable, but the deadline is very tight.",
    "Let me check my calendar and come back to you this afternoon.",
    "The new system has been running for two weeks without a problem.",
    "Honestly I would rather wait until the tests are finished.",
)


def speak(text: str, voice: str) -> np.ndarray:
    """``text`` spoken by espeak-ng's ``voice``, 16 kHz mono float32 (skips without espeak)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    import soxr

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
        samples, rate = sf.read(path, dtype="float32")
    samples = soxr.resample(samples, rate, RATE).astype(np.float32)
    voiced = np.flatnonzero(np.abs(samples) > 1e-3)  # espeak pads with silence: trim it
    return samples[voiced[0] : voiced[-1] + 1] if len(voiced) else samples


def conversation(
    folder: Path, name: str, voices: list[str], turns: int = 10, pause: float = 0.4, seed: int = 0
) -> tuple[Path, Track]:
    """A conversation of ``voices`` taking turns (no overlap); writes NAME.wav and NAME.rttm."""
    rng = np.random.default_rng(seed)
    pieces, track_turns, at = [], [], 0.5
    pieces.append(np.zeros(int(0.5 * RATE), np.float32))
    previous = -1
    for k in range(turns):
        who = int(rng.integers(len(voices) - 1)) if len(voices) > 1 else 0
        who = who + 1 if who >= previous >= 0 and len(voices) > 1 else who
        previous = who
        speech = speak(SENTENCES[k % len(SENTENCES)], voices[who])
        start = at
        at += len(speech) / RATE
        track_turns.append(Turn.from_seconds(round(start, 3), round(at, 3), f"{name}_{who}"))
        pieces.append(speech)
        gap = np.zeros(int(round(pause * RATE)), np.float32)
        pieces.append(gap)
        at += len(gap) / RATE
    audio = np.concatenate(pieces)
    path = folder / f"{name}.wav"
    sf.write(path, audio, RATE, subtype="PCM_16")
    track = Track(track_turns, uri=name)
    write_rttm(folder / f"{name}.rttm", [track])
    return path, track
