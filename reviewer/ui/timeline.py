"""The timeline: waveform, spectrogram, one lane per track and the error lane, X-linked."""

from __future__ import annotations

from itertools import count
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal

from reviewer.app.editor import Editor
from reviewer.model import commands
from reviewer.model.annotation import Span, Turn
from reviewer.model.commands import EditError
from reviewer.model.document import Change
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui import colors as palette
from reviewer.ui.lanes import ErrorsItem, TurnsItem
from reviewer.ui.time_axis import TimeAxis

if TYPE_CHECKING:
    from reviewer.ui.waveform import PyramidBuilder

WAVEFORM_REDRAW_MS = 200
"""How often the waveform is redrawn at most while its pyramid is being built."""

ROW_PIXELS = 22
TRANSCRIPT_ROW = 98  # rows far below the lanes, so that lanes added later fit above
ERRORS_ROW = 99
LEFT_AXIS_PIXELS = 110
_drag_ids = count()


class TimeViewBox(pg.ViewBox):
    """A time-only view box: wheel zooms, left-drag selects, other drags pan."""

    selecting = Signal(float, float, bool)
    clicked = Signal(float)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)

    def mouseClickEvent(self, event) -> None:  # noqa: N802
        """Put the cursor where the user clicks."""
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()
            self.clicked.emit(self.mapSceneToView(event.scenePos()).x())

    def mouseDragEvent(self, event, axis=None) -> None:  # noqa: N802
        """Select with the left button, pan with the others."""
        event.accept()
        if event.button() == Qt.MouseButton.LeftButton:
            start = self.mapSceneToView(event.buttonDownScenePos()).x()
            here = self.mapSceneToView(event.scenePos()).x()
            self.selecting.emit(min(start, here), max(start, here), event.isFinish())
            return
        last = self.mapSceneToView(event.lastScenePos()).x()
        here = self.mapSceneToView(event.scenePos()).x()
        self.translateBy(x=last - here)


class TimelineView(pg.GraphicsLayoutWidget):
    """Everything on the time axis, drawn from the editor's state.

    Signals
    -------
    message(str)
        Something to show in the status bar (an edit that could not be made, ...).
    """

    message = Signal(str)

    def __init__(self, editor: Editor, audio=None, pyramid=None, parent=None):
        super().__init__(parent=parent)
        self.editor = editor
        self.audio = audio
        self.setBackground("#1E1E1E")
        self.ci.layout.setSpacing(2)
        self.ci.setContentsMargins(4, 4, 4, 4)
        self.colors = palette.SpeakerColors()
        self._drag_key: str | None = None
        self._lane_state: tuple | None = None
        self._plots: list[pg.PlotItem] = []
        self._cursors: list[pg.InfiniteLine] = []
        self._selections: list[pg.LinearRegionItem] = []
        self._lanes: dict[str, tuple[pg.PlotItem, TurnsItem]] = {}
        self.waveform = None
        self.spectrogram = None

        row = 0
        self.time_plot = self._add_plot(row, "Waveform" if audio else "Time", top_axis=True)
        if audio is not None and pyramid is not None:
            from reviewer.ui.waveform import SpectrogramItem, WaveformItem

            self.waveform = WaveformItem(audio, pyramid)
            self.time_plot.addItem(self.waveform)
            self.time_plot.setYRange(-1, 1, padding=0.02)
            self.ci.layout.setRowFixedHeight(row, 130)
            row += 1
            self.spectrogram_plot = self._add_plot(row, "Spectrogram")
            self.spectrogram = SpectrogramItem(audio)
            self.spectrogram_plot.addItem(self.spectrogram)
            self.spectrogram_plot.setYRange(0, min(8000, audio.sample_rate / 2), padding=0)
            self.spectrogram_plot.hideAxis("left")
            self.ci.layout.setRowFixedHeight(row, 0)
            self.spectrogram_plot.hide()
            self.ci.getItem(row, 0).hide()
            self._spectrogram_row = row
        else:
            self.time_plot.getAxis("left").setTicks([[]])
            self.ci.layout.setRowFixedHeight(row, 28)
        row += 1
        self._first_lane_row = row
        for name in editor.document.tracks:
            self._add_lane(name)
        self.transcript_item = None
        if editor.document.transcript is not None:
            self._add_transcript_lane()
        self.errors_plot = self._add_plot(ERRORS_ROW, "Errors")
        self.errors_item = ErrorsItem()
        self.errors_plot.addItem(self.errors_item)
        self.errors_plot.getAxis("left").setTicks(
            [[(i + 0.5, name) for i, (name, _) in enumerate(ErrorsItem.ROWS)]]
        )
        self.errors_plot.setYRange(0, 3, padding=0)
        self.errors_plot.invertY(True)
        self.ci.layout.setRowFixedHeight(ERRORS_ROW, 3 * ROW_PIXELS + 6)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(15)
        self._refresh_timer.timeout.connect(self._refresh_view_dependent)
        self.time_plot.sigXRangeChanged.connect(lambda *_: self._refresh_timer.start())

        editor.document.changed.connect(self._document_changed)
        editor.live.updated.connect(self._score_changed)
        editor.changed.connect(self._editor_changed)
        self._score_changed()
        self.fit()

    # --- construction -------------------------------------------------------------------

    def _add_transcript_lane(self) -> None:
        from reviewer.ui.transcript_lane import TranscriptItem

        plot = self._add_plot(TRANSCRIPT_ROW, "Transcript")
        self.transcript_item = TranscriptItem(self.editor, self.colors)
        self.transcript_item.clicked.connect(self._utterance_clicked)
        plot.addItem(self.transcript_item)
        plot.setYRange(0, 1, padding=0)
        plot.getAxis("left").setTicks([[]])
        self.ci.layout.setRowFixedHeight(TRANSCRIPT_ROW, 2 * ROW_PIXELS)

    def _utterance_clicked(self, utterance) -> None:
        self.editor.focus(Span(utterance.start, utterance.end))

    def _add_plot(self, row: int, title: str, top_axis: bool = False) -> pg.PlotItem:
        view = TimeViewBox()
        axes = {"top": TimeAxis("top")} if top_axis else {}
        plot = self.addPlot(row=row, col=1, viewBox=view, axisItems=axes)
        label = self.addLabel(title, row=row, col=0, color="#CCCCCC", size="9pt")
        label.setFixedWidth(86)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.hideAxis("bottom")
        if top_axis:
            plot.showAxis("top")
        plot.getAxis("left").setWidth(LEFT_AXIS_PIXELS)
        if self._plots:
            plot.setXLink(self._plots[0])
        else:
            rate = self.audio.sample_rate if self.audio is not None else 16000
            view.setLimits(xMin=0, minXRange=16 / rate)
        cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(palette.CURSOR, width=1))
        plot.addItem(cursor, ignoreBounds=True)
        selection = pg.LinearRegionItem(
            movable=False, brush=pg.mkBrush(palette.SELECTION), pen=pg.mkPen(None)
        )
        selection.setZValue(-10)
        selection.hide()
        plot.addItem(selection, ignoreBounds=True)
        view.clicked.connect(self._clicked)
        view.selecting.connect(self._selecting)
        self._plots.append(plot)
        self._cursors.append(cursor)
        self._selections.append(selection)
        return plot

    def _add_lane(self, name: str) -> None:
        row = self._first_lane_row + len(self._lanes)
        plot = self._add_plot(row, name)
        item = TurnsItem(self.colors)
        item.turn_clicked.connect(lambda turn, x, name=name: self._turn_clicked(name, turn, x))
        item.boundary_dragged.connect(
            lambda turn, edge, x, stage, name=name: self._boundary_dragged(
                name, turn, edge, x, stage
            )
        )
        plot.addItem(item)
        plot.invertY(True)
        self._lanes[name] = (plot, item)
        self._update_lane(name)

    # --- model -> view ------------------------------------------------------------------

    def _update_lane(self, name: str) -> None:
        plot, item = self._lanes[name]
        track = self.editor.document[name]
        rows = {label: i for i, label in enumerate(track.labels)}
        editable = name == self.editor.active_track
        selected = self.editor.selected if editable else None
        item.set_track(track, rows, selected, editable)
        n = max(len(rows), 1)
        ticks = [(i + 0.5, label) for label, i in rows.items()]
        plot.getAxis("left").setTicks([ticks])
        plot.setYRange(0, n, padding=0)
        row = self._first_lane_row + list(self._lanes).index(name)
        self.ci.layout.setRowFixedHeight(row, n * ROW_PIXELS + 6)
        label = self.ci.getItem(row, 0)
        if label is not None:
            mark = "\u25b8 " if editable else ""
            label.setText(f"{mark}{name}", color="#FFFFFF" if editable else "#AAAAAA")

    def _document_changed(self, change: Change) -> None:
        if change.track not in self._lanes:
            self._add_lane(change.track)
        self._update_lane(change.track)

    def _score_changed(self) -> None:
        document = self.editor.document
        setup = self.editor.live.setup
        reference = document[setup.reference].labels if setup.reference in document else ()
        others = [label for track in document.tracks.values() for label in track.labels]
        self.colors.update(reference, self.editor.live.mapping, others)
        for name in self._lanes:
            self._lanes[name][1].update()
        self._refresh_errors()

    def _editor_changed(self) -> None:
        state = (self.editor.active_track, self.editor.selected)
        if state != self._lane_state:  # cursor moves alone (playback) leave the lanes be
            self._lane_state = state
            for name in self._lanes:
                self._update_lane(name)
        seconds = self.editor.cursor / TICKS_PER_SECOND
        for cursor in self._cursors:
            cursor.setValue(seconds)
        selection = self.editor.selection
        for region in self._selections:
            if selection is None:
                region.hide()
            else:
                region.setRegion(
                    (selection.start / TICKS_PER_SECOND, selection.end / TICKS_PER_SECOND)
                )
                region.show()
        self.ensure_visible(self.editor.cursor)

    def _refresh_errors(self) -> None:
        self.errors_item.set_errors(self.editor.live.errors(), self.duration)

    def _refresh_view_dependent(self) -> None:
        (x0, x1), _ = self.time_plot.viewRange()
        pixels = int(self.time_plot.vb.width()) or 800
        if self.waveform is not None:
            self.waveform.refresh(x0, x1, pixels)
        if self.spectrogram is not None and self.spectrogram_plot.isVisible():
            self.spectrogram.refresh(x0, x1, pixels)

    def refresh_waveform(self) -> None:
        """Redraw the waveform (while the pyramid is still being built) and fit its height."""
        if self.waveform is not None:
            (x0, x1), _ = self.time_plot.viewRange()
            self.waveform.refresh(x0, x1, int(self.time_plot.vb.width()) or 800)
            peak = self.waveform.peak()
            if peak > 0:
                self.time_plot.setYRange(-peak * 1.05, peak * 1.05, padding=0)

    def follow_build(self, builder: PyramidBuilder) -> None:
        """Redraw the waveform as its pyramid fills (at most every 200 ms) and when it ends.

        A failed build is said on :attr:`message`. The builder's signals come from its worker
        thread; these slots run on the GUI thread.
        """
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(WAVEFORM_REDRAW_MS)
        self._redraw.timeout.connect(self.refresh_waveform)
        builder.progressed.connect(self._pyramid_progressed)
        builder.finished.connect(self._pyramid_finished)
        if not builder.running:  # it may have ended before we listened
            self._pyramid_finished(builder.error or "")

    def _pyramid_progressed(self, _frames: int) -> None:
        if not self._redraw.isActive():
            self._redraw.start()

    def _pyramid_finished(self, error: str) -> None:
        self._redraw.stop()
        self.refresh_waveform()
        if error:
            self.message.emit(f"waveform: {error}")

    # --- view operations ------------------------------------------------------------------

    @property
    def duration(self) -> float:
        """Seconds shown by 'fit': the audio, or the tracks' extent."""
        if self.audio is not None:
            return self.audio.frames / self.audio.sample_rate
        ends = [t.extent.end for t in self.editor.document.tracks.values() if t.extent]
        return max(ends, default=TICKS_PER_SECOND) / TICKS_PER_SECOND

    def view_range(self) -> tuple[float, float]:
        """The visible time range in seconds."""
        (x0, x1), _ = self.time_plot.viewRange()
        return x0, x1

    def set_view(self, start: float, end: float) -> None:
        """Show ``[start, end]`` seconds."""
        self.time_plot.setXRange(start, end, padding=0)
        self._refresh_view_dependent()

    def fit(self) -> None:
        """Show the whole recording."""
        self.set_view(0.0, self.duration)

    def zoom(self, factor: float) -> None:
        """Zoom around the cursor (factor < 1 zooms in)."""
        x0, x1 = self.view_range()
        centre = self.editor.cursor / TICKS_PER_SECOND
        if not x0 <= centre <= x1:
            centre = (x0 + x1) / 2
        width = max((x1 - x0) * factor, 0.005)
        start = max(0.0, centre - (centre - x0) * width / (x1 - x0))
        self.set_view(start, start + width)

    def zoom_to(self, span: Span) -> None:
        """Show a span with a little margin."""
        start, end = span.start / TICKS_PER_SECOND, span.end / TICKS_PER_SECOND
        margin = max((end - start) * 0.1, 0.05)
        self.set_view(max(0.0, start - margin), end + margin)

    def ensure_visible(self, ticks: int) -> None:
        """Scroll (without zooming) so that ``ticks`` is on screen."""
        x = ticks / TICKS_PER_SECOND
        x0, x1 = self.view_range()
        if x0 <= x <= x1:
            return
        width = x1 - x0
        start = max(0.0, x - 0.1 * width)
        self.set_view(start, start + width)

    def show_spectrogram(self, visible: bool) -> None:
        """Show or hide the spectrogram row."""
        if self.spectrogram is None:
            self.message.emit("No audio: no spectrogram")
            return
        self.spectrogram_plot.setVisible(visible)
        self.ci.getItem(self._spectrogram_row, 0).setVisible(visible)
        self.ci.layout.setRowFixedHeight(self._spectrogram_row, 140 if visible else 0)
        self._refresh_view_dependent()

    # --- view -> model ------------------------------------------------------------------

    def _clicked(self, x: float) -> None:
        self.editor.set_selection(None)
        self.editor.set_cursor(round(max(0.0, x) * TICKS_PER_SECOND))

    def _selecting(self, x0: float, x1: float, finished: bool) -> None:
        span = Span(round(max(0.0, x0) * TICKS_PER_SECOND), round(max(0.0, x1) * TICKS_PER_SECOND))
        self.editor.focus(span)

    def _turn_clicked(self, track: str, turn: Turn | None, x: float) -> None:
        self.editor.pick(track, turn, cursor=round(max(0.0, x) * TICKS_PER_SECOND))

    def _boundary_dragged(self, track: str, turn: Turn, edge: str, x: float, stage: str) -> None:
        if stage == "start":
            self._drag_key = f"drag-{next(_drag_ids)}"
            self.editor.pick(track, turn, clear_selection=False)
            return
        current = self.editor.selected
        if current is None:
            return
        ticks = round(max(0.0, x) * TICKS_PER_SECOND)
        try:
            if edge == "start":
                ticks = min(ticks, current.end)
                if ticks != current.start:
                    self.editor.push(
                        commands.set_start(track, current, ticks, merge_key=self._drag_key)
                    )
            else:
                ticks = max(ticks, current.start)
                if ticks != current.end:
                    self.editor.push(
                        commands.set_end(track, current, ticks, merge_key=self._drag_key)
                    )
        except (EditError, KeyError) as error:
            self.message.emit(str(error))
        self.editor.set_cursor(ticks)
        if stage == "finish":
            self._drag_key = None
