"""The scoring on the timeline: what md-eval does not score, shaded, and the reference's overlap.

Both draw a :class:`~reviewer.metrics.unscored.ScoringMap`, which is the engine's own split
of the recording into scored and unscored stretches, so the shading is exactly what the
metrics panel's numbers leave out.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from reviewer.metrics.unscored import COLLAR, KIND_NAMES, MARKED, OUTSIDE, OVERLAP, ScoringMap
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui import colors as palette
from reviewer.ui.lanes import merged_spans
from reviewer.ui.time_axis import clock

_EMPTY = np.empty(0, dtype=np.int64)
EMPTY_MAP = ScoringMap(_EMPTY, _EMPTY, np.empty(0, np.int8), _EMPTY, _EMPTY, _EMPTY)

# kind -> (veil, pattern colour, pattern): a dark veil with a hatch saying why
_SHADES = {
    OUTSIDE: (QColor(0, 0, 0, 150), None, Qt.BrushStyle.NoBrush),
    COLLAR: (QColor(0, 0, 0, 90), palette.UNSCORED_HATCH, Qt.BrushStyle.BDiagPattern),
    OVERLAP: (QColor(0, 0, 0, 90), palette.OVERLAP_HATCH, Qt.BrushStyle.FDiagPattern),
    MARKED: (QColor(0, 0, 0, 90), palette.UNSCORED_HATCH, Qt.BrushStyle.DiagCrossPattern),
}


def _visible(starts: np.ndarray, ends: np.ndarray, x0: float, x1: float) -> np.ndarray:
    """Indices of the sorted, disjoint spans meeting ``[x0, x1]`` seconds (by bisection)."""
    lo = int(np.searchsorted(ends, x0 * TICKS_PER_SECOND, side="left"))
    hi = int(np.searchsorted(starts, x1 * TICKS_PER_SECOND, side="right"))
    return np.arange(lo, max(lo, hi))


class _MapItem(pg.GraphicsObject):
    """An item drawing a :class:`~reviewer.metrics.unscored.ScoringMap` (set anew on change)."""

    def __init__(self) -> None:
        super().__init__()
        self.map = EMPTY_MAP

    def set_map(self, scoring: ScoringMap) -> None:
        """Draw these stretches."""
        self.prepareGeometryChange()
        self.map = scoring
        self.update()

    def _end(self) -> float:
        """Seconds: where the last stretch, unscored or overlapped, ends."""
        last = [int(ends[-1]) for ends in (self.map.ends, self.map.overlap_ends) if len(ends)]
        return max(last, default=TICKS_PER_SECOND) / TICKS_PER_SECOND


class ScoringShade(_MapItem):
    """A veil over what is not scored, across a plot's whole height, hatched by the reason."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(5)  # above turns and waveform, below the cursor and the selection

    def boundingRect(self) -> QRectF:  # noqa: N802
        """Everything the item may draw: its stretches, over the view's height."""
        view = self.getViewBox()
        y0, y1 = view.viewRange()[1] if view is not None else (0.0, 1.0)
        return QRectF(0.0, y0, self._end(), y1 - y0)

    def viewRangeChanged(self) -> None:  # noqa: N802
        """The view's height is the item's: say its bounds changed."""
        self.prepareGeometryChange()

    def paint(self, painter: QPainter, *args) -> None:
        """Draw the visible stretches, patterns in screen pixels."""
        view = self.getViewBox()
        if view is None or not len(self.map.starts):
            return
        (x0, x1), (y0, y1) = view.viewRange()
        scoring, scale = self.map, 1.0 / TICKS_PER_SECOND
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setPen(Qt.PenStyle.NoPen)
        for i in _visible(scoring.starts, scoring.ends, x0, x1):
            start, end = scoring.starts[i] * scale, scoring.ends[i] * scale
            rect = transform.mapRect(QRectF(start, y0, end - start, y1 - y0))
            veil, hatch, pattern = _SHADES[int(scoring.kinds[i])]
            painter.fillRect(rect, veil)
            if hatch is not None:
                painter.fillRect(rect, QBrush(hatch, pattern))
        painter.restore()


def _overlap(speakers: int) -> QColor:
    """The overlap row's colour: darker with more reference speakers."""
    color = QColor(palette.OVERLAP)
    color.setAlpha(min(255, 110 + 50 * speakers))
    return color


def _unscored(kind: int) -> QColor:
    """The unscored row's colour for one kind (outside the UEM, collar, skipped overlap)."""
    return palette.UNSCORED[kind]


class ScoringLaneItem(_MapItem):
    """The scoring lane: reference overlap (row 0) and what is not scored (row 1), explained."""

    ROWS = ("Ref. overlap", "Not scored")

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:  # noqa: N802
        """Everything the item may draw."""
        return QRectF(0.0, 0.0, self._end(), 2.0)

    def paint(self, painter: QPainter, *args) -> None:
        """Draw the visible stretches: overlap darker with more speakers, unscored by kind."""
        view = self.getViewBox()
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        scoring, scale = self.map, 1.0 / TICKS_PER_SECOND
        pixel = view.viewPixelSize()[0] * TICKS_PER_SECOND
        rows = (
            (0.15, scoring.overlap_starts, scoring.overlap_ends, scoring.overlap_counts, _overlap),
            (1.15, scoring.starts, scoring.ends, scoring.kinds, _unscored),
        )
        for top, starts, ends, values, color_of in rows:
            shown = _visible(starts, ends, x0, x1)
            for value in np.unique(values[shown]):  # one colour each: merged, then drawn
                same = shown[values[shown] == value]
                color = color_of(int(value))
                pen = QPen(color)  # cosmetic: a stretch narrower than a pixel still shows
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(QBrush(color))
                first, last = merged_spans(starts[same], ends[same], pixel)
                painter.drawRects(
                    [
                        QRectF(a * scale, top, (b - a) * scale, 0.7)
                        for a, b in zip(first.tolist(), last.tolist(), strict=True)
                    ]
                )

    def tooltip_at(self, x: float, row: int) -> str:
        """What the tooltip says at ``x`` seconds on row ``row``."""
        ticks = round(x * TICKS_PER_SECOND)
        scoring = self.map
        if row == 0:
            starts, ends = scoring.overlap_starts, scoring.overlap_ends
            i = int(np.searchsorted(starts, ticks, side="right")) - 1
            if i < 0 or ticks >= ends[i]:
                return ""
            n = int(scoring.overlap_counts[i])
            return f"{n} reference speakers\n{_span(starts[i], ends[i])}"
        i = int(np.searchsorted(scoring.starts, ticks, side="right")) - 1
        if row != 1 or i < 0 or ticks >= scoring.ends[i]:
            return ""
        where = _span(scoring.starts[i], scoring.ends[i])
        return f"not scored: {KIND_NAMES[scoring.kinds[i]]}\n{where}"

    def hoverEvent(self, event) -> None:  # noqa: N802
        """Say what the stretch under the mouse is."""
        if event.isExit():
            self.setToolTip("")
            return
        self.setToolTip(self.tooltip_at(event.pos().x(), int(event.pos().y())))


def _span(start: int, end: int) -> str:
    return f"{clock(start / TICKS_PER_SECOND)} to {clock(end / TICKS_PER_SECOND)}"
