"""``reviewer open --transcript ... --speaker-prefix``: the choice reaches the reader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.app.loading import load_document
from reviewer.resources import demo

REVIEWER = Path(sys.executable).parent / "reviewer"
DIARIZED = "".join(
    f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\n{name}: {text}\n\n"
    for i, (name, text) in enumerate(
        [("Ana", "bom dia"), ("Bruno", "oi"), ("Ana", "tudo bem?"), ("Bruno", "e você?")],
        start=1,
    )
)


@pytest.fixture
def subtitles(tmp_path):
    path = tmp_path / "talk.srt"
    path.write_text(DIARIZED)
    return path


def test_load_document_passes_the_choice_to_the_reader(subtitles):
    audio = demo().audio
    opened = load_document(audio, transcript=subtitles)
    assert opened.document.transcript.speakers == ("Ana", "Bruno")
    assert any("--speaker-prefix no" in note for note in opened.notes)
    opened = load_document(audio, transcript=subtitles, speaker_prefix=False)
    assert opened.document.transcript.speakers == ()
    assert opened.document.transcript.utterances[0].text == "Ana: bom dia"
    assert not any("prefix" in note for note in opened.notes)


def test_the_app_opens_a_transcript_as_asked(qtbot, tmp_path, monkeypatch, subtitles):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from reviewer.ui.app import Controller, application
    from reviewer.ui.opening import OpenRequest

    application()
    controller = Controller()
    request = OpenRequest(str(demo().audio), transcript=str(subtitles), speaker_prefix=False)
    window = controller.open(request)
    window.confirm_close = False
    qtbot.addWidget(window)
    assert window.editor.document.transcript.speakers == ()
    assert window.transcript_panel.list.count() == 4
    if window.journal is not None:
        window.journal.close()
    controller.release()


def test_open_takes_the_flag(subtitles):
    # before: "unrecognized arguments: --speaker-prefix no"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    command = [str(REVIEWER)] if REVIEWER.exists() else [sys.executable, "-m", "reviewer.cli"]
    arguments = ["open", str(demo().audio), "--transcript", str(subtitles)]
    result = subprocess.run(
        [*command, *arguments, "--speaker-prefix", "no"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "unrecognized" not in result.stderr and "no display" in result.stderr
    result = subprocess.run(
        [*command, *arguments, "--speaker-prefix", "maybe"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2 and "invalid choice: 'maybe'" in result.stderr
