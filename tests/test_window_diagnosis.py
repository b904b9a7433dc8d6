"""The Why? tab names the split and the merge, applies each fix as one edit, and follows edits.

The real window (offscreen), a 7-minute four-voice conversation whose system output splits
one speaker and merges two (``tests/test_diagnosis.py`` builds it).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from qt_helpers import shown_window

from reviewer.io import write_rttm
from reviewer.metrics.der import score
from reviewer.metrics.numbers import format_percent
from reviewer.model.document import CORRECTED, REFERENCE
from reviewer.model.scoring import ScoringSettings, ScoringSetup
from reviewer.model.time import TICKS_PER_SECOND as S
from tests.test_diagnosis import relabelled, split_and_merge

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, tmp_path):
    from reviewer.ui.app import application, prepare

    application()
    reference, system, _ = split_and_merge()
    write_rttm(tmp_path / "ref.rttm", [reference])
    write_rttm(tmp_path / "sys.rttm", [system])
    review = prepare(None, tmp_path / "ref.rttm", tmp_path / "sys.rttm")
    yield shown_window(qtbot, review)


def show_why(window, qtbot):
    window.side_tabs.setCurrentIndex(1)
    panel = window.breakdown
    qtbot.waitUntil(lambda: panel.isVisible() and not panel.deferred.pending)
    return panel


def listed(panel):
    items = panel.fix_list.items
    rows = [items.item(i) for i in range(items.count())]
    return [(item, item.data(Qt.ItemDataRole.UserRole)) for item in rows]


def regions(panel):
    return [
        panel.regions.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.regions.count())
    ]


def shows(window, qtbot, expected):
    """The metrics panel (which may refresh at the next turn of the loop) shows this DER."""
    text = format_percent(expected.der)
    qtbot.waitUntil(lambda: window.metrics.der_label.text() == text)


def double_click(panel, item):
    view = panel.fix_list.items
    view.scrollToItem(item)
    centre = view.visualItemRect(item).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


@pytest.mark.parametrize(
    "settings", [ScoringSettings(), ScoringSettings(0.25, skip_overlap=True)], ids=str
)
def test_fix_gives_the_promised_der_and_undo_restores_it(window, qtbot, settings):
    editor = window.editor
    editor.configure(editor.live.setup.with_settings(settings))
    panel = show_why(window, qtbot)
    document = editor.document
    before = editor.live.score
    rows = listed(panel)
    kinds = [fix.kind for _, fix in rows]
    assert sorted(kinds) == ["merge", "split"]
    for item, fix in rows:
        # the promise is md-eval's DER of the relabelled track, with the window's settings
        exact = score(document[REFERENCE], relabelled(document[CORRECTED], fix), settings=settings)
        assert fix.after == exact and fix.before == before
        assert f"\u2192 {format_percent(exact.der)}" in item.text()
    assert [fix.recovered for _, fix in rows] == sorted(
        (fix.recovered for _, fix in rows), reverse=True
    )
    assert any(fix.recovered > 5 for _, fix in rows)

    for item, fix in listed(panel):
        if fix.kind != "split":
            continue
        double_click(panel, item)
        assert editor.live.score == fix.after  # exactly the promised figure
        shows(window, qtbot, fix.after)
        assert len(editor.history.commands) == 1  # one undoable edit
        assert "sys04" not in document[CORRECTED].labels
        # the list follows: the split is fixed, the merge is still there, rescored
        qtbot.waitUntil(lambda: not panel.deferred.pending)
        assert [f.kind for _, f in listed(panel)] == ["merge"]
        (merge,) = [f for _, f in listed(panel)]
        assert merge.before == fix.after
        break
    QTest.keyClick(window.timeline, Qt.Key.Key_Z, CTRL)
    assert editor.live.score == before
    shows(window, qtbot, before)
    qtbot.waitUntil(lambda: not panel.deferred.pending)
    assert sorted(f.kind for _, f in listed(panel)) == ["merge", "split"]

    # the merge: applied from the button, it too lands on its promise
    (merge,) = [f for _, f in listed(panel) if f.kind == "merge"]
    panel.fix_list.items.setCurrentRow([f for _, f in listed(panel)].index(merge))
    QTest.mouseClick(panel.fix_list.apply_button, Qt.MouseButton.LeftButton)
    assert editor.live.score == merge.after
    assert merge.target in document[CORRECTED].labels
    assert len(editor.history.commands) == 1
    editor.history.undo()
    assert editor.live.score == before


def test_tab_refreshes_once_per_burst_and_not_while_hidden(window, qtbot, monkeypatch):
    import reviewer.app.fixes as fixes
    from reviewer.model import commands

    calls = []
    real = fixes.diagnose

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fixes, "diagnose", counted)
    panel = show_why(window, qtbot)
    editor = window.editor
    assert len(calls) == 1
    panel._list_class(3)  # steady speech: listed again after every edit
    first = regions(panel)
    editor.select(max(editor.document[CORRECTED].turns, key=lambda t: t.duration))
    for _ in range(5):  # a burst: five edits before the event loop runs
        editor.push(commands.nudge(CORRECTED, editor.selected, "end", -S // 2))
    assert len(calls) == 1  # nothing computed inside the edits
    qtbot.waitUntil(lambda: not panel.deferred.pending)
    assert len(calls) == 2  # one refresh for the burst
    (split,) = [f for _, f in listed(panel) if f.kind == "split"]
    assert split.before == editor.live.score
    errors = panel.result.errors
    assert regions(panel) == errors.select(errors.cls == 3) != first

    window.side_tabs.setCurrentIndex(0)  # hidden: edits cost nothing
    qtbot.waitUntil(lambda: not panel.isVisible())
    editor.history.undo()
    qtbot.waitUntil(lambda: not panel.deferred.pending)
    assert len(calls) == 2
    panel = show_why(window, qtbot)
    assert len(calls) == 3
    (split,) = [f for _, f in listed(panel) if f.kind == "split"]
    assert split.before == editor.live.score


def test_fixes_never_edit_another_track(window, qtbot):
    editor = window.editor
    editor.configure(ScoringSetup(REFERENCE, "system"))
    panel = show_why(window, qtbot)
    rows = listed(panel)
    assert rows and all(fix is not None for _, fix in rows)
    assert not panel.fix_list.apply_button.isEnabled()
    system = editor.document["system"]
    panel.fix_list.apply(rows[0][1])
    assert editor.document["system"] == system
    assert len(editor.history.commands) == 0
    assert "corrected" in panel.fix_list.note.text()


def test_a_fix_listed_before_an_edit_is_refused_after_it(window, qtbot):
    from reviewer.model import commands

    editor = window.editor
    panel = show_why(window, qtbot)
    (split,) = [f for _, f in listed(panel) if f.kind == "split"]
    turn = next(t for t in editor.document[CORRECTED] if t.speaker == split.system)
    editor.push(commands.nudge(CORRECTED, turn, "end", -S // 10))
    panel.fix_list.apply(split)  # before the list caught up: its promise no longer holds
    assert len(editor.history.commands) == 1
    assert "changed since" in panel.fix_list.note.text()
    qtbot.waitUntil(lambda: not panel.deferred.pending)
    (split,) = [f for _, f in listed(panel) if f.kind == "split"]
    panel.fix_list.apply(split)  # the fix listed again applies, to its new figure
    assert editor.live.score == split.after
