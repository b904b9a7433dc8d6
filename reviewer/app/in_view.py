"""Which part of the recording an edit key acts on, so that it never acts out of sight.

A reviewer edits what they look at. An edit key whose subject -- the selected turn, the
boundary a nudge moves, the cursor a split cuts at, the selection a new turn fills -- is
outside the visible time range does not edit: the window brings the subject into view and
says so, and the next press edits (:func:`out_of_view`).
"""

from __future__ import annotations

from reviewer.app import actions
from reviewer.app.editor import Editor
from reviewer.model.annotation import Span

_STARTS = frozenset(
    {"set_start"} | {n for n, (edge, _) in actions.NUDGES.items() if edge == "start"}
)
_ENDS = frozenset({"set_end"} | {n for n, (edge, _) in actions.NUDGES.items() if edge == "end"})
_TURNS = frozenset({"merge_next", "delete", "snap", "speaker_typed"})


def subject(editor: Editor, action: str) -> Span | None:
    """The time an edit action of the key table acts on, or None (not an edit, or no subject).

    The boundary a nudge or set_start/set_end moves (an instant), the selected turn for the
    other turn edits (digits, S, delete, merge, snap), the cursor for a split and the time
    selection for a new turn. None when there is nothing to act on: the action then says so.

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
            return None
        if action in _STARTS:
            return Span(turn.start, turn.start)
        if action in _ENDS:
            return Span(turn.end, turn.end)
        return turn.span
    if action == "split":
        return Span(editor.cursor, editor.cursor)
    if action == "create":
        return editor.selection
    return None


def out_of_view(editor: Editor, action: str, view: Span) -> Span | None:
    """The subject of ``action`` (see :func:`subject`) when none of it is inside ``view``.

    An instant (a boundary, the cursor) is in view when ``view.start <= t <= view.end``; a
    turn or selection when it overlaps the view. None when the action may act now.

    Parameters
    ----------
    view
        The visible time range, in ticks.
    """
    span = subject(editor, action)
    if span is None:
        return None
    if span.start == span.end:
        inside = view.start <= span.start <= view.end
    else:
        inside = span.start < view.end and view.start < span.end
    return None if inside else span
