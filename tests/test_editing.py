"""Edit commands and undo history, without Qt."""

from __future__ import annotations

import pytest

from reviewer.model import commands as edit
from reviewer.model.annotation import Track, Turn
from reviewer.model.document import CORRECTED, Document
from reviewer.model.history import History
from reviewer.model.time import TICKS_PER_SECOND as S

MS = S // 1000


def make():
    track = Track([Turn(0, 2 * S, "A"), Turn(3 * S, 5 * S, "B"), Turn(6 * S, 8 * S, "A")])
    document = Document("rec", {CORRECTED: track})
    return document, History(document)


def test_nudges_merge_into_one_undo_step():
    document, history = make()
    changes = []
    document.changed.connect(changes.append)
    turn = document[CORRECTED].turns[0]
    for _ in range(5):
        history.push(edit.nudge(CORRECTED, turn, "end", 10 * MS))
        turn = Turn(turn.start, turn.end + 10 * MS, turn.speaker)
    assert document[CORRECTED].turns[0].end == 2 * S + 50 * MS
    assert len(history.commands) == 1
    assert history.undo_name == "Nudge end"
    assert changes[-1].span.start == 0
    history.undo()
    assert document[CORRECTED].turns[0].end == 2 * S
    history.redo()
    assert document[CORRECTED].turns[0].end == 2 * S + 50 * MS


def test_nudge_back_and_forth_cancels():
    document, history = make()
    turn = document[CORRECTED].turns[0]
    history.push(edit.nudge(CORRECTED, turn, "start", 100 * MS))
    moved = document[CORRECTED].turns[0]
    history.push(edit.nudge(CORRECTED, moved, "start", -100 * MS))
    assert history.commands == ()
    assert document[CORRECTED].turns[0] == turn


def test_saved_marker_stops_merging_and_tracks_state():
    document, history = make()
    turn = document[CORRECTED].turns[0]
    assert history.is_saved
    history.push(edit.nudge(CORRECTED, turn, "end", 10 * MS))
    assert not history.is_saved
    history.mark_saved()
    moved = document[CORRECTED].turns[0]
    history.push(edit.nudge(CORRECTED, moved, "end", 10 * MS))
    assert len(history.commands) == 2  # not merged across the save
    history.undo()
    assert history.is_saved
    history.undo()
    assert not history.is_saved
    history.push(edit.delete(CORRECTED, (document[CORRECTED].turns[-1],)))
    assert not history.is_saved  # the saved state is unreachable now
    history.undo()
    assert not history.is_saved


def test_split_merge_delete_insert_relabel_rename():
    document, history = make()
    track = lambda: document[CORRECTED]  # noqa: E731
    first = track().turns[0]
    history.push(edit.split(CORRECTED, first, S))
    assert [(t.start, t.end) for t in track().turns[:2]] == [(0, S), (S, 2 * S)]
    history.push(edit.merge_with_next(track(), CORRECTED, track().turns[0]))
    assert track().turns[0] == first
    history.push(edit.set_speaker(CORRECTED, first, "C"))
    assert track().turns[0].speaker == "C"
    history.push(edit.insert(CORRECTED, Turn(9 * S, 10 * S, "D")))
    history.push(edit.rename_speaker(track(), CORRECTED, "A", "B"))
    assert track().labels == ("B", "C", "D")
    assert history.undo_name == "Merge speaker A into B"
    history.push(edit.delete(CORRECTED, (track().turns[-1],)))
    assert len(track()) == 3
    while history.undo():
        pass
    assert track().turns == make()[0][CORRECTED].turns
    with pytest.raises(edit.EditError):
        edit.split(CORRECTED, first, 3 * S)
    with pytest.raises(edit.EditError):
        edit.set_end(CORRECTED, first, -1)
    with pytest.raises(edit.EditError):
        edit.set_speaker(CORRECTED, first, "two words")


def test_failed_edit_changes_nothing():
    document, history = make()
    before = document[CORRECTED]
    with pytest.raises(KeyError):
        history.push(edit.delete(CORRECTED, (Turn(1, 2, "Z"),)))
    assert document[CORRECTED] == before
    assert history.commands == ()


def test_command_json_round_trip():
    command = edit.split(CORRECTED, Turn(0, 2 * S, "A"), S)
    assert edit.EditTurns.from_json(command.to_json()) == command


def test_live_score_follows_edits_and_equals_full_scoring():
    from reviewer.metrics import score
    from reviewer.metrics.live import LiveScore
    from reviewer.model.document import REFERENCE
    from reviewer.model.scoring import ScoringSettings, ScoringSetup
    from reviewer.model.synthetic import meeting, system_output

    reference = meeting(hours=0.05, turns=40, speakers=3, seed=5)
    system = system_output(reference, seed=6)
    document = Document("m", {REFERENCE: reference, CORRECTED: system})
    history = History(document)
    live = LiveScore(document, ScoringSetup(settings=ScoringSettings(collar=0.25)))
    updates = []
    live.updated.connect(lambda: updates.append(live.score))
    turns = document[CORRECTED].turns
    history.push(edit.nudge(CORRECTED, turns[3], "end", 300 * MS))
    history.push(edit.delete(CORRECTED, (turns[7],)))
    history.push(edit.rename_speaker(document[CORRECTED], CORRECTED, "sys00", "sys01"))
    history.undo()
    assert len(updates) == 4
    expected = score(document[REFERENCE], document[CORRECTED], collar=0.25)
    assert live.score == expected
    errors = live.errors()
    assert len(errors) > 0
    assert (errors.ends > errors.starts).all()
    # error time in regions equals the score's error time (no collar: every tick scored)
    live.configure(ScoringSetup(settings=ScoringSettings(collar=0.0)))
    errors = live.errors()
    total = (
        (errors.ends - errors.starts) * (errors.missed + errors.false_alarm + errors.confusion)
    ).sum() / S
    assert abs(total - live.score.error) < 1e-9


def test_no_merge_into_a_command_after_undo():
    document, history = make()
    turn = document[CORRECTED].turns[0]
    history.push(edit.nudge(CORRECTED, turn, "end", 10 * MS))
    moved = document[CORRECTED].turns[0]
    history.push(edit.split(CORRECTED, moved, S))
    history.undo()
    history.push(edit.nudge(CORRECTED, moved, "end", 10 * MS))
    assert len(history.commands) == 2
    history.undo()
    assert document[CORRECTED].turns[0] == moved


def test_a_failing_listener_does_not_desynchronise(caplog):
    document, history = make()

    def broken(*_):
        raise RuntimeError("view bug")

    later_changes, steps = [], []
    document.changed.connect(broken)
    document.changed.connect(later_changes.append)
    history.stepped.connect(broken)
    history.stepped.connect(steps.append)
    turn = document[CORRECTED].turns[0]
    with caplog.at_level("ERROR", logger="reviewer.model.events"):
        history.push(edit.delete(CORRECTED, (turn,)))
    assert history.undo_name == "Delete turn"
    # the listeners connected after the broken one still heard of the edit, and it was logged
    assert [c.removed for c in later_changes] == [(turn,)]
    assert [(s.kind, s.recorded) for s in steps] == [("do", "appended")]
    assert sum("view bug" in r.exc_text for r in caplog.records if r.exc_text) == 2
    history.undo()
    assert document[CORRECTED].turns[0] == turn
    assert [s.kind for s in steps] == ["do", "undo"]
