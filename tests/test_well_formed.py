"""Edits keep a track well-formed (issue 16, item 4): the rule of ``model/wellformed.py``.

No edit leaves two overlapping turns of one speaker or a turn shorter than 1 ms, whichever
command makes it; undo restores the exact turns; the RTTM export is canonical and scores as
the track does. Unit tests per rule, then properties over random edit sequences.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.app import actions
from reviewer.app.editor import Editor
from reviewer.app.saving import SaveState, export_rttm
from reviewer.io import read_rttm
from reviewer.metrics import score
from reviewer.model import commands as edit
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.commands import EditError, EditTurns
from reviewer.model.document import CORRECTED, REFERENCE, Document
from reviewer.model.history import History
from reviewer.model.time import TICKS_PER_SECOND as S
from reviewer.model.wellformed import MIN_TURN, is_well_formed, settle

MS = S // 1000
A1, B1, A2, A3 = (
    Turn(0, 2 * S, "A"),
    Turn(2500 * MS, 4 * S, "B"),
    Turn(3 * S, 5 * S, "A"),
    Turn(6 * S, 8 * S, "A"),
)


def make(*turns: Turn):
    document = Document("rec", {CORRECTED: Track(turns or (A1, B1, A2, A3))})
    return document, History(document)


def turns(document: Document) -> tuple[Turn, ...]:
    return document[CORRECTED].turns


def undo_all(history: History) -> None:
    while history.undo() is not None:
        pass


# --- rule 1: a moved boundary pushes the next turn of its speaker along ----------------------


def test_end_set_inside_the_next_turn_of_the_speaker_pushes_its_start():
    document, history = make()
    history.push(edit.set_end(CORRECTED, A1, 3500 * MS))
    assert turns(document) == (Turn(0, 3500 * MS, "A"), B1, Turn(3500 * MS, 5 * S, "A"), A3)
    assert is_well_formed(document[CORRECTED])
    history.undo()
    assert turns(document) == (A1, B1, A2, A3)


def test_start_set_inside_the_previous_turn_pushes_its_end():
    document, history = make()
    history.push(edit.set_start(CORRECTED, A2, S))
    assert turns(document) == (Turn(0, S, "A"), Turn(S, 5 * S, "A"), B1, A3)
    history.undo()
    assert turns(document) == (A1, B1, A2, A3)


def test_other_speakers_may_overlap():
    document, history = make()
    history.push(edit.set_end(CORRECTED, B1, 7 * S))  # over A2 and A3: overlapped speech
    assert Turn(2500 * MS, 7 * S, "B") in turns(document)
    assert A2 in turns(document) and A3 in turns(document)


def test_held_nudge_pushes_then_takes_in_the_neighbour_in_one_undo_step():
    """A held Ctrl+Right across a short neighbour: pushed, then taken in; never stuck."""
    short = Turn(2 * S + 20 * MS, 2 * S + 45 * MS, "A")
    document, history = make(A1, short, A3)
    for _ in range(6):
        current = next(t for t in turns(document) if t.start == 0)
        history.push(edit.nudge(CORRECTED, current, "end", 10 * MS))
        assert is_well_formed(document[CORRECTED])
        assert min(t.duration for t in turns(document)) >= MIN_TURN
    assert turns(document) == (Turn(0, 2 * S + 60 * MS, "A"), A3)
    assert len(history.commands) == 1  # one gesture, one undo step
    history.undo()
    assert turns(document) == (A1, short, A3)


def test_a_split_point_moves_by_nudging_either_piece():
    document, history = make()
    history.push(edit.split(CORRECTED, A1, S))
    left, right = Turn(0, S, "A"), Turn(S, 2 * S, "A")
    history.push(edit.nudge(CORRECTED, left, "end", 100 * MS))
    assert turns(document)[:2] == (Turn(0, 1100 * MS, "A"), Turn(1100 * MS, 2 * S, "A"))
    history.push(edit.nudge(CORRECTED, Turn(1100 * MS, 2 * S, "A"), "start", -200 * MS))
    assert turns(document)[:2] == (Turn(0, 900 * MS, "A"), Turn(900 * MS, 2 * S, "A"))
    history.push(edit.nudge(CORRECTED, Turn(900 * MS, 2 * S, "A"), "start", 100 * MS))
    assert turns(document)[:2] == (Turn(0, 900 * MS, "A"), Turn(S, 2 * S, "A"))  # a pause
    undo_all(history)
    assert turns(document) == (A1, B1, A2, A3)
    del right


# --- rule 2: a turn put over turns of its speaker absorbs them -------------------------------


def test_a_turn_created_over_turns_of_its_speaker_joins_them():
    document, history = make()
    change = history.push(edit.insert(CORRECTED, Turn(1500 * MS, 3500 * MS, "A")))
    assert change.added == (Turn(0, 5 * S, "A"),)
    assert turns(document) == (Turn(0, 5 * S, "A"), B1, A3)
    history.undo()
    assert turns(document) == (A1, B1, A2, A3)


def test_a_digit_that_makes_a_turn_overlap_its_new_speaker_merges_them():
    document, history = make()
    history.push(edit.set_speaker(CORRECTED, B1, "A"))
    assert turns(document) == (A1, Turn(2500 * MS, 5 * S, "A"), A3)
    history.undo()
    assert turns(document) == (A1, B1, A2, A3)


def test_merging_a_speaker_into_one_it_overlaps():
    document, history = make()
    history.push(edit.rename_speaker(document[CORRECTED], CORRECTED, "A", "B"))
    assert turns(document) == (
        Turn(0, 2 * S, "B"),
        Turn(2500 * MS, 5 * S, "B"),
        Turn(6 * S, 8 * S, "B"),
    )


def test_a_touching_turn_stays_apart():
    document, history = make()
    history.push(edit.insert(CORRECTED, Turn(5 * S, 6 * S, "A")))
    assert turns(document) == (A1, B1, A2, Turn(5 * S, 6 * S, "A"), A3)


# --- rule 3: no turn shorter than 1 ms --------------------------------------------------------


@pytest.mark.parametrize("at", [1, MIN_TURN - 1, 2 * S - MIN_TURN + 1, 2 * S - 1])
def test_a_split_closer_than_1_ms_to_a_boundary_is_refused(at):
    with pytest.raises(EditError, match="less than 1 ms from the turn's"):
        edit.split(CORRECTED, A1, at)


def test_a_split_1_ms_from_a_boundary_is_made():
    document, history = make()
    history.push(edit.split(CORRECTED, A1, MIN_TURN))
    assert turns(document)[:2] == (Turn(0, MIN_TURN, "A"), Turn(MIN_TURN, 2 * S, "A"))


def test_a_nudge_or_a_create_that_leaves_less_than_1_ms_is_refused():
    document, history = make(Turn(0, 15 * MS + MIN_TURN // 2, "A"))
    history.push(edit.nudge(CORRECTED, turns(document)[0], "end", -10 * MS))
    with pytest.raises(EditError, match="at least 1 ms"):
        edit.nudge(CORRECTED, turns(document)[0], "end", -5 * MS)
    with pytest.raises(EditError, match="at least 1 ms"):
        history.push(edit.insert(CORRECTED, Turn(S, S + MIN_TURN - 1, "B")))
    assert len(turns(document)) == 1


# --- undo, redo, the journal -----------------------------------------------------------------


def test_settling_is_idempotent_so_a_journaled_edit_replays_as_it_was():
    document, history = make()
    asked = edit.set_speaker(CORRECTED, B1, "A")
    bound = asked.bound(document)
    assert bound != asked and bound.bound(document) == bound
    assert settle(document[CORRECTED], bound.removed, bound.added) == (
        bound.removed,
        bound.added,
    )
    history.push(asked)
    assert history.commands == (bound,)
    replayed, history2 = make()
    history2.push(EditTurns.from_json(bound.to_json()))
    assert turns(replayed) == turns(document)


# --- the export is canonical ------------------------------------------------------------------


def test_export_merges_touching_pieces_and_rescores_identically(tmp_path):
    reference = Track([Turn(0, 3 * S, "r1"), Turn(3 * S, 8 * S, "r2")])
    document = Document("rec", {REFERENCE: reference, CORRECTED: Track([A1, B1, A2, A3])})
    editor = Editor(document)
    editor.push(edit.split(CORRECTED, A3, 7 * S))
    path = tmp_path / "out.rttm"
    export_rttm(editor, SaveState(editor), path)
    lines = path.read_text().splitlines()
    assert len(lines) == 4  # A3's two pieces are one line again
    assert "SPEAKER rec 1 6.000 2.000 <NA> <NA> A <NA> <NA>" in lines
    reread = read_rttm(path)["rec"]
    assert is_well_formed(reread)
    for collar in (0.0, 0.25):
        assert score(reference, reread, collar=collar) == score(
            reference, document[CORRECTED], collar=collar
        )


# --- properties -------------------------------------------------------------------------------

GRID = 5 * MS  # boundaries meet often; every time survives an export exactly
SPEAKERS = ("A", "B", "C")


@st.composite
def well_formed_tracks(draw):
    """Random well-formed tracks: per speaker, disjoint turns of 1 ms or more (on GRID)."""
    items = []
    for speaker in SPEAKERS:
        at = draw(st.integers(0, 40))
        for _ in range(draw(st.integers(0, 4))):
            length = draw(st.integers(1, 30))
            items.append(Turn(at * GRID, (at + length) * GRID, speaker))
            at += length + draw(st.integers(0, 10))  # 0: touching pieces
    return Track(items)


EDITS = (
    "nudge",
    "set_start",
    "set_end",
    "split",
    "merge",
    "delete",
    "create",
    "assign",
    "new_speaker",
    "rename",
)


@st.composite
def edit_steps(draw):
    steps = []
    for _ in range(draw(st.integers(1, 25))):
        steps.append(
            (
                draw(st.sampled_from(EDITS)),
                draw(st.integers(0, 1000)),  # which turn
                draw(st.integers(0, 160)) * GRID,  # cursor
                draw(st.sampled_from([-100, -10, 10, 100])),  # nudge (ms)
                draw(st.sampled_from(["start", "end"])),
                draw(st.sampled_from(SPEAKERS)),
            )
        )
    return steps


def apply_step(editor: Editor, step) -> None:
    """One reviewer action through app.actions (as the keys run it); refusals are fine."""
    kind, which, cursor, delta, edge, speaker = step
    track = editor.track
    if track.turns:
        editor.select(track.turns[which % len(track.turns)], move_cursor=False)
    editor.set_cursor(cursor)
    try:
        if kind == "nudge":
            actions.nudge(editor, edge, delta)
        elif kind == "create":
            editor.set_selection(Span(cursor, cursor + abs(delta) * MS))
            actions.create_from_selection(editor, speaker)
        elif kind == "assign":
            actions.assign_speaker(editor, speaker)
        elif kind == "new_speaker":
            actions.assign_speaker(editor, actions.speaker_for_digit(editor, 4))
        elif kind == "rename":
            actions.rename_speaker(editor, speaker, SPEAKERS[which % len(SPEAKERS)])
        else:
            actions.EDITS[
                {
                    "set_start": "set_start",
                    "set_end": "set_end",
                    "split": "split",
                    "merge": "merge_next",
                    "delete": "delete",
                }[kind]
            ](editor)
    except EditError:
        pass


@settings(max_examples=150, deadline=None)
@given(well_formed_tracks(), well_formed_tracks(), edit_steps())
def test_random_edits_keep_the_track_well_formed_and_undo_restores_it(start, reference, steps):
    document = Document("rec", {REFERENCE: reference, CORRECTED: start})
    editor = Editor(document)
    for step in steps:
        apply_step(editor, step)
        track = editor.track
        assert is_well_formed(track)
        assert all(t.duration >= MIN_TURN for t in track)
        assert editor.live.score == score(reference, track)
    end = editor.track
    commands = editor.history.commands
    # the journal's view: the recorded commands replay on the start to the same end
    replayed = Document("rec", {REFERENCE: reference, CORRECTED: start})
    history = History(replayed)
    for command in commands:
        history.push(EditTurns.from_json(command.to_json()))
    assert replayed[CORRECTED].turns == end.turns
    undo_all(editor.history)
    assert editor.track.turns == start.turns
    while editor.history.redo() is not None:
        pass
    assert editor.track.turns == end.turns


@settings(max_examples=100, deadline=None)
@given(well_formed_tracks(), well_formed_tracks(), edit_steps(), st.sampled_from([0.0, 0.25]))
def test_the_export_is_canonical_and_rescores_identically(start, reference, steps, collar):
    import tempfile
    from pathlib import Path

    document = Document("rec", {REFERENCE: reference, CORRECTED: start})
    editor = Editor(document)
    for step in steps:
        apply_step(editor, step)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.rttm"
        export_rttm(editor, SaveState(editor), path)
        reread = read_rttm(path).get("rec", Track(uri="rec")) if path.read_text() else Track()
    pieces: dict[str, list[Turn]] = {}
    for turn in reread:
        pieces.setdefault(turn.speaker, []).append(turn)
    for same in pieces.values():  # no two lines of one speaker overlap or touch
        assert all(a.end < b.start for a, b in zip(same, same[1:], strict=False))
    assert score(reference, reread, collar=collar) == score(reference, editor.track, collar=collar)
