"""The timeline's axes: clock times, frequencies, and speaker names elided with a tooltip."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics

LABEL_PIXELS = 110
"""Width of the left axes (speaker names, amplitudes, frequencies): every plot lines up."""


def clock(seconds: float, precision: int = 3) -> str:
    """Format seconds as ``h:mm:ss.mmm`` (fewer decimals when asked)."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    scale = 10**precision
    total = round(seconds * scale)
    whole, frac = divmod(total, scale)
    minutes, s = divmod(whole, 60)
    hours, m = divmod(minutes, 60)
    text = f"{sign}{hours}:{m:02d}:{s:02d}"
    return f"{text}.{frac:0{precision}d}" if precision else text


def hertz(value: float) -> str:
    """Format a frequency: ``"500 Hz"``, ``"1 kHz"``, ``"2.5 kHz"``."""
    if abs(value) >= 1000:
        return f"{value / 1000:g} kHz"
    return f"{value:g} Hz"


class TimeAxis(pg.AxisItem):
    """An axis whose tick labels are clock times, with as many decimals as the zoom needs."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (Qt naming)
        """Label ticks as h:mm:ss.mmm."""
        if spacing >= 1:
            precision = 0
        elif spacing >= 0.1:
            precision = 1
        elif spacing >= 0.01:
            precision = 2
        else:
            precision = 3
        return [clock(value * scale, precision) for value in values]


class FrequencyAxis(pg.AxisItem):
    """The spectrogram's frequency axis, in Hz and kHz."""

    def __init__(self) -> None:
        super().__init__("left")
        self.setWidth(LABEL_PIXELS)

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (Qt naming)
        """Label ticks as ``500 Hz``, ``1 kHz``..."""
        return [hertz(value * scale) for value in values]


class SpeakerAxis(pg.AxisItem):
    """A lane's speaker names, one per row, elided to the axis; the whole name on hover.

    Signals
    -------
    scrolled(int)
        A wheel turned over the names: its vertical delta (120 a notch, positive away from
        the user), for the lane area to scroll by.
    """

    scrolled = Signal(int)

    def __init__(self) -> None:
        super().__init__("left")
        self.setWidth(LABEL_PIXELS)
        self.setAcceptHoverEvents(True)
        self._names: dict[int, str] = {}

    def set_rows(self, rows: dict[str, int], summary: str | None = None) -> None:
        """Name row ``i`` after its speaker; a folded lane shows ``summary`` on its one row."""
        if summary is not None:
            self._names = {0: "\n".join(rows)}
            self.setTicks([[(0.5, summary)]])
            return
        metrics = QFontMetrics(self.font())
        room = LABEL_PIXELS - 16
        self._names = {row: name for name, row in rows.items()}
        elide = Qt.TextElideMode.ElideMiddle
        self.setTicks(
            [[(row + 0.5, metrics.elidedText(name, elide, room)) for name, row in rows.items()]]
        )

    def name_at(self, y: float) -> str:
        """The whole speaker name on row ``int(y)`` (all of them on a folded lane)."""
        return self._names.get(int(y), "") if y >= 0 else ""

    def hoverEvent(self, event) -> None:  # noqa: N802
        """Show the whole name of the speaker under the mouse."""
        view = self.linkedView()
        if event.isExit() or view is None:
            self.setToolTip("")
            return
        self.setToolTip(self.name_at(view.mapSceneToView(event.scenePos()).y()))

    def wheelEvent(self, event) -> None:  # noqa: N802
        """Scroll the lanes (not the time): say so on :attr:`scrolled`."""
        event.accept()
        self.scrolled.emit(event.delta())

    def mouseDragEvent(self, event) -> None:  # noqa: N802
        """Names do not drag."""
        event.ignore()
