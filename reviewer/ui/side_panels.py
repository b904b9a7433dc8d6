"""The dock beside the lanes: live metrics, the "Why?" breakdown and the transcript."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea, QTabWidget, QWidget

from reviewer.app.editor import Editor
from reviewer.model.annotation import Span
from reviewer.ui.breakdown_panel import BreakdownPanel
from reviewer.ui.metrics_panel import MetricsPanel

DOCK_WIDTH = 440
"""The dock's width when the window opens, in pixels."""


class SidePanels(QDockWidget):
    """Tabs of panels that follow the review: Metrics, Why? and (with a transcript) Transcript.

    Parameters
    ----------
    editor
        The review state the panels follow.
    note
        A sentence shown under the metrics (e.g. that the system output is an example).
    jump
        Called with a region the reviewer clicked in the breakdown (select, show, play).

    Attributes
    ----------
    metrics, breakdown
        The metrics and breakdown panels.
    attribution, transcript
        The live word attribution and the transcript panel, or None without a transcript.
    """

    def __init__(
        self,
        editor: Editor,
        note: str,
        jump: Callable[[Span], None],
        parent: QWidget | None = None,
    ):
        super().__init__("Metrics", parent)
        self.setObjectName("metrics")
        self.metrics = MetricsPanel(editor, note)
        self.breakdown = BreakdownPanel(editor, jump=jump)
        panels: list[tuple[QWidget, str]] = [(self.metrics, "Metrics"), (self.breakdown, "Why?")]
        self.attribution = self.transcript = None
        if editor.document.transcript is not None:
            from reviewer.metrics.attribution import LiveAttribution
            from reviewer.ui.transcript_panel import TranscriptPanel

            self.attribution = LiveAttribution(editor.live)
            self.transcript = TranscriptPanel(editor, self.attribution)
            panels.append((self.transcript, "Transcript"))
            self.metrics.attribution = self.attribution
        self.tabs = QTabWidget()
        for panel, title in panels:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(panel)
            self.tabs.addTab(scroll, title)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWidget(self.tabs)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
