"""The corpus window: scored in the background, sorted, reviewed, quit and reopened."""

from __future__ import annotations

import shutil

import pytest
from conftest import CONFORMANCE, needs_shared

from reviewer.model.corpus import Project, discover


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    vox = needs_shared(CONFORMANCE / "voxconverse")
    shutil.copytree(vox / "ref-dev", tmp_path / "ref")
    shutil.copytree(vox / "dev-cases" / "hyp", tmp_path / "sys")
    return tmp_path


def test_open_sort_review_quit_and_continue(corpus, qtbot):
    from PySide6.QtCore import Qt

    from reviewer.ui.app import Controller, application
    from reviewer.ui.corpus_window import CorpusWindow

    application()
    path = corpus / "review.reviewer-project.json"
    controller = Controller()
    window = CorpusWindow(Project(discover(corpus)), path, controller)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.rowCount() == 216, timeout=60_000)
    assert "corpus DER" in window.totals.text()
    window.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # worst DER first
    window.table.selectRow(0)
    worst = window.current_uri()
    ders = [window.proxy.index(r, 3).data(Qt.ItemDataRole.UserRole) for r in range(216)]
    assert ders == sorted(ders, reverse=True)
    window.open_current()
    review = controller.windows[-1]
    review.confirm_close = False
    editor = review.editor
    before = editor.live.score.der
    review.restart_corrected("reference")  # a perfect correction
    assert editor.live.score.der == 0 < before
    window.set_status("done")
    window.step(1)
    assert window.current_uri() != worst
    controller.release()
    window.close()

    # quit, reopen, continue
    project = Project.load(path)
    assert project.entry(worst).status == "done"
    assert project.entry(worst).corrected is not None
    again = CorpusWindow(project, path, None)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.model.rowCount() == 216, timeout=60_000)
    row = next(r for r in again.rows if r.uri == worst)
    assert row.der == 0 and row.status == "done"
