"""The offline baseline on real speech (espeak-ng voices and pyannote's sample)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from speech_material import conversation

from reviewer.io import read_rttm
from reviewer.metrics import score
from reviewer.resources import RESOURCES
from reviewer.services.baseline import BaselineSettings, diarize_baseline, parse, subsegments
from reviewer.services.systems import BaselineSystem, system_from_spec

SAMPLE = RESOURCES / "demo"  # pyannote.audio's sample, copied


def test_two_espeak_voices_are_told_apart(tmp_path):
    audio, reference = conversation(tmp_path, "talk", ["en-us+m3", "en-gb+f4"], turns=10)
    hypothesis = diarize_baseline(audio)
    result = score(reference, hypothesis)
    assert result.der < 0.1, result  # two very different voices, no overlap
    assert len(hypothesis.labels) == 2


def test_the_sample_recording_and_the_shorter_subsegment_variant():
    reference = read_rttm(SAMPLE / "sample.rttm")["sample"]
    long = score(reference, diarize_baseline(SAMPLE / "sample.wav"))
    short = score(reference, diarize_baseline(SAMPLE / "sample.wav", parse("baseline:0.75")))
    assert long.der < 0.25 and short.der < 0.25  # a real phone call with overlap
    assert short.missed == pytest.approx(long.missed)  # same speech activity either way


def test_subsegments_cover_each_region_with_half_window_hops():
    windows = subsegments([(0.0, 4.0), (5.0, 5.5)], 1.5)
    assert windows[:3] == [(0.0, 1.5), (0.75, 2.25), (1.5, 3.0)]
    assert windows[-2] == (2.5, 4.0)  # the last window ends with its region
    assert windows[-1] == (5.0, 5.5)  # a short region is one window


def test_the_baseline_is_named_wherever_a_system_is_chosen(tmp_path):
    assert isinstance(system_from_spec("baseline"), BaselineSystem)
    assert system_from_spec("baseline:0.75").identity != system_from_spec("baseline").identity
    with pytest.raises(ValueError, match="between 0.2 and 10"):
        parse("baseline:30")
    assert parse("baseline") == BaselineSettings()
    out = tmp_path / "sample.rttm"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "reviewer"), "diarize", str(SAMPLE / "sample.wav"),
         "--pipeline", "baseline", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "pkg_resources" not in result.stderr and "Traceback" not in result.stderr
    assert read_rttm(out)["sample"].labels


def test_the_diarize_dialog_runs_the_baseline_into_a_scored_track(qtbot, monkeypatch, tmp_path):
    from reviewer.resources import demo
    from reviewer.ui.app import application, build_window, prepare
    from reviewer.ui.diarize_dialog import DiarizeDialog

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    application()
    files = demo()
    window = build_window(prepare(files.audio, files.reference, files.system), with_player=False)
    window.confirm_close = False
    qtbot.addWidget(window)
    dialog = DiarizeDialog(window.editor.document.audio, window)
    qtbot.addWidget(dialog)
    assert dialog.pipeline.findText("baseline") >= 0  # offered without typing
    dialog.pipeline.setCurrentText("baseline")
    with qtbot.waitSignal(dialog.ended, timeout=300_000):
        dialog.start()
    assert dialog.finished_with is not None, dialog.step.text()
    window.add_diarization(dialog.finished_with)
    assert (
        "baseline" in window.editor.document and "baseline-exclusive" not in window.editor.document
    )
    assert window.editor.live.setup.hypothesis == "baseline"
    assert window.editor.live.score.der < 0.25
