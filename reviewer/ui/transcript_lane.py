"""The transcript lane: utterances at their times, text elided when crowded."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen

from reviewer.app.editor import Editor
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui.colors import SpeakerColors


class TranscriptItem(pg.GraphicsObject):
    """Utterances as boxes coloured by their attributed speaker, with their text.

    Signals
    -------
    clicked(Utterance)
        The user clicked an utterance.
    """

    clicked = Signal(object)

    def __init__(self, editor: Editor, colors: SpeakerColors):
        super().__init__()
        self.editor = editor
        self.colors = colors
        self.speakers: list[str | None] = []
        self.wrong: set[int] = set()
        self.setAcceptHoverEvents(True)

    def set_speakers(self, speakers: list[str | None], wrong: set[int]) -> None:
        """Colour utterances by these speakers; mark those with wrongly attributed words."""
        self.speakers, self.wrong = speakers, wrong
        self.prepareGeometryChange()
        self.update()

    def _utterances(self):
        transcript = self.editor.document.transcript
        return transcript.utterances if transcript is not None else ()

    def boundingRect(self) -> QRectF:  # noqa: N802
        """Everything the item may draw."""
        utterances = self._utterances()
        end = max((u.end for u in utterances), default=TICKS_PER_SECOND) / TICKS_PER_SECOND
        return QRectF(0.0, 0.0, end, 1.0)

    def paint(self, painter: QPainter, *args) -> None:
        """Draw the visible utterances; text in screen pixels, elided to fit."""
        view = self.getViewBox()
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        scale = 1.0 / TICKS_PER_SECOND
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        metrics = QFontMetrics(painter.font())
        for i, utterance in enumerate(self._utterances()):
            start, end = utterance.start * scale, utterance.end * scale
            if end < x0 or start > x1:
                continue
            rect = transform.mapRect(QRectF(start, 0.08, max(end - start, 1e-9), 0.84))
            speaker = self.speakers[i] if i < len(self.speakers) else utterance.speaker
            color = QColor(self.colors[speaker]) if speaker else QColor("#777777")
            color.setAlpha(90)
            painter.setBrush(QBrush(color))
            edge = QColor("#FF4040") if i in self.wrong else color.lighter(160)
            painter.setPen(QPen(edge, 2 if i in self.wrong else 1))
            painter.drawRect(rect)
            if rect.width() > 12:
                text = metrics.elidedText(
                    utterance.text, Qt.TextElideMode.ElideRight, int(rect.width()) - 6
                )
                painter.setPen(QPen(QColor("#EEEEEE")))
                painter.drawText(
                    rect.adjusted(3, 0, -3, 0),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    text,
                )
        painter.restore()

    def utterance_at(self, x: float):
        """The utterance under ``x`` seconds, if any."""
        time = round(x * TICKS_PER_SECOND)
        hits = [u for u in self._utterances() if u.start <= time < u.end]
        return min(hits, key=lambda u: u.end - u.start) if hits else None

    def hoverEvent(self, event) -> None:  # noqa: N802
        """Show the whole text of the utterance under the mouse."""
        if event.isExit():
            self.setToolTip("")
            return
        utterance = self.utterance_at(event.pos().x())
        if utterance is None:
            self.setToolTip("")
            return
        index = self._utterances().index(utterance)
        speaker = self.speakers[index] if index < len(self.speakers) else None
        label = speaker or utterance.speaker or "?"
        self.setToolTip(f"{label}: {utterance.text}")

    def mouseClickEvent(self, event) -> None:  # noqa: N802
        """Select the utterance under a click."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        utterance = self.utterance_at(event.pos().x())
        if utterance is not None:
            event.accept()
            self.clicked.emit(utterance)
