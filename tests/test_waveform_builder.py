"""The peak pyramid built in the background: a services job, its signals, its cancel.

Real audio (a generated WAV read by :class:`reviewer.io.audio.AudioSource`), a real Qt object
whose signals cross from the worker thread to the test's, and waits on signals and events.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import soundfile as sf

from reviewer.io.audio import AudioSource
from reviewer.io.peaks import PeakPyramid
from reviewer.services.jobs import DaemonExecutor, Job

RATE = 16_000


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory):
    """A minute of noise under a slow envelope: several chunks of the pyramid's build."""
    path = tmp_path_factory.mktemp("audio") / "minute.wav"
    rng = np.random.default_rng(0)
    envelope = np.repeat(rng.uniform(0.05, 0.7, 60), RATE)
    sf.write(path, (rng.normal(0, 0.2, 60 * RATE) * envelope).clip(-1, 1), RATE, "PCM_16")
    return path


@pytest.fixture
def source(wav):
    with AudioSource.open(wav) as opened:
        yield opened


def test_the_builder_fills_the_pyramid_and_says_so(qtbot, source):
    from reviewer.ui.waveform import PyramidBuilder

    pyramid = PeakPyramid.for_source(source)
    builder = PyramidBuilder(source, pyramid)
    reported: list[int] = []
    builder.progressed.connect(reported.append)
    assert not builder.running
    with qtbot.waitSignal(builder.finished, timeout=60_000) as ended:
        builder.start()
    assert ended.args == [""]
    assert builder.error is None and not builder.running and builder.wait(0)
    assert pyramid.complete and pyramid.ready_frames == source.frames
    qtbot.waitUntil(lambda: bool(reported) and reported[-1] == source.frames)
    assert reported == sorted(reported) and len(reported) >= 3  # chunk by chunk, in order
    whole = PeakPyramid.for_source(source)
    whole.build(source)
    for got, expected in zip(
        pyramid.envelope(0, source.frames, 2000),
        whole.envelope(0, source.frames, 2000),
        strict=True,
    ):
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(RuntimeError):
        builder.start()


def test_a_cancel_is_seen_before_the_next_chunk(qtbot, source):
    from PySide6.QtCore import Qt

    from reviewer.ui.waveform import PyramidBuilder

    pyramid = PeakPyramid.for_source(source)
    builder = PyramidBuilder(source, pyramid)
    chunks: list[int] = []  # on the worker thread, as each chunk is done
    first_chunk = threading.Event()
    cancelled = threading.Event()

    def on_chunk(ready_frames: int) -> None:
        chunks.append(ready_frames)
        if len(chunks) == 1:
            first_chunk.set()  # hold the build here until the test has cancelled it
            cancelled.wait(60)

    builder.progressed.connect(on_chunk, Qt.ConnectionType.DirectConnection)
    builder.start()
    assert first_chunk.wait(60)
    builder.cancel()
    assert builder.running
    with qtbot.waitSignal(builder.finished, timeout=60_000) as ended:
        cancelled.set()
    assert ended.args == [""] and builder.error is None
    assert len(chunks) == 1, "the build read on after the cancel"
    assert pyramid.ready_frames == chunks[0] < source.frames
    assert not pyramid.complete and not builder.running


def test_a_failing_build_is_reported_not_raised(qtbot, source):
    from reviewer.ui.waveform import PyramidBuilder

    wrong = PeakPyramid(source.frames + 1, source.sample_rate)
    builder = PyramidBuilder(source, wrong)
    with qtbot.waitSignal(builder.finished, timeout=60_000) as ended:
        builder.start()
    assert "does not match" in ended.args[0]
    assert builder.error == ended.args[0]
    builder.stop()  # stopping an ended build returns at once
    assert not builder.running


def test_a_job_hands_its_outcome_to_its_future():
    def work(stop: threading.Event) -> str:
        return threading.current_thread().name

    job = Job(work, "reviewer-test-job")
    assert not job.started and not job.done and not job.wait(0) and job.future is None
    done: list[str] = []
    future = job.start()
    future.add_done_callback(lambda f: done.append(f.result()))
    assert future.result(60) == "reviewer-test-job"
    assert job.done and job.wait(0) and done == ["reviewer-test-job"]
    with pytest.raises(RuntimeError):
        job.start()

    def fail(stop: threading.Event) -> None:
        raise ValueError("no")

    failing = Job(fail, "reviewer-test-job")
    assert isinstance(failing.start().exception(60), ValueError)


def test_a_job_stops_when_its_event_is_set():
    started = threading.Event()

    def work(stop: threading.Event) -> str:
        started.set()
        return "stopped" if stop.wait(60) else "timed out"

    job = Job(work, "reviewer-test-job")
    future = job.start()
    assert started.wait(60) and not job.done
    job.cancel()
    assert job.cancelled
    assert future.result(60) == "stopped"


def test_the_executor_runs_daemon_threads_and_refuses_work_after_shutdown():
    executor = DaemonExecutor("reviewer-test-executor")
    future = executor.submit(lambda: threading.current_thread().daemon)
    assert future.result(60) is True
    executor.shutdown(wait=True)
    with pytest.raises(RuntimeError):
        executor.submit(lambda: None)
    other = DaemonExecutor("reviewer-test-executor")
    release = threading.Event()
    blocker = other.submit(release.wait, 60)
    assert not blocker.cancel()  # it is running: a Future that runs cannot be cancelled
    release.set()
    other.shutdown(wait=True)  # joins the running call
    assert blocker.done() and blocker.result() is True
