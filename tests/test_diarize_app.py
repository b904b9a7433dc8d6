"""Diarization from the app window and the command line, on a local random pipeline."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("pyannote.audio")

from local_pipeline import build_local_pipeline, write_config  # noqa: E402

from reviewer.io import read_rttm  # noqa: E402
from reviewer.resources import demo  # noqa: E402


@pytest.fixture(scope="module")
def pipeline_dir(tmp_path_factory) -> Path:
    directory = build_local_pipeline(tmp_path_factory.mktemp("pipeline"))
    write_config(directory, "small-batch.yaml", embedding_batch_size=2)
    return directory


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PYANNOTE_METRICS_ENABLED", "0")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("HF_TOKEN", raising=False)


@pytest.fixture
def window(qtbot):
    from reviewer.ui.app import application, build_window, prepare

    application()
    files = demo()
    review = prepare(files.audio, files.reference, files.system)
    win = build_window(review, with_player=False)
    win.confirm_close = False
    qtbot.addWidget(win)
    win.show()
    yield win


def test_diarize_in_the_app_adds_tracks_scored_live(window, qtbot, pipeline_dir):
    from PySide6.QtCore import Qt

    from reviewer.ui.diarize_dialog import DiarizeDialog

    dialog = DiarizeDialog(window.editor.document.audio, window)
    qtbot.addWidget(dialog)
    dialog.pipeline.setCurrentText(str(pipeline_dir))
    dialog.speakers.setValue(2)
    steps = []  # what the dialog shows after each progress report (its own slot runs first)
    dialog.progressed.connect(
        lambda progress: steps.append(dialog.step.text()), Qt.ConnectionType.QueuedConnection
    )
    with qtbot.waitSignal(dialog.ended, timeout=120_000):
        dialog.start()
    assert dialog.job.done
    assert dialog.finished_with is not None, dialog.step.text()
    assert any("segmentation" in s for s in steps)
    window.add_diarization(dialog.finished_with)
    document = window.editor.document
    assert "pyannote" in document and "pyannote-exclusive" in document
    assert window.editor.live.setup.hypothesis == "pyannote"
    assert window.editor.live.score is not None
    assert "diarized on cpu" in window.statusBar().currentMessage()
    assert window.metrics.hypothesis_box.currentText() == "pyannote"


def test_cancel_in_the_app_stops_at_the_next_step(window, qtbot, pipeline_dir):
    from PySide6.QtCore import Qt

    from reviewer.services.diarization import Cancelled
    from reviewer.ui.diarize_dialog import DiarizeDialog

    dialog = DiarizeDialog(window.editor.document.audio, window)
    qtbot.addWidget(dialog)
    dialog.pipeline.setCurrentText(str(pipeline_dir / "small-batch.yaml"))
    dialog.speakers.setValue(2)
    reported = []  # every progress report, on the job's thread, as it is made
    running = threading.Event()
    cancelled = threading.Event()

    def on_progress(progress) -> None:
        reported.append(progress)
        if progress.step != "loading" and not running.is_set():
            running.set()  # hold the job here until the window has cancelled it
            cancelled.wait(60)

    dialog.progressed.connect(on_progress, Qt.ConnectionType.DirectConnection)
    dialog.start()
    qtbot.waitUntil(running.is_set, timeout=60_000)
    dialog._cancel_or_close()
    assert dialog.job.cancelled and not dialog.job.done
    seen = len(reported)
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        cancelled.set()
    assert isinstance(dialog.job.error, Cancelled), dialog.job.error
    assert len(reported) == seen, "the pipeline went on reporting after the cancel"
    assert reported[-1].overall < 1.0
    assert dialog.finished_with is None
    assert dialog.start_button.isEnabled()


def test_diarize_from_the_command_line(pipeline_dir, tmp_path):
    out = tmp_path / "sample.rttm"
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYANNOTE_METRICS_ENABLED="0")
    command = [
        str(Path(sys.executable).parent / "reviewer"),
        "diarize",
        str(demo().audio),
        "--pipeline",
        str(pipeline_dir),
        "--num-speakers",
        "2",
        "--out",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "segmentation" in result.stderr and "diarized on cpu" in result.stderr
    tracks = read_rttm(out)
    assert list(tracks) == ["sample"] and len(tracks["sample"].labels) == 2
    bad = subprocess.run(
        [*command[:4], str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "nowhere" in bad.stderr and "Traceback" not in bad.stderr
