"""Saved files read strictly: what a user sees for a bad session, project or journal.

The command line prints one line naming the file and the field and exits with 2; the app
shows the same words in a message box and keeps the file as it is.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.io import validation as check
from reviewer.io.journal import Journal, pending_journals
from reviewer.io.session import Session, load_session, save_session
from reviewer.model import commands as edit
from reviewer.model.annotation import Track, Turn
from reviewer.model.document import CORRECTED, REFERENCE, Document
from reviewer.model.errors import FormatError
from reviewer.model.history import History
from reviewer.model.scoring import ScoringSetup
from reviewer.model.time import TICKS_PER_SECOND as S


def bad_session(tmp_path: Path) -> Path:
    turns = [Turn(0, S, "A"), Turn(2 * S, 3 * S, "B")]
    document = Document("rec", {REFERENCE: Track(turns), CORRECTED: Track(turns)})
    path = tmp_path / "work.reviewer.json"
    save_session(path, Session.from_document(document, ScoringSetup()))
    path.write_text(path.read_text(encoding="utf-8").replace("false", '"false"'))
    return path


def test_the_command_line_names_file_and_field(tmp_path, capsys):
    path = bad_session(tmp_path)
    before = path.read_bytes()
    assert main(["open", str(path)]) == 2  # refused before any window opens
    assert capsys.readouterr().err == (
        f"reviewer: error: {path}: settings.skip_overlap: expected true or false, "
        'got the string "false"\n'
    )
    assert path.read_bytes() == before


def test_the_command_line_refuses_a_newer_project_and_keeps_it(tmp_path, capsys):
    path = tmp_path / "p.reviewer-project.json"
    path.write_text(json.dumps({"format": "reviewer-project", "version": 3, "recordings": []}))
    before = path.read_bytes()
    assert main(["corpus", str(path), "--table"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"reviewer: error: {path}: version: this project file was written by")
    assert "reads project files up to version 1" in err
    assert err.count("\n") == 1  # one line, no traceback
    assert path.read_bytes() == before


def test_a_bad_project_setting_is_one_line_from_a_real_process(tmp_path):
    path = tmp_path / "p.reviewer-project.json"
    data = {"format": "reviewer-project", "version": 1, "recordings": []}
    path.write_text(json.dumps({**data, "settings": {"collar": "0.25"}}))
    run = subprocess.run(
        [sys.executable, "-m", "reviewer", "corpus", str(path), "--table"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert run.returncode == 2
    assert run.stderr == (
        f"reviewer: error: {path}: settings.collar: expected a number of at least 0, "
        'got the string "0.25"\n'
    )


def test_the_app_gets_a_format_error_for_a_bad_session(tmp_path, qtbot):
    from reviewer.ui.app import prepare_session

    # Controller.open catches FormatError and shows it in a "Cannot open" message box.
    with pytest.raises(FormatError, match="settings.skip_overlap: expected true or false"):
        prepare_session(bad_session(tmp_path))


def crashed_journal(directory: Path, line: bytes | None = None) -> Path:
    """A journal of a process that is gone: two edits, then ``line`` if given, then one."""
    document = Document("rec", {CORRECTED: Track([Turn(0, S, "A"), Turn(2 * S, 3 * S, "B")])})
    history = History(document)
    journal = Journal.start(directory / "live", Session.from_document(document))
    journal.attach(history)
    for _ in range(2):
        turn = history.document[CORRECTED].turns[0]
        history.push(edit.nudge(CORRECTED, turn, "end", S // 100))
    lines = journal.path.read_bytes().split(b"\n")
    journal.close()
    header = json.loads(lines[0])
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    header["pid"] = child.pid
    lines[0] = json.dumps(header).encode()
    if line is not None:
        lines.insert(2, line)
    path = directory / "crashed.journal.jsonl"
    path.write_bytes(b"\n".join(lines))
    return path


def answer_message_boxes(button, texts: list[str], count: int) -> None:
    """Click ``button`` on the next ``count`` modal message boxes, noting their text."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def click():
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, click)
            return
        texts.append(box.text())
        box.button(button).click()
        if len(texts) < count:
            QTimer.singleShot(0, click)

    QTimer.singleShot(0, click)


def test_the_app_reports_a_journal_it_cannot_replay_and_keeps_it(tmp_path, qtbot):
    from PySide6.QtWidgets import QMessageBox

    from reviewer.ui.app import offer_recovery

    command = {"name": "x", "track": CORRECTED, "removed": [], "added": [[0, "1", "A"]]}
    bad = json.dumps({"kind": "do", "time": 1.0, "command": command}).encode()
    path = crashed_journal(tmp_path, bad)
    before = path.read_bytes()
    [info] = pending_journals(tmp_path)
    assert info.edits == 1 and not info.disposable
    texts: list[str] = []
    answer_message_boxes(QMessageBox.StandardButton.Ignore, texts, 1)
    assert offer_recovery(tmp_path) is None
    assert len(texts) == 1
    assert f"{path}:3: do record: command.added[0][1] (end): expected a time in ticks" in texts[0]
    assert path.read_bytes() == before  # kept as it is, the edits after line 3 with it


def test_the_app_reports_a_journal_that_does_not_replay_and_keeps_it(tmp_path, qtbot):
    from PySide6.QtWidgets import QMessageBox

    from reviewer.ui.app import offer_recovery

    path = crashed_journal(tmp_path, b'{"kind":"undo","time":1.0,"name":"Split turn"}')
    before = path.read_bytes()
    [info] = pending_journals(tmp_path)
    assert info.problem is None  # well-formed: only replaying it finds the problem
    texts: list[str] = []
    answer_message_boxes(QMessageBox.StandardButton.Yes, texts, 1)
    answer_message_boxes(QMessageBox.StandardButton.Ok, texts, 2)
    assert offer_recovery(tmp_path) is None  # before: a FormatError traceback
    assert "Restore those edits?" in texts[0]
    assert f"{path}:3: undo record: undo of 'Split turn' but the history would undo" in texts[1]
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "null"),
        (True, "true"),
        ("false", 'the string "false"'),
        ("x" * 50, 'the string "' + "x" * 37 + '..."'),
        (3, "the number 3"),
        (0.5, "the number 0.5"),
        (math.nan, "NaN"),
        (-math.inf, "-Infinity"),
        ([], "an empty list"),
        ([1, 2], "a list of 2 items"),
        ({}, "an object"),
    ],
)
def test_values_are_described_as_json(value, words):
    assert check.describe(value) == words


def test_field_paths():
    assert check.field("", "settings") == "settings"
    assert check.field("settings", "collar") == "settings.collar"
    assert check.field("view", "a b") == 'view["a b"]'
    assert check.key("tracks", "system") == 'tracks["system"]'
    assert check.index("turns", 3) == "turns[3]"
    error = check.FieldError("settings.collar", "expected a number")
    assert isinstance(error, ValueError) and str(error) == "settings.collar: expected a number"


def test_a_session_that_is_not_json_keeps_its_line(tmp_path):
    path = bad_session(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('"false"', "fals"))
    with pytest.raises(FormatError) as caught:
        load_session(path)
    assert caught.value.line is not None and "not valid JSON" in caught.value.problem
