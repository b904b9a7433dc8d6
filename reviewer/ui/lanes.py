"""Speaker lanes and the error lane: turns drawn as bars, one row per speaker."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from reviewer.metrics.engine import ErrorRegions
from reviewer.model.annotation import Track, Turn
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui import colors as palette

_GRAB_PIXELS = 6
_EMPTY = np.empty(0, dtype=np.int64)
_NO_ERRORS = ErrorRegions(_EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY)


def visible_turns(
    starts: np.ndarray, ends: np.ndarray, reach: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    """Indices of the turns that meet ``[lo, hi]`` ticks, by bisection.

    Parameters
    ----------
    starts, ends
        ``[turn]`` ticks, sorted by start (a :class:`~reviewer.model.annotation.Track`'s
        order).
    reach
        ``[turn]``: the latest end among this turn and those before it
        (``np.maximum.accumulate(ends)``), sorted by construction.
    lo, hi
        The view, ticks.

    Returns
    -------
    numpy.ndarray
        ``int64`` indices, sorted. Only the turns between the first that reaches ``lo`` and
        the last that starts by ``hi`` are looked at, so a zoomed-in view of a 10,000-turn
        track costs a handful of turns.
    """
    first = int(np.searchsorted(reach, lo, side="left"))
    last = int(np.searchsorted(starts, hi, side="right"))
    if last <= first:
        return np.empty(0, dtype=np.int64)
    return first + np.flatnonzero(ends[first:last] >= lo)


def merged_spans(starts: np.ndarray, ends: np.ndarray, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Spans sorted by start, with narrow ones less than ``gap`` apart drawn as one.

    At a coarse zoom thousands of turns share a pixel; drawing one rectangle per run of
    spans closer than a pixel looks the same and costs a fraction (10,000 turns at a
    whole-file view of 10 hours: a few hundred rectangles). Two spans join only when one of
    them is narrower than two ``gap``: wide pieces that touch (two turns of one speaker)
    keep their own outlines, so the boundary between them stays visible.

    Parameters
    ----------
    starts, ends
        ``[span]`` ticks, sorted by start.
    gap
        Ticks: spans separated by less than this join (a pixel's width).

    Returns
    -------
    tuple of numpy.ndarray
        The merged starts and ends (ticks), sorted.
    """
    if len(starts) == 0:
        return starts, ends
    reach = np.maximum.accumulate(ends)
    narrow = (ends - starts) < 2 * gap
    new = np.empty(len(starts), dtype=bool)
    new[0] = True
    new[1:] = (starts[1:] > reach[:-1] + gap) | ~(narrow[1:] | narrow[:-1])
    first = np.flatnonzero(new)
    last = np.append(first[1:], len(starts)) - 1
    return starts[first], reach[last]


def _cosmetic(color: QColor, width: float = 1.0) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    return pen


class TurnsItem(pg.GraphicsObject):
    """The turns of one track, one row per speaker, drawn only where visible.

    Signals
    -------
    turn_clicked(Turn or None, float)
        A click: the turn under it (None on empty space) and the time in seconds.
    boundary_dragged(Turn, str, float, str)
        A boundary drag: the turn at the start of the drag, ``"start"``/``"end"``, the
        time in seconds, and ``"start"``/``"move"``/``"finish"``.
    """

    turn_clicked = Signal(object, float)
    boundary_dragged = Signal(object, str, float, str)

    def __init__(self, speaker_colors: palette.SpeakerColors):
        super().__init__()
        self._colors = speaker_colors
        self._track = Track()
        self._rows: dict[str, int] = {}
        self._selected: Turn | None = None
        self._editable = False
        self._drag: tuple[Turn, str] | None = None
        self._reach = np.empty(0, dtype=np.int64)
        self.setAcceptHoverEvents(True)

    @property
    def rows(self) -> dict[str, int]:
        """Row of each speaker (0 at the top)."""
        return self._rows

    def set_track(
        self, track: Track, rows: dict[str, int], selected: Turn | None, editable: bool
    ) -> None:
        """Show ``track`` with speakers on ``rows``; highlight ``selected``."""
        self.prepareGeometryChange()
        self._track, self._rows, self._selected, self._editable = (track, rows, selected, editable)
        ends = track.arrays.ends
        self._reach = np.maximum.accumulate(ends) if len(ends) else ends
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        """Everything the item may draw."""
        extent = self._track.extent
        end = extent.end / TICKS_PER_SECOND if extent else 1.0
        return QRectF(0.0, 0.0, max(end, 1e-3), max(len(self._rows), 1))

    def _visible(self) -> np.ndarray:
        """Indices of the turns inside the view, found by bisection (not by a pass over all)."""
        view = self.getViewBox()
        arrays = self._track.arrays
        if view is None or len(arrays.starts) == 0:
            return np.empty(0, dtype=np.int64)
        (x0, x1), _ = view.viewRange()
        return visible_turns(
            arrays.starts, arrays.ends, self._reach, x0 * TICKS_PER_SECOND, x1 * TICKS_PER_SECOND
        )

    def paint(self, painter: QPainter, *args) -> None:
        """Draw the visible turns (runs closer than a pixel as one rectangle)."""
        arrays = self._track.arrays
        visible = self._visible()
        view = self.getViewBox()
        pixel = view.viewPixelSize()[0] * TICKS_PER_SECOND if view is not None else 0.0
        starts, ends, codes = arrays.starts[visible], arrays.ends[visible], arrays.speakers[visible]
        by_speaker: dict[str, list[QRectF]] = {}
        scale = 1.0 / TICKS_PER_SECOND
        for code in np.unique(codes):
            speaker = arrays.labels[code]
            row = self._rows.get(speaker, 0)
            mine = codes == code
            first, last = merged_spans(starts[mine], ends[mine], pixel)
            by_speaker[speaker] = [
                QRectF(a * scale, row + 0.12, (b - a) * scale, 0.76)
                for a, b in zip(first.tolist(), last.tolist(), strict=True)
            ]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for speaker, rects in by_speaker.items():
            color = self._colors[speaker]
            painter.setPen(_cosmetic(color.darker(150)))
            fill = QColor(color)
            fill.setAlpha(200 if self._editable else 150)
            painter.setBrush(QBrush(fill))
            painter.drawRects(rects)
        if self._selected is not None and self._selected.speaker in self._rows:
            turn = self._selected
            row = self._rows[turn.speaker]
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(_cosmetic(QColor("white"), 2.5))
            painter.drawRect(
                QRectF(turn.start * scale, row + 0.06, (turn.end - turn.start) * scale, 0.88)
            )

    # --- mouse ------------------------------------------------------------------------

    def _turn_at(self, pos: QPointF) -> Turn | None:
        row = int(pos.y())
        time = round(pos.x() * TICKS_PER_SECOND)
        hits = [t for t in self._track.at(time) if self._rows.get(t.speaker) == row]
        return min(hits, key=lambda t: t.duration) if hits else None

    def _boundary_at(self, pos: QPointF) -> tuple[Turn, str] | None:
        view = self.getViewBox()
        if view is None or not self._editable:
            return None
        reach = view.viewPixelSize()[0] * _GRAB_PIXELS * TICKS_PER_SECOND
        row = int(pos.y())
        time = pos.x() * TICKS_PER_SECOND
        arrays = self._track.arrays
        if len(arrays.starts) == 0:
            return None
        best = None
        for edge, values in (("start", arrays.starts), ("end", arrays.ends)):
            near = np.flatnonzero(np.abs(values - time) <= reach)
            for i in near:
                turn = self._track.turns[i]
                if self._rows.get(turn.speaker) != row:
                    continue
                distance = abs(values[i] - time)
                if best is None or distance < best[0]:
                    best = (distance, turn, edge)
        return (best[1], best[2]) if best else None

    def hoverEvent(self, event) -> None:  # noqa: N802
        """Show a resize cursor over a draggable boundary."""
        if event.isExit():
            self.unsetCursor()
            return
        if self._boundary_at(event.pos()):
            self.setCursor(Qt.CursorShape.SizeHorCursor)
        else:
            self.unsetCursor()

    def mouseClickEvent(self, event) -> None:  # noqa: N802
        """Select the turn under a click."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        event.accept()
        self.turn_clicked.emit(self._turn_at(event.pos()), event.pos().x())

    def mouseDragEvent(self, event) -> None:  # noqa: N802
        """Drag a boundary of the edited track: one drag is one undo step."""
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        if event.isStart():
            self._drag = self._boundary_at(event.buttonDownPos())
            if self._drag is None:
                event.ignore()
                return
            self.boundary_dragged.emit(*self._drag, event.pos().x(), "start")
        if self._drag is None:
            event.ignore()
            return
        event.accept()
        stage = "finish" if event.isFinish() else "move"
        self.boundary_dragged.emit(*self._drag, event.pos().x(), stage)
        if event.isFinish():
            self._drag = None


class ErrorsItem(pg.GraphicsObject):
    """The error lane: missed (row 0), false alarm (row 1) and confusion (row 2) regions.

    The regions are read from ``source`` when they are needed (to paint or for a tooltip),
    for the view and a margin around it: :meth:`invalidate` after an edit costs nothing, so
    a burst of edits costs one read, of the latest state, at the next paint.

    Parameters
    ----------
    source
        ``source(window)`` gives the regions inside ``window`` (``(lo, hi)`` ticks), e.g.
        :meth:`reviewer.metrics.live.LiveScore.errors`.
    """

    ROWS = (
        ("Missed", palette.MISSED),
        ("False alarm", palette.FALSE_ALARM),
        ("Confusion", palette.CONFUSION),
    )

    def __init__(self, source: Callable[[tuple[int, int]], ErrorRegions] | None = None) -> None:
        super().__init__()
        self._source = source
        self._window: tuple[int, int] | None = None  # what the cached regions cover
        self._errors = _NO_ERRORS
        self._extent = 1.0
        self.describe = None  # optional: ticks -> the breakdown class there
        self.setAcceptHoverEvents(True)

    def invalidate(self, extent_seconds: float | None = None) -> None:
        """The errors changed: read them again when next needed (and repaint)."""
        if extent_seconds is not None and extent_seconds != self._extent:
            self.prepareGeometryChange()
            self._extent = max(extent_seconds, 1e-3)
        self._window = None
        self.update()

    def regions(self, lo: int, hi: int) -> ErrorRegions:
        """The regions meeting ``[lo, hi)`` ticks (and around them), read if needed."""
        window = self._window
        if self._source is None:
            return self._errors
        if window is None or lo < window[0] or hi > window[1]:
            margin = max(hi - lo, TICKS_PER_SECOND) // 2
            self._window = (max(0, lo - margin), hi + margin)
            self._errors = self._source(self._window)
        return self._errors

    def hoverEvent(self, event) -> None:  # noqa: N802
        """Name the error under the mouse and its cause."""
        if event.isExit():
            self.setToolTip("")
            return
        self.setToolTip(self.tooltip_at(event.pos().x(), int(event.pos().y())))

    def tooltip_at(self, x: float, row: int) -> str:
        """What the tooltip says at ``x`` seconds on error row ``row``."""
        time = round(x * TICKS_PER_SECOND)
        errors = self.regions(time, time + 1)
        i = int(np.searchsorted(errors.starts, time, side="right")) - 1
        if i < 0 or errors.ends[i] <= time or not 0 <= row < 3:
            return ""
        amounts = (errors.missed[i], errors.false_alarm[i], errors.confusion[i])
        kinds = [
            f"{name}: {n} speaker{'s' if n > 1 else ''}"
            for (name, _), n in zip(self.ROWS, amounts, strict=True)
            if n > 0
        ]
        text = "; ".join(kinds)
        if self.describe is not None:
            cause = self.describe(time)
            if cause:
                text += f"\ncause: {cause.replace('_', ' ')}"
        span = (errors.ends[i] - errors.starts[i]) / TICKS_PER_SECOND
        return f"{text}\n{span:.3f} s from {errors.starts[i] / TICKS_PER_SECOND:.3f} s"

    def set_errors(self, errors: ErrorRegions, extent_seconds: float) -> None:
        """Show these regions (instead of reading them from the source)."""
        self.prepareGeometryChange()
        self._source, self._window = None, None
        self._errors, self._extent = errors, max(extent_seconds, 1e-3)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        """Everything the item may draw."""
        return QRectF(0.0, 0.0, self._extent, 3.0)

    def paint(self, painter: QPainter, *args) -> None:
        """Draw the visible regions, one bar per kind of error."""
        view = self.getViewBox()
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        lo, hi = int(x0 * TICKS_PER_SECOND), int(np.ceil(x1 * TICKS_PER_SECOND))
        errors = self.regions(max(lo, 0), max(hi, 1))
        scale = 1.0 / TICKS_PER_SECOND
        pixel = view.viewPixelSize()[0] * TICKS_PER_SECOND
        visible = (errors.ends >= lo) & (errors.starts <= hi)
        for row, ((_, color), amounts) in enumerate(
            zip(self.ROWS, (errors.missed, errors.false_alarm, errors.confusion), strict=True)
        ):
            hits = np.flatnonzero((amounts > 0) & visible)
            if len(hits) == 0:
                continue
            painter.setPen(_cosmetic(color))
            painter.setBrush(QBrush(color))
            first, last = merged_spans(errors.starts[hits], errors.ends[hits], pixel)
            rects = [
                QRectF(a * scale, row + 0.15, (b - a) * scale, 0.7)
                for a, b in zip(first.tolist(), last.tolist(), strict=True)
            ]
            painter.drawRects(rects)
