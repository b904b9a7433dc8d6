"""Remix fidelity: the reference is the structure, the audio the mapped voices, levels equal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from reviewer.factorial.remix import rank_mapping, solo_stretches, talk_time
from reviewer.factorial.synthesis import RemixSettings, make_remix
from reviewer.io import read_rttm, write_rttm
from reviewer.model.annotation import Track, Turn
from reviewer.model.synthetic import meeting
from reviewer.model.time import TICKS_PER_SECOND, from_seconds, ticks_to_frames

RATE = 16000
TONES = {"low": 150.0, "mid": 470.0, "high": 1230.0}  # Hz: one pitch per voice
LEVELS = {"low": 0.02, "mid": 0.3, "high": 0.1}  # very different recording levels


def tone_voices(folder: Path, rate: int = RATE) -> tuple[Path, Track]:
    """A 90 s voice source: three 'speakers' (tones), with overlaps between them."""
    track = meeting(hours=90 / 3600, turns=60, speakers=3, overlap=0.15, seed=3, uri="voices")
    names = dict(zip(sorted(track.labels), TONES, strict=True))
    track = Track((Turn(t.start, t.end, names[t.speaker]) for t in track), uri="voices")
    frames = ticks_to_frames(max(t.end for t in track), rate) + rate
    audio = np.zeros(frames)
    time = np.arange(frames) / rate
    for turn in track:
        a, b = ticks_to_frames(turn.start, rate), ticks_to_frames(turn.end, rate)
        audio[a:b] += LEVELS[turn.speaker] * np.sin(2 * np.pi * TONES[turn.speaker] * time[a:b])
    path = folder / "voices.wav"
    sf.write(path, audio, rate, subtype="FLOAT")
    return path, track


def structure() -> Track:
    return meeting(hours=60 / 3600, turns=40, speakers=3, overlap=0.2, seed=8, uri="structure")


def dominant_pitch(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def single_speaker_windows(track: Track, rate: int, margin: float = 0.03):
    """(speaker, start_frame, end_frame) of every stretch where one speaker alone is active."""
    stretches = solo_stretches(track, rate, from_seconds(margin), from_seconds(0.1))
    for speaker, pieces in stretches.items():
        for start, end in pieces:
            yield speaker, start, end


@pytest.fixture
def remixed(tmp_path):
    audio, voices = tone_voices(tmp_path)
    remix = make_remix(audio, voices, structure(), uri="cell")
    return remix, voices


def test_the_reference_is_exactly_the_structure_with_the_voices_names(remixed):
    remix, voices = remixed
    mapping = remix.provenance["mapping"]
    expected = [(t.start, t.end, mapping[t.speaker]) for t in structure()]
    assert [(t.start, t.end, t.speaker) for t in remix.reference] == sorted(expected)
    assert remix.reference.uri == "cell"
    assert set(mapping.values()) <= set(voices.labels)


def test_each_single_speaker_stretch_sounds_like_its_mapped_voice(remixed):
    remix, _ = remixed
    checked = 0
    for speaker, start, end in single_speaker_windows(remix.reference, remix.sample_rate):
        if end - start < remix.sample_rate // 10:
            continue
        pitch = dominant_pitch(remix.samples[start:end], remix.sample_rate)
        assert pitch == pytest.approx(TONES[speaker], abs=15), (speaker, start / RATE)
        checked += 1
    assert checked > 10


def test_pauses_are_silent_and_every_turn_is_filled(remixed):
    remix, _ = remixed
    speech = np.zeros(len(remix.samples), dtype=bool)
    for turn in remix.reference:
        speech[ticks_to_frames(turn.start, RATE) : ticks_to_frames(turn.end, RATE)] = True
    assert np.all(remix.samples[~speech] == 0.0)
    for turn in remix.reference:  # no turn is left empty
        a, b = ticks_to_frames(turn.start, RATE), ticks_to_frames(turn.end, RATE)
        assert np.sqrt(np.mean(remix.samples[a:b] ** 2)) > 1e-3


def test_every_speaker_has_the_same_loudness_within_one_lu(remixed):
    remix, _ = remixed
    meter = pyloudnorm.Meter(remix.sample_rate)
    material: dict[str, list[np.ndarray]] = {}
    for speaker, start, end in single_speaker_windows(remix.reference, remix.sample_rate):
        material.setdefault(speaker, []).append(remix.samples[start:end].astype(np.float64))
    loudness = {s: meter.integrated_loudness(np.concatenate(m)) for s, m in material.items()}
    assert len(loudness) == 3
    assert max(loudness.values()) - min(loudness.values()) < 1.0, loudness
    target = -23.0 + remix.provenance["headroom_db"]
    assert all(abs(value - target) < 1.0 for value in loudness.values()), loudness


def test_provenance_traces_every_frame_to_single_speaker_speech_of_the_right_voice(remixed):
    remix, voices = remixed
    pieces = remix.provenance["pieces"]
    solo = solo_stretches(voices, RATE, from_seconds(0.05), from_seconds(0.3))
    by_turn: dict[int, list[dict]] = {}
    for piece in pieces:
        by_turn.setdefault(piece["turn"], []).append(piece)
        start, end = piece["source"]["frames"]
        assert any(a <= start and end <= b for a, b in solo[piece["speaker"]]), piece
        assert piece["source"]["recording"] == "voices"
    turns = sorted(structure(), key=lambda t: (t.start, t.end, t.speaker))
    assert sorted(by_turn) == list(range(len(turns)))
    for index, turn in enumerate(turns):
        frames = [p["target_frames"] for p in by_turn[index]]
        assert frames[0][0] == ticks_to_frames(turn.start, RATE)
        assert frames[-1][1] == ticks_to_frames(turn.end, RATE)
        assert all(a[1] == b[0] for a, b in zip(frames, frames[1:], strict=False))


def test_speakers_map_by_rank_of_talk_time():
    voices = Track([Turn.from_seconds(0, 10, "A"), Turn.from_seconds(10, 13, "B"),
                    Turn.from_seconds(13, 14, "C")])  # fmt: skip
    schedule = Track([Turn.from_seconds(0, 1, "x"), Turn.from_seconds(1, 9, "y")])
    assert talk_time(voices)["A"] == 10 * TICKS_PER_SECOND
    assert rank_mapping(schedule, voices) == {"y": "A", "x": "B"}
    with pytest.raises(ValueError, match="3 speakers and the voice source only 2"):
        rank_mapping(voices, schedule)


def test_a_voice_source_at_another_rate_is_resampled(tmp_path):
    audio, voices = tone_voices(tmp_path, rate=8000)
    remix = make_remix(audio, voices, structure(), settings=RemixSettings(sample_rate=16000))
    assert remix.sample_rate == 16000 and remix.provenance["source_sample_rate"] == 8000
    for speaker, start, end in single_speaker_windows(remix.reference, 16000):
        if end - start >= 1600:
            assert dominant_pitch(remix.samples[start:end], 16000) == pytest.approx(
                TONES[speaker], abs=15
            )


def test_the_command_writes_audio_reference_and_provenance(tmp_path):
    audio, voices = tone_voices(tmp_path)
    write_rttm(tmp_path / "voices.rttm", [voices])
    write_rttm(tmp_path / "structure.rttm", [structure()])
    reviewer = Path(sys.executable).parent / "reviewer"
    out = tmp_path / "out" / "cell.wav"
    out.parent.mkdir()
    sources = ["--voices", str(audio), str(tmp_path / "voices.rttm"),
               "--structure", str(tmp_path / "structure.rttm")]  # fmt: skip
    args = ["factorial", "remix", *sources, "--out", str(out), "--seed", "4"]
    result = subprocess.run([str(reviewer), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "cell.wav" in result.stdout
    samples, rate = sf.read(out)
    assert rate == RATE and len(samples) > 60 * RATE
    (reference,) = read_rttm(out.with_suffix(".rttm")).values()
    assert reference.uri == "cell" and len(reference) == len(structure())
    provenance = json.loads(out.with_suffix(".json").read_text())
    assert provenance["settings"]["seed"] == 4 and provenance["pieces"]
    bad = subprocess.run(
        [str(reviewer), *args[:-2], "--map", "x"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and "--map: 'x' is not" in bad.stderr


HUM = 60.0  # Hz: the voice source's background, under everything it recorded
HUM_LEVEL = 0.004


def test_the_noise_floor_fills_pauses_with_the_sources_own_background(tmp_path):
    audio, voices = tone_voices(tmp_path)
    samples, rate = sf.read(audio)
    samples += HUM_LEVEL * np.sin(2 * np.pi * HUM * np.arange(len(samples)) / rate)
    sf.write(audio, samples, rate, subtype="FLOAT")
    silent = make_remix(audio, voices, structure(), uri="cell")
    remix = make_remix(audio, voices, structure(), None, RemixSettings(noise_floor=True), "cell")
    assert [(t.start, t.end, t.speaker) for t in remix.reference] == [
        (t.start, t.end, t.speaker) for t in silent.reference
    ]
    speech = np.zeros(len(remix.samples), dtype=bool)
    guard = RATE // 50  # beyond the 10 ms cross-fades at the turns' edges
    for turn in remix.reference:
        a, b = ticks_to_frames(turn.start, RATE), ticks_to_frames(turn.end, RATE)
        speech[max(a - guard, 0) : b + guard] = True
    pauses = np.flatnonzero(~speech)
    assert len(pauses) > 2 * RATE and np.all(silent.samples[pauses] == 0.0)
    gain = 10 ** (remix.provenance["noise_floor"]["gain_db"] / 20)
    headroom = 10 ** (remix.provenance["headroom_db"] / 20)
    quiet = remix.samples[pauses]
    expected = HUM_LEVEL / np.sqrt(2) * gain * headroom
    assert np.sqrt(np.mean(quiet**2)) == pytest.approx(expected, rel=0.1)
    runs = np.split(pauses, np.flatnonzero(np.diff(pauses) > 1) + 1)
    longest = max(runs, key=len)
    assert dominant_pitch(remix.samples[longest], RATE) == pytest.approx(HUM, abs=5)  # no voice
    for start, end in remix.provenance["noise_floor"]["source"]:  # outside every source turn
        assert all(end <= t.start / TICKS_PER_SECOND or start >= t.end / TICKS_PER_SECOND
                   for t in voices)  # fmt: skip
    for speaker, start, end in single_speaker_windows(remix.reference, RATE):
        if end - start >= RATE // 10:  # the voices are still the voices
            pitch = dominant_pitch(remix.samples[start:end], RATE)
            assert pitch == pytest.approx(TONES[speaker], abs=15)
