"""Opening fast: the window comes first; SciPy, CUDA and the waveform's build come later."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


@pytest.fixture
def clean_home(tmp_path, monkeypatch):
    """Own home, state and settings; the null sound device."""
    (tmp_path / ".asoundrc").write_text("pcm.!default { type null }\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def test_the_window_modules_import_neither_scipy_nor_cuda(clean_home):
    """SciPy (the JER's assignment, 0.4 s) and CUDA Python (pyqtgraph's GPU upload) wait."""
    script = textwrap.dedent(
        """
        import sys
        from reviewer.ui.app import application
        application()
        import reviewer.ui.main_window
        import reviewer.metrics
        from reviewer.metrics import jer, score
        print(sorted(m for m in ("scipy", "cuda", "cuda.bindings.runtime") if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_jer_still_imports_scipy_when_it_scores():
    from reviewer.metrics import jer
    from reviewer.model.annotation import Track, Turn

    track = Track([Turn(0, 10**9, "A")])
    assert jer(track, track).jer == 0.0
    assert "scipy.optimize" in sys.modules


def test_the_app_prints_first_paint_and_quits_when_asked(clean_home):
    env = dict(os.environ, REVIEWER_EXIT_AT_FIRST_PAINT="1", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "reviewer.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,  # a safety net against a hang, not a speed bound
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["first paint"]


def test_the_waveform_is_built_after_the_window_is_painted(clean_home, qtbot):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from reviewer.ui.app import Controller, application
    from reviewer.ui.opening import OpenRequest

    application()
    controller = Controller()
    painted = []

    class Paints(QObject):
        def eventFilter(self, _watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                painted.append(controller.reviews[0].builder.running)
            return False

    paints = Paints()
    QApplication.instance().installEventFilter(paints)
    try:
        window = controller.open(OpenRequest(demo=True))
        builder = controller.reviews[0].builder
        assert window is not None and builder is not None
        assert not builder.running and builder.pyramid.ready_frames == 0  # not yet
        qtbot.waitUntil(lambda: builder.pyramid.ready_frames == builder.pyramid.frames)
        assert painted and painted[0] is False  # the first paint came before the build
        qtbot.waitUntil(lambda: not builder.running)
    finally:
        QApplication.instance().removeEventFilter(paints)
        controller.release()


def test_a_loaded_review_is_shown_without_loading_it_again(clean_home, monkeypatch):
    """``reviewer open`` checks its input by loading it; run() takes that load as it is."""
    from reviewer.resources import demo
    from reviewer.ui import app as ui_app
    from reviewer.ui.opening import OpenRequest

    files = demo()
    review = ui_app.prepare(files.audio, files.reference, files.system, start=False)
    shown = []

    class Recording(ui_app.Controller):
        def show(self, review, note="", project=None):
            shown.append(review.editor)
            return super().show(review, note, project)

    monkeypatch.setattr(ui_app, "prepare", lambda *a, **k: pytest.fail("loaded again"))
    monkeypatch.setattr(ui_app, "Controller", Recording)
    monkeypatch.setattr(ui_app.application(), "exec", lambda: 0)  # no event loop
    request = OpenRequest(str(files.audio), str(files.reference), str(files.system))
    assert ui_app.run(request, review=review) == 0
    assert shown == [review.editor]
