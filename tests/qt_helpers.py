"""Real widgets for tests: a review window or a timeline, shown offscreen and exposed."""

from __future__ import annotations


def shown_window(qtbot, review, note: str = "", size: tuple[int, int] | None = None):
    """The review window of a prepared review, without an audio device, shown and exposed.

    Closing it asks nothing (``confirm_close`` off); qtbot deletes it after the test.
    """
    from reviewer.ui.app import application, build_window

    application()
    window = build_window(review, note, with_player=False)
    window.confirm_close = False
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def shown_timeline(qtbot, editor, size: tuple[int, int] = (1300, 600)):
    """A :class:`~reviewer.ui.timeline.TimelineView` of ``editor``, shown and exposed."""
    from reviewer.ui.app import application
    from reviewer.ui.timeline import TimelineView

    application()
    view = TimelineView(editor)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view
