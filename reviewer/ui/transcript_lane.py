"""The transcript lane: utterances at their times, overlapping ones stacked in rows.

Utterances that overlap in time go to different rows (the first row free at their start,
in transcript order), so neither their boxes nor their texts ever draw over each other. The
lane's height is shared among the rows used in view (a stretch without overlap gets one
full-height row); each text is elided to its box and left out when its row is too low to
hold a line (the tooltip shows it whole).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen

from reviewer.app.editor import Editor
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.model.transcript import Utterance
from reviewer.ui.colors import SpeakerColors

TOP, BOTTOM = 0.96, 0.04  # the lane's rows fill [BOTTOM, TOP] of the plot's 0-1 range
GAP = 0.06  # between rows, as a share of a row's height
TEXT_MARGIN = 3  # pixels between a box's edge and its text


def stack_rows(utterances: tuple[Utterance, ...]) -> list[int]:
    """The row of each utterance: the first row whose last utterance has ended by its start.

    ``utterances`` in time order (as a transcript holds them); touching ones share a row.
    """
    row_ends: list[int] = []
    rows = []
    for utterance in utterances:
        row = next((r for r, end in enumerate(row_ends) if end <= utterance.start), None)
        if row is None:
            row = len(row_ends)
            row_ends.append(utterance.end)
        else:
            row_ends[row] = utterance.end
        rows.append(row)
    return rows


class TranscriptItem(pg.GraphicsObject):
    """Utterances as boxes coloured by their attributed speaker, with their text.

    Attributes
    ----------
    painted
        What the last paint drew, in screen pixels: ``(utterance index, box, text box or
        None)`` for each visible utterance.

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
        self.painted: list[tuple[int, QRectF, QRectF | None]] = []
        self._rows: tuple[tuple[Utterance, ...], list[int]] = ((), [])
        self.setAcceptHoverEvents(True)

    def set_speakers(self, speakers: list[str | None], wrong: set[int]) -> None:
        """Colour utterances by these speakers; mark those with wrongly attributed words."""
        self.speakers, self.wrong = speakers, wrong
        self.prepareGeometryChange()
        self.update()

    def _utterances(self) -> tuple[Utterance, ...]:
        transcript = self.editor.document.transcript
        return transcript.utterances if transcript is not None else ()

    def rows(self) -> list[int]:
        """The row of each utterance (:func:`stack_rows`), recomputed when the text changes."""
        utterances = self._utterances()
        if self._rows[0] is not utterances:
            self._rows = (utterances, stack_rows(utterances))
        return self._rows[1]

    @property
    def row_count(self) -> int:
        """How many rows the whole transcript needs (the timeline may size the lane by it)."""
        return max(self.rows(), default=0) + 1

    def _bands(self) -> dict[int, int]:
        """``{row: band}``: the rows used by utterances in view, top to bottom, packed."""
        view = self.getViewBox()
        utterances, rows = self._utterances(), self.rows()
        if view is None:
            used = set(rows)
        else:
            (x0, x1), _ = view.viewRange()
            lo, hi = x0 * TICKS_PER_SECOND, x1 * TICKS_PER_SECOND
            used = {
                row
                for u, row in zip(utterances, rows, strict=True)
                if u.end >= lo and u.start <= hi
            }
        return {row: band for band, row in enumerate(sorted(used))}

    def band(self, row: int, bands: dict[int, int] | None = None) -> tuple[float, float]:
        """``(bottom, top)`` of a row in the plot's 0-1 units, as drawn now (first row on top)."""
        bands = self._bands() if bands is None else bands
        height = (TOP - BOTTOM) / max(len(bands), 1)
        top = TOP - bands.get(row, 0) * height
        return top - height * (1 - GAP), top

    def boundingRect(self) -> QRectF:  # noqa: N802
        """Everything the item may draw."""
        utterances = self._utterances()
        end = max((u.end for u in utterances), default=TICKS_PER_SECOND) / TICKS_PER_SECOND
        return QRectF(0.0, 0.0, end, 1.0)

    def paint(self, painter: QPainter, *args) -> None:
        """Draw the visible utterances; text in screen pixels, elided to fit its box."""
        view = self.getViewBox()
        self.painted = []
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        scale = 1.0 / TICKS_PER_SECOND
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        metrics = QFontMetrics(painter.font())
        rows, bands = self.rows(), self._bands()
        seen = transform.mapRect(QRectF(x0, 0.0, x1 - x0, 1.0)).normalized()  # text stays in view
        for i, utterance in enumerate(self._utterances()):
            start, end = utterance.start * scale, utterance.end * scale
            if end < x0 or start > x1:
                continue
            bottom, top = self.band(rows[i], bands)
            rect = transform.mapRect(
                QRectF(start, bottom, max(end - start, 1e-9), top - bottom)
            ).normalized()
            speaker = self.speakers[i] if i < len(self.speakers) else utterance.speaker
            color = QColor(self.colors[speaker]) if speaker else QColor("#777777")
            color.setAlpha(90)
            painter.setBrush(QBrush(color))
            edge = QColor("#FF4040") if i in self.wrong else color.lighter(160)
            painter.setPen(QPen(edge, 2 if i in self.wrong else 1))
            painter.drawRect(rect)
            shown = rect.intersected(QRectF(seen.left(), rect.top(), seen.width(), rect.height()))
            text_box = self._text_box(shown, utterance.text, metrics)
            if text_box is not None:
                box, text = text_box
                painter.setPen(QPen(QColor("#EEEEEE")))
                painter.drawText(
                    box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
                )
                self.painted.append((i, rect, box))
            else:
                self.painted.append((i, rect, None))
        painter.restore()

    @staticmethod
    def _text_box(rect: QRectF, text: str, metrics: QFontMetrics) -> tuple[QRectF, str] | None:
        """Where the elided text goes inside ``rect`` (pixels), or None when it cannot fit."""
        room = int(rect.width()) - 2 * TEXT_MARGIN
        if room < 8 or rect.height() < metrics.height():
            return None
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        if not elided:
            return None
        width = min(metrics.horizontalAdvance(elided), room)
        top = rect.center().y() - metrics.height() / 2
        return QRectF(rect.left() + TEXT_MARGIN, top, width, metrics.height()), elided

    def utterance_at(self, x: float, y: float | None = None) -> Utterance | None:
        """The utterance under ``x`` seconds (in the row at ``y``, 0-1, when given), if any."""
        time = round(x * TICKS_PER_SECOND)
        rows = self.rows()
        hits = [(u, rows[i]) for i, u in enumerate(self._utterances()) if u.start <= time < u.end]
        if y is not None:
            bands = self._bands()
            in_row = [hit for hit in hits if _inside(y, self.band(hit[1], bands))]
            hits = in_row or hits
        return min(hits, key=lambda hit: hit[0].end - hit[0].start)[0] if hits else None

    def hoverEvent(self, event) -> None:  # noqa: N802
        """Show the whole text of the utterance under the mouse."""
        if event.isExit():
            self.setToolTip("")
            return
        utterance = self.utterance_at(event.pos().x(), event.pos().y())
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
        utterance = self.utterance_at(event.pos().x(), event.pos().y())
        if utterance is not None:
            event.accept()
            self.clicked.emit(utterance)


def _inside(y: float, band: tuple[float, float]) -> bool:
    return band[0] <= y <= band[1]
