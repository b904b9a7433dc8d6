"""Opening a file from the file manager (issue 18, item 1): ``reviewer open-file FILE...``.

The decision (:mod:`reviewer.app.file_types`) is tested without Qt; the questions
(:mod:`reviewer.ui.open_file`) with real widgets offscreen, and the command itself up to the
audio question it shows for an RTTM alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from reviewer.app.file_types import Action, Kind, annotations_beside, audio_beside, kind_of, plan

TURNS = (
    "SPEAKER talk 1 0.000 1.500 <NA> <NA> A <NA> <NA>\n"
    "SPEAKER talk 1 1.500 1.000 <NA> <NA> B <NA> <NA>\n"
)


def write_audio(path: Path, seconds: float = 3.0) -> Path:
    rate = 16000
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, 0.1 * np.sin(2 * np.pi * 220 * t), rate)
    return path


@pytest.fixture
def folder(tmp_path):
    write_audio(tmp_path / "talk.flac")
    (tmp_path / "talk.rttm").write_text(TURNS)
    (tmp_path / "talk.system.rttm").write_text(TURNS)
    (tmp_path / "talk.TextGrid").write_text("")
    (tmp_path / "talk.uem").write_text("talk 1 0.000 3.000\n")
    return tmp_path


def test_kinds_by_name():
    assert kind_of("a/x.reviewer.json") is Kind.SESSION
    assert kind_of("review.reviewer-project.json") is Kind.PROJECT
    assert kind_of("whisper.json") is Kind.TRANSCRIPT
    assert kind_of("X.RTTM") is Kind.RTTM
    assert kind_of("x.uem") is Kind.UEM
    assert kind_of("x.TextGrid") is Kind.TRANSCRIPT
    assert kind_of("x.eaf") is Kind.TRANSCRIPT
    assert kind_of("x.Wav") is Kind.AUDIO
    assert kind_of("x.pdf") is Kind.UNKNOWN


def test_an_rttm_alone_asks_for_its_audio_the_same_named_one_chosen(folder):
    chosen = plan([folder / "talk.system.rttm"])
    assert chosen.action is Action.ASK_AUDIO
    assert chosen.audio == folder / "talk.flac"  # talk.system.rttm -> talk
    assert chosen.rttm == chosen.system == folder / "talk.system.rttm"
    assert chosen.reference is None
    assert chosen.start == folder / "talk.flac"


def test_audio_is_found_one_folder_up_as_a_corpus_keeps_it(tmp_path):
    write_audio(tmp_path / "meeting.WAV")
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "meeting.rttm").write_text(TURNS)
    assert audio_beside(tmp_path / "ref" / "meeting.rttm") == tmp_path / "meeting.WAV"
    assert annotations_beside(tmp_path / "meeting.WAV") == (tmp_path / "ref" / "meeting.rttm", None)
    chosen = plan([tmp_path / "ref" / "meeting.rttm"])
    assert chosen.audio == tmp_path / "meeting.WAV"


def test_without_audio_beside_the_question_starts_in_the_rttms_folder(tmp_path):
    (tmp_path / "lonely.rttm").write_text(TURNS)
    chosen = plan([str(tmp_path / "lonely.rttm")])
    assert chosen.action is Action.ASK_AUDIO
    assert chosen.audio is None and chosen.start == tmp_path


def test_audio_alone_asks_for_its_annotations_found_beside_it(folder):
    chosen = plan([folder / "talk.flac"])
    assert chosen.action is Action.ASK_FILES
    assert chosen.audio == folder / "talk.flac"
    assert chosen.system == folder / "talk.system.rttm" and chosen.reference == folder / "talk.rttm"


def test_audio_with_its_rttms_opens_at_once(folder, tmp_path):
    reference = folder / "talk.ref.rttm"
    shutil.copy(folder / "talk.rttm", reference)
    chosen = plan([folder / "talk.system.rttm", folder / "talk.flac", reference])
    assert chosen.action is Action.OPEN
    assert (chosen.audio, chosen.reference, chosen.system) == (
        folder / "talk.flac",
        reference,
        folder / "talk.system.rttm",
    )
    one = plan([folder / "talk.flac", folder / "talk.rttm"])
    assert (one.action, one.reference, one.system) == (Action.OPEN, None, folder / "talk.rttm")


def test_transcripts_and_uems_ask_for_audio_sessions_and_projects_open(folder):
    transcript = plan([folder / "talk.TextGrid"])
    assert transcript.action is Action.ASK_AUDIO and transcript.rttm is None
    assert transcript.transcript == folder / "talk.TextGrid"
    assert transcript.audio == folder / "talk.flac"
    uem = plan([folder / "talk.uem"])
    assert uem.action is Action.ASK_AUDIO and uem.uem == folder / "talk.uem"
    session = folder / "talk.reviewer.json"
    session.write_text("{}")
    assert plan([session, folder / "talk.flac"]).session == session
    project = folder / "review.reviewer-project.json"
    project.write_text("{}")
    assert plan([project]).action is Action.PROJECT


def test_what_reviewer_does_not_open_is_refused_in_a_sentence(folder):
    (folder / "notes.pdf").write_text("")
    refused = plan([folder / "notes.pdf"])
    assert refused.action is Action.REFUSE
    assert "notes.pdf" in refused.problem and ".textgrid" in refused.problem
    assert plan([folder / "gone.rttm"]).problem == f"no such file: {folder / 'gone.rttm'}"


# -- the questions, with real widgets ------------------------------------------------------


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No journal, recent list or settings of the user's touched."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_open_file_on_an_rttm_shows_the_audio_question(qtbot, folder, isolated):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.cli import main
    from reviewer.ui.app import application
    from reviewer.ui.open_file import AudioQuestion

    application()
    seen: dict[str, object] = {}

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AudioQuestion):
            QTimer.singleShot(10, look)  # the next turn of the dialog's event loop
            return
        seen["title"] = dialog.windowTitle()
        seen["question"] = dialog.question.text()
        seen["audio"] = dialog.audio.text()
        seen["system"] = dialog.as_system.isChecked()
        seen["start"] = dialog.browse_start()
        dialog.reject()

    QTimer.singleShot(0, look)
    assert main(["open-file", str(folder / "talk.rttm")]) == 0  # cancelled: nothing opens
    assert seen == {
        "title": "Open talk.rttm",
        "question": "<b>talk.rttm</b> holds speaker turns. Which recording is it of?",
        "audio": str(folder / "talk.flac"),
        "system": True,
        "start": str(folder / "talk.flac"),
    }


def test_the_rttms_role_is_asked_and_the_answer_opens(qtbot, folder, isolated):
    from reviewer.ui.app import Controller, application
    from reviewer.ui.open_file import AudioQuestion, answer, question_for

    application()
    dialog = question_for(plan([folder / "talk.system.rttm"]))
    assert isinstance(dialog, AudioQuestion)
    qtbot.addWidget(dialog)
    dialog.show()
    request = dialog.request()
    assert (request.audio, request.reference, request.system) == (
        str(folder / "talk.flac"),
        None,
        str(folder / "talk.system.rttm"),
    )
    assert not dialog.fields["system"].isVisibleTo(dialog)  # only the audio is asked
    dialog.as_reference.click()
    dialog.audio.setText(str(folder / "nothing.wav"))
    dialog.open_button.click()
    assert dialog.isVisible() and "No such file" in dialog.problem.text()
    dialog.audio.clear()  # an RTTM opens without audio too
    assert dialog.open_button.isEnabled()
    dialog.audio.setText(str(folder / "talk.flac"))
    with qtbot.waitSignal(dialog.accepted):
        dialog.open_button.click()
    chosen = answer(dialog)
    assert (chosen.reference, chosen.system) == (str(folder / "talk.system.rttm"), None)

    more = question_for(plan([folder / "talk.system.rttm"]))
    qtbot.addWidget(more)
    more.as_reference.click()
    more.more.click()  # every row, the RTTM where the answer put it
    assert more.fields["reference"].isVisibleTo(more)
    assert more.fields["reference"].text() == str(folder / "talk.system.rttm")
    assert more.fields["system"].text() == "" and not more.as_reference.isVisibleTo(more)

    controller = Controller()
    window = controller.open(chosen)
    assert window is not None
    window.confirm_close = False
    qtbot.addWidget(window)
    document = window.editor.document
    assert document["reference"].labels == ("A", "B")
    assert "system" not in document.tracks  # the RTTM is the reference, as answered
    if window.journal is not None:
        window.journal.close()
    controller.release()


def test_a_transcript_needs_its_audio_and_audio_alone_gets_the_open_dialog(qtbot, folder, isolated):
    from reviewer.ui.app import application
    from reviewer.ui.open_file import AudioQuestion, question_for
    from reviewer.ui.opening import OpenDialog

    application()
    (folder / "other.TextGrid").write_text("")
    dialog = question_for(plan([folder / "other.TextGrid"]))
    assert isinstance(dialog, AudioQuestion)
    qtbot.addWidget(dialog)
    assert dialog.audio.text() == "" and not dialog.open_button.isEnabled()
    assert not dialog.as_system.isVisibleTo(dialog)  # no role to ask for a transcript
    dialog.audio.setText(str(folder / "talk.flac"))
    assert dialog.open_button.isEnabled()

    files = question_for(plan([folder / "talk.flac"]))
    assert isinstance(files, OpenDialog)
    qtbot.addWidget(files)
    assert files.windowTitle() == "Open talk.flac"
    assert files.fields["system"].text() == str(folder / "talk.system.rttm")
    assert files.fields["reference"].text() == str(folder / "talk.rttm")


def answer_the_box(seen: dict) -> None:
    """Note the message box's text once it shows, and close it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        QTimer.singleShot(10, lambda: answer_the_box(seen))
        return
    seen["title"], seen["text"] = box.windowTitle(), box.text()
    box.accept()


def test_what_does_not_open_is_said_in_a_message_box(qtbot, folder, isolated, capsys):
    from PySide6.QtCore import QTimer

    from reviewer.cli import main
    from reviewer.ui.app import application

    application()
    (folder / "notes.pdf").write_text("")
    seen: dict[str, str] = {}
    QTimer.singleShot(0, lambda: answer_the_box(seen))
    assert main(["open-file", str(folder / "notes.pdf")]) == 2
    assert seen["title"] == "reviewer cannot open this"
    assert seen["text"].startswith("reviewer does not open notes.pdf: it opens audio, RTTM")
    assert "reviewer: error: reviewer does not open notes.pdf" in capsys.readouterr().err

    broken = folder / "review.reviewer-project.json"
    broken.write_text("{not json")
    seen.clear()
    QTimer.singleShot(0, lambda: answer_the_box(seen))
    assert main(["open-file", str(broken)]) == 2
    assert str(broken) in seen["text"]


def test_a_project_another_process_holds_is_refused_by_open_file_and_corpus(
    qtbot, folder, isolated, capsys
):
    import subprocess
    import sys

    from PySide6.QtCore import QTimer

    from reviewer.cli import main
    from reviewer.corpus import Project
    from reviewer.ui.app import application

    application()
    path = folder / "review.reviewer-project.json"
    Project([]).save(path)
    code = (
        "import sys\n"
        "from reviewer.corpus import lock_project\n"
        f"lock = lock_project({str(path)!r})\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        seen: dict[str, str] = {}
        QTimer.singleShot(0, lambda: answer_the_box(seen))
        assert main(["open-file", str(path)]) == 2
        assert "open in another reviewer window" in seen["text"]
        capsys.readouterr()
        assert main(["corpus", str(path)]) == 2  # the command line says it too, exit 2
        assert "reviewer: error:" in capsys.readouterr().err
    finally:
        holder.stdin.close()
        holder.wait()


def test_audio_alone_tells_the_reference_from_the_system_output_by_their_names(tmp_path):
    """``talk.rttm`` beside ``talk.sys.rttm`` is the reference (seen by a tester: it was
    offered as the system output and the reference was left empty)."""
    sf.write(tmp_path / "talk.wav", np.zeros(800, dtype=np.float32), 8000)
    for name in ("talk.rttm", "talk.sys.rttm"):
        (tmp_path / name).write_text(TURNS)
    assert annotations_beside(tmp_path / "talk.wav") == (
        tmp_path / "talk.rttm",
        tmp_path / "talk.sys.rttm",
    )
    (tmp_path / "talk.sys.rttm").rename(tmp_path / "talk.hyp.rttm")
    (tmp_path / "talk.rttm").rename(tmp_path / "talk.ref.rttm")
    assert annotations_beside(tmp_path / "talk.wav") == (
        tmp_path / "talk.ref.rttm",
        tmp_path / "talk.hyp.rttm",
    )
