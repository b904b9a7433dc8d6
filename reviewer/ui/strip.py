"""A column of plots on the timeline's one time axis: titles on the left, plots on the right.

The timeline is made of several :class:`TimeStrip` widgets (the waveform above, the lanes in
a scrolling area, the scoring and error lanes below); each plot's view box takes its time
range from the shared :class:`~reviewer.ui.view_range.ViewRange` and sends every wheel and
drag to it, so all plots always show the same, clamped range.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics

from reviewer.ui.time_axis import LABEL_PIXELS, TimeAxis
from reviewer.ui.view_range import ViewRange

TITLE_PIXELS = 86
"""Width of the titles column."""
MARGIN = 4
"""Margin around a strip's plots and between them, pixels."""
BACKGROUND = "#1E1E1E"


class TimeViewBox(pg.ViewBox):
    """A time-only view box: wheel zooms, left-drag selects, other drags pan.

    The box never moves itself: zoom and pan go to the shared
    :class:`~reviewer.ui.view_range.ViewRange`, which moves every plot. A vertical wheel
    with Shift, or over a lane's speaker names, is left to the lane area (it scrolls).

    Signals
    -------
    selecting(float, float, bool)
        A left-drag: the selected range (seconds) and whether the drag is over.
    clicked(float)
        A left click at this time (seconds).
    """

    selecting = Signal(float, float, bool)
    clicked = Signal(float)

    def __init__(self, view_range: ViewRange) -> None:
        super().__init__(enableMenu=False)
        self.view_range = view_range
        self.setMouseEnabled(x=False, y=False)
        view_range.changed.connect(self._follow)
        self._follow(*view_range.range)

    def _follow(self, start: float, end: float) -> None:
        self.setXRange(start, end, padding=0)

    def mouseClickEvent(self, event) -> None:  # noqa: N802
        """Put the cursor where the user clicks."""
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()
            self.clicked.emit(self.mapSceneToView(event.scenePos()).x())

    def wheelEvent(self, event, axis=None) -> None:  # noqa: N802
        """Zoom the time axis around the mouse (a sideways wheel pans)."""
        if axis == 1 or event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            event.ignore()
            return
        event.accept()
        start, end = self.view_range.range
        if event.orientation() == Qt.Orientation.Horizontal:
            self.view_range.pan(-event.delta() / 120 * 0.1 * (end - start))
            return
        centre = self.mapSceneToView(event.scenePos()).x()
        self.view_range.zoom(1.02 ** (-event.delta() / 8), centre)

    def mouseDragEvent(self, event, axis=None) -> None:  # noqa: N802
        """Select with the left button, pan with the others."""
        if axis == 1:
            event.ignore()
            return
        event.accept()
        if event.button() == Qt.MouseButton.LeftButton:
            start = self.mapSceneToView(event.buttonDownScenePos()).x()
            here = self.mapSceneToView(event.scenePos()).x()
            self.selecting.emit(min(start, here), max(start, here), event.isFinish())
            return
        last = self.mapSceneToView(event.lastScenePos()).x()
        here = self.mapSceneToView(event.scenePos()).x()
        self.view_range.pan(last - here)


class TitleLabel(pg.LabelItem):
    """A plot's title, elided to the titles column, whole in its tooltip; clicks are said.

    Signals
    -------
    clicked()
        A left click on the title.
    """

    clicked = Signal()

    def __init__(self, text: str) -> None:
        super().__init__("", color="#CCCCCC", size="9pt")
        self.setFixedWidth(TITLE_PIXELS)
        self.show_text(text)

    def show_text(
        self, text: str, color: str = "#CCCCCC", bold: bool = False, note: str = "", tip: str = ""
    ) -> None:
        """Show ``text`` (elided to fit) in ``color``, and a small ``note`` under it.

        The tooltip is ``tip``, led by the whole text when it had to be elided.
        """
        metrics = QFontMetrics(self.item.font())
        short = metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, TITLE_PIXELS - 8)
        markup = html.escape(short) + (f"<br><small>{html.escape(note)}</small>" if note else "")
        self.setText(markup, color=color, bold=bold)
        self.setFixedWidth(TITLE_PIXELS)  # setText sets the text's width as the minimum
        self.setToolTip("\n".join(part for part in (text if short != text else "", tip) if part))

    def mouseClickEvent(self, event) -> None:  # noqa: N802
        """Say that the title was clicked."""
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()
            self.clicked.emit()


class TimeStrip(pg.GraphicsLayoutWidget):
    """Plots stacked in rows, all showing the shared time range; fixed row heights.

    Parameters
    ----------
    view_range
        The time range every plot shows.
    """

    def __init__(self, view_range: ViewRange, parent=None) -> None:
        super().__init__(parent=parent)
        self.view_range = view_range
        self.setBackground(BACKGROUND)
        self.ci.layout.setSpacing(MARGIN / 2)
        self.ci.setContentsMargins(MARGIN, MARGIN / 2, MARGIN, MARGIN / 2)
        self.ci.layout.setColumnFixedWidth(0, TITLE_PIXELS)
        self.heights: dict[int, int] = {}
        self.titles: dict[int, TitleLabel] = {}

    def add_plot(
        self, row: int, title: str, *, top_axis: bool = False, left: pg.AxisItem | None = None
    ) -> pg.PlotItem:
        """A plot on ``row`` with ``title`` on its left (a :class:`TitleLabel`).

        ``top_axis`` shows clock times above it; ``left`` replaces its left axis (which is
        :data:`~reviewer.ui.time_axis.LABEL_PIXELS` wide in every plot, so plots line up).
        """
        axes: dict[str, pg.AxisItem] = {"top": TimeAxis("top")} if top_axis else {}
        if left is not None:
            axes["left"] = left
        plot = self.addPlot(row=row, col=1, viewBox=TimeViewBox(self.view_range), axisItems=axes)
        label = TitleLabel(title)
        self.addItem(label, row=row, col=0)
        self.titles[row] = label
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.hideAxis("bottom")
        if top_axis:
            plot.showAxis("top")
        plot.getAxis("left").setWidth(LABEL_PIXELS)
        return plot

    def set_row_height(self, row: int, pixels: int) -> None:
        """Give ``row`` a fixed height (0 hides it) and fit the strip's height to its rows."""
        self.ci.layout.setRowFixedHeight(row, pixels)
        if pixels:
            self.heights[row] = pixels
        else:
            self.heights.pop(row, None)
        rows = len(self.heights)
        total = sum(self.heights.values()) + MARGIN / 2 * max(rows - 1, 0) + MARGIN
        self.setFixedHeight(int(total) + 2)
