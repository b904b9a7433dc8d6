"""Playback through a real PortAudio stream, on ALSA devices made from configuration alone.

There is no sound card here, so every scenario runs in a child process whose ``HOME`` holds
an ``.asoundrc`` (PortAudio reads the ALSA configuration once, when sounddevice is imported):

* ``null``: ``pcm.!default { type null }`` -- a real output that discards the samples. It is
  not paced (it swallows frames as fast as they come), which the player's wall-clock bound on
  the cursor copes with, so the timings below are real-time timings.
* ``file``: the ``file`` plugin over ``null`` -- also writes every frame the stream outputs to
  a raw float32 file, so the tests can check the samples that were actually played.
* ``none``: ``pcm.!default { type hw card 99 }`` -- ALSA enumerates nothing and PortAudio has
  no default output device.

The "PortAudio library missing" case cannot be produced for real without uninstalling
libportaudio2 (``ctypes.util.find_library`` asks ``/sbin/ldconfig -p``, an absolute path), so
that child replaces ``ctypes.util.find_library`` with one that does not find ``portaudio``
before importing sounddevice: sounddevice's own import code then raises its real ``OSError``.

Run ``python tests/test_playback.py SCENARIO WAV`` to run one child by hand; it prints JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
RATE = 16_000
STEP = 1 / 60
"""Seconds the children advance their players' clocks by, at each step."""
ASOUNDRC = {
    "null": "pcm.!default { type null }\n",
    "file": (
        'pcm.!default {\n    type file\n    slave.pcm "null"\n'
        '    file "{out}"\n    format "raw"\n}\n'
    ),
    "none": "pcm.!default { type hw card 99 }\n",
}


# --------------------------------------------------------------------------- parent side


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s at 16 kHz: a 440 Hz tone on a DC offset, so no sample is ever exactly zero."""
    path = tmp_path_factory.mktemp("audio") / "tone.wav"
    t = np.arange(2 * RATE) / RATE
    signal = (0.25 + 0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    sf.write(path, signal, RATE, subtype="FLOAT")
    return path


def _child(scenario: str, device: str, wav: Path, tmp_path: Path) -> dict:
    home = tmp_path / f"home-{scenario}"
    home.mkdir()
    out = home / "out.raw"
    (home / ".asoundrc").write_text(ASOUNDRC[device].replace("{out}", str(out)))
    env = dict(os.environ, HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("AUDIODEV", None)
    result = subprocess.run(
        [sys.executable, str(Path(__file__)), scenario, str(wav), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    at_exit = home / "exit.json"  # written by a child's exit hook, after the player's own
    if at_exit.exists():
        data["at_exit"] = json.loads(at_exit.read_text())
    return data


def test_no_output_device(wav: Path, tmp_path: Path) -> None:
    r = _child("unavailable", "none", wav, tmp_path)
    assert r["available"] is False
    assert r["reason"] == "Playback disabled: no audio output device (PortAudio found none)."
    assert r["results"] == [False, False, False, False]
    assert r["position"] == 0
    assert r["is_playing"] is False


def test_portaudio_library_missing(wav: Path, tmp_path: Path) -> None:
    r = _child("no_portaudio", "null", wav, tmp_path)
    assert r["lazy"] is True  # importing the service does not import sounddevice
    assert r["available"] is False
    assert "PortAudio library was not found" in r["reason"]
    assert r["results"] == [False, False, False, False]
    assert r["is_playing"] is False


def test_play_region_advances_and_finishes(wav: Path, tmp_path: Path) -> None:
    r = _child("region", "null", wav, tmp_path)
    assert r["available"] is True, r["reason"]
    assert r["reason"] == "Playback: default, 16000 Hz mono."
    assert r["started"] is True
    assert r["finished"] is True
    assert 0.4 < r["elapsed"] < 1.2  # a 0.5 s region, on the player's clock
    assert abs(r["elapsed"] - (0.5 + r["latency"])) <= STEP  # heard latency after it was sent
    positions = r["positions"]
    assert positions == sorted(positions)  # never backwards
    assert len(set(positions)) >= 10  # and it really moves, at ~60 Hz
    assert 8000 <= positions[0] < 12000 and positions[-1] <= 16000
    assert r["final_position"] == 16000
    assert r["is_playing"] is False
    assert r["finished_thread"] != "MainThread"
    # play_around clips at the start of the file and plays 0.1 s after the frame
    assert r["around_started"] is True
    assert r["around_position"] == 100 + 1600
    assert r["around_finished"] is True
    assert 0.05 < r["around_elapsed"] < 0.8
    assert abs(r["around_elapsed"] - (1700 / RATE + r["latency"])) <= STEP


def test_pause_resume_keeps_position(wav: Path, tmp_path: Path) -> None:
    r = _child("pause", "null", wav, tmp_path)
    assert r["paused_ok"] is True
    held = r["held"]
    assert len(set(held)) == 1  # frozen while paused (and the clock went on)
    assert 0 < held[0] - 4000 < 12000  # somewhere inside the 1 s region after 0.25 s
    assert r["resumed"] is True
    assert r["after_resume"] > held[0]  # it moved on from where it was paused
    assert r["after_resume"] - held[0] < 1600  # it continued, it did not restart
    assert r["finished"] is True
    assert 0.6 < r["play_seconds"] < 1.6  # ~1 s of sound in total, not counting the pause


def test_speed(wav: Path, tmp_path: Path) -> None:
    r = _child("speed", "null", wav, tmp_path)
    assert r["fast_finished"] is True
    assert 0.35 < r["fast_elapsed"] < 0.8  # 1 s region at 2x
    assert r["fast_final"] == 20000
    assert r["slow_finished"] is True
    assert 0.8 < r["slow_elapsed"] < 1.5  # 0.5 s region at 0.5x
    assert r["clamped"] == [2.0, 0.5]
    assert r["switch_finished"] is True
    assert 0.45 < r["switch_elapsed"] < 1.0  # 0.2 s at 1x then 0.8 s of audio at 2x


def test_stop_is_prompt(wav: Path, tmp_path: Path) -> None:
    r = _child("stop", "null", wav, tmp_path)
    assert r["stopped_with_the_clock_standing"] is True  # it does not wait for the audio
    assert r["is_playing"] is False
    assert r["finished_called"] is False
    assert len(set(r["after_stop"])) == 1
    assert 0 < r["after_stop"][0] < 24000
    assert r["restart"] is True  # a new play works after a stop
    # exiting mid-play closed the player before PortAudio went (and _child's timeout: no hang)
    assert r["at_exit"] == {"playing": False}


def test_samples_played(wav: Path, tmp_path: Path) -> None:
    r = _child("samples", "file", wav, tmp_path)
    assert r["exact"] is True  # 1x at the file's rate: exactly the region's samples
    assert r["fast_peak_hz"] == pytest.approx(880, abs=10)  # 2x: an octave up
    assert r["stereo_format"] == "Playback: default, 48000 Hz stereo."
    assert r["stereo_channels_equal"] is True
    assert r["stereo_peak_hz"] == pytest.approx(440, abs=10)  # resampled, same pitch
    assert r["stereo_frames"] == pytest.approx(3 * 8000, rel=0.01)


# --------------------------------------------------------------------------- child side


class _SoundFileSource:
    """Stand-in for ``reviewer.io.audio.AudioSource`` when it is not there yet."""

    def __init__(self, path: str) -> None:
        self._file = sf.SoundFile(path)
        self._lock = threading.Lock()
        self.sample_rate = self._file.samplerate
        self.frames = self._file.frames

    def read(self, start_frame: int, n_frames: int) -> np.ndarray:
        start = min(max(start_frame, 0), self.frames)
        n = max(0, min(n_frames, self.frames - start))
        with self._lock:
            self._file.seek(start)
            data = self._file.read(n, dtype="float32", always_2d=True)
        return data.mean(axis=1, dtype=np.float32)


def _open_source(path: str):
    try:
        from reviewer.io.audio import AudioSource
    except ModuleNotFoundError as error:
        if error.name != "reviewer.io.audio":
            raise
        return _SoundFileSource(path)
    return AudioSource.open(path)


class ManualClock:
    """The players' clock in these children: seconds pass only when the child says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _wait_until(predicate, what: str, timeout: float = 10.0) -> None:
    """Wait for ``predicate()`` (polled on an event); fail naming ``what`` if it never holds."""
    tick = threading.Event()
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        tick.wait(0.001)


def _sent(player) -> None:
    """Wait until the device has taken the whole play (ALSA's null device takes it at once).

    Every block is then timed from the clock as it stands, so the cursor follows the clock
    alone from here on.
    """
    _wait_until(lambda: player.pending_frames == 0, "the device to take the region")


def _play_out(player, clock: ManualClock, end: int) -> tuple[float, list[int]]:
    """Advance the clock a step at a time until the cursor is at ``end``.

    Returns the seconds the clock advanced and the cursor after each step. One more step
    then lets the last frame be heard, so the play ends (and ``on_finished`` fires).
    """
    _sent(player)
    started, positions = clock.now, []
    while player.position < end:
        if clock.now - started > 5:
            raise AssertionError(f"the cursor stopped at {player.position}, not {end}")
        clock.advance(STEP)
        positions.append(player.position)
    elapsed = clock.now - started
    clock.advance(STEP)
    return elapsed, positions


def _peak_hz(samples: np.ndarray, rate: int) -> float:
    samples = samples - samples.mean()
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def _scenario_unavailable(source, out: Path) -> dict:
    from reviewer.services.playback import Player

    player = Player(source)
    results = [
        player.play(0),
        player.play_around(8000),
        player.toggle(),
        player.resume(),
    ]
    player.pause()
    player.stop()
    player.set_speed(1.5)
    position = player.position
    player.close()
    return {
        "available": player.available,
        "reason": player.reason,
        "results": results,
        "position": position,
        "is_playing": player.is_playing,
    }


def _scenario_no_portaudio(source, out: Path) -> dict:
    import ctypes.util
    import importlib

    real_find_library = ctypes.util.find_library

    def find_library(name: str):
        return None if "portaudio" in name else real_find_library(name)

    ctypes.util.find_library = find_library
    importlib.import_module("reviewer.services.playback")

    lazy = "sounddevice" not in sys.modules
    data = _scenario_unavailable(source, out)
    data["lazy"] = lazy
    return data


def _scenario_region(source, out: Path) -> dict:
    from reviewer.services.playback import Player

    done = threading.Event()
    finished_thread = []

    def on_finished() -> None:
        finished_thread.append(threading.current_thread().name)
        done.set()

    clock = ManualClock()
    player = Player(source, on_finished=on_finished, clock=clock)
    started = player.play(8000, 16000)
    latency = player.latency
    elapsed, positions = _play_out(player, clock, 16000)
    done.wait(5)
    data = {
        "available": player.available,
        "reason": player.reason,
        "started": started,
        "finished": done.is_set(),
        "elapsed": elapsed,
        "latency": latency,
        "positions": positions,
        "final_position": player.position,
        "is_playing": player.is_playing,
        "finished_thread": finished_thread[0] if finished_thread else None,
    }
    done.clear()
    data["around_started"] = player.play_around(100, seconds_before=0.5, seconds_after=0.1)
    data["around_elapsed"], _ = _play_out(player, clock, 1700)
    data["around_finished"] = done.wait(5)
    data["around_position"] = player.position
    player.close()
    return data


def _scenario_pause(source, out: Path) -> dict:
    from reviewer.services.playback import Player

    done = threading.Event()
    clock = ManualClock()
    player = Player(source, on_finished=done.set, clock=clock)
    player.play(4000, 20000)
    _sent(player)
    clock.advance(0.25)
    player.pause()
    paused_ok = player.is_paused and not player.is_playing
    held = []
    for _ in range(10):
        held.append(player.position)
        clock.advance(0.02)
    resumed = player.resume()
    _sent(player)
    before_end = player.latency + 0.05
    clock.advance(before_end)
    after_resume = player.position
    rest, _ = _play_out(player, clock, 20000)
    done.wait(5)
    play_seconds = 0.25 + before_end + rest  # the clock while playing, not while paused
    player.close()
    return {
        "paused_ok": paused_ok,
        "held": held,
        "resumed": resumed,
        "after_resume": after_resume,
        "finished": done.is_set(),
        "play_seconds": play_seconds,
    }


def _scenario_speed(source, out: Path) -> dict:
    from reviewer.services.playback import Player

    done = threading.Event()
    clock = ManualClock()
    player = Player(source, on_finished=done.set, clock=clock)
    data = {}
    for name, start, end, speed in (("fast", 4000, 20000, 2.0), ("slow", 8000, 16000, 0.5)):
        done.clear()
        player.play(start, end, speed=speed)
        data[f"{name}_elapsed"], _ = _play_out(player, clock, end)
        data[f"{name}_finished"] = done.wait(5)
        data[f"{name}_final"] = player.position
    data["clamped"] = [player.set_speed(9.0), player.set_speed(0.1)]
    player.set_speed(1.0)
    done.clear()
    player.play(4000, 20000)
    _sent(player)
    clock.advance(0.2)
    player.set_speed(2.0)
    rest, _ = _play_out(player, clock, 20000)
    data["switch_finished"] = done.wait(5)
    data["switch_elapsed"] = 0.2 + rest
    player.close()
    return data


def _scenario_stop(source, out: Path) -> dict:
    import atexit
    from concurrent.futures import ThreadPoolExecutor

    from reviewer.services.playback import Player

    players = []

    def at_exit() -> None:  # registered first, so it runs after the player's exit hook
        out.with_name("exit.json").write_text(json.dumps({"playing": players[0].is_playing}))

    atexit.register(at_exit)
    finished = threading.Event()
    clock = ManualClock()
    player = Player(source, on_finished=finished.set, clock=clock)
    players.append(player)
    player.play(0, 24000)
    _sent(player)
    clock.advance(0.15)
    with ThreadPoolExecutor(1) as pool:  # the clock stands still: stop must not wait for it
        pool.submit(player.stop).result(timeout=10)
    after_stop = []
    for _ in range(10):
        after_stop.append(player.position)
        clock.advance(0.02)
    data = {
        "stopped_with_the_clock_standing": True,
        "is_playing": player.is_playing,
        "finished_called": finished.is_set(),
        "after_stop": after_stop,
    }
    data["restart"] = player.play(0)  # left playing: the exit hook must close it
    return data


def _played(out: Path, channels: int = 1) -> np.ndarray:
    """The non-silent frames written by the ALSA file plugin (gaps are underruns)."""
    data = np.fromfile(out, dtype=np.float32).reshape(-1, channels)
    return data[np.any(data != 0.0, axis=1)]


def _scenario_samples(source, out: Path) -> dict:
    from reviewer.services.playback import Player

    done = threading.Event()
    player = Player(source, on_finished=done.set)
    player.play(8000, 12000)
    done.wait(5)
    played = _played(out)[:, 0]
    expected = source.read(8000, 4000)
    data = {"exact": bool(len(played) == 4000 and np.array_equal(played, expected))}
    done.clear()
    player.play(8000, 16000, speed=2.0)
    done.wait(5)
    data["fast_peak_hz"] = _peak_hz(_played(out)[:, 0], RATE)
    player.close()

    done.clear()
    stereo = Player(source, sample_rate=48000, channels=2, on_finished=done.set)
    data["stereo_format"] = stereo.reason
    stereo.play(8000, 16000)
    done.wait(5)
    played = _played(out, channels=2)
    data["stereo_channels_equal"] = bool(np.array_equal(played[:, 0], played[:, 1]))
    data["stereo_peak_hz"] = _peak_hz(played[:, 0], 48000)
    data["stereo_frames"] = len(played)
    stereo.close()
    return data


if __name__ == "__main__":
    scenario, wav_path, out_path = sys.argv[1:4]
    result = globals()[f"_scenario_{scenario}"](_open_source(wav_path), Path(out_path))
    print(json.dumps(result))
