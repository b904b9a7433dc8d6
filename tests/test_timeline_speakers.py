"""Many speakers: the lanes scroll under a fixed waveform and error lane, groups fold, names elide
with the whole name on hover, and the digit legend follows the edited track.

Real widgets offscreen: a 24-speaker synthetic meeting with long names, real mouse events.
"""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip
from qt_helpers import shown_timeline

from reviewer.app import actions
from reviewer.app.editor import Editor
from reviewer.model import commands
from reviewer.model.annotation import Track, Turn
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Document
from reviewer.model.synthetic import meeting, system_output
from reviewer.ui.lane_area import ROW_PIXELS
from reviewer.ui.lanes import visible_turns
from reviewer.ui.time_axis import LABEL_PIXELS, SpeakerAxis, elide_names

SPEAKERS = 24
LONG = "Interviewer_Dr_Margaret_Thompson"


def renamed(track: Track, prefix: str) -> Track:
    names = {label: f"{prefix}_{i:02d}" for i, label in enumerate(track.labels)}
    return Track(Turn(t.start, t.end, names[t.speaker]) for t in track)


@pytest.fixture
def editor():
    reference = renamed(meeting(hours=0.1, turns=400, speakers=SPEAKERS), LONG)
    system = renamed(system_output(reference), "SPEAKER")
    document = Document(
        "many", {REFERENCE: reference, SYSTEM: system, CORRECTED: system}, audio=None
    )
    return Editor(document)


@pytest.fixture
def timeline(qtbot, editor, monkeypatch):
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    return shown_timeline(qtbot, editor, (1400, 700))


def screen_y(widget) -> int:
    return widget.mapToGlobal(QPoint(0, 0)).y()


def test_the_lanes_scroll_and_the_rest_stays_put(timeline, qtbot):
    area = timeline.lane_area
    assert timeline.editor.document[REFERENCE].labels.__len__() == SPEAKERS
    assert area.strip.height() > area.viewport().height()  # taller than the room it has
    bar = area.scroll_bar
    assert bar.isVisible() and bar.maximum() > 0
    top, bottom = screen_y(timeline.top), screen_y(timeline.bottom)
    lanes = screen_y(area.strip)
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: screen_y(area.strip) < lanes)
    assert screen_y(area.strip) == lanes - bar.maximum()
    assert (screen_y(timeline.top), screen_y(timeline.bottom)) == (top, bottom)
    # the scroll bar sits beside the lanes only: every plot keeps the same screen columns
    edges = set()
    for plot in timeline._plots:
        if plot.isVisible():
            rect = plot.vb.sceneBoundingRect()
            view = plot.vb.scene().views()[0]
            left = view.viewport().mapToGlobal(view.mapFromScene(rect.topLeft())).x()
            right = view.viewport().mapToGlobal(view.mapFromScene(rect.topRight())).x()
            edges.add((left, right))
    assert len(edges) == 1, edges


def test_a_click_on_a_group_title_folds_and_unfolds_it(timeline, qtbot):
    area = timeline.lane_area
    strip = area.strip
    plot, item = timeline._lanes[REFERENCE]
    title = strip.titles[0]
    before = strip.height()
    assert plot.vb.sceneBoundingRect().height() > 20 * ROW_PIXELS

    def click_title():
        point = strip.mapFromScene(title.sceneBoundingRect().center())
        QTest.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=point)

    click_title()
    assert REFERENCE in area.folded
    assert set(item.rows.values()) == {0}  # every turn on the one row
    qtbot.waitUntil(lambda: strip.height() < before)
    assert before - strip.height() >= (SPEAKERS - 1) * ROW_PIXELS
    assert plot.getAxis("left").name_at(0.5).split("\n") == list(
        timeline.editor.document[REFERENCE].labels
    )
    click_title()
    assert REFERENCE not in area.folded
    assert len(set(item.rows.values())) == SPEAKERS
    qtbot.waitUntil(lambda: strip.height() == before)


def test_long_names_are_elided_with_the_whole_name_on_hover(timeline, qtbot):
    strip = timeline.lane_area.strip
    plot, _ = timeline._lanes[REFERENCE]
    axis = plot.getAxis("left")
    labels = timeline.editor.document[REFERENCE].labels
    shown = [text for _, text in axis._tickLevels[0]]
    assert len(shown) == SPEAKERS
    assert all(
        "\u2026" in text and len(text) < len(name) for text, name in zip(shown, labels, strict=True)
    )
    row = 3
    y = plot.vb.mapViewToScene(pg.Point(0, row + 0.5)).y()
    point = strip.mapFromScene(axis.sceneBoundingRect().center().x(), y)
    QTest.mouseMove(strip.viewport(), point)
    qtbot.waitUntil(lambda: axis.toolTip() == labels[row])
    QToolTip.hideText()


def test_the_legend_shows_what_each_digit_gives_and_follows_edits(timeline, qtbot):
    editor, legend = timeline.editor, timeline.legend
    labels = editor.track.labels  # the corrected track's
    chips = [chip for chip in legend.chips if not chip.isHidden()]
    assert len(chips) == 9  # 24 speakers: every digit names one
    for digit, chip in enumerate(chips, start=1):
        assert chip.toolTip().endswith(labels[digit - 1])
        assert chip.text().startswith(f"<b>{digit}</b>")
    assert "corrected" in legend.title.text()
    # the edited track changes: the legend follows it
    few = Track([Turn(0, 10**9, "A_speaker"), Turn(2 * 10**9, 3 * 10**9, "B_speaker")])
    editor.add_track("short", few)
    editor.set_active_track("short")
    qtbot.waitUntil(lambda: "short" in legend.title.text())
    visible = [chip for chip in legend.chips if not chip.isHidden()]
    assert [chip.toolTip() for chip in visible[:2]] == ["1: A_speaker", "2: B_speaker"]
    new_name = actions.speaker_for_digit(editor, 3)
    assert len(visible) == 3 and visible[2].toolTip() == f"3: a new speaker, {new_name}"
    # an edit that makes a new speaker shifts the digits
    editor.set_active_track(CORRECTED)
    newcomer = "AAA_Newcomer_With_A_Rather_Long_Name"
    editor.push(commands.set_speaker(CORRECTED, editor.track.turns[0], newcomer))
    qtbot.waitUntil(lambda: legend.chips[0].toolTip() == f"1: {newcomer}")
    assert "\u2026" in legend.chips[0].text()  # elided in the chip, whole in the tooltip
    assert legend.chips[1].toolTip() == f"2: {labels[0]}"


def test_a_burst_of_edits_redraws_only_the_edited_lane_once(timeline, qtbot, monkeypatch):
    editor = timeline.editor
    timeline.flush()
    calls: dict[str, int] = {}
    for name, (_, item) in timeline._lanes.items():
        original = item.set_track

        def counted(*args, name=name, original=original):
            calls[name] = calls.get(name, 0) + 1
            return original(*args)

        monkeypatch.setattr(item, "set_track", counted)
    editor.select(editor.document[CORRECTED].turns[10])
    timeline.flush()
    calls.clear()
    for _ in range(25):  # a held nudge key, faster than the event loop turns
        editor.push(commands.nudge(CORRECTED, editor.selected, "end", 10**7))
    assert calls == {}  # nothing drawn inside the burst
    timeline.flush()
    assert calls == {CORRECTED: 1}
    _, item = timeline._lanes[CORRECTED]
    assert item._track == editor.document[CORRECTED]  # drawn from the latest state


def test_visible_turns_are_found_by_bisection():
    import numpy as np

    rng = np.random.default_rng(3)
    starts = np.sort(rng.integers(0, 10_000, 2_000))
    ends = starts + rng.integers(0, 800, 2_000)
    reach = np.maximum.accumulate(ends)
    for lo, hi in [(0, 10), (5_000, 5_050), (9_990, 20_000), (-5, 0), (3_000, 2_000)]:
        expected = np.flatnonzero((ends >= lo) & (starts <= hi))
        np.testing.assert_array_equal(visible_turns(starts, ends, reach, lo, hi), expected)


def test_the_wheel_over_the_names_scrolls_the_lanes_and_keeps_the_time(timeline, qtbot):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    strip = timeline.lane_area.strip
    plot, _ = timeline._lanes[REFERENCE]
    axis = plot.getAxis("left")
    view = timeline.view_range()
    y = plot.vb.mapViewToScene(pg.Point(0, 3.5)).y()  # the fourth name: on screen
    point = strip.mapFromScene(axis.sceneBoundingRect().center().x(), y)
    viewport = strip.viewport()
    event = QWheelEvent(
        QPointF(point),
        QPointF(viewport.mapToGlobal(point)),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(lambda: timeline.lane_area.scroll_bar.value() > 0)
    assert timeline.view_range() == view


def test_the_edited_lane_is_marked_from_the_first_pick(timeline):
    editor = timeline.editor
    titles = timeline.lane_area.strip.titles
    assert "editing" in titles[2].text and "editing" not in titles[1].text
    editor.pick(SYSTEM, editor.document[SYSTEM].turns[0])  # a click on a system turn
    timeline.flush()
    assert "editing" in titles[1].text and "editing" not in titles[2].text
    _, item = timeline._lanes[SYSTEM]
    assert item._selected == editor.document[SYSTEM].turns[0] and item._editable


def test_a_legend_of_long_names_never_widens_the_timeline(timeline):
    timeline.editor.set_active_track(REFERENCE)  # nine names of 30 characters and more
    timeline.flush()
    assert timeline.minimumSizeHint().width() < 700
    shown = [chip for chip in timeline.legend.chips if not chip.isHidden()]
    assert len(shown) == 9 and all("\u2026" in chip.text() for chip in shown)
    labels = timeline.editor.document[REFERENCE].labels
    assert [chip.toolTip() for chip in shown] == [f"{i}: {labels[i - 1]}" for i in range(1, 10)]


def test_turns_closer_than_a_pixel_are_drawn_as_one_and_wide_ones_keep_their_outline():
    import numpy as np

    from reviewer.ui.lanes import merged_spans

    starts = np.array([0, 10, 20, 1000, 1001, 5000, 9000], dtype=np.int64)
    ends = np.array([8, 18, 28, 1001, 1002, 9000, 12000], dtype=np.int64)
    first, last = merged_spans(starts, ends, gap=5)
    # 0-28: three narrow spans 2 apart; 1000-1002: touching narrow; 5000-9000 and
    # 9000-12000 touch but are both wide: two rectangles, the boundary stays visible
    assert first.tolist() == [0, 1000, 5000, 9000]
    assert last.tolist() == [28, 1002, 9000, 12000]
    assert merged_spans(starts, ends, gap=0)[0].tolist() == starts.tolist()  # all apart
    covered = np.zeros(12001, dtype=bool)
    for a, b in zip(*merged_spans(starts, ends, gap=5), strict=True):
        covered[a:b] = True
    assert all(covered[a:b].all() for a, b in zip(starts, ends, strict=True))  # none lost


def test_elided_names_keep_what_tells_them_apart(qtbot):
    """VoxConverse-style names differ in their middle: eliding the middle made them all
    ``Partici…cussion``; each keeps its distinguishing part, within the axis' room."""
    names = [f"Participant_spk{i:02d}_of_the_panel_discussion" for i in range(20)]
    axis = SpeakerAxis()
    axis.set_rows({name: i for i, name in enumerate(names)})
    shown = [text for _, text in axis._tickLevels[0]]
    metrics = QFontMetrics(axis.font())
    assert len(set(shown)) == len(names)
    for i, text in enumerate(shown):
        assert f"spk{i:02d}" in text and "\u2026" in text
        assert metrics.horizontalAdvance(text) <= LABEL_PIXELS - 16


@pytest.mark.parametrize(
    ("names", "room", "expected"),
    [
        (["SPEAKER_00", "SPEAKER_01"], 10, ["SPEAKER_00", "SPEAKER_01"]),  # they fit
        (["Participant_spk00_of_the_panel", "Participant_spk01_of_the_panel"], 9,
         ["\u2026_spk00_\u2026", "\u2026_spk01_\u2026"]),
        (["Interviewer_Thompson_00", "Interviewer_Thompson_01"], 12,
         ["\u2026Thompson_00", "\u2026Thompson_01"]),
        (["x_abc_y", "x_abd_y"], 3, ["abc", "abd"]),  # the part alone: no room for "…"
        (["x_abcd_y", "x_abce_y"], 3, ["a\u2026d", "a\u2026e"]),  # the part itself is cut
        (["Participant_spk07_of_the_panel", "Participant_spk17_of_the_panel", "Moderator"],
         12, ["\u2026nt_spk07_o\u2026", "\u2026nt_spk17_o\u2026", "Moderator"]),  # an outlier
        (["Participant_spk07_of_the_panel", "Participant_spk07_of_the_panel_2"], 14,
         ["\u2026_of_the_panel", "\u2026f_the_panel_2"]),  # what was cut is marked
        (["only_one_very_long_name_here"], 12, ["only_o\u2026_here"]),  # no peers: middle
        (["Bob", "a_very_long_name_without_peers"], 12, ["Bob", "a_very\u2026peers"]),
    ],
)  # fmt: skip
def test_elide_names_rule(names, room, expected):
    assert elide_names(names, len, room) == expected
