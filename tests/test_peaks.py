"""The waveform data layer: AudioSource over real files, and the min/max peak pyramid."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from reviewer.io.audio import AudioError, AudioSource
from reviewer.io.peaks import (
    BASE_BLOCK,
    LEVEL_FACTOR,
    RAW_FRAMES_PER_POINT,
    TOP_BLOCKS,
    PeakPyramid,
)
from reviewer.model.time import frames_to_ticks


@dataclass(frozen=True)
class Recording:
    path: Path
    rate: int
    mono: np.ndarray  # the mono float32 mix, computed with numpy from what soundfile decodes


def _signal(frames: int, rate: int, channels: int, seed: int) -> np.ndarray:
    """A 440 Hz sine under a known envelope (rising, then a quiet stretch), plus noise."""
    t = np.arange(frames) / rate
    envelope = np.interp(t, [0, t[-1] * 0.4, t[-1] * 0.5, t[-1]], [0.05, 0.9, 0.01, 0.6])
    noise = np.random.default_rng(seed).normal(0, 0.01, (frames, channels))
    left = envelope * np.sin(2 * np.pi * 440 * t)
    columns = [left] + [envelope * np.sin(2 * np.pi * 97 * (c + 1) * t) for c in range(1, channels)]
    return np.clip(np.stack(columns, axis=1) + noise, -1, 1)


def _record(directory: Path, name: str, frames: int, rate: int, channels: int, subtype: str):
    path = directory / name
    sf.write(path, _signal(frames, rate, channels, seed=frames), rate, subtype=subtype)
    decoded = sf.read(path, dtype="float32", always_2d=True)[0]
    return Recording(path, rate, decoded.mean(axis=1, dtype=np.float32))


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, Recording]:
    directory = tmp_path_factory.mktemp("audio")
    return {
        # 4 levels (256 .. 16384), a length that is not a multiple of 256
        "wav_mono_22050": _record(directory, "a.wav", 4_200_077, 22050, 1, "PCM_16"),
        # 3 levels, stereo mixed down, lossless compressed
        "flac_stereo_44100": _record(directory, "b.flac", 1_100_003, 44100, 2, "PCM_16"),
        # a single level, float samples, three channels
        "wav_3ch_float_8000": _record(directory, "c.wav", 70_001, 8000, 3, "FLOAT"),
    }


@pytest.fixture(scope="module")
def built(recordings) -> dict[str, tuple[Recording, PeakPyramid]]:
    result = {}
    for name, recording in recordings.items():
        source = AudioSource.open(recording.path)
        pyramid = PeakPyramid(source.frames, source.sample_rate)
        assert pyramid.build(source) is True
        result[name] = recording, pyramid
    return result


def _block_extremes(mono: np.ndarray, span: int, first: int = 0, last: int | None = None):
    """Numpy's own min/max of ``mono`` over blocks ``first .. last`` of ``span`` frames."""
    last = -(-len(mono) // span) if last is None else last
    part = mono[first * span : last * span]
    starts = np.arange(0, len(part), span)
    return np.minimum.reduceat(part, starts), np.maximum.reduceat(part, starts)


def _expected_envelope(mono, block_sizes, start, end, max_points, ready):
    """What ``envelope`` should return (from 4 frames a point), derived from the samples."""
    frames_per_point = (end - start) / max_points
    if frames_per_point < BASE_BLOCK:  # groups of frames read from the file: never NaN
        size, ready = 1, len(mono)
    else:
        size = max(s for s in block_sizes if s <= frames_per_point)
    span = size * int(frames_per_point // size)
    first, last = start // span, -(-end // span)
    mins, maxs = _block_extremes(mono, span, first, last)
    ends = np.minimum(np.arange(first + 1, first + len(mins) + 1) * span, len(mono))
    if ready < len(mono):
        mins[ends > ready] = np.nan
        maxs[ends > ready] = np.nan
    return np.arange(first, first + len(mins)) * float(span), mins, maxs


# --------------------------------------------------------------------------- AudioSource


def test_source_presents_a_mono_mix(recordings):
    recording = recordings["flac_stereo_44100"]
    source = AudioSource.open(recording.path)
    assert (source.sample_rate, source.frames, source.channels) == (44100, 1_100_003, 2)
    assert source.path == recording.path
    assert source.duration_ticks == frames_to_ticks(1_100_003, 44100)
    middle = source.read(123_457, 100_000)
    assert middle.dtype == np.float32 and middle.ndim == 1
    np.testing.assert_array_equal(middle, recording.mono[123_457:223_457])
    np.testing.assert_array_equal(source.read(1_100_000, 50), recording.mono[-3:])  # clipped
    np.testing.assert_array_equal(source.read(-5, 10), recording.mono[:5])
    assert len(source.read(2_000_000, 10)) == 0
    assert len(source.read(10, 0)) == 0


def test_blocks_walk_the_file_in_order(recordings):
    recording = recordings["wav_3ch_float_8000"]
    source = AudioSource.open(recording.path)
    chunks = list(source.blocks(1000, 30_000))
    assert [offset for offset, _ in chunks] == [1000, 31_000, 61_000]
    assert [len(chunk) for _, chunk in chunks] == [30_000, 30_000, 9001]
    joined = np.concatenate([chunk for _, chunk in chunks])
    np.testing.assert_allclose(joined, recording.mono[1000:], rtol=0, atol=1e-7)


def test_missing_file_is_an_audio_error(tmp_path):
    path = tmp_path / "nowhere.wav"
    with pytest.raises(AudioError, match="nowhere.wav: no such file") as caught:
        AudioSource.open(path)
    assert isinstance(caught.value, ValueError)
    assert caught.value.path == path


def test_text_file_named_wav_is_an_audio_error(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("SPEAKER meeting 1 0.00 1.00 <NA> <NA> alice <NA> <NA>\n")
    with pytest.raises(AudioError, match=r"notes\.wav: not a readable audio file"):
        AudioSource.open(path)


def test_empty_wav_is_an_audio_error(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, dtype=np.int16), 16000)
    with pytest.raises(AudioError, match=r"empty\.wav: .*0 frames"):
        AudioSource.open(path)


def test_directory_is_an_audio_error(tmp_path):
    with pytest.raises(AudioError, match="directory"):
        AudioSource.open(tmp_path)


# --------------------------------------------------------------------------- the pyramid


@pytest.mark.parametrize("name", ["wav_mono_22050", "flac_stereo_44100", "wav_3ch_float_8000"])
def test_every_level_matches_numpy(built, name):
    recording, pyramid = built[name]
    assert pyramid.complete and pyramid.ready_frames == len(recording.mono)
    sizes = pyramid.block_sizes
    assert sizes == tuple(BASE_BLOCK * LEVEL_FACTOR**k for k in range(len(sizes)))
    counts = [len(m) for m in pyramid.mins]
    assert counts[-1] <= TOP_BLOCKS and all(c > TOP_BLOCKS for c in counts[:-1])
    for level, size in enumerate(sizes):
        mins, maxs = _block_extremes(recording.mono, size)
        assert pyramid.mins[level].dtype == np.float32
        np.testing.assert_array_equal(pyramid.mins[level], mins, err_msg=f"level {level}")
        np.testing.assert_array_equal(pyramid.maxs[level], maxs, err_msg=f"level {level}")


def test_level_counts_and_memory_for_ten_hours():
    pyramid = PeakPyramid(10 * 3600 * 16000, 16000)
    assert pyramid.block_sizes[-1] == 2**20 and len(pyramid.mins[-1]) <= TOP_BLOCKS
    assert pyramid.nbytes < 25e6


def test_level_for():
    pyramid = PeakPyramid(4_200_077, 22050)
    assert pyramid.levels == 4
    assert pyramid.level_for(1) is None and pyramid.level_for(255.9) is None
    assert [pyramid.level_for(f) for f in (256, 1023, 1024, 4095, 4096, 16384)] == [
        0,
        0,
        1,
        1,
        2,
        3,
    ]
    assert pyramid.level_for(10**9) == 3


@pytest.mark.parametrize(
    ("start", "end", "max_points"),
    [
        (0, 4_200_077, 2000),  # whole file: 2100 frames a point, level 1 merged by 2
        (0, 4_200_077, 100),  # coarser than the top level: top blocks merged
        (1_234_567, 1_234_567 + 22050 * 10, 800),  # a 10 s window, level 0 merged
        (4_100_000, 4_200_077, 300),  # the short last block
        (333, 333 + 256 * 50, 50),  # exactly one level-0 block a point
    ],
)
def test_envelope_picks_a_level_and_matches_numpy(built, start, end, max_points):
    recording, pyramid = built["wav_mono_22050"]
    positions, mins, maxs = pyramid.envelope(start, end, max_points)
    assert positions.dtype == np.float64 and mins.dtype == maxs.dtype == np.float32
    assert max_points <= len(positions) <= 2 * max_points + 2
    assert positions[0] <= start < end <= positions[-1] + (positions[1] - positions[0])
    full = pyramid.frames
    expected = _expected_envelope(recording.mono, pyramid.block_sizes, start, end, max_points, full)
    np.testing.assert_array_equal(positions, expected[0])
    np.testing.assert_array_equal(mins, expected[1])
    np.testing.assert_array_equal(maxs, expected[2])


def test_fine_zoom_returns_raw_samples(built):
    recording, pyramid = built["flac_stereo_44100"]
    assert RAW_FRAMES_PER_POINT == 4
    n = 4 * 40 - 1  # just under 4 frames a point
    positions, mins, maxs = pyramid.envelope(5000, 5000 + n, 40)
    assert positions.dtype == np.float64 and mins.dtype == maxs.dtype == np.float32
    np.testing.assert_array_equal(positions, np.arange(5000, 5000 + n))
    np.testing.assert_array_equal(mins, recording.mono[5000 : 5000 + n])
    np.testing.assert_array_equal(maxs, mins)
    assert len(positions) < RAW_FRAMES_PER_POINT * 40
    tail = pyramid.envelope(1_100_000, 1_200_000, 1000)[1]  # clipped to the file
    np.testing.assert_array_equal(tail, recording.mono[-3:])
    # from exactly 4 frames a point on, min/max pairs of aligned groups of 4 frames
    positions, mins, maxs = pyramid.envelope(5000, 5000 + 4 * 40, 40)
    np.testing.assert_array_equal(positions, np.arange(5000, 5000 + 4 * 40, 4))
    groups = recording.mono[5000 : 5000 + 4 * 40].reshape(40, 4)
    np.testing.assert_array_equal(mins, groups.min(axis=1))
    np.testing.assert_array_equal(maxs, groups.max(axis=1))


@pytest.mark.parametrize(
    ("name", "start", "end", "max_points"),
    [
        ("flac_stereo_44100", 5001, 5001 + 255 * 40 + 39, 40),  # 255.98 a point: groups of 255
        ("flac_stereo_44100", 123_457, 123_457 + 44100, 2000),  # 1 s at 2000 px: groups of 22
        ("wav_mono_22050", 1_234_567, 1_234_567 + 22050 * 10, 2000),  # 10 s: groups of 110
        ("flac_stereo_44100", 1_090_004, 1_100_003, 100),  # to the end: a 14-frame last group
        ("wav_3ch_float_8000", 0, 70_001, 1000),  # the whole file: groups of 70, then 1 frame
        ("wav_mono_22050", 7, 7 + 5 * 999, 999),  # 5 frames a point, unaligned start
    ],
)
def test_middle_zoom_summarises_the_samples(recordings, built, name, start, end, max_points):
    recording, pyramid = built[name]
    group = int((end - start) / max_points)
    assert RAW_FRAMES_PER_POINT <= group < BASE_BLOCK
    first, last = start // group, -(-end // group)
    mins_np, maxs_np = _block_extremes(recording.mono, group, first, last)
    unbuilt = PeakPyramid.for_source(AudioSource.open(recording.path))  # needs no build
    for subject in (pyramid, unbuilt):
        positions, mins, maxs = subject.envelope(start, end, max_points)
        assert positions.dtype == np.float64 and mins.dtype == maxs.dtype == np.float32
        assert max_points <= len(positions) < 2 * max_points + 2
        np.testing.assert_array_equal(positions, np.arange(first, last) * float(group))
        assert positions[0] <= start < end <= positions[-1] + group
        np.testing.assert_array_equal(mins, mins_np)
        np.testing.assert_array_equal(maxs, maxs_np)
        assert not np.isnan(mins).any() and (mins < maxs).any()
    assert unbuilt.ready_frames == 0


def test_panning_a_fine_view_keeps_its_groups(built):
    recording, pyramid = built["wav_mono_22050"]
    start, width, points = 1_000_000, 22050 * 10, 2000  # 110.25 frames a point: groups of 110
    before = pyramid.envelope(start, start + width, points)
    for shift in (1, 37, 109, 110, 5003):
        after = pyramid.envelope(start + shift, start + shift + width, points)
        assert (after[0] % 110 == 0).all()
        common, kept_before, kept_after = np.intersect1d(
            before[0], after[0], assume_unique=True, return_indices=True
        )
        assert len(common) > len(before[0]) - 50
        np.testing.assert_array_equal(before[1][kept_before], after[1][kept_after])
        np.testing.assert_array_equal(before[2][kept_before], after[2][kept_after])


def test_fine_views_without_a_source_are_nan():
    pyramid = PeakPyramid(100_000, 16000)
    positions, mins, maxs = pyramid.envelope(1001, 1001 + 50 * 300, 300)  # groups of 50
    np.testing.assert_array_equal(positions, np.arange(20, 321) * 50.0)
    assert np.isnan(mins).all() and np.isnan(maxs).all()
    positions, mins, maxs = pyramid.envelope(10, 20, 5)  # 2 frames a point: raw
    np.testing.assert_array_equal(positions, np.arange(10, 20))
    assert np.isnan(mins).all() and np.isnan(maxs).all()


class _ShortRead(AudioSource):
    """A file whose samples stop at frame 60 000, before its announced length."""

    def read(self, start_frame: int, n_frames: int) -> np.ndarray:
        return super().read(start_frame, n_frames)[: max(0, 60_000 - start_frame)]


def test_fine_view_is_nan_where_the_file_has_no_samples(recordings):
    recording = recordings["wav_3ch_float_8000"]
    plain = AudioSource.open(recording.path)
    pyramid = PeakPyramid.for_source(
        _ShortRead(plain.path, plain.sample_rate, plain.frames, plain.channels)
    )
    positions, mins, maxs = pyramid.envelope(50_000, 70_001, 1000)  # groups of 20
    np.testing.assert_array_equal(positions, np.arange(2500, 3501) * 20.0)
    mins_np, maxs_np = _block_extremes(recording.mono, 20, 2500, 3000)
    np.testing.assert_array_equal(mins[:500], mins_np)
    np.testing.assert_array_equal(maxs[:500], maxs_np)
    assert np.isnan(mins[500:]).all() and np.isnan(maxs[500:]).all()


def test_envelope_clips_and_handles_empty_ranges(built):
    _, pyramid = built["wav_3ch_float_8000"]
    assert all(len(a) == 0 for a in pyramid.envelope(100, 100, 10))
    assert all(len(a) == 0 for a in pyramid.envelope(80_000, 90_000, 10))
    whole = pyramid.envelope(-1000, 10**9, 20)
    np.testing.assert_array_equal(whole[0], pyramid.envelope(0, 70_001, 20)[0])
    with pytest.raises(ValueError):
        pyramid.envelope(0, 100, 0)


def test_partial_build_is_nan_past_ready_and_resumes(recordings):
    recording = recordings["wav_mono_22050"]
    source = AudioSource.open(recording.path)
    pyramid = PeakPyramid.for_source(source)
    progress: list[int] = []
    complete = pyramid.build(
        source,
        chunk_frames=50_000,
        should_stop=lambda: len(progress) >= 7,
        on_progress=progress.append,
    )
    ready = pyramid.ready_frames
    assert not complete and len(progress) == 7 and progress[-1] == ready
    assert progress == sorted(progress) and 0 < ready < source.frames
    for start, end, points in [
        (0, source.frames, 2000),
        (0, source.frames, 300),
        (0, 400_000, 1000),
    ]:
        got = pyramid.envelope(start, end, points)
        expected = _expected_envelope(
            recording.mono, pyramid.block_sizes, start, end, points, ready
        )
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_array_equal(g, e)
        assert np.isnan(got[1][-1]) and not np.isnan(got[1][0])
    # a fine view is read from the file, so it is final even past ready_frames
    fine = pyramid.envelope(ready + 1000, ready + 101_000, 1000)  # 100 frames a point
    expected = _expected_envelope(
        recording.mono, pyramid.block_sizes, ready + 1000, ready + 101_000, 1000, ready
    )
    for g, e in zip(fine, expected, strict=True):
        np.testing.assert_array_equal(g, e)
    assert not np.isnan(fine[1]).any() and not np.isnan(fine[2]).any()
    assert pyramid.build(source, chunk_frames=50_000, on_progress=progress.append) is True
    assert progress[-1] == source.frames
    for level, size in enumerate(pyramid.block_sizes):
        np.testing.assert_array_equal(pyramid.maxs[level], _block_extremes(recording.mono, size)[1])


def test_should_stop_before_anything_is_read(recordings):
    source = AudioSource.open(recordings["flac_stereo_44100"].path)
    pyramid = PeakPyramid.for_source(source)
    assert pyramid.build(source, should_stop=lambda: True) is False
    assert pyramid.ready_frames == 0
    _, mins, maxs = pyramid.envelope(0, source.frames, 500)
    assert np.isnan(mins).all() and np.isnan(maxs).all()


class _OddChunks(AudioSource):
    """A real file read in chunks that do not line up with the 256-frame blocks."""

    def blocks(self, start_frame: int = 0, block_frames: int = 2**18):
        yield from super().blocks(start_frame, 1000)


def test_chunks_need_not_align_with_blocks(recordings):
    recording = recordings["flac_stereo_44100"]
    plain = AudioSource.open(recording.path)
    source = _OddChunks(plain.path, plain.sample_rate, plain.frames, plain.channels)
    pyramid = PeakPyramid.for_source(source)
    assert pyramid.build(source, should_stop=lambda: pyramid.ready_frames > 500_000) is False
    assert pyramid.build(source) is True
    for level, size in enumerate(pyramid.block_sizes):
        np.testing.assert_array_equal(pyramid.mins[level], _block_extremes(recording.mono, size)[0])


def test_a_source_of_another_length_is_refused(recordings):
    source = AudioSource.open(recordings["wav_3ch_float_8000"].path)
    with pytest.raises(ValueError, match="does not match"):
        PeakPyramid(source.frames + 1, source.sample_rate).build(source)


def test_envelope_while_building_in_a_thread(recordings):
    recording = recordings["wav_mono_22050"]
    source = AudioSource.open(recording.path)
    pyramid = PeakPyramid.for_source(source)
    errors: list[BaseException] = []

    def build() -> None:
        try:
            pyramid.build(source, chunk_frames=4096)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    fine_view = (1_500_000, 1_500_000 + 22050, 500)  # 44 frames a point, from the samples
    views = [
        (0, source.frames, 1500),
        (2_000_000, 2_300_000, 700),
        (100, 90_000, 100),
        fine_view,
    ]
    truth = {
        view: _expected_envelope(recording.mono, pyramid.block_sizes, *view, source.frames)
        for view in views
    }
    seen_partial = calls = 0
    worker = threading.Thread(target=build)
    worker.start()
    while worker.is_alive() or calls < 30:
        for view in views:
            positions, mins, maxs = pyramid.envelope(*view)
            calls += 1
            np.testing.assert_array_equal(positions, truth[view][0])
            built_part = ~np.isnan(mins)
            # a finished prefix, then NaN; the finished part is final
            assert built_part.sum() == np.argmin(built_part) or built_part.all()
            np.testing.assert_array_equal(mins[built_part], truth[view][1][built_part])
            np.testing.assert_array_equal(maxs[built_part], truth[view][2][built_part])
            assert (np.isnan(maxs) == ~built_part).all()
            assert built_part.all() or view != fine_view  # never waits for the build
            seen_partial += view[2] == 1500 and 0 < built_part.sum() < len(mins)
    worker.join()
    assert not errors
    assert pyramid.complete and seen_partial > 0
