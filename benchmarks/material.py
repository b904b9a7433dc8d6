"""Benchmark material: synthetic meetings with audio, written once and reused.

A recording of ``hours`` hours (16 kHz mono int16 WAV of speech-like noise bursts), its
synthetic reference (``turns`` turns, 4 speakers) and a system output derived from it, in
``$REVIEWER_BENCH_DIR`` (default: ``reviewer-bench`` in the temporary directory). The
10-hour WAV is 1.15 GB; it is written once and kept for later runs.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from reviewer.io import write_rttm
from reviewer.model.synthetic import meeting, system_output

RATE = 16_000


@dataclass(frozen=True)
class Material:
    """The files of one synthetic recording."""

    audio: Path
    reference: Path
    system: Path


def folder() -> Path:
    """Where the material is kept."""
    default = Path(tempfile.gettempdir()) / "reviewer-bench"
    path = Path(os.environ.get("REVIEWER_BENCH_DIR") or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def recording(hours: int, turns: int, speakers: int = 4) -> Material:
    """The files of a ``hours``-hour meeting of ``turns`` turns (written if missing)."""
    base = folder() / f"meeting-{hours}h-{turns}"
    files = Material(
        base.with_suffix(".wav"), base.with_suffix(".ref.rttm"), base.with_suffix(".sys.rttm")
    )
    if not files.reference.exists() or not files.system.exists():
        reference = meeting(hours=hours, turns=turns, speakers=speakers, seed=0, uri=base.name)
        write_rttm(files.system, [system_output(reference, seed=1)])
        write_rttm(files.reference, [reference])
    if not files.audio.exists():
        _write_audio(files.audio, hours)
    return files


def _write_audio(path: Path, hours: int) -> None:
    """Noise bursts under a slow envelope, one minute block repeated (fast to write)."""
    rng = np.random.default_rng(0)
    frames = 60 * RATE
    quarter = frames // 240
    bursts = np.repeat(rng.random(240) < 0.6, quarter)
    level = np.repeat(rng.uniform(0.05, 0.7, 240), quarter)
    block = (rng.normal(0, 0.25, frames) * bursts * level).clip(-1, 1)
    block = (block * 32767).astype(np.int16)
    partial = path.with_suffix(".partial.wav")
    with sf.SoundFile(partial, "w", RATE, 1, "PCM_16") as out:
        for minute in range(hours * 60):
            out.write(np.roll(block, minute * 997))
    partial.rename(path)
