"""The transcript lane stacks overlapping utterances: no box or text draws over another."""

from __future__ import annotations

import itertools

import pytest
from qt_helpers import shown_window

from reviewer.model.time import TICKS_PER_SECOND as S
from reviewer.resources import demo

MS = S // 1000


@pytest.fixture
def window(qtbot):
    from reviewer.model.transcript import Transcript, Utterance, Word
    from reviewer.ui.app import application, prepare

    application()
    files = demo()
    review = prepare(None, files.reference, files.system)
    review.editor.document.transcript = Transcript(
        [
            Utterance(6000 * MS, 9000 * MS, "I was saying that the weather is fine", "Diane"),
            Utterance(7000 * MS, 8500 * MS, "Hello? Hello, who is there?", "Sheila"),
            Utterance(8000 * MS, 12000 * MS, "and a third voice over both of them", "Diane"),
            Utterance(
                9000 * MS,
                11000 * MS,
                "touching the first",
                "Sheila",
                (Word(9000 * MS, 9500 * MS, "touching"), Word(9600 * MS, 10000 * MS, "the")),
            ),
            Utterance(20000 * MS, 22000 * MS, "alone", "Diane"),
        ],
        "sample",
    )
    yield shown_window(qtbot, review, size=(1500, 900))


def painted_after(item, qtbot):
    item.painted = []
    item.update()
    qtbot.waitUntil(lambda: len(item.painted) > 0)
    return {index: (box, text) for index, box, text in item.painted}


def overlap(a, b) -> bool:
    return a.start < b.end and b.start < a.end


def test_overlapping_utterances_never_overprint(window, qtbot):
    item = window.timeline.transcript_item
    utterances = window.editor.document.transcript.utterances
    assert item.rows() == [0, 1, 2, 0, 0]  # the fourth touches the first: same row
    assert item.row_count == 3
    both_texts = 0  # overlapping pairs whose texts were both drawn
    for start, end in ((5.0, 23.0), (6.5, 9.5), (0.0, 30.0), (10.5, 23.0)):
        window.timeline.set_view(start, end)
        drawn = painted_after(item, qtbot)
        in_view = {i for i, u in enumerate(utterances) if u.end >= start * S and u.start <= end * S}
        assert set(drawn) == in_view
        for (i, (box_i, text_i)), (j, (box_j, text_j)) in itertools.combinations(drawn.items(), 2):
            if overlap(utterances[i], utterances[j]):
                assert not box_i.intersects(box_j), (i, j, box_i, box_j)
            if text_i is not None and text_j is not None:
                assert not text_i.intersects(text_j), (i, j, text_i, text_j)
                both_texts += overlap(utterances[i], utterances[j])
        for box, text in drawn.values():
            if text is not None:
                assert box.contains(text), (box, text)
    assert both_texts > 0  # two rows leave room for a line of text each


def test_rows_share_the_lane_in_view_and_clicks_pick_the_row(window, qtbot):
    from PySide6.QtGui import QFontMetrics

    item = window.timeline.transcript_item
    first, second = item._utterances()[0], item._utterances()[1]
    window.timeline.set_view(5.0, 23.0)  # three rows in view
    drawn = painted_after(item, qtbot)
    three = drawn[4][0].height()
    for row in (0, 1, 2):  # a click picks the utterance of the row under it
        bottom, top = item.band(row)
        assert item.utterance_at(8.2, (bottom + top) / 2) == item._utterances()[row]
    assert item.utterance_at(7.5) == second  # no row given: the shortest, as before
    window.timeline.set_view(18.0, 24.0)  # only the lone utterance: the whole lane
    drawn = painted_after(item, qtbot)
    assert set(drawn) == {4}
    box, text = drawn[4]
    assert box.height() > 2.5 * three
    height = QFontMetrics(item.scene().font()).height()
    assert (text is not None) == (box.height() >= height)
    if text is not None:
        assert box.contains(text)
    bottom, top = item.band(0)
    assert item.utterance_at(21.0, (bottom + top) / 2).text == "alone"
    assert text is not None  # one row in view: room for its line
    window.timeline.set_view(21.0, 24.0)  # begun before the view, its text stays in view
    box, text = painted_after(item, qtbot)[4]
    assert text is not None and text.left() > box.left() + 100
    assert first.start < second.start
