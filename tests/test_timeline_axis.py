"""One time axis: wheel, drag-pan and keyboard zoom move every plot together, within the recording.

Real widgets (the demo's window, offscreen), real wheel and mouse events sent to a lane's
viewport at the lane's position, and the window's own zoom keys.
"""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from qt_helpers import shown_window

from reviewer.model.time import TICKS_PER_SECOND as S
from reviewer.resources import demo
from reviewer.ui.time_axis import hertz
from reviewer.ui.view_range import clamp_view

CTRL = Qt.KeyboardModifier.ControlModifier
DEMO_SECONDS = 30.0  # the demo's audio


@pytest.fixture
def window(qtbot, monkeypatch):
    from reviewer.ui.app import DEMO_NOTE, application, prepare

    application()
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)  # every move event counts
    files = demo()
    review = prepare(files.audio, files.reference, files.system)
    win = shown_window(qtbot, review, DEMO_NOTE)
    review.builder.wait()
    yield win
    review.builder.stop()


def every_range(timeline) -> set[tuple[float, float]]:
    """The x range of every plot of the timeline (one element when they all agree)."""
    return {tuple(plot.viewRange()[0]) for plot in timeline._plots}


def lane_point(timeline, track: str) -> tuple[object, QPoint]:
    """The lane strip's viewport and the middle of ``track``'s lane in it."""
    plot, _ = timeline._lanes[track]
    strip = timeline.lane_area.strip
    centre = plot.vb.sceneBoundingRect().center()
    return strip.viewport(), strip.mapFromScene(centre)


def wheel(widget, point: QPoint, notches: int) -> None:
    """``notches`` of a vertical wheel at ``point`` (positive: away from the user)."""
    event = QWheelEvent(
        QPointF(point),
        QPointF(widget.mapToGlobal(point)),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def assert_one_clamped_range(timeline) -> tuple[float, float]:
    ranges = every_range(timeline)
    assert ranges == {timeline.view_range()}, ranges
    start, end = timeline.view_range()
    assert 0.0 <= start < end <= DEMO_SECONDS
    return start, end


def test_wheel_over_a_system_lane_moves_every_plot_alike(window):
    timeline = window.timeline
    assert len(timeline._plots) >= 7  # waveform, spectrogram, 3 lanes, scoring, errors
    assert every_range(timeline) == {(0.0, DEMO_SECONDS)}
    viewport, point = lane_point(timeline, "system")
    wheel(viewport, point, -1)  # zooming out of the whole: nothing moves, nothing shifts
    assert every_range(timeline) == {(0.0, DEMO_SECONDS)}
    wheel(viewport, point, 2)  # zoom in around the mouse
    start, end = assert_one_clamped_range(timeline)
    assert end - start < 0.6 * DEMO_SECONDS
    wheel(viewport, point, -1)
    wheel(viewport, point, -5)
    assert every_range(timeline) == {(0.0, DEMO_SECONDS)}


def test_right_drag_pans_every_plot_and_stops_at_the_end(window):
    timeline = window.timeline
    timeline.set_view(23.0, 28.0)
    viewport, point = lane_point(timeline, "corrected")
    plot, _ = timeline._lanes["corrected"]
    left_edge = timeline.lane_area.strip.mapFromScene(plot.vb.sceneBoundingRect().topLeft())
    far_left = QPoint(left_edge.x() + 5, point.y())  # dragging leftwards shows later times
    QTest.mousePress(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseMove(viewport, far_left)
    QTest.mouseRelease(
        viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, far_left
    )
    start, end = assert_one_clamped_range(timeline)
    assert end == DEMO_SECONDS and end - start == pytest.approx(5.0)
    right = QPoint(viewport.width() - 5, point.y())  # and back past the start
    for _ in range(8):
        QTest.mousePress(
            viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, far_left
        )
        QTest.mouseMove(viewport, right)
        QTest.mouseRelease(
            viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, right
        )
    start, end = assert_one_clamped_range(timeline)
    assert start == 0.0 and end == pytest.approx(5.0)


def test_zoom_keys_are_clamped_to_the_recording(window):
    timeline = window.timeline
    QTest.keyClick(window.timeline, Qt.Key.Key_Minus, CTRL)  # zoom out of the whole
    assert every_range(timeline) == {(0.0, DEMO_SECONDS)}
    window.editor.set_cursor(29 * S)
    for _ in range(3):
        QTest.keyClick(window.timeline, Qt.Key.Key_Equal, CTRL)
    start, end = assert_one_clamped_range(timeline)
    assert start <= 29.0 <= end and end - start == pytest.approx(DEMO_SECONDS / 8)
    timeline.set_view(25.0, 40.0)  # asked past the end: shifted back, width kept
    assert assert_one_clamped_range(timeline) == (15.0, DEMO_SECONDS)
    timeline.zoom_to(timeline.editor.document["reference"].turns[-1].span)
    assert_one_clamped_range(timeline)
    QTest.keyClick(window.timeline, Qt.Key.Key_F, CTRL)
    assert every_range(timeline) == {(0.0, DEMO_SECONDS)}


def test_wheel_over_the_time_axis_and_the_waveform_zooms_all(window):
    timeline = window.timeline
    strip = timeline.top
    axis = timeline.time_plot.getAxis("top")
    wheel(strip.viewport(), strip.mapFromScene(axis.sceneBoundingRect().center()), 1)
    start, end = assert_one_clamped_range(timeline)
    assert end - start < DEMO_SECONDS
    centre = timeline.time_plot.vb.sceneBoundingRect().center()
    wheel(strip.viewport(), strip.mapFromScene(centre), 1)
    start2, end2 = assert_one_clamped_range(timeline)
    assert end2 - start2 < end - start


def test_plots_line_up_on_screen(window):
    """Same range is not enough: every plot's data area has the same left and right pixel."""
    timeline = window.timeline
    edges = set()
    for plot in timeline._plots:
        if not plot.isVisible():
            continue
        view = plot.vb
        rect = view.sceneBoundingRect()
        widget = view.scene().views()[0]
        left = widget.viewport().mapToGlobal(widget.mapFromScene(rect.topLeft()))
        right = widget.viewport().mapToGlobal(widget.mapFromScene(rect.topRight()))
        edges.add((left.x(), right.x()))
    assert len(edges) == 1, edges


def test_the_spectrogram_has_a_frequency_axis_and_the_cursor(window):
    timeline = window.timeline
    QTest.keyClick(window.timeline, Qt.Key.Key_G, CTRL)
    plot = timeline.spectrogram_plot
    assert plot.isVisible()
    axis = plot.getAxis("left")
    assert axis.isVisible()
    assert axis.tickStrings([0, 2000, 4000], 1, 2000) == ["0 Hz", "2 kHz", "4 kHz"]
    assert hertz(500) == "500 Hz" and hertz(2500) == "2.5 kHz"
    window.editor.set_cursor(12 * S)
    cursors = [
        item
        for item in plot.items
        if isinstance(item, pg.InfiniteLine) and item.value() == pytest.approx(12.0)
    ]
    assert len(cursors) == 1
    assert cursors[0].zValue() > timeline.spectrogram.zValue()
    assert cursors[0].isVisible()


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ((-5.0, 5.0), (0.0, 10.0)),  # before the start: shifted, width kept
        ((25.0, 35.0), (20.0, 30.0)),  # past the end: shifted
        ((-10.0, 50.0), (0.0, 30.0)),  # wider than the recording: the whole
        ((10.0, 10.0), (10.0, 10.001)),  # narrower than the shortest: widened
        ((12.0, 8.0), (8.0, 12.0)),  # reversed
        ((float("nan"), 3.0), (0.0, 30.0)),
    ],
)
def test_clamp_view(wanted, expected):
    start, end = clamp_view(*wanted, duration=30.0, shortest=0.001)
    assert start == pytest.approx(expected[0]) and end == pytest.approx(expected[1])
    assert 0.0 <= start < end <= 30.0


def test_tick_labels_tell_the_ticks_apart_at_the_closest_zoom(window):
    """At the narrowest view every tick read ``0:00:12.280`` (three decimals at most)."""
    timeline = window.timeline
    timeline.set_view(12.28, 12.28)  # clamped to the narrowest view the recording allows
    x0, x1 = timeline.view_range()
    assert x1 - x0 < 0.01
    axis = timeline.time_plot.getAxis("top")
    for spacing, values in axis.tickValues(x0, x1, axis.geometry().width()):
        labels = axis.tickStrings(values, 1, spacing)
        assert len(set(labels)) == len(labels) > 1, labels
