"""The Experiment window: the grid shows every cell, Enter opens it with the same DER."""

from __future__ import annotations

import pytest
from factorial_material import command
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from test_factorial_run import design

from reviewer.factorial.cells_file import read_cells, write_cells
from reviewer.metrics.numbers import format_points, percent
from reviewer.services.experiment import Experiment


@pytest.fixture
def experiment(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "exp"
    Experiment(folder, design(tmp_path), command(shortest=1.0)).run(workers=1)
    return folder


def test_the_grid_shows_every_cell_and_enter_opens_it_scored_alike(qtbot, experiment):
    from reviewer.ui.app import Controller
    from reviewer.ui.experiment_window import ExperimentWindow

    controller = Controller()
    window = ExperimentWindow(experiment, controller, replicates=100)
    qtbot.addWidget(window)
    window.show()
    rows = {(r.voices, r.structure): r for r in read_cells(experiment)}
    assert window.grid.rowCount() == 2 and window.grid.columnCount() == 2
    for i, voices in enumerate(window.voices):
        for j, structure in enumerate(window.structures):
            expected = format_points(percent(rows[(voices, structure)].der))
            assert window.grid.item(i, j).text() == expected
    qtbot.waitUntil(lambda: window.analysis is not None)  # computed in the background
    window.measure.setCurrentIndex(window.measure.findData("missed"))
    row = rows[(window.voices[1], window.structures[0])]
    assert window.grid.item(1, 0).text() == format_points(100 * row.missed / row.scored)
    assert "Missed speech: mean" in window.summary.text()
    assert window.effects_table.rowCount() == 0  # two structures: no covariate slopes
    assert "covariate slopes need at least 4 structures" in window.summary.text()
    window.grid.setFocus()
    window.grid.setCurrentCell(1, 0)
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(controller.windows) == 1)
    opened = controller.windows[0]
    score = opened.editor.live.score
    assert score is not None and score.der == pytest.approx(row.der, abs=1e-12)
    controller.release()


def test_an_experiment_runs_from_a_corpus_cancels_and_resumes_in_the_window(qtbot, tmp_path):
    from test_corpus_diarize import corpus

    from reviewer.ui.experiment_run import RunRequest
    from reviewer.ui.experiment_window import ExperimentWindow

    source = corpus(tmp_path / "corpus")  # three tone recordings: 3 x 3 cells
    window = ExperimentWindow(None, replicates=100)
    qtbot.addWidget(window)
    window.show()
    assert window.grid.rowCount() == 0 and "No analysis yet" in window.summary.text()
    request = RunRequest(source, command(shortest=1.0), tmp_path / "exp", workers=1)
    run = window.start_run(request)
    assert window.grid.rowCount() == 3 and window.grid.columnCount() == 3
    assert window.running.isVisible() and not window.run_button.isEnabled()
    qtbot.waitUntil(lambda: len(window.rows) >= 1, timeout=120_000)  # the first cell arrived
    texts = [window.grid.item(i, j).text() for i in range(3) for j in range(3)]
    assert "-" in texts and any(text != "-" for text in texts)  # the grid fills in
    with qtbot.waitSignal(run.ended, timeout=120_000) as ended:
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert ended.args == [None]
    kept = read_cells(tmp_path / "exp")
    assert 1 <= len(kept) < 9 and window.rows == kept
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.running.isVisible() and window.run_button.isEnabled()
    assert window.progress.value() == len(kept) and window.progress.maximum() == 9

    window.start_run(request)  # resumes: only the missing cells are computed
    qtbot.waitUntil(lambda: window.run is None, timeout=300_000)  # ended
    assert f"9 of 9 cells ({len(kept)} from before)" in window.progress_label.text()
    assert len(window.rows) == 9 and all(
        window.grid.item(i, j).text() != "-" for i in range(3) for j in range(3)
    )
    qtbot.waitUntil(lambda: window.analysis is not None)  # analysed once the run ended
    assert "Variance shares" in window.summary.text()
    assert window.variance_table.rowCount() == 12
    assert "done: 9 cells of 9" in window.statusBar().currentMessage()


def test_the_comparison_tab_sets_two_systems_side_by_side(qtbot, experiment, tmp_path):
    from reviewer.factorial.comparison import compare_systems
    from reviewer.ui.experiment_window import ExperimentWindow

    other = tmp_path / "band"
    Experiment(other, design(tmp_path), command(band=100.0)).run(workers=1)
    window = ExperimentWindow(experiment, replicates=100)
    qtbot.addWidget(window)
    window.show()
    comparison = window.compare_with(other)
    expected = compare_systems(
        read_cells(experiment), read_cells(other), ("exp", "band"), replicates=100
    )
    assert comparison is not None and comparison.verdict() == expected.verdict()
    assert window.verdict.text() == f"A = exp, B = band. {expected.verdict()}"
    assert window.comparison_table.rowCount() == 16  # 4 measures x (3 shares + the mean)
    structure = expected.difference("der", "structure")
    assert window.comparison_table.item(1, 6).text() == f"{structure.estimate:+.1f}"
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Comparison"
    (tmp_path / "partial").mkdir()
    rows = [r for r in read_cells(other) if r.structure != "fast"]
    write_cells(tmp_path / "partial" / "cells.csv", rows)
    assert window.compare_with(tmp_path / "partial") is None
    message = window.statusBar().currentMessage()
    assert "only exp has va x fast, vb x fast" in message


def test_a_partial_grid_shows_at_once_and_its_analysis_follows_in_the_background(qtbot, experiment):
    from reviewer.ui.experiment_window import ExperimentWindow

    rows = read_cells(experiment)
    write_cells(experiment / "cells.csv", rows[:3])  # what a cancelled run leaves
    window = ExperimentWindow(experiment, replicates=1000)
    qtbot.addWidget(window)
    assert window.analysis is None  # the constructor did not compute it
    assert "computing intervals..." in window.summary.text()
    assert window.grid.item(0, 0).text() == format_points(percent(rows[0].der))
    with qtbot.waitSignal(window.analysis_job.done, timeout=60_000):
        pass
    assert window.analysis is not None and window.analysis.cells == 3
    assert "Variance shares" in window.summary.text()


def test_every_key_of_the_window_is_unique_and_alt_c_cancels_a_run(qtbot, tmp_path):
    from PySide6.QtWidgets import QAbstractButton, QLabel
    from test_corpus_diarize import corpus

    from reviewer.ui.experiment_run import RunRequest
    from reviewer.ui.experiment_window import ExperimentWindow
    from reviewer.ui.keymap import EXPERIMENT_KEYMAP, check_unique

    check_unique(EXPERIMENT_KEYMAP)
    window = ExperimentWindow(None, replicates=100)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a window's keys work while it is active
    texts = [w.text() for w in window.findChildren(QAbstractButton)]
    texts += [w.text() for w in window.findChildren(QLabel)]
    texts += [window.tabs.tabText(k) for k in range(window.tabs.count())]
    assert not [t for t in texts if "&" in t.replace("&&", "")]  # no mnemonic besides the table
    keys = {k for action in window.key_actions.values() for k in action.shortcuts()}
    assert len(keys) == sum(len(b.keys) for b in EXPERIMENT_KEYMAP)
    qtbot.keyClick(window.grid, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 1
    source = corpus(tmp_path / "corpus")
    run = window.start_run(RunRequest(source, command(shortest=1.0), tmp_path / "exp", 1))
    qtbot.waitUntil(lambda: len(window.rows) >= 1, timeout=120_000)
    window.grid.setFocus()
    with qtbot.waitSignal(run.ended, timeout=120_000):
        qtbot.keyClick(window.grid, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert run.cancelled and "cancelled" in window.statusBar().currentMessage()


def test_failed_cells_show_in_the_grid_with_their_message(qtbot, tmp_path):
    from reviewer.ui.experiment_window import ExperimentWindow

    folder = tmp_path / "exp"
    experiment = Experiment(folder, design(tmp_path), command(shortest=1.0, fail_on="vb__fast"))
    experiment.run(workers=1)
    window = ExperimentWindow(folder, replicates=100)
    qtbot.addWidget(window)
    window.show()
    failed = window.grid.item(window.voices.index("vb"), window.structures.index("fast"))
    assert failed.text() == "failed" and "model exploded" in failed.toolTip()
    window.grid.setCurrentCell(window.voices.index("vb"), window.structures.index("fast"))
    assert "model exploded" in window.statusBar().currentMessage()


def test_another_design_in_the_folder_is_refused_in_a_box_and_the_dialog_proposes_a_new_one(
    qtbot, experiment, tmp_path
):
    from test_corpus_diarize import corpus

    from reviewer.ui.experiment_run import RunRequest
    from reviewer.ui.experiment_window import ExperimentWindow

    window = ExperimentWindow(experiment, replicates=100)
    qtbot.addWidget(window)
    window.show()
    proposed: list[str] = []

    def answer() -> None:  # the dialog is modal: read what it proposes, then dismiss it
        dialog = QApplication.activeModalWidget()
        proposed.append(dialog.out.text())
        dialog.reject()

    QTimer.singleShot(0, answer)
    window.ask_run()
    assert proposed == [str(experiment.with_name("exp-2"))]  # not the experiment open
    other = tmp_path / "band"
    Experiment(other, design(tmp_path), command(band=100.0)).run(workers=1)
    assert window.compare_with(other) is not None
    before = (experiment / "cells.csv").read_text()
    source = corpus(tmp_path / "corpus")
    assert window.try_run(RunRequest(source, command(shortest=0.5), experiment, 1)) is None
    assert window.refusal is not None and "holds another experiment" in window.refusal.text()
    assert (experiment / "cells.csv").read_text() == before
    window.refusal.close()
    run = window.try_run(RunRequest(source, command(shortest=1.0), tmp_path / "new", 1))
    assert run is not None
    assert window.comparison is None and window.comparison_table.rowCount() == 0
    with qtbot.waitSignal(run.ended, timeout=120_000):
        window.cancel_run()
