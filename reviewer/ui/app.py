"""Start the window: load files, build the waveform in the background, open playback."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from reviewer.model.editor import Editor
from reviewer.model.loading import load_document

DEMO_NOTE = (
    "Demo: the system output is an EXAMPLE written by hand from the reference (shifted "
    "boundaries, a missed short turn, a confused stretch, a false alarm)."
)


@dataclass
class Review:
    """Everything one window shows."""

    editor: object
    audio: object | None
    pyramid: object | None
    builder: object | None
    notes: list[str]


def prepare(audio=None, reference=None, system=None, uem=None) -> Review:
    """Load the files and start building the waveform (no window yet).

    Raises
    ------
    FormatError, AudioError
        For unreadable input, naming the file and the problem.
    """
    opened = load_document(audio, reference, system, uem)
    source = pyramid = builder = None
    if audio is not None:
        from reviewer.model.audio import AudioSource
        from reviewer.model.peaks import PeakPyramid
        from reviewer.ui.waveform import PyramidBuilder

        source = AudioSource.open(audio)
        pyramid = PeakPyramid(source.frames, source.sample_rate)
        builder = PyramidBuilder(source, pyramid)
        builder.start()
    editor = Editor(opened.document, audio=source)
    return Review(editor, source, pyramid, builder, opened.notes)


def application():
    """The QApplication (created once), with pyqtgraph's settings."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("reviewer")
    app.setOrganizationName("reviewer")
    _dark(app)
    pg.setConfigOptions(antialias=False, background="#1E1E1E", foreground="#DDDDDD")
    return app


def _dark(app) -> None:
    """A dark Fusion palette, so panels match the timeline."""
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2B2B2B",
        QPalette.ColorRole.WindowText: "#E0E0E0",
        QPalette.ColorRole.Base: "#1E1E1E",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#E0E0E0",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#E0E0E0",
        QPalette.ColorRole.Highlight: "#2F6FAF",
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#E0E0E0",
        QPalette.ColorRole.PlaceholderText: "#888888",
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    app.setPalette(palette)


def open_player(source):
    """The playback service for ``source``, or None when the service cannot load."""
    if source is None:
        return None
    try:
        from reviewer.services.playback import Player
    except ImportError:
        return None
    return Player(source)


def build_window(review: Review, note: str = "", with_player: bool = True):
    """The main window for a prepared review."""
    from PySide6.QtCore import QTimer

    from reviewer.ui.main_window import MainWindow

    player = open_player(review.audio) if with_player else None
    window = MainWindow(review.editor, review.audio, review.pyramid, player, note)
    if review.builder is not None:
        timer = QTimer(window)
        timer.setInterval(200)

        def poll() -> None:
            window.timeline.refresh_waveform()
            if not review.builder.running:
                timer.stop()
                if review.builder.error:
                    window.status(f"waveform: {review.builder.error}")

        timer.timeout.connect(poll)
        timer.start()
        window.destroyed.connect(review.builder.stop)
    for text in review.notes:
        window.status(text)
    return window


def run(audio=None, reference=None, system=None, uem=None, note: str = "") -> int:
    """Open the window and run the event loop; returns the exit status."""
    app = application()
    review = prepare(audio, reference, system, uem)
    window = build_window(review, note)
    window.show()
    status = app.exec()
    if review.builder is not None:
        review.builder.stop()
    if window.player is not None:
        window.player.close()
    return status


def render(
    path: Path,
    size: tuple[int, int],
    start: float | None,
    end: float | None,
    audio=None,
    reference=None,
    system=None,
    uem=None,
) -> None:
    """Draw the review window to a PNG without a display."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = application()
    review = prepare(audio, reference, system, uem)
    if review.builder is not None:
        review.builder._thread.join()
    window = build_window(review, with_player=False)
    window.resize(*size)
    window.show()
    app.processEvents()
    if start is not None or end is not None:
        lo = start or 0.0
        hi = end if end is not None else window.timeline.duration
        window.timeline.set_view(lo, hi)
    else:
        window.timeline.fit()
    window.timeline.refresh_waveform()
    for _ in range(3):
        app.processEvents()
    image = window.grab()
    if not image.save(str(path)):
        raise OSError(f"cannot write {path}")
    window.confirm_close = False
    window.close()
