"""The timeline's axes: clock times, frequencies, and speaker names elided with a tooltip."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence

import pyqtgraph as pg
from PySide6.QtCore import Signal
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


SEPARATORS = "_-. :/"
"""Where a speaker name's parts meet (``Participant_spk00_of_the_panel``)."""
ELLIPSIS = "\u2026"


def elide_names(names: Sequence[str], width: Callable[[str], float], room: float) -> list[str]:
    """Speaker names shortened to ``room``, each keeping the part that tells it from the rest.

    A name that fits is kept whole. One that does not keeps its distinguishing part: what
    is left without the longest prefix and the longest suffix it shares with another name
    of ``names``, widened to whole parts between :data:`SEPARATORS` (``spk07`` of
    ``Participant_spk07_of_the_panel`` beside ``Participant_spk03_of_the_panel``, not
    ``7``), then as much of the text around it as fits, an ellipsis where it is cut
    (``…spk07_of_th…``). Eliding the middle instead shows the same ``Partici…panel`` for
    every speaker of a VoxConverse-style list. A distinguishing part wider than ``room`` is
    elided in its middle (:func:`middle`), the ellipses around it kept.

    Parameters
    ----------
    names
        The names shown together (one lane's speakers, or the legend's).
    width
        The width of a text, in the unit of ``room`` (``QFontMetrics.horizontalAdvance``).
    room
        The width each name may take.

    Returns
    -------
    list of str
        The texts to show, in the order of ``names``.
    """
    shown = []
    for index, name in enumerate(names):
        if width(name) <= room:
            shown.append(name)
            continue
        others = [other for k, other in enumerate(names) if k != index and other != name]
        i, j = _distinguishing(name, others)
        shown.append(_around(name, i, j, width, room))
    return shown


def _distinguishing(name: str, others: Sequence[str]) -> tuple[int, int]:
    """``(i, j)``: ``name[i:j]`` is what no other name shares at its start or its end."""
    prefix = max((len(os.path.commonprefix([name, o])) for o in others), default=0)
    suffix = max((len(os.path.commonprefix([name[::-1], o[::-1]])) for o in others), default=0)
    i = max(name.rfind(c, 0, prefix) for c in SEPARATORS) + 1 if prefix else 0
    ends = [k for k in (name.find(c, len(name) - suffix) for c in SEPARATORS) if k >= 0]
    j = min(ends) if suffix and ends else len(name)
    return (i, j) if i < j else (0, len(name))


def _around(name: str, i: int, j: int, width: Callable[[str], float], room: float) -> str:
    """``name[i:j]`` with as much of the text around it as fits in ``room``, cut with ``…``."""

    def text(a: int, b: int) -> str:
        return (ELLIPSIS if a > 0 else "") + name[a:b] + (ELLIPSIS if b < len(name) else "")

    if width(text(i, j)) > room:  # the part itself is cut, in its middle
        lead, tail = (ELLIPSIS if i > 0 else ""), (ELLIPSIS if j < len(name) else "")
        core = middle(name[i:j], lambda t: width(lead + t + tail), room)
        if len(core) > 2:  # two characters of it or more, besides the ellipsis
            return lead + core + tail
        return middle(name[i:j], width, room)  # no room for the ellipses around it
    while True:  # widen one character at a time, alternately left and right
        grown = False
        if i > 0 and width(text(i - 1, j)) <= room:
            i, grown = i - 1, True
        if j < len(name) and width(text(i, j + 1)) <= room:
            j, grown = j + 1, True
        if not grown:
            return text(i, j)


def middle(text: str, width: Callable[[str], float], room: float) -> str:
    """``text``, or when it does not fit ``room`` cut in its middle with ``…`` (``ElideMiddle``)."""
    if width(text) <= room:
        return text
    for keep in range(len(text) - 1, 0, -1):
        left = (keep + 1) // 2
        shown = text[:left] + ELLIPSIS + text[len(text) - (keep - left) :]
        if width(shown) <= room:
            return shown
    return ELLIPSIS


class TimeAxis(pg.AxisItem):
    """An axis whose tick labels are clock times, with as many decimals as the zoom needs."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (Qt naming)
        """Label ticks as h:mm:ss.mmm, with the decimals that tell ticks apart (up to 6).

        At the closest zoom ticks are 0.1-0.2 ms apart: three decimals gave every tick the
        same label.
        """
        step = spacing * scale
        precision = 0 if step >= 1 else min(6, math.ceil(-math.log10(step) - 1e-9))
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
        self._names = {row: name for name, row in rows.items()}
        shown = elide_names(list(rows), metrics.horizontalAdvance, LABEL_PIXELS - 16)
        self.setTicks([[(row + 0.5, text) for row, text in zip(rows.values(), shown, strict=True)]])

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
