"""What the keys do: plain functions of an :class:`~reviewer.app.editor.Editor`.

Each action either edits through the editor's history, moves the cursor or selection, or
raises :class:`~reviewer.model.commands.EditError` with a message for the status bar.
The UI binds keys to these functions (see ``reviewer/ui/keymap.py``); tests call them
directly, without Qt.
"""

from __future__ import annotations

import numpy as np

from reviewer.app.editor import Editor
from reviewer.model import commands
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.commands import EditError
from reviewer.model.document import CORRECTED
from reviewer.model.speakers import new_speaker_name
from reviewer.model.time import TICKS_PER_SECOND, frames_to_ticks, ticks_to_frames

MS = TICKS_PER_SECOND // 1000


def _selected(editor: Editor) -> Turn:
    if editor.selected is None or editor.selected not in editor.track.turns:
        raise EditError("no turn selected: press Alt+Right to select the next turn")
    return editor.selected


def next_turn(editor: Editor) -> None:
    """Select the turn after the selected one (or after the cursor)."""
    turns = editor.track.turns
    if editor.selected in turns:
        index = editor.track.index(editor.selected) + 1
    else:
        index = next((i for i, t in enumerate(turns) if t.start >= editor.cursor), len(turns))
    if index >= len(turns):
        raise EditError("no later turn")
    editor.select(turns[index])


def previous_turn(editor: Editor) -> None:
    """Select the turn before the selected one (or before the cursor)."""
    turns = editor.track.turns
    if editor.selected in turns:
        index = editor.track.index(editor.selected) - 1
    else:
        index = max((i for i, t in enumerate(turns) if t.start < editor.cursor), default=-1)
    if index < 0:
        raise EditError("no earlier turn")
    editor.select(turns[index])


def nudge(editor: Editor, edge: str, milliseconds: int) -> int:
    """Move the selected turn's start or end; returns the moved boundary (ticks)."""
    turn = _selected(editor)
    editor.push(commands.nudge(editor.active_track, turn, edge, milliseconds * MS))
    moved = editor.selected or turn  # the editor follows the edited turn
    return moved.start if edge == "start" else moved.end


def set_start_at_cursor(editor: Editor) -> None:
    """Move the selected turn's start to the cursor."""
    turn = _selected(editor)
    editor.push(commands.set_start(editor.active_track, turn, editor.cursor))


def set_end_at_cursor(editor: Editor) -> None:
    """Move the selected turn's end to the cursor."""
    turn = _selected(editor)
    editor.push(commands.set_end(editor.active_track, turn, editor.cursor))


def split_at_cursor(editor: Editor) -> None:
    """Split the turn under the cursor (the selected one if it is there) at the cursor."""
    turn = editor.selected
    if turn is None or not turn.start < editor.cursor < turn.end:
        under = [t for t in editor.track.at(editor.cursor) if t.start < editor.cursor]
        if not under:
            raise EditError("no turn under the cursor to split")
        turn = under[0]
    change = editor.push(commands.split(editor.active_track, turn, editor.cursor))
    editor.select(max(change.added, key=lambda t: t.start), move_cursor=False)


def merge_with_next(editor: Editor) -> None:
    """Merge the selected turn with the next turn of the same speaker."""
    turn = _selected(editor)
    editor.push(commands.merge_with_next(editor.track, editor.active_track, turn))


def delete_selected(editor: Editor) -> None:
    """Delete the selected turn and select the next one."""
    turn = _selected(editor)
    index = editor.track.index(turn)
    editor.push(commands.delete(editor.active_track, (turn,)))
    turns = editor.track.turns
    editor.select(turns[index] if index < len(turns) else None, move_cursor=False)


def create_from_selection(editor: Editor, speaker: str | None = None) -> None:
    """Create a turn over the time selection, for ``speaker`` (default: the last one used)."""
    if editor.selection is None:
        raise EditError("no time selection: drag over the waveform to select")
    speaker = speaker or editor.last_speaker or _new_speaker_name(editor)
    turn = Turn(editor.selection.start, editor.selection.end, speaker)
    change = editor.push(commands.insert(editor.active_track, turn))
    editor.select(change.added[0])  # the new turn, or the turn of its speaker it joined


def _new_speaker_name(editor: Editor) -> str:
    return new_speaker_name(editor.track.labels)


def speaker_for_digit(editor: Editor, digit: int) -> str:
    """The speaker a digit key (1-9) stands for.

    Digit n is the n-th speaker of the active track in sorted order; one past the last
    makes a new speaker.
    """
    labels = editor.track.labels
    if 1 <= digit <= len(labels):
        return labels[digit - 1]
    if digit == len(labels) + 1:
        return _new_speaker_name(editor)
    raise EditError(f"there are {len(labels)} speakers; {len(labels) + 1} makes a new one")


def assign_speaker(editor: Editor, speaker: str) -> None:
    """Give the selected turn to ``speaker``."""
    turn = _selected(editor)
    if turn.speaker == speaker:
        return
    editor.push(commands.set_speaker(editor.active_track, turn, speaker))
    editor.remember_speaker(speaker)


def rename_speaker(editor: Editor, old: str, new: str) -> None:
    """Rename (or merge into another) a speaker everywhere in the active track."""
    editor.push(commands.rename_speaker(editor.track, editor.active_track, old, new))


def next_error(editor: Editor, backwards: bool = False) -> Span:
    """Select the next (or previous) error region after (before) the cursor, and its turn.

    The edited track's turn at the error is selected (see :func:`focus_on`).
    """
    errors = editor.live.errors()
    if len(errors) == 0:
        raise EditError("no errors: the scored tracks agree")
    if backwards:
        hits = np.flatnonzero(errors.starts < editor.cursor)
        if len(hits) == 0:
            raise EditError("no earlier error")
        i = hits[-1]
    else:
        hits = np.flatnonzero(errors.starts > editor.cursor)
        if len(hits) == 0:
            raise EditError("no later error")
        i = hits[0]
    span = Span(int(errors.starts[i]), int(errors.ends[i]))
    focus_on(editor, span)
    return span


def focus_on(editor: Editor, span: Span) -> None:
    """Select the time range ``span`` and the edited track's turn there, if any.

    The turn is the one overlapping ``span`` most (the earliest of equals); with none, no
    turn stays selected, so an edit key cannot act on a turn elsewhere.
    """
    editor.focus(span)
    arrays = editor.track.arrays
    overlap = np.minimum(arrays.ends, span.end) - np.maximum(arrays.starts, span.start)
    best = int(np.argmax(overlap)) if len(overlap) else -1
    turn = editor.track.turns[best] if best >= 0 and overlap[best] > 0 else None
    editor.select(turn, move_cursor=False)


def replace_corrected(editor: Editor, track: Track, name: str) -> None:
    """Make the corrected track a copy of ``track`` and edit it.

    One undoable edit named ``name`` when there is a corrected track; otherwise the track is
    added (journaled, not undoable) and scored.
    """
    document = editor.document
    if CORRECTED in document:
        current = document[CORRECTED].turns
        editor.push(commands.EditTurns(name, CORRECTED, current, track.turns))
    else:
        editor.add_track(CORRECTED, track, score=True)
    editor.set_active_track(CORRECTED)


def largest_error(editor: Editor, rank: int) -> tuple[Span, int]:
    """The ``rank``-th largest error region (0 the largest, wrapping round) and the count.

    Size is the region's length times the number of errors in it (missed + false alarm +
    confused speakers), so an error of two speakers counts twice, as in DER.

    Raises
    ------
    EditError
        If the scored tracks agree.
    """
    errors = editor.live.errors()
    if len(errors) == 0:
        raise EditError("no errors: the scored tracks agree")
    size = (errors.ends - errors.starts) * (errors.missed + errors.false_alarm + errors.confusion)
    order = sorted(range(len(size)), key=lambda i: -int(size[i]))
    i = order[rank % len(order)]
    return Span(int(errors.starts[i]), int(errors.ends[i])), len(order)


def snap_boundaries(editor: Editor, reach_ms: int = 200, frame_ms: int = 10) -> None:
    """Move the selected turn's boundaries to the quietest point within ``reach_ms``."""
    turn = _selected(editor)
    if editor.audio is None:
        raise EditError("no audio to snap to")
    start = _quietest(editor, turn.start, reach_ms, frame_ms)
    end = _quietest(editor, turn.end, reach_ms, frame_ms)
    if end <= start:
        raise EditError("snapping would leave the turn empty")
    if (start, end) != (turn.start, turn.end):
        editor.push(commands.move(editor.active_track, turn, start, end, "Snap boundaries"))


def _quietest(editor: Editor, at: int, reach_ms: int, frame_ms: int) -> int:
    audio = editor.audio
    if audio is None:
        return at
    rate = audio.sample_rate
    centre = ticks_to_frames(at, rate)
    reach = rate * reach_ms // 1000
    hop = max(1, rate * frame_ms // 1000)
    first = max(0, centre - reach)
    samples = audio.read(first, 2 * reach + hop)
    if len(samples) < 2 * hop:
        return at
    n = (len(samples) - hop) // hop
    frames = np.lib.stride_tricks.sliding_window_view(samples, hop)[::hop][:n]
    energy = (frames.astype(np.float64) ** 2).mean(axis=1)
    distance = np.abs(first + np.arange(n) * hop + hop // 2 - centre)
    best = np.lexsort((distance, np.round(energy, 12)))[0]
    return frames_to_ticks(int(first + best * hop + hop // 2), rate)


NUDGES: dict[str, tuple[str, int]] = {
    "nudge_start_left": ("start", -10),
    "nudge_start_right": ("start", 10),
    "nudge_end_left": ("end", -10),
    "nudge_end_right": ("end", 10),
    "nudge_start_left_big": ("start", -100),
    "nudge_start_right_big": ("start", 100),
    "nudge_end_left_big": ("end", -100),
    "nudge_end_right_big": ("end", 100),
}
"""The nudge actions of the key table: ``{action: (edge, milliseconds)}``."""

EDITS = {
    "next_turn": next_turn,
    "previous_turn": previous_turn,
    "set_start": set_start_at_cursor,
    "set_end": set_end_at_cursor,
    "split": split_at_cursor,
    "merge_next": merge_with_next,
    "delete": delete_selected,
    "create": create_from_selection,
    "snap": snap_boundaries,
}
"""The key table's actions that are a function of the editor alone: ``{action: function}``."""


def next_track(editor: Editor) -> str:
    """Edit the next track (in the document's order, wrapping round); returns its name."""
    names = list(editor.document.tracks)
    index = names.index(editor.active_track) if editor.active_track in names else -1
    editor.set_active_track(names[(index + 1) % len(names)])
    return editor.active_track


def move_cursor(editor: Editor, view_seconds: float, fraction: float) -> None:
    """Move the cursor by ``fraction`` of a view ``view_seconds`` wide (negative: left)."""
    editor.set_cursor(editor.cursor + round(view_seconds * fraction * TICKS_PER_SECOND))
