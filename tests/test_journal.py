"""The edit journal: every edit on disk at once, recovered exactly after a crash."""

from __future__ import annotations

import json
import os
import re
import runpy
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from reviewer.io.journal import (
    Journal,
    JournalBusy,
    discard_journal,
    journal_directory,
    pending_journals,
    recover,
)
from reviewer.io.journal import osfiles as journal_os
from reviewer.io.session import Session
from reviewer.model import commands as edit
from reviewer.model.annotation import Track, Turn
from reviewer.model.document import CORRECTED, REFERENCE, Document
from reviewer.model.errors import FormatError
from reviewer.model.history import History
from reviewer.model.scoring import ScoringSettings, ScoringSetup
from reviewer.model.time import TICKS_PER_SECOND as S

MS = S // 1000
ROOT = Path(__file__).resolve().parents[1]


def make_document() -> Document:
    turns = [Turn(0, 2 * S, "A"), Turn(3 * S, 5 * S, "B"), Turn(6 * S, 8 * S, "A")]
    return Document("rec", {REFERENCE: Track(turns), CORRECTED: Track(turns)})


def start(directory: Path, document: Document | None = None):
    document = document or make_document()
    history = History(document)
    setup = ScoringSetup(settings=ScoringSettings(collar=0.25))
    session = Session.from_document(document, setup, {"start": 0.0, "end": 10.0})
    journal = Journal.start(directory, session)
    journal.attach(history)
    return journal, document, history


def nudge_end(history: History, index: int, times: int, delta: int = 10 * MS) -> None:
    for _ in range(times):
        turn = history.document[CORRECTED].turns[index]
        history.push(edit.nudge(CORRECTED, turn, "end", delta))


def some_edits(history: History, journal: Journal | None = None, session_path=None) -> None:
    """Nudges that merge, undo, redo, more edits, a save, and edits after it."""
    nudge_end(history, 0, 5)  # one merged step
    nudge_end(history, 1, 3, -20 * MS)  # another
    history.undo()
    history.undo()
    history.redo()
    turn = history.document[CORRECTED].turns[2]
    history.push(edit.split(CORRECTED, turn, 7 * S))
    history.push(edit.set_speaker(CORRECTED, history.document[CORRECTED].turns[3], "C"))
    history.undo()
    nudge_end(history, 0, 2)  # a new step: the split came in between
    if journal is not None:
        journal.mark_saved(session_path)
    history.mark_saved()
    nudge_end(history, 0, 2)  # the save stops merging with the step before
    history.push(edit.insert(CORRECTED, Turn(9 * S, 10 * S, "D")))
    history.undo()  # leaves something to redo


def assert_same(recovered: History, original: History) -> None:
    assert recovered.document.tracks == original.document.tracks
    assert [c.name for c in recovered.commands] == [c.name for c in original.commands]
    assert recovered.commands == original.commands
    assert recovered.undo_name == original.undo_name
    assert recovered.redo_name == original.redo_name
    assert recovered.is_saved == original.is_saved


def test_record_and_recover_round_trip(tmp_path):
    journal, document, history = start(tmp_path)
    some_edits(history, journal, tmp_path / "rec.reviewer.json")
    assert journal.error is None

    session, recovered_document, recovered = recover(journal.path)
    assert_same(recovered, history)
    assert recovered.document is recovered_document
    assert session.uri == "rec"
    assert session.tracks == dict(document.tracks)
    assert session.settings == ScoringSetup(settings=ScoringSettings(collar=0.25))
    assert session.view == {"start": 0.0, "end": 10.0}
    # The recovered history goes on behaving like the original.
    recovered.redo()
    history.redo()
    assert_same(recovered, history)
    while history.undo():
        recovered.undo()
        assert recovered.document.tracks == history.document.tracks
    assert recovered.document.tracks == make_document().tracks


def test_journal_file_format(tmp_path):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 2)
    history.undo()
    history.redo()
    journal.mark_saved(tmp_path / "x.reviewer.json")
    assert journal.path.parent == tmp_path
    assert journal.path.name.endswith(".journal.jsonl")
    lines = journal.path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "reviewer-journal"
    assert header["version"] == 1
    assert header["pid"] == os.getpid()
    assert header["session_path"] is None
    assert header["session"]["format"] == "reviewer-session"
    assert header["session"]["tracks"][CORRECTED]["turns"][0] == [0, 2 * S, "A"]
    kinds = [json.loads(line)["kind"] for line in lines[1:]]
    assert kinds == ["do", "do", "undo", "redo", "save"]
    assert json.loads(lines[3])["name"] == "Nudge end"
    assert json.loads(lines[1])["command"]["added"] == [[0, 2 * S + 10 * MS, "A"]]
    assert list(tmp_path.iterdir()) == [journal.path]  # no temporary file left


def test_close_deletes_and_later_edits_are_not_recorded(tmp_path):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 1)
    journal.close()
    assert journal.closed
    assert not journal.path.exists()
    nudge_end(history, 0, 1)  # the listener is still subscribed: it must do nothing
    journal.close()  # twice is fine
    assert list(tmp_path.iterdir()) == []
    assert pending_journals(tmp_path) == []
    with pytest.raises(ValueError, match="closed"):
        journal.record("undo")


def test_record_rejects_bad_calls_and_attach_needs_a_fresh_history(tmp_path):
    journal, document, history = start(tmp_path)
    with pytest.raises(ValueError, match="needs its command"):
        journal.record("do")
    with pytest.raises(ValueError, match="unknown"):
        journal.record("jump")
    nudge_end(history, 0, 1)
    other = Journal.start(tmp_path, Session.from_document(document))
    with pytest.raises(ValueError, match="before any edit"):
        other.attach(history)
    other.close()
    journal.close()


def test_torn_last_line_is_ignored(tmp_path):
    journal, _, history = start(tmp_path)
    some_edits(history, journal, tmp_path / "s.reviewer.json")
    with open(journal.path, "ab") as stream:
        stream.write(b'{"kind":"do","time":1.0,"command":{"name":"Nudge e')
    _, _, recovered = recover(journal.path)
    assert_same(recovered, history)


def test_complete_last_line_without_newline_is_kept(tmp_path):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 3)
    data = journal.path.read_bytes()
    assert data.endswith(b"\n")
    journal.path.write_bytes(data[:-1])
    _, _, recovered = recover(journal.path)
    assert_same(recovered, history)


def test_corrupt_middle_line_names_the_journal_and_line(tmp_path):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 4)
    lines = journal.path.read_bytes().split(b"\n")
    lines[2] = b'{"kind":"do","ti'
    journal.path.write_bytes(b"\n".join(lines))
    with pytest.raises(FormatError) as caught:
        recover(journal.path)
    assert caught.value.path == journal.path
    assert caught.value.line == 3
    assert f"{journal.path}:3:" in str(caught.value)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"kind": "undo", "time": 1.0, "name": "Split turn"}, "would undo 'Nudge end'"),
        ({"kind": "redo", "time": 1.0}, "redo with nothing to redo"),
        ({"kind": "fly", "time": 1.0}, 'record: kind: expected one of "do", .*"fly"'),
        ({"kind": "do", "time": 1.0}, "do record: command: missing"),
        (
            {
                "kind": "do",
                "time": 1.0,
                "command": edit.delete(CORRECTED, (Turn(1, 2, "Z"),)).to_json(),
            },
            "do record: 'Delete turn' does not apply: no such turn",
        ),
        (
            {"kind": "do", "time": 1.0, "command": edit.insert("x", Turn(1, 2, "Z")).to_json()},
            "'Insert turn' does not apply: x",
        ),
        (
            {
                "kind": "do",
                "time": 1.0,
                "command": {"name": "i", "track": CORRECTED, "removed": [], "added": [[2, 1, "Z"]]},
            },
            r"do record: command.added\[0\]: ends \(1\) before it starts \(2\)",
        ),
    ],
)
def test_records_that_do_not_replay_name_the_line(tmp_path, record, message):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 2)
    with open(journal.path, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(record) + "\n")
    nudge_end(history, 1, 1)
    with pytest.raises(FormatError, match=message) as caught:
        recover(journal.path)
    assert caught.value.line == 4


def test_header_problems(tmp_path):
    empty = tmp_path / "empty.journal.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(FormatError, match="no complete header") as caught:
        recover(empty)
    assert caught.value.line == 1
    other = tmp_path / "other.journal.jsonl"
    other.write_text('{"format": "something"}\n')
    with pytest.raises(FormatError, match="not a reviewer journal"):
        recover(other)
    assert pending_journals(tmp_path) == []  # neither can be recovered nor is listed


def copy_as(path: Path, target: Path, pid: int) -> Path:
    """A copy of a journal claiming another pid, not locked by anyone."""
    lines = path.read_bytes().split(b"\n")
    header = json.loads(lines[0])
    header["pid"] = pid
    lines[0] = json.dumps(header).encode()
    target.write_bytes(b"\n".join(lines))
    return target


def dead_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_pending_journals_lists_dead_ones_only(tmp_path):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 3)
    history.undo()
    journal.mark_saved(tmp_path / "s.reviewer.json")
    history.mark_saved()
    nudge_end(history, 1, 1)
    assert pending_journals(tmp_path) == []  # our own, live journal is not offered

    dead = copy_as(journal.path, tmp_path / "dead.journal.jsonl", dead_pid())
    # Our pid but unlocked: a journal of an earlier process whose pid was reused.
    reused = copy_as(journal.path, tmp_path / "reused.journal.jsonl", os.getpid())
    found = pending_journals(tmp_path)
    assert {info.path for info in found} == {dead, reused}
    info = next(info for info in found if info.path == dead)
    assert info.uri == "rec"
    assert info.audio is None
    assert info.edits == 5  # 3 do, 1 undo, 1 do
    assert info.unsaved_edits == 1
    assert info.session_path == tmp_path / "s.reviewer.json"
    assert info.last_edit is not None and info.last_edit >= info.created
    assert info.problem is None

    discard_journal(dead)
    assert [info.path for info in pending_journals(tmp_path)] == [reused]
    with pytest.raises(JournalBusy):
        discard_journal(journal.path)
    journal.close()


def test_without_locks_the_pid_decides(tmp_path, monkeypatch):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 1)
    dead = copy_as(journal.path, tmp_path / "dead.journal.jsonl", dead_pid())
    copy_as(journal.path, tmp_path / "mine.journal.jsonl", os.getpid())
    monkeypatch.setattr(journal_os, "fcntl", None)
    assert [info.path for info in pending_journals(tmp_path)] == [dead]
    journal.close()


def test_pending_journals_newest_first_and_with_problems(tmp_path, monkeypatch):
    ticks = iter(range(1_700_000_000, 1_800_000_000))  # a clock that moves on every record
    monkeypatch.setattr(Journal, "clock", staticmethod(lambda: float(next(ticks))))
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 1)
    older = copy_as(journal.path, tmp_path / "older.journal.jsonl", dead_pid())
    nudge_end(history, 1, 1)
    newer = copy_as(journal.path, tmp_path / "newer.journal.jsonl", dead_pid())
    with open(newer, "ab") as stream:
        stream.write(b"garbage\n" + b'{"kind":"undo","time":1.0}\n')
    found = pending_journals(tmp_path)
    assert [info.path for info in found] == [newer, older]
    assert found[0].problem is not None and ":4:" in found[0].problem
    assert found[0].edits == 2
    journal.close()


def test_write_failure_stops_recording_without_breaking_the_edit(tmp_path, monkeypatch):
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 2)
    journal.sync()  # these two are on disk (fsynced in the background)
    size = journal.path.stat().st_size
    expected = list(history.commands)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_os.os, "fsync", full)
    nudge_end(history, 1, 1)  # the edit happens; the journal notes the failure
    assert isinstance(journal.error, OSError)
    assert journal.path.stat().st_size == size  # no partial line left behind
    monkeypatch.undo()
    nudge_end(history, 2, 1)  # nothing more is recorded: the journal stays a clean prefix
    _, _, recovered = recover(journal.path)
    assert list(recovered.commands) == expected
    journal.close()
    assert not journal.path.exists()


def test_track_records_replay(tmp_path):
    journal, document, history = start(tmp_path)
    nudge_end(history, 0, 1)
    new = Track([Turn(S, 2 * S, "Q")])
    document.add_track("extra", new)  # the journal records it: it follows the document
    history.push(edit.split("extra", document["extra"].turns[0], S + S // 2))
    _, recovered_document, recovered = recover(journal.path)
    assert recovered_document.tracks == document.tracks
    assert recovered.commands == history.commands
    journal.close()


def test_resume_continues_the_same_journal(tmp_path):
    journal, _, history = start(tmp_path)
    some_edits(history, journal, tmp_path / "s.reviewer.json")
    crashed = copy_as(journal.path, tmp_path / "crashed.journal.jsonl", dead_pid())
    with open(crashed, "ab") as stream:
        stream.write(b'{"kind":"undo","ti')  # torn by the crash
    journal.close()

    resumed, session, document, recovered = Journal.resume(crashed)
    assert_same(recovered, history)
    assert resumed.session_path == tmp_path / "s.reviewer.json"
    assert pending_journals(tmp_path) == []  # ours now, and live
    with pytest.raises(JournalBusy):
        Journal.resume(crashed)
    recovered.redo()
    nudge_end(recovered, 0, 3)
    recovered.undo()
    # A second crash: everything, including what came before the first, comes back.
    _, _, again = recover(crashed)
    assert_same(again, recovered)
    assert session.tracks.keys() == document.tracks.keys()
    resumed.close()
    assert not crashed.exists()


def test_journal_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert journal_directory() == tmp_path / "state" / "reviewer" / "journal"
    assert journal_directory().is_dir()
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert journal_directory() == tmp_path / "home" / ".local" / "state" / "reviewer" / "journal"
    assert journal_directory().is_dir()


def test_never_saved_session_with_audio_is_recoverable(tmp_path):
    audio = tmp_path / "rec.wav"
    audio.write_bytes(b"RIFF")
    document = make_document()
    document.audio = audio
    journal, _, history = start(tmp_path / "journals", document)
    nudge_end(history, 0, 1)
    session, recovered_document, _ = recover(journal.path)
    assert session.audio == audio
    assert recovered_document.audio == audio
    copy = copy_as(journal.path, tmp_path / "journals" / "c.journal.jsonl", dead_pid())
    [info] = pending_journals(tmp_path / "journals")
    assert info.path == copy and info.audio == audio and info.session_path is None
    journal.close()


CRASH_HELPER = """
import sys
import time
from pathlib import Path

from reviewer.model import commands as edit
from reviewer.model.annotation import Track, Turn
from reviewer.model.document import CORRECTED, REFERENCE, Document
from reviewer.model.history import History
from reviewer.model.scoring import ScoringSettings, ScoringSetup

S = 3_528_000_000
MS = S // 1000


def initial():
    turns = [Turn(i * 3 * S, i * 3 * S + 2 * S, f"spk{i % 3}") for i in range(20)]
    return Document("crash-test", {REFERENCE: Track(turns), CORRECTED: Track(turns)})


def edits(history, n, after=lambda i: None):
    for i in range(n):
        track = history.document[CORRECTED]
        index = (i // 7) % len(track)
        step = i % 7
        if step < 3:  # three nudges of one turn: one undo step
            history.push(edit.nudge(CORRECTED, track.turns[index], "end", 10 * MS))
        elif step == 3:
            turn = track.turns[index + 1]
            history.push(edit.split(CORRECTED, turn, (turn.start + turn.end) // 2))
        elif step == 4:
            history.undo()
        elif step == 5:
            history.redo()
        else:
            history.push(edit.set_speaker(CORRECTED, track.turns[index], f"new{i}"))
        after(i)


if __name__ == "__main__":
    from reviewer.io.journal import Journal
    from reviewer.io.session import Session

    directory, n = Path(sys.argv[1]), int(sys.argv[2])
    document = initial()
    history = History(document)
    setup = ScoringSetup(settings=ScoringSettings(collar=0.25))
    journal = Journal.start(directory, Session.from_document(document, setup))
    journal.attach(history)
    print("journal", journal.path, flush=True)
    edits(history, n, lambda i: print(f"edited {i}", flush=True))
    sys.stdin.read()  # wait, journal open, until the test kills this process
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_loses_no_edit(tmp_path):
    n = 40
    script = tmp_path / "crash_helper.py"
    script.write_text(textwrap.dedent(CRASH_HELPER), encoding="utf-8")
    directory = tmp_path / "journals"
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    process = subprocess.Popen(
        [sys.executable, str(script), str(directory), str(n)],
        stdin=subprocess.PIPE,  # the helper waits on it until killed
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        lines = read_until(process, f"edited {n - 1}", timeout=20)
        assert lines[0].startswith("journal ")
        assert lines[1:] == [f"edited {i}" for i in range(n)]
        assert pending_journals(directory) == []  # alive: not offered
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()

    [info] = pending_journals(directory)
    assert info.pid == process.pid
    assert info.uri == "crash-test"
    assert info.path == Path(lines[0].split(" ", 1)[1])
    assert info.edits == n

    helper = runpy.run_path(str(script), run_name="crash_helper")
    expected = History(helper["initial"]())
    helper["edits"](expected, n)
    session, document, recovered = recover(info.path)
    assert_same(recovered, expected)
    assert document.tracks == expected.document.tracks
    assert session.settings == ScoringSetup(settings=ScoringSettings(collar=0.25))
    assert len(recovered.commands) < n  # merges happened, identically


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_mid_stream_recovers_a_prefix_with_every_reported_edit(tmp_path):
    n, seen = 3000, 150
    script = tmp_path / "crash_helper.py"
    script.write_text(textwrap.dedent(CRASH_HELPER), encoding="utf-8")
    directory = tmp_path / "journals"
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    process = subprocess.Popen(
        [sys.executable, str(script), str(directory), str(n)],
        stdin=subprocess.PIPE,  # the helper waits on it until killed
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        read_until(process, f"edited {seen}", timeout=20)
        process.send_signal(signal.SIGKILL)  # while it is still editing
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()

    [info] = pending_journals(directory)
    assert seen < info.edits <= n  # every edit it reported is on disk
    helper = runpy.run_path(str(script), run_name="crash_helper")
    expected = History(helper["initial"]())
    helper["edits"](expected, info.edits)
    _, _, recovered = recover(info.path)
    assert_same(recovered, expected)


def read_until(process: subprocess.Popen, last: str, timeout: float) -> list[str]:
    """Lines the process prints, up to and including ``last``."""
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    buffer = b""
    stream = process.stdout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            break
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        lines += [line.decode() for line in complete]
        if last in lines:
            return lines
    errors = process.stderr.read().decode() if process.poll() is not None else ""
    raise AssertionError(f"no {last!r} from the helper; got {lines!r} {errors}")


def test_text_edits_are_journaled_and_recovered(tmp_path):
    from reviewer.io.journal import Journal, recover
    from reviewer.io.session import Session
    from reviewer.model import commands
    from reviewer.model.annotation import Track, Turn
    from reviewer.model.document import Document
    from reviewer.model.history import History
    from reviewer.model.transcript import Transcript, Utterance

    transcript = Transcript([Utterance(0, 10, "hello", "A"), Utterance(20, 30, "bye", "B")], "u")
    document = Document("u", {"corrected": Track([Turn(0, 30, "A")])}, transcript=transcript)
    history = History(document)
    journal = Journal.start(tmp_path, Session.from_document(document))
    journal.attach(history)
    history.push(commands.edit_text(transcript.utterances[0], "hello there"))
    history.push(commands.edit_text(document.transcript.utterances[1], "goodbye"))
    history.undo()
    session, recovered, replayed = recover(journal.path)
    assert [u.text for u in recovered.transcript] == ["hello there", "bye"]
    assert replayed.redo_name == "Edit text"
    assert session.transcript is not None
    journal.close()


def dead_copy(tmp_path: Path, lines: list[bytes], name: str = "crashed") -> Path:
    """A journal of a process that has exited, with these lines."""
    path = tmp_path / "dead" / f"{name}.journal.jsonl"
    path.parent.mkdir(exist_ok=True)
    header = json.loads(lines[0])
    header["pid"] = dead_pid()
    path.write_bytes(b"\n".join([json.dumps(header).encode(), *lines[1:]]))
    return path


def journal_lines(tmp_path: Path) -> list[bytes]:
    """The lines of a journal with two merged nudges, an undo, a redo and a save."""
    journal, _, history = start(tmp_path)
    nudge_end(history, 0, 2)
    history.undo()
    history.redo()
    journal.mark_saved(tmp_path / "s.reviewer.json")
    lines = journal.path.read_bytes().split(b"\n")
    journal.close()
    return lines


def changed(line: bytes, path: tuple, value) -> bytes:
    record = json.loads(line)
    *parents, last = path
    target = record
    for part in parents:
        target = target[part]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return json.dumps(record).encode()


MISSING = object()
DO, UNDO, SAVE = 2, 4, 6  # line numbers of journal_lines(): header, do, do, undo, redo, save
ADDED = ("command", "added", 0)

# (line, where in the record, bad value or MISSING, the problem after "path:line: ")
BAD_RECORD_FIELDS = [
    (DO, ("kind",), MISSING, "record: kind: missing"),
    (DO, ("kind",), 1, 'record: kind: expected one of "do", .*got the number 1'),
    (DO, ("time",), MISSING, "do record: time: missing"),
    (
        DO,
        ("time",),
        "1.5",
        'do record: time: expected a number of at least 0, got the string "1.5"',
    ),
    (DO, ("time",), -1, "do record: time: expected a number of at least 0, got the number -1"),
    (DO, ("time",), 1e300, "do record: time: expected POSIX seconds before the year 10000"),
    (DO, ("colour",), "red", r"do record: colour: unknown field \(the fields here are command,"),
    (DO, ("command",), [], "do record: command: expected an object, got an empty list"),
    (DO, ("command", "name"), 3, "do record: command.name: expected a string, got the number 3"),
    (DO, ("command", "track"), "", "do record: command.track: expected a non-empty string, got"),
    (DO, ("command", "merge_key"), 5, "do record: command.merge_key: expected a string or null"),
    (DO, ("command", "removed"), None, "do record: command.removed: expected a list, got null"),
    (DO, ("command", "added"), MISSING, "do record: command.added: missing"),
    (DO, ADDED, [0, 1], r"do record: command.added\[0\]: expected \[start, end, speaker\]"),
    (DO, (*ADDED, 1), "7", r'do record: command.added\[0\]\[1\] \(end\): expected a time .*"7"'),
    (DO, (*ADDED, 1), 2.5, r"do record: command.added\[0\]\[1\] \(end\): .*number 2.5"),
    (
        DO,
        (*ADDED, 2),
        None,
        r"do record: command.added\[0\]\[2\] \(speaker\): expected a non-empty",
    ),
    (
        DO,
        ("command", "type"),
        "move",
        r'do record: command.type: expected one of "text", got the str',
    ),
    (UNDO, ("name",), 7, "undo record: name: expected a string, got the number 7"),
    (UNDO, ("time",), None, "undo record: time: expected a number of at least 0, got null"),
    (SAVE, ("session_path",), None, "save record: session_path: expected a non-empty string, got"),
    (SAVE, ("session_path",), "", "save record: session_path: expected a non-empty string, got"),
]


@pytest.mark.parametrize(("line", "where", "value", "message"), BAD_RECORD_FIELDS)
def test_every_record_field_is_type_checked_and_the_journal_kept(
    tmp_path, line, where, value, message
):
    lines = journal_lines(tmp_path)
    lines[line - 1] = changed(lines[line - 1], where, value)
    path = dead_copy(tmp_path, lines)
    before = path.read_bytes()
    with pytest.raises(FormatError) as caught:
        recover(path)
    assert caught.value.path == path and caught.value.line == line
    assert re.match(message, caught.value.problem), caught.value.problem
    # Listed with its problem, never as disposable; resuming it refuses and changes nothing.
    [info] = pending_journals(path.parent)
    assert info.problem == str(caught.value)
    assert not info.disposable
    assert info.edits == line - 2  # the edits before it
    with pytest.raises(FormatError):
        Journal.resume(path)
    assert path.read_bytes() == before


def test_a_bad_first_record_leaves_a_journal_that_is_not_disposable(tmp_path):
    lines = journal_lines(tmp_path)
    lines[1] = changed(lines[1], ("command", "added", 0, 0), "0")
    path = dead_copy(tmp_path, lines)
    [info] = pending_journals(path.parent)
    assert info.edits == 0 and info.problem is not None and f"{path}:2: do record" in info.problem
    assert not info.disposable  # the edits after it are still on disk: never deleted as empty
    path.write_bytes(b"\n".join(journal_lines(tmp_path / "fine")[:1]) + b"\n")
    [info] = pending_journals(path.parent)
    assert info.edits == 0 and info.problem is None and info.disposable


def test_a_torn_last_line_is_ignored_but_a_complete_bad_last_line_is_reported(tmp_path):
    lines = journal_lines(tmp_path)
    torn = dead_copy(tmp_path, [*lines[:-1], b'{"kind":"do","time":1.0,"comm'], "torn")
    _, _, history = recover(torn)
    assert history.is_saved  # every record before the torn one replayed
    [info] = pending_journals(torn.parent)
    assert info.problem is None and info.edits == 4
    torn.unlink()
    # A complete record (valid JSON) at the end is no torn write: it is checked like the rest.
    bad = dead_copy(tmp_path, [*lines[:-1], b'{"kind":"undo","time":"1"}'], "bad")
    with pytest.raises(FormatError, match=r":7: undo record: time: expected a number"):
        recover(bad)


# (where in the header, bad value or MISSING, the problem after "path:1: ")
BAD_HEADER_FIELDS = [
    (("id",), "", "header: id: expected a non-empty string, got an empty one"),
    (("pid",), "123", 'header: pid: expected a whole number, got the string "123"'),
    (("pid",), 0, "header: pid: expected a whole number from 1 to 2147483647, got the number 0"),
    (("pid",), 2**40, "header: pid: expected a whole number from 1 to 2147483647"),
    (("host",), None, "header: host: expected a string, got null"),
    (("time",), MISSING, "header: time: missing"),
    (("time",), float("nan"), "header: time: expected a finite number, got NaN"),
    (("session_path",), 5, "header: session_path: expected a non-empty string or null"),
    (("project",), ["p"], "header: project: expected a non-empty string or null, got a list"),
    (("colour",), 1, r"header: colour: unknown field"),
    (("session",), MISSING, "header: session: missing"),
    (
        ("session", "settings", "skip_overlap"),
        "false",
        'header: session.settings.skip_overlap: expected true or false, got the string "false"',
    ),
    (
        ("session", "tracks", CORRECTED, "turns", 0, 0),
        -5,
        r'header: session.tracks\["corrected"\].turns\[0\]\[0\] \(start\): expected a time',
    ),
]


@pytest.mark.parametrize(("where", "value", "message"), BAD_HEADER_FIELDS)
def test_every_header_field_is_type_checked(tmp_path, where, value, message):
    lines = journal_lines(tmp_path)
    path = dead_copy(tmp_path, lines)
    lines = path.read_bytes().split(b"\n")
    lines[0] = changed(lines[0], where, value)
    path.write_bytes(b"\n".join(lines))
    before = path.read_bytes()
    with pytest.raises(FormatError) as caught:
        recover(path)
    assert caught.value.path == path and caught.value.line == 1
    assert re.match(message, caught.value.problem), caught.value.problem
    [info] = pending_journals(path.parent)  # listed, so that the user hears of it
    assert info.problem == str(caught.value) and not info.disposable
    assert path.read_bytes() == before


def test_a_journal_of_a_newer_reviewer_is_refused_and_left_alone(tmp_path):
    lines = journal_lines(tmp_path)
    lines[0] = changed(lines[0], ("version",), 2)
    path = dead_copy(tmp_path, lines)
    before = path.read_bytes()
    with pytest.raises(FormatError) as caught:
        recover(path)
    assert caught.value.line == 1
    assert caught.value.problem == (
        "version: this journal file was written by a newer reviewer (version 2); this "
        "reviewer reads journal files up to version 1: update reviewer to open it"
    )
    assert pending_journals(path.parent) == []  # not offered, so never deleted from here
    assert path.read_bytes() == before


def test_every_record_kind_the_app_writes_is_read_back(tmp_path):
    from reviewer.model.transcript import Transcript, Utterance, Word

    words = (Word(0, 4, "hi"), Word(5, 10, "there"))
    transcript = Transcript([Utterance(0, 10, "hi there", None, words)], "rec")
    document = make_document()
    document.transcript = transcript
    journal, document, history = start(tmp_path, document)
    nudge_end(history, 0, 2)
    history.push(edit.edit_text(document.transcript.utterances[0], "hello there"))
    history.undo()
    history.redo()
    document.add_track("extra", Track([Turn(S, 2 * S, "Q")], channel="B"))  # journal follows
    journal.mark_saved(tmp_path / "s.reviewer.json")
    history.mark_saved()
    crashed = copy_as(journal.path, tmp_path / "crashed.journal.jsonl", dead_pid())
    journal.close()
    resumed, _, _, recovered = Journal.resume(crashed)
    nudge_end(recovered, 1, 1)
    kinds = [json.loads(line)["kind"] for line in crashed.read_bytes().splitlines()]
    assert kinds == ["start", "do", "do", "do", "undo", "redo", "track", "save", "resume", "do"]
    session, again, replayed = recover(crashed)
    assert again.tracks == recovered.document.tracks
    assert again.transcript == recovered.document.transcript
    assert replayed.commands == recovered.commands
    assert session.settings == ScoringSetup(settings=ScoringSettings(collar=0.25))
    resumed.close()


def test_an_edit_is_in_the_file_when_it_returns_and_fsynced_without_blocking_it(
    tmp_path, monkeypatch
):
    """A held key's edits each cost a write; the fsyncs run behind them, coalesced."""
    journal, _, history = start(tmp_path)
    release = threading.Event()
    synced_sizes = []
    real_fsync = os.fsync

    def slow_fsync(fd):  # the disk is busy until the test lets it go
        if threading.current_thread() is threading.main_thread():
            raise AssertionError("an edit waited for fsync")
        release.wait()
        real_fsync(fd)
        synced_sizes.append(os.fstat(fd).st_size)

    monkeypatch.setattr(journal_os.os, "fsync", slow_fsync)
    nudge_end(history, 0, 10)  # returns although no fsync could finish
    assert synced_sizes == []
    copy = tmp_path / "crashed-copy.journal.jsonl"  # what a crash now would leave
    copy.write_bytes(journal.path.read_bytes())
    _, _, recovered = recover(copy)
    assert list(recovered.commands) == list(history.commands)
    release.set()
    journal.sync()
    assert synced_sizes[-1] == journal.path.stat().st_size  # everything written is on disk
    assert len(synced_sizes) <= 2  # ten records, one or two fsyncs
    assert journal.error is None
    journal.close()
    assert not journal.path.exists()
