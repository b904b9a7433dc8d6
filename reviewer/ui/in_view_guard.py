"""No edit key acts out of sight: the window's side of :mod:`reviewer.app.in_view`."""

from __future__ import annotations

from collections.abc import Callable

from reviewer.app.editor import Editor
from reviewer.app.in_view import out_of_view, subject
from reviewer.model.annotation import Span, Turn
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui.keymap import BY_ACTION
from reviewer.ui.time_axis import clock


def describe(turn: Turn) -> str:
    """``SPEAKER_00 0:00:06.750–0:00:07.180``: a turn as the status bar names it."""
    start, end = clock(turn.start / TICKS_PER_SECOND), clock(turn.end / TICKS_PER_SECOND)
    return f"{turn.speaker} {start}\u2013{end}"


_BESIDES = {
    "set_start": "the cursor",
    "set_end": "the cursor",
    "merge_next": "the turn it merges with",
}
"""What an edit key acts on besides the selected turn (:func:`reviewer.app.in_view.subject`)."""


class InViewGuard:
    """Holds back an edit key whose subject is out of view, and shows the subject instead.

    The rule (:mod:`reviewer.app.in_view`): an edit key never acts on a turn, boundary,
    cursor or selection the reviewer cannot see, in time or in the lanes (a row scrolled
    out of the lane area). The first press brings it into view (panning at the same zoom
    when it fits, else zooming to it; scrolling the lanes to the turn's row) and says so in
    the status bar; the next press edits.

    Parameters
    ----------
    editor
        The review state.
    timeline
        The view (its ``view_range``, ``set_view``, ``zoom_to`` and ``lane_area``).
    status
        Shows a sentence in the status bar.
    """

    def __init__(self, editor: Editor, timeline, status: Callable[[str], None]):
        self.editor = editor
        self.timeline = timeline
        self.status = status

    def intercepts(self, name: str) -> bool:
        """Bring the subject of action ``name`` into view if it is out; True when it was."""
        x0, x1 = self.timeline.view_range()
        view = Span(max(0, round(x0 * TICKS_PER_SECOND)), max(0, round(x1 * TICKS_PER_SECOND)))
        parts = subject(self.editor, name)
        span = out_of_view(parts, view)
        if span is not None:
            width = view.end - view.start
            if span.end - span.start < 0.8 * width:  # it fits: pan, keeping the zoom
                start = max(0, (span.start + span.end - width) // 2)
                end = (start + width) / TICKS_PER_SECOND
                self.timeline.set_view(start / TICKS_PER_SECOND, end)
            else:
                self.timeline.zoom_to(span)
        turn = self.editor.selected
        on_turn = name not in ("split", "create") and bool(parts)
        scrolled = (
            on_turn
            and turn is not None
            and self.timeline.lane_area.show_row(self.editor.active_track, turn.speaker)
        )
        if span is None and not scrolled:
            return False
        what = {"create": "the selection", "split": "the cursor"}.get(name)
        besides = _BESIDES.get(name, "")
        if what is None:
            what = "the selected turn" + (f" ({describe(turn)})" if turn is not None else "")
            what += f" and {besides}" if besides else ""
        label = BY_ACTION[name].label if name in BY_ACTION else name
        were, are = ("were", "are") if besides else ("was", "is")
        self.status(
            f"{what} {were} out of view and {are} now shown: press again to "
            f"{label[:1].lower()}{label[1:]}"
        )
        return True
