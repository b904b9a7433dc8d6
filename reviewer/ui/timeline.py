"""The timeline: waveform, spectrogram, speaker lanes, scoring and errors on one time axis.

Three :class:`~reviewer.ui.strip.TimeStrip` columns share one
:class:`~reviewer.ui.view_range.ViewRange`: the waveform and spectrogram above (with the
clock), the speaker lanes in a vertically scrolling :class:`~reviewer.ui.lane_area.LaneArea`,
and the transcript, scoring and error lanes below; the digit legend closes it. Model events
reach the views through :class:`~reviewer.ui.deferred.Deferred`: a burst of edits redraws
each changed lane once, from the latest state.
"""

from __future__ import annotations

from itertools import count
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from reviewer.app.editor import Editor
from reviewer.metrics.unscored import ScoringMap, track_scoring_map
from reviewer.model import commands
from reviewer.model.annotation import Span, Turn
from reviewer.model.commands import EditError
from reviewer.model.document import Change
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui import colors as palette
from reviewer.ui.deferred import Deferred
from reviewer.ui.lane_area import ROW_PIXELS, LaneArea
from reviewer.ui.lanes import ErrorsItem, TurnsItem
from reviewer.ui.legend import SpeakerLegend
from reviewer.ui.scoring_items import EMPTY_MAP, ScoringLaneItem, ScoringShade
from reviewer.ui.strip import BACKGROUND, TimePlot, TimeStrip
from reviewer.ui.time_axis import FrequencyAxis
from reviewer.ui.view_range import ViewRange

if TYPE_CHECKING:
    from reviewer.ui.waveform import PyramidBuilder, SpectrogramItem, WaveformItem

WAVEFORM_REDRAW_MS = 200
"""How often the waveform is redrawn at most while its pyramid is being built."""

WAVEFORM_PIXELS, SPECTROGRAM_PIXELS = 130, 140
_drag_ids = count()


class TimelineView(QWidget):
    """Everything on the time axis, drawn from the editor's state.

    Parameters
    ----------
    editor
        What is reviewed; the view follows its events.
    audio, pyramid
        The recording and its peak pyramid, or None (no waveform or spectrogram).

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
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(f"TimelineView {{ background: {BACKGROUND}; }}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.colors = palette.SpeakerColors()
        rate = audio.sample_rate if audio is not None else 16000
        self.view = ViewRange(self.duration, 16 / rate, self)
        self._drag_key: str | None = None
        self._lane_state = (editor.active_track, editor.selected)  # what the lanes show
        self._reveal = False  # whether the lanes scroll to the selected turn's row
        self._cursor_shown = editor.cursor  # the view follows the cursor when it moves
        self._stale: set[str] = set()
        self._plots: list[TimePlot] = []
        self._cursors: list[pg.InfiniteLine] = []
        self._selections: list[pg.LinearRegionItem] = []
        self._shades: list[ScoringShade] = []
        self.scoring_map: ScoringMap = EMPTY_MAP
        self.waveform: WaveformItem | None = None
        self.spectrogram: SpectrogramItem | None = None

        self.top = TimeStrip(self.view)
        self._build_top(audio, pyramid)
        self.lane_area = LaneArea(self.view, self.colors)
        self.lane_area.lane_added.connect(self._lane_added)
        self.bottom = TimeStrip(self.view)
        self._build_bottom()
        self.legend = SpeakerLegend(editor, self.colors)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(self.top, 0, 0)
        grid.addWidget(self.lane_area, 1, 0)
        grid.addWidget(self.lane_area.scroll_bar, 1, 1)
        grid.addWidget(self.bottom, 2, 0)
        grid.addWidget(self.legend, 3, 0, 1, 2)
        grid.setRowStretch(1, 1000)
        grid.setRowStretch(4, 1)  # short lanes: the rest follows them, the room stays below

        self._lanes_deferred = Deferred(self._redraw_lanes, self)
        self._score_deferred = Deferred(self._refresh_score, self)
        self._scoring_deferred = Deferred(self._refresh_scoring, self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(15)
        self._refresh_timer.timeout.connect(self._refresh_view_dependent)
        self.view.changed.connect(lambda *_: self._refresh_timer.start())

        for name in editor.document.tracks:
            self._show_lane(name)
        editor.document.changed.connect(self._document_changed)
        editor.live.updated.connect(self._score_deferred.request)
        editor.live.configured.connect(self._scoring_deferred.request)
        editor.changed.connect(self._editor_changed)
        self._refresh_score()
        self._refresh_scoring()
        self.fit()
        self.refresh_waveform()  # the first paint shows it (sketched until the pyramid is built)

    # --- construction -------------------------------------------------------------------

    def _build_top(self, audio, pyramid) -> None:
        self.time_plot = self._add_plot(self.top, 0, "Waveform" if audio else "Time", True)
        if audio is not None and pyramid is not None:
            from reviewer.ui.waveform import SpectrogramItem, WaveformItem

            self.waveform = WaveformItem(audio, pyramid)
            self.time_plot.addItem(self.waveform)
            self.time_plot.setYRange(-1, 1, padding=0.02)
            self.top.set_row_height(0, WAVEFORM_PIXELS)
            self.spectrogram_plot = self._add_plot(self.top, 1, "Spectrogram", left=FrequencyAxis())
            self.spectrogram = SpectrogramItem(audio)
            self.spectrogram_plot.addItem(self.spectrogram)
            self.spectrogram_plot.setYRange(0, min(8000, audio.sample_rate / 2), padding=0)
            self.show_spectrogram(False)
        else:
            self.time_plot.getAxis("left").setTicks([[]])
            self.top.set_row_height(0, 28)

    def _build_bottom(self) -> None:
        self.transcript_item = None
        if self.editor.document.transcript is not None:
            from reviewer.ui.transcript_lane import TranscriptItem

            plot = self._add_plot(self.bottom, 0, "Transcript")
            self.transcript_item = TranscriptItem(self.editor, self.colors)
            self.transcript_item.clicked.connect(self._utterance_clicked)
            plot.addItem(self.transcript_item)
            plot.setYRange(0, 1, padding=0)
            plot.getAxis("left").setTicks([[]])
            rows = max(2, min(self.transcript_item.row_count, 3))  # a line per stacked row
            self.bottom.set_row_height(0, rows * ROW_PIXELS)
        self.scoring_plot = self._add_plot(self.bottom, 1, "Scoring", shade=False)
        self.scoring_item = ScoringLaneItem()
        self._rows_plot(self.scoring_plot, self.scoring_item, ScoringLaneItem.ROWS)
        self.bottom.set_row_height(1, 2 * ROW_PIXELS + 6)
        self.errors_plot = self._add_plot(self.bottom, 2, "Errors")
        self.errors_item = ErrorsItem(lambda window: self.editor.live.errors(window))
        self._rows_plot(self.errors_plot, self.errors_item, [n for n, _ in ErrorsItem.ROWS])
        self.bottom.set_row_height(2, 3 * ROW_PIXELS + 6)

    @staticmethod
    def _rows_plot(plot: TimePlot, item: pg.GraphicsObject, names) -> None:
        plot.addItem(item)
        plot.getAxis("left").setTicks([[(i + 0.5, name) for i, name in enumerate(names)]])
        plot.setYRange(0, len(names), padding=0)
        plot.invertY(True)

    def _utterance_clicked(self, utterance) -> None:
        self.editor.focus(Span(utterance.start, utterance.end))

    def _add_plot(
        self, strip: TimeStrip, row: int, title: str, top_axis: bool = False, **options
    ) -> TimePlot:
        shade = options.pop("shade", True)
        plot = strip.add_plot(row, title, top_axis=top_axis, **options)
        self._decorate(plot, shade)
        return plot

    def _decorate(self, plot: TimePlot, shade: bool = True) -> None:
        """Give a plot the cursor, the time selection, the scoring shade and the mouse."""
        cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(palette.CURSOR, width=1))
        cursor.setZValue(20)
        plot.addItem(cursor, ignoreBounds=True)
        selection = pg.LinearRegionItem(
            movable=False, brush=pg.mkBrush(palette.SELECTION), pen=pg.mkPen(None)
        )
        selection.setZValue(10)
        selection.hide()
        plot.addItem(selection, ignoreBounds=True)
        if shade:
            item = ScoringShade()
            item.set_map(self.scoring_map)
            plot.addItem(item, ignoreBounds=True)
            self._shades.append(item)
        plot.vb.clicked.connect(self._clicked)
        plot.vb.selecting.connect(self._selecting)
        self._plots.append(plot)
        self._cursors.append(cursor)
        self._selections.append(selection)

    def _lane_added(self, name: str) -> None:
        plot, item = self.lane_area.lanes[name]
        self._decorate(plot)
        item.turn_clicked.connect(lambda turn, x, name=name: self._turn_clicked(name, turn, x))
        item.boundary_dragged.connect(
            lambda turn, edge, x, stage, name=name: self._boundary_dragged(
                name, turn, edge, x, stage
            )
        )

    @property
    def _lanes(self) -> dict[str, tuple[TimePlot, TurnsItem]]:
        """``{track: (plot, turns item)}`` of the speaker lanes."""
        return self.lane_area.lanes

    # --- model -> view ------------------------------------------------------------------

    def _show_lane(self, name: str) -> None:
        editable = name == self.editor.active_track
        selected = self.editor.selected if editable else None
        self.lane_area.show_track(name, self.editor.document[name], selected, editable)

    def _document_changed(self, change: Change) -> None:
        self._stale.add(change.track)
        self._lanes_deferred.request()
        if change.track == self.editor.live.setup.reference:
            self._scoring_deferred.request()

    def _redraw_lanes(self) -> None:
        """Redraw the lanes whose track or selection changed since the last redraw."""
        stale, self._stale = self._stale, set()
        for name in stale:
            if name in self.editor.document:
                self._show_lane(name)
        track, selected = self._lane_state
        if self._reveal and selected is not None:  # a newly selected turn: scroll to its row
            self.lane_area.show_row(track, selected.speaker)
        self._reveal = False
        if self.audio is None:
            self.view.duration = self.duration

    def _refresh_score(self) -> None:
        document = self.editor.document
        setup = self.editor.live.setup
        reference = document[setup.reference].labels if setup.reference in document else ()
        others = [label for track in document.tracks.values() for label in track.labels]
        if self.colors.update(reference, self.editor.live.mapping, others):
            for _, item in self._lanes.values():
                item.update()
            self.legend.deferred.request()
        self.errors_item.invalidate(self.duration)

    def _refresh_scoring(self) -> None:
        """Shade what is not scored and draw the reference's overlap, as the scorer has them."""
        document, setup = self.editor.document, self.editor.live.setup
        scoring = EMPTY_MAP
        if setup.reference in document:
            scoring = track_scoring_map(
                document[setup.reference],
                document.uem,
                setup.settings,
                document.exclusions_of(setup.reference),
                self._end_ticks(),
            )
        self.scoring_map = scoring
        for shade in self._shades:
            shade.set_map(scoring)
        self.scoring_item.set_map(scoring)

    def _end_ticks(self) -> int:
        if self.audio is not None:
            return self.audio.frames * TICKS_PER_SECOND // self.audio.sample_rate
        return round(self.duration * TICKS_PER_SECOND)

    def flush(self) -> None:
        """Bring every view up to date now (pending redraws run): for tests and reads."""
        for deferred in (self._lanes_deferred, self._score_deferred, self._scoring_deferred):
            deferred.flush()
        self.legend.deferred.flush()

    def _editor_changed(self) -> None:
        state = (self.editor.active_track, self.editor.selected)
        if state != self._lane_state:  # cursor moves alone (playback) leave the lanes be
            self._stale.update((self._lane_state[0], state[0]))
            self._reveal = state[1] is not None and state[1] != self._lane_state[1]
            self._lane_state = state
            self._lanes_deferred.request()
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
        if self.editor.cursor != self._cursor_shown:  # the cursor moved: follow it
            self._cursor_shown = self.editor.cursor  # (an edit elsewhere leaves the view be)
            self.ensure_visible(self.editor.cursor)

    def _refresh_view_dependent(self) -> None:
        x0, x1 = self.view_range()
        pixels = int(self.time_plot.vb.width()) or 800
        if self.waveform is not None:
            self.waveform.refresh(x0, x1, pixels)
        if self.spectrogram is not None and self.spectrogram_plot.isVisible():
            self.spectrogram.refresh(x0, x1, pixels)

    def refresh_waveform(self) -> None:
        """Redraw the waveform (while the pyramid is still being built) and fit its height."""
        if self.waveform is not None:
            x0, x1 = self.view_range()
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
        """The visible time range in seconds (every plot shows it)."""
        return self.view.range

    def set_view(self, start: float, end: float) -> None:
        """Show ``[start, end]`` seconds, clamped to the recording."""
        self.view.set(start, end)
        self._refresh_view_dependent()

    def fit(self) -> None:
        """Show the whole recording."""
        self.set_view(0.0, self.duration)

    def zoom(self, factor: float) -> None:
        """Zoom around the cursor, or the middle when it is off screen (factor < 1 zooms in)."""
        x0, x1 = self.view_range()
        centre = self.editor.cursor / TICKS_PER_SECOND
        if not x0 <= centre <= x1:
            centre = (x0 + x1) / 2
        self.view.zoom(factor, centre)
        self._refresh_view_dependent()

    def zoom_to(self, span: Span) -> None:
        """Show a span with a little margin."""
        start, end = span.start / TICKS_PER_SECOND, span.end / TICKS_PER_SECOND
        margin = max((end - start) * 0.1, 0.05)
        self.set_view(start - margin, end + margin)

    def ensure_visible(self, ticks: int) -> None:
        """Scroll (without zooming) so that ``ticks`` is on screen."""
        x = ticks / TICKS_PER_SECOND
        x0, x1 = self.view_range()
        if x0 <= x <= x1:
            return
        width = x1 - x0
        self.set_view(x - 0.1 * width, x + 0.9 * width)

    def show_spectrogram(self, visible: bool) -> None:
        """Show or hide the spectrogram row."""
        if self.spectrogram is None:
            self.message.emit("No audio: no spectrogram")
            return
        self.spectrogram_plot.setVisible(visible)
        self.top.titles[1].setVisible(visible)
        self.top.set_row_height(1, SPECTROGRAM_PIXELS if visible else 0)
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
