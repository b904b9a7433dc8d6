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
from PySide6.QtWidgets import QGraphicsGridLayout, QGraphicsItem, QSizePolicy

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


class TimePlot(pg.GraphicsWidget):
    """One row of a strip: a :class:`TimeViewBox` with a left axis, and clock times above.

    The part of :class:`pyqtgraph.PlotItem` the timeline uses (``vb``, :meth:`addItem`,
    :attr:`items`, :meth:`getAxis`, :meth:`setYRange`, :meth:`invertY`, :meth:`viewRange`),
    laid out as a PlotItem lays out its axes, without what a PlotItem builds and the
    timeline never shows: four axes, a title, the option menus and the auto-range button.
    A window builds one per lane group and strip row, and these were most of its
    construction: 9 PlotItems took 60-70 ms here, 9 of these 13 ms.

    Parameters
    ----------
    view_box
        The plot's view box.
    left
        Its left axis (by default a plain one).
    top
        An axis above it (clock times), or None.
    """

    def __init__(
        self, view_box: TimeViewBox, left: pg.AxisItem | None = None, top: pg.AxisItem | None = None
    ) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QGraphicsGridLayout()
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setHorizontalSpacing(0)
        layout.setVerticalSpacing(0)
        self.setLayout(layout)
        self.vb = view_box
        self._items: list = []
        layout.addItem(view_box, 1, 1)
        self.axes: dict[str, pg.AxisItem] = {"left": left or pg.AxisItem("left")}
        if top is not None:
            self.axes["top"] = top
        for name, axis in self.axes.items():
            axis.linkToView(view_box)
            layout.addItem(axis, *((1, 0) if name == "left" else (0, 1)))
            axis.setZValue(0.5)  # above images (z 0), as in a PlotItem
            axis.setFlag(QGraphicsItem.GraphicsItemFlag.ItemNegativeZStacksBehindParent)
        layout.setRowStretchFactor(1, 100)
        layout.setColumnStretchFactor(1, 100)

    def addItem(self, item, ignoreBounds: bool = False) -> None:  # noqa: N802, N803 - pg's
        """Add a graphics item to the view box (``ignoreBounds``: not in its auto-range)."""
        self.vb.addItem(item, ignoreBounds=ignoreBounds)
        self._items.append(item)

    @property
    def items(self) -> list:
        """The graphics items added (:meth:`addItem`), in the order they were added."""
        return list(self._items)

    def removeItem(self, item) -> None:  # noqa: N802 - pyqtgraph's name
        """Remove a graphics item from the view box."""
        self.vb.removeItem(item)
        self._items.remove(item)

    def getAxis(self, name: str) -> pg.AxisItem:  # noqa: N802 - pyqtgraph's name
        """The axis ``"left"`` or ``"top"``; raises KeyError for an axis the plot lacks."""
        return self.axes[name]

    def setYRange(self, low: float, high: float, padding: float | None = None) -> None:  # noqa: N802
        """Show ``low`` to ``high`` vertically (``padding``: a fraction added each side)."""
        self.vb.setYRange(low, high, padding=padding)

    def invertY(self, invert: bool = True) -> None:  # noqa: N802 - pyqtgraph's name
        """Put y = 0 at the top (rows count downwards)."""
        self.vb.invertY(invert)

    def viewRange(self) -> list[list[float]]:  # noqa: N802 - pyqtgraph's name
        """``[[x0, x1], [y0, y1]]``: the range shown."""
        return self.vb.viewRange()


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
    ) -> TimePlot:
        """A plot on ``row`` with ``title`` on its left (a :class:`TitleLabel`).

        ``top_axis`` shows clock times above it; ``left`` replaces its left axis (which is
        :data:`~reviewer.ui.time_axis.LABEL_PIXELS` wide in every plot, so plots line up).
        """
        top = TimeAxis("top") if top_axis else None
        plot = TimePlot(TimeViewBox(self.view_range), left=left, top=top)
        self.addItem(plot, row=row, col=1)
        label = TitleLabel(title)
        self.addItem(label, row=row, col=0)
        self.titles[row] = label
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
