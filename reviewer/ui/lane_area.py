"""The speaker lanes: one group per track, scrolling vertically, each group folding.

Recordings with 20 or more speakers give lanes taller than any screen: they scroll in a
:class:`LaneArea` between the waveform and the error lane, which stay put. A group's title
folds it to one row (every turn on it, coloured by speaker) and unfolds it again.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QScrollBar

from reviewer.model.annotation import Track, Turn
from reviewer.ui.colors import SpeakerColors
from reviewer.ui.lanes import TurnsItem
from reviewer.ui.strip import TimePlot, TimeStrip
from reviewer.ui.time_axis import SpeakerAxis
from reviewer.ui.view_range import ViewRange

ROW_PIXELS = 22
"""Height of one speaker's row."""
FOLDED, UNFOLDED = "\u25b8", "\u25be"


class LaneArea(QScrollArea):
    """The lane groups, in a vertically scrolling area; the time axis is the timeline's.

    Its scroll bar is :attr:`scroll_bar`, for the timeline to place beside the lanes only,
    so that every plot above and below keeps the lanes' width.

    Parameters
    ----------
    view_range
        The shared time range.
    colors
        Speaker colours, shared with the other lanes.

    Signals
    -------
    lane_added(str)
        A track's group was made (its plot and item are in :attr:`lanes`).
    """

    lane_added = Signal(str)

    def __init__(self, view_range: ViewRange, colors: SpeakerColors, parent=None) -> None:
        super().__init__(parent)
        self.colors = colors
        self.strip = TimeStrip(view_range)
        self.setWidget(self.strip)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet("QScrollArea { background: #1E1E1E; }")
        self.scroll_bar = QScrollBar(Qt.Orientation.Vertical)
        self.scroll_bar.hide()
        inner = self.verticalScrollBar()
        inner.rangeChanged.connect(self._range_changed)
        inner.valueChanged.connect(self.scroll_bar.setValue)
        self.scroll_bar.valueChanged.connect(inner.setValue)
        self.lanes: dict[str, tuple[TimePlot, TurnsItem]] = {}
        self.folded: set[str] = set()
        self._shown: dict[str, tuple[Track, Turn | None, bool]] = {}
        self._layouts: dict[str, tuple] = {}  # what each group's names and height show

    def _range_changed(self, low: int, high: int) -> None:
        self.scroll_bar.setRange(low, high)
        self.scroll_bar.setPageStep(self.verticalScrollBar().pageStep())
        self.scroll_bar.setVisible(high > low)

    def scroll_by(self, delta: int) -> None:
        """Scroll for a wheel's ``delta`` (120 a notch, positive up): three rows a notch."""
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() - round(delta / 120 * 3 * ROW_PIXELS))

    def add(self, name: str) -> tuple[TimePlot, TurnsItem]:
        """Make the group of track ``name`` (below the others)."""
        row = len(self.lanes)
        axis = SpeakerAxis()
        axis.scrolled.connect(self.scroll_by)
        plot = self.strip.add_plot(row, name, left=axis)
        item = TurnsItem(self.colors)
        plot.addItem(item)
        plot.invertY(True)
        self.strip.titles[row].clicked.connect(lambda name=name: self.fold(name))
        self.lanes[name] = (plot, item)
        self.lane_added.emit(name)
        return plot, item

    def show_track(self, name: str, track: Track, selected: Turn | None, editable: bool) -> None:
        """Draw ``track`` in its group (made if needed), ``selected`` outlined.

        The speaker names, the group's height and its title are redone only when the
        speakers, the folding or the edited track changed: a nudge redraws the turns alone.
        """
        if name not in self.lanes:
            self.add(name)
        self._shown[name] = (track, selected, editable)
        plot, item = self.lanes[name]
        folded = name in self.folded
        labels = track.labels
        layout = (labels, folded, editable)
        if folded:
            rows = dict.fromkeys(labels, 0)
        else:
            rows = {label: i for i, label in enumerate(labels)}
        item.set_track(track, rows, selected, editable)
        if self._layouts.get(name) == layout:
            return
        self._layouts[name] = layout
        axis: SpeakerAxis = plot.getAxis("left")
        n = 1 if folded else max(len(labels), 1)
        axis.set_rows(
            rows, f"{len(labels)} speaker{'s' if len(labels) != 1 else ''}" if folded else None
        )
        plot.setYRange(0, n, padding=0)
        row = list(self.lanes).index(name)
        self.strip.set_row_height(row, n * ROW_PIXELS + 6)
        self.setMaximumHeight(self.strip.height())  # no taller than its lanes: no gap below
        self.strip.titles[row].show_text(
            f"{FOLDED if folded else UNFOLDED} {name}",
            color="#FFFFFF" if editable else "#AAAAAA",
            bold=editable,
            note="editing" if editable else "",
            tip=f"click to {'unfold' if folded else 'fold'}",
        )

    def _row_band(self, name: str, speaker: str) -> tuple[float, float] | None:
        """Top and bottom of ``speaker``'s row in group ``name``, in the strip's pixels."""
        if name not in self.lanes:
            return None
        plot, item = self.lanes[name]
        row = item.rows.get(speaker)
        if row is None or plot.vb.height() <= 0:
            return None
        view = self.strip.viewport()
        top, bottom = (
            view.mapTo(self.strip, self.strip.mapFromScene(plot.vb.mapViewToScene(QPointF(0, y))))
            for y in (row, row + 1)
        )
        return float(min(top.y(), bottom.y())), float(max(top.y(), bottom.y()))

    def row_in_view(self, name: str, speaker: str) -> bool:
        """Whether ``speaker``'s row of group ``name`` is on screen (True if it has none)."""
        band = self._row_band(name, speaker)
        if band is None:
            return True
        shown = self.verticalScrollBar().value()
        return shown <= band[0] and band[1] <= shown + self.viewport().height()

    def show_row(self, name: str, speaker: str) -> bool:
        """Scroll so that ``speaker``'s row of group ``name`` is on screen; True if it moved."""
        band = self._row_band(name, speaker)
        if band is None or self.row_in_view(name, speaker):
            return False
        middle = (band[0] + band[1]) / 2
        self.ensureVisible(0, round(middle), 0, round((band[1] - band[0]) / 2) + ROW_PIXELS)
        return True

    def fold(self, name: str, folded: bool | None = None) -> None:
        """Fold track ``name``'s group to one row, or unfold it (``None``: the other way)."""
        if folded is None:
            folded = name not in self.folded
        if folded:
            self.folded.add(name)
        else:
            self.folded.discard(name)
        if name in self._shown:
            self.show_track(name, *self._shown[name])
