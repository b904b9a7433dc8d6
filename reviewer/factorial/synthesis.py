"""Rendering a remix: audio, its exact reference, and where every piece came from.

The plan (:mod:`reviewer.factorial.remix`) says which stretch of the voice source fills which
frames of the remix; this module reads the audio, levels and joins it:

- **Rate:** the voice source is resampled to the remix's rate with soxr (its "HQ" quality)
  when they differ.
- **Levels:** each voice speaker is normalised to one integrated loudness (ITU-R BS.1770-4,
  measured with pyloudnorm over that speaker's single-speaker material; default -23 LUFS,
  EBU R128's target), so that level differences do not pass for voice differences. If the
  sum peaks above full scale, the whole remix is scaled down once (speakers keep their
  equal loudness) and the gain is recorded.
- **Joins:** every piece gets raised-cosine (Hann) fades in and out (10 ms by default, at
  most half the piece), so that no cut clicks; overlapping turns are the sum of the pieces;
  pauses are digital silence, or with ``noise_floor`` the voice source's own background
  (:class:`RemixSettings`).
- **Provenance:** for every piece, the structure turn it fills, its place in the remix and
  its place in the voice source (frames and seconds), so any second of a remix can be traced.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from reviewer.factorial.remix import (
    Piece,
    check_mapping,
    plan_remix,
    rank_mapping,
    solo_stretches,
)
from reviewer.io.audio import AudioSource
from reviewer.io.files import write_bytes_atomic, write_text_atomic
from reviewer.io.rttm import write_rttm
from reviewer.model.annotation import Span, Track, Turn, merge_spans
from reviewer.model.time import from_seconds, ticks_to_frames


@dataclass(frozen=True)
class RemixSettings:
    """How a remix is made; every value is recorded in its provenance.

    Attributes
    ----------
    guard
        Seconds trimmed from each side of a single-speaker region before it is used.
    shortest
        Seconds: shorter single-speaker regions (after trimming) are not used.
    fade
        Seconds of the raised-cosine fade at each end of every piece.
    seek
        Seconds after where a speaker's previous turn stopped within which the next turn
        starts at the quietest 10 ms frame.
    loudness
        Target integrated loudness of every speaker, LUFS.
    tail
        Seconds of silence after the structure's last turn.
    sample_rate
        The remix's rate in Hz; None keeps the voice source's.
    seed
        None starts every speaker's material at its first region; an integer starts each at
        a region drawn with this seed (another take of the same design cell).
    noise_floor
        False: pauses are digital silence. True: pauses carry the voice source's own noise
        floor, so that a system cannot find speech by the silence around it: the source's
        stretches outside every reference turn (``guard`` trimmed from each side, those
        shorter than ``shortest`` left out), in order and cycled, joined with the same
        fades, scaled by the geometric mean of the speakers' gains (the floor keeps its
        level relative to the speech), and cross-faded over ``fade`` at each turn's edges.
        The stretches used are in the provenance (``noise_floor``).
    """

    guard: float = 0.05
    shortest: float = 0.3
    fade: float = 0.01
    seek: float = 0.25
    loudness: float = -23.0
    tail: float = 1.0
    sample_rate: int | None = None
    seed: int | None = None
    noise_floor: bool = False


@dataclass(frozen=True)
class Remix:
    """A rendered remix.

    Attributes
    ----------
    samples
        float32 mono audio, shape (frames,).
    sample_rate
        Hz.
    reference
        The structure's turns with the voice speakers' names: the remix's reference.
    provenance
        JSON-ready: sources, settings, mapping, gains and every piece.
    """

    samples: np.ndarray = field(repr=False)
    sample_rate: int
    reference: Track
    provenance: dict


def make_remix(
    voices_audio: str | Path,
    voices: Track,
    structure: Track,
    mapping: dict[str, str] | None = None,
    settings: RemixSettings | None = None,
    uri: str = "remix",
) -> Remix:
    """Put the voices of ``voices_audio`` (turns ``voices``) into the schedule ``structure``.

    Parameters
    ----------
    voices_audio
        The voice source's audio file.
    voices
        The voice source's reference (who speaks when in ``voices_audio``).
    structure
        The turn-and-pause schedule to fill.
    mapping
        ``{structure speaker: voice speaker}``; by default by rank of talk time
        (:func:`~reviewer.factorial.remix.rank_mapping`).
    settings
        How (:class:`RemixSettings`).
    uri
        The remix's file id (its reference's uri).

    Raises
    ------
    ValueError
        For a mapping that does not fit, or a voice speaker with too little single-speaker
        speech (naming it).
    AudioError
        If the audio cannot be read.
    """
    settings = settings or RemixSettings()
    mapping = dict(mapping) if mapping is not None else rank_mapping(structure, voices)
    check_mapping(mapping, structure, voices)
    source = AudioSource.open(voices_audio)
    audio = source.read(0, source.frames)
    rate = settings.sample_rate or source.sample_rate
    if rate != source.sample_rate:
        import soxr

        audio = soxr.resample(audio, source.sample_rate, rate, quality="HQ").astype(np.float32)
    stretches = solo_stretches(
        voices, rate, from_seconds(settings.guard), from_seconds(settings.shortest)
    )
    used = sorted(set(mapping.values()))
    gains = {
        voice: _gain(audio, rate, stretches[voice], settings.loudness, voice) for voice in used
    }
    hop = max(rate // 100, 1)  # 10 ms energy frames
    usable = len(audio) // hop * hop
    energy = (audio[:usable].reshape(-1, hop).astype(np.float64) ** 2).mean(axis=1)
    start_at = None
    if settings.seed is not None:
        rng = np.random.default_rng(settings.seed)
        start_at = {voice: int(rng.integers(0, max(len(stretches[voice]), 1))) for voice in used}
    plan = plan_remix(
        structure,
        mapping,
        {voice: stretches[voice] for voice in used},
        rate,
        energy=energy,
        frame=hop,
        seek=int(settings.seek * rate),
        start_at=start_at,
    )
    end = max((turn.end for turn in structure), default=0)
    frames = ticks_to_frames(end, rate) + int(round(settings.tail * rate))
    samples = np.zeros(frames, dtype=np.float64)
    fade = int(round(settings.fade * rate))
    for piece in plan:
        chunk = audio[piece.source_start : piece.source_end].astype(np.float64)
        samples[piece.target_start : piece.target_end] += _faded(chunk, fade) * gains[piece.speaker]
    floor = None
    if settings.noise_floor:
        floor = _noise_floor(audio, voices, rate, settings, len(samples))
        mean_gain = float(np.exp(np.mean(np.log(list(gains.values())))))
        samples += floor.bed * _pauses(plan, len(samples), fade) * mean_gain
    peak = float(np.max(np.abs(samples), initial=0.0))
    headroom = min(1.0, 0.999 / peak) if peak > 0 else 1.0
    samples *= headroom
    reference = Track(
        (Turn(turn.start, turn.end, mapping[turn.speaker]) for turn in structure), uri=uri
    )
    provenance = {
        "uri": uri,
        "voices": {"audio": str(voices_audio), "uri": voices.uri},
        "structure": {"uri": structure.uri},
        "sample_rate": rate,
        "source_sample_rate": source.sample_rate,
        "settings": asdict(settings),
        "mapping": mapping,
        "gain_db": {voice: 20 * float(np.log10(gain)) for voice, gain in gains.items()},
        "headroom_db": 20 * float(np.log10(headroom)),
        "pieces": [_traced(piece, rate, str(voices_audio), voices.uri) for piece in plan],
    }
    if floor is not None:
        provenance["noise_floor"] = {
            "source": [[a / rate, b / rate] for a, b in floor.stretches],
            "gain_db": 20 * float(np.log10(mean_gain)),
        }
    return Remix(samples.astype(np.float32), rate, reference, provenance)


def _gain(
    audio: np.ndarray, rate: int, stretches: list[tuple[int, int]], target: float, voice: str
) -> float:
    """Linear gain bringing a speaker's single-speaker material to ``target`` LUFS."""
    import pyloudnorm

    material = np.concatenate([audio[s:e] for s, e in stretches]) if stretches else np.zeros(0)
    if len(material) < int(0.4 * rate):  # one BS.1770 gating block
        raise ValueError(
            f"voice speaker {voice!r} has {len(material) / rate:.2f} s of single-speaker "
            "speech: at least 0.4 s is needed to measure its loudness"
        )
    loudness = pyloudnorm.Meter(rate).integrated_loudness(material.astype(np.float64))
    if not np.isfinite(loudness):
        raise ValueError(f"voice speaker {voice!r} is silent in its single-speaker regions")
    return float(10 ** ((target - loudness) / 20))


@dataclass(frozen=True)
class _Floor:
    bed: np.ndarray  # the background, as long as the remix
    stretches: list[tuple[int, int]]  # where in the source it came from (frames)


def _noise_floor(
    audio: np.ndarray, voices: Track, rate: int, settings: RemixSettings, frames: int
) -> _Floor:
    """The voice source's background outside its turns, cycled to ``frames`` (see settings).

    Raises
    ------
    ValueError
        If the source has no stretch outside its turns long enough to take.
    """
    guard = int(round(settings.guard * rate))
    shortest = max(int(round(settings.shortest * rate)), 1)
    speech = merge_spans(Span(t.start, t.end) for t in voices)
    edges = [0]
    for span in speech:
        edges += [ticks_to_frames(span.start, rate), ticks_to_frames(span.end, rate)]
    edges.append(len(audio))
    stretches = [
        (a + guard, b - guard)
        for a, b in zip(edges[::2], edges[1::2], strict=True)
        if b - a - 2 * guard >= shortest
    ]
    if not stretches:
        raise ValueError(
            f"the voice source {voices.uri or ''} has no pause of {settings.shortest:g} s or "
            "more outside its turns: there is no noise floor to take (remix without it)"
        )
    fade = int(round(settings.fade * rate))
    pieces, filled = [], 0
    while filled < frames:
        for a, b in stretches:
            pieces.append(_faded(audio[a:b].astype(np.float64), fade))
            filled += b - a
            if filled >= frames:
                break
    return _Floor(np.concatenate(pieces)[:frames], stretches)


def _pauses(plan: list[Piece], frames: int, fade: int) -> np.ndarray:
    """1 where no piece plays, 0 under the pieces, with raised-cosine ramps of ``fade``."""
    pause = np.ones(frames)
    for piece in plan:
        pause[piece.target_start : piece.target_end] = 0.0
    if fade > 0:
        kernel = np.hanning(2 * fade + 1)
        pause = np.convolve(pause, kernel / kernel.sum(), mode="same")
    return pause


def _faded(chunk: np.ndarray, fade: int) -> np.ndarray:
    """``chunk`` with raised-cosine fades of ``fade`` frames (at most half of it) at both ends."""
    n = min(fade, len(chunk) // 2)
    if n == 0:
        return chunk
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
    out = chunk.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def _traced(piece: Piece, rate: int, audio: str, uri: str | None) -> dict:
    return {
        "turn": piece.turn,
        "speaker": piece.speaker,
        "target": [piece.target_start / rate, piece.target_end / rate],
        "target_frames": [piece.target_start, piece.target_end],
        "source": {
            "recording": uri,
            "audio": audio,
            "start": piece.source_start / rate,
            "end": piece.source_end / rate,
            "frames": [piece.source_start, piece.source_end],
        },
    }


def write_remix(remix: Remix, out: str | Path) -> tuple[Path, Path, Path]:
    """Write ``OUT.wav`` (16-bit PCM), ``OUT.rttm`` and ``OUT.json``, each atomically.

    Returns
    -------
    tuple of Path
        The audio, reference and provenance files.
    """
    import soundfile as sf

    out = Path(out)
    audio, rttm, provenance = (
        out.with_suffix(".wav"),
        out.with_suffix(".rttm"),
        out.with_suffix(".json"),
    )
    buffer = io.BytesIO()
    sf.write(buffer, remix.samples, remix.sample_rate, subtype="PCM_16", format="WAV")
    write_bytes_atomic(audio, buffer.getvalue())
    write_rttm(rttm, [remix.reference])
    write_text_atomic(provenance, json.dumps(remix.provenance, indent=1) + "\n")
    return audio, rttm, provenance
