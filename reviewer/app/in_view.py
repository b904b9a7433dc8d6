"""Which part of the recording an edit key acts on, so that it never acts out of sight.

A reviewer edits what they look at. An edit key whose subject -- the selected turn, the
boundary a nudge moves and the cursor a boundary is set to, the later turn a merge absorbs,
the cursor a split cuts at, the selection a new turn fills -- is outside the visible time
range, or whose turn's row is scrolled out of the lanes, does not edit: the window brings
the subject into view and says so, and the next press edits (:func:`subject`, :func:`out_of_view`).
"""

from __future__ import annotations

from reviewer.app import actions
from reviewer.app.editor import Editor
from reviewer.model import commands
from reviewer.model.annotation import Span
from reviewer.model.commands import EditError

_STARTS = frozenset(
    {"set_start"} | {n for n, (edge, _) in actions.NUDGES.items() if edge == "start"}
)
_ENDS = frozenset({"set_end"} | {n for n, (edge, _) in actions.NUDGES.items() if edge == "end"})
_TURNS = frozenset({"merge_next", "delete", "snap", "speaker_typed"})
_TO_CURSOR = frozenset({"set_start", "set_end"})


def subject(editor: Editor, action: str) -> tuple[Span, ...]:
    """The parts of the recording an edit action acts on; each must be in view to act.

    The boundary a nudge moves (an instant); for ``set_start`` and ``set_end`` that
    boundary and the cursor it moves to (a turn stretched to a cursor out of sight changes
    what the reviewer does not see); the selected turn and the later turn it would absorb
    for a merge; the selected turn for the other turn edits (digits, S, delete, snap); the
    cursor for a split and the time selection for a new turn. Empty when there is nothing
    to act on (not an edit, or no subject): the action then says so.

    Parameters
    ----------
    editor
        The review state.
    action
        An action id of ``reviewer/ui/keymap.py``.
    """
    turn = editor.selected
    if action in _STARTS or action in _ENDS or action in _TURNS or action.startswith("speaker_"):
        if turn is None:
            return ()
        parts: tuple[Span, ...]
        if action in _STARTS:
            parts = (Span(turn.start, turn.start),)
        elif action in _ENDS:
            parts = (Span(turn.end, turn.end),)
        else:
            parts = (turn.span,)
        if action in _TO_CURSOR:
            parts += (Span(editor.cursor, editor.cursor),)
        if action == "merge_next":
            try:
                merge = commands.merge_with_next(editor.track, editor.active_track, turn)
            except (EditError, ValueError):  # no later turn, or not one of this track's
                return parts
            parts = tuple(t.span for t in merge.removed)
        return parts
    if action == "split":
        return (Span(editor.cursor, editor.cursor),)
    if action == "create" and editor.selection is not None:
        return (editor.selection,)
    return ()


def out_of_view(parts: tuple[Span, ...], view: Span) -> Span | None:
    """What to show before an action may act: its whole subject, when a part is out of view.

    An instant (a boundary, the cursor) is in view when ``view.start <= t <= view.end``; a
    turn or selection when it overlaps the view. When every part is in view, None: the
    action may act now; otherwise the span from the first part's start to the last one's
    end.

    Parameters
    ----------
    parts
        What the action acts on (:func:`subject`).
    view
        The visible time range, in ticks.
    """
    if all(_inside(part, view) for part in parts):
        return None
    return Span(min(p.start for p in parts), max(p.end for p in parts))


def _inside(part: Span, view: Span) -> bool:
    if part.start == part.end:
        return view.start <= part.start <= view.end
    return part.start < view.end and view.start < part.end
