"""The timeline's one time axis: the visible range every plot shows, clamped to the recording."""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

WHEEL_STEP = 1.02 ** (-120 / 8)
"""The zoom factor of one wheel notch away from the user (pyqtgraph's own: about 0.74)."""


def clamp_view(start: float, end: float, duration: float, shortest: float) -> tuple[float, float]:
    """The range ``[start, end]`` seconds moved and cut to lie within ``[0, duration]``.

    Parameters
    ----------
    start, end
        The wanted range, seconds (``end < start`` is read as the reverse range).
    duration
        The recording's length, seconds (> 0).
    shortest
        The narrowest range allowed, seconds (a few samples).

    Returns
    -------
    tuple of float
        ``(start, end)`` with ``0 <= start < end <= duration``: no wider than the recording,
        no narrower than ``shortest`` (unless the recording is), and shifted rather than cut
        when it runs past an end, so panning keeps the width.
    """
    duration = duration if math.isfinite(duration) and duration > 0 else 1.0
    if not (math.isfinite(start) and math.isfinite(end)):
        return 0.0, duration
    start, end = min(start, end), max(start, end)
    width = min(max(end - start, shortest), duration)
    start = min(max(start, 0.0), duration - width)
    return start, start + width


class ViewRange(QObject):
    """The visible time range of the whole timeline; plots follow :attr:`changed`.

    Every way of moving the view (wheel, drag-pan, the window's keys) goes through
    :meth:`set`, :meth:`zoom` or :meth:`pan`, which clamp to the recording
    (:func:`clamp_view`), so no plot can show another range or run past the ends.

    Parameters
    ----------
    duration
        The recording's length, seconds.
    shortest
        The narrowest range, seconds.

    Signals
    -------
    changed(float, float)
        The new ``(start, end)`` seconds, after every change.
    """

    changed = Signal(float, float)

    def __init__(self, duration: float, shortest: float, parent: QObject | None = None):
        super().__init__(parent)
        self._duration = duration
        self.shortest = shortest
        self._range = clamp_view(0.0, duration, duration, shortest)

    @property
    def duration(self) -> float:
        """The recording's length, seconds."""
        return self._duration

    @duration.setter
    def duration(self, seconds: float) -> None:
        self._duration = seconds
        self.set(*self._range)

    @property
    def range(self) -> tuple[float, float]:
        """``(start, end)`` seconds shown."""
        return self._range

    def set(self, start: float, end: float) -> None:
        """Show ``[start, end]`` seconds (clamped)."""
        clamped = clamp_view(start, end, self._duration, self.shortest)
        if clamped != self._range:
            self._range = clamped
            self.changed.emit(*clamped)

    def zoom(self, factor: float, centre: float) -> None:
        """Scale the width by ``factor`` (< 1 zooms in), keeping ``centre`` seconds in place."""
        start, end = self._range
        self.set(centre - (centre - start) * factor, centre + (end - centre) * factor)

    def pan(self, seconds: float) -> None:
        """Move the view by ``seconds`` (positive: later), keeping its width."""
        start, end = self._range
        self.set(start + seconds, end + seconds)
