"""Opening fast (issue 16, item 7): what the review window imports, and the ways round Qt's costs.

Each check runs in a fresh interpreter (what is imported depends on what came before).
The ``reviewer.ui.qt_imports`` checks fail when an upgrade of PySide6 or pyqtgraph changes
what its ways round rely on, so that they are revisited rather than silently lost.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

pytest_plugins = ["launch_helpers"]  # the clean_home fixture


HEAVY = (
    "scipy", "statsmodels", "dask", "distributed", "torch", "torchaudio", "sklearn",
    "matplotlib", "pandas", "pyannote", "speechbrain", "librosa", "numba", "cuda",
    "huggingface_hub", "soxr", "pyloudnorm", "tabulate", "reviewer.factorial",
    "reviewer.reports", "reviewer.services.diarization", "reviewer.services.experiment",
    "reviewer.corpus", "webvtt", "srt", "pympi", "praatio", "reviewer.io.transcripts.eaf",
    "reviewer.io.transcripts.vtt", "reviewer.io.transcripts.subrip",
)  # fmt: skip
"""Modules the review window does not need to show a recording (diarizing, experiments,
reports, the JER's assignment, corpora, the transcript formats other than the demo's STM):
none may be imported by the time it is first painted."""


def _run(script: str, cwd=None) -> dict:
    """Run ``script`` in a fresh interpreter; it prints one JSON line last."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=300,  # a safety net against a hang, not a speed bound
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_first_painted_window_imports_no_heavy_module(clean_home):
    """The demo's window, shown as the app shows it, up to its first paint and after it."""
    result = _run(
        f"""
        import json, sys
        from reviewer.resources import demo
        from reviewer.ui.app import Controller, after_first_paint, application, prepare
        files = demo()
        review = prepare(files.audio, files.reference, files.system,
                         transcript=files.transcript, start=False)
        app = application()
        import reviewer.ui.main_window
        controller = Controller()
        window = controller.show(review)
        seen = {{}}
        after_first_paint(window, lambda: seen.update(
            painted=sorted(m for m in {HEAVY!r} if m in sys.modules),
            player=window.player is not None))
        done = []
        window.completed.connect(lambda: done.append(1))
        while not (seen and done):
            app.processEvents()
        builder = review.builder
        builder.wait()
        app.processEvents()
        seen["completed"] = sorted(m for m in {HEAVY!r} if m in sys.modules)
        seen["player_after"] = window.player is not None
        controller.release()
        print(json.dumps(seen))
        """
    )
    assert result["painted"] == [], "imported before the first paint"
    assert result["completed"] == [], "imported once the window completed"
    assert result["player"] is False  # the audio device opens after the first paint
    assert result["player_after"] is True


def test_reviewer_demo_imports_no_heavy_module_up_to_its_first_paint(clean_home):
    """The command's own path (the start-up files, the recent list), not only the window's."""
    result = _run(
        f"""
        import json, os, sys
        os.environ["REVIEWER_EXIT_AT_FIRST_PAINT"] = "1"
        from reviewer.cli import main
        status = main(["demo"])
        print(json.dumps(dict(status=status,
                              loaded=sorted(m for m in {HEAVY!r} if m in sys.modules))))
        """
    )
    assert result == {"status": 0, "loaded": []}


def test_pyqtgraph_mirrors_are_filled_lazily_with_pyside6s_own_objects(clean_home):
    result = _run(
        """
        import json, sys
        import PySide6.QtCore
        from reviewer.ui.qt_imports import LazyMirror, import_pyqtgraph
        pg = import_pyqtgraph()
        import pyqtgraph.Qt as pgqt
        from PySide6 import QtCore, QtGui, QtWidgets
        mirrors = [pgqt.QtCore, pgqt.QtGui, pgqt.QtWidgets]
        untouched = "QCalendarWidget" not in vars(pgqt.QtWidgets)
        print(json.dumps({
            "lazy": all(isinstance(m, LazyMirror) for m in mirrors),
            "filler": callable(getattr(pgqt, "_copy_attrs", None)),
            "untouched": untouched,
            "same": pgqt.QtCore.QTimer is QtCore.QTimer
                and pgqt.QtWidgets.QCalendarWidget is QtWidgets.QCalendarWidget
                and pgqt.QtGui.QPen is QtGui.QPen and pg.QtCore.Qt is QtCore.Qt,
            "shims": pgqt.QtGui.QFileSystemModel is QtWidgets.QFileSystemModel
                and pgqt.QtWidgets.QOpenGLWidget is not None,
            "cuda": "cuda" in sys.modules,
        }))
        """
    )
    assert result["filler"], "pyqtgraph.Qt no longer fills its mirrors with _copy_attrs"
    assert result == {
        "lazy": True,
        "filler": True,
        "untouched": True,  # _copy_attrs copied nothing: built at first use only
        "same": True,
        "shims": True,
        "cuda": False,
    }


def test_pyqtgraph_draws_through_the_lazy_mirrors(clean_home):
    """A plot with a curve is drawn as with the plain import (pixels, not only objects)."""
    result = _run(
        """
        import json
        from reviewer.ui.app import application
        app = application()
        import numpy as np
        import pyqtgraph as pg
        widget = pg.PlotWidget()
        widget.resize(200, 100)
        widget.plot(np.arange(10.0), np.arange(10.0) ** 2, pen=pg.mkPen("#FF0000", width=3))
        widget.show()
        app.processEvents()
        image = widget.grab().toImage()
        reds = sum(
            1 for x in range(image.width()) for y in range(image.height())
            if image.pixelColor(x, y).red() > 200 and image.pixelColor(x, y).green() < 80
        )
        print(json.dumps({"reds": reds}))
        """
    )
    assert result["reds"] > 50


def test_modules_loaded_before_pyside6_are_marked_and_features_still_work(clean_home, tmp_path):
    """PySide6 keeps a feature id per module; the ones loaded before it get "no feature".

    A module that asks for a feature (``from __feature__ import snake_case``) still gets it.
    """
    (tmp_path / "snaky.py").write_text(
        "from PySide6.QtCore import QObject\n"
        "from __feature__ import snake_case  # noqa: F401\n"
        "def name_of(obj):\n"
        "    obj.set_object_name('x')\n"
        "    return obj.object_name()\n"
    )
    result = _run(
        """
        import json, sys
        import reviewer.metrics, reviewer.io.rttm
        from reviewer.ui.qt_imports import NO_FEATURES, feature_table, import_qt
        import_qt()
        table = feature_table()
        from PySide6.QtCore import QObject
        import snaky
        print(json.dumps({
            "table": table is not None,
            "marked": all(table.get(m) == NO_FEATURES for m in ("reviewer.io.rttm", "numpy")),
            "snake": snaky.name_of(QObject()),
            "camel": hasattr(QObject(), "setObjectName"),
        }))
        """,
        cwd=tmp_path,
    )
    assert result["table"], "PySide6 no longer keeps shibokensupport.feature.pyside_feature_dict"
    assert result == {"table": True, "marked": True, "snake": "x", "camel": True}


def test_the_collector_waits_for_the_first_paint_and_then_runs(clean_home):
    """``reviewer demo`` holds the cyclic GC while it starts (65 to 200 ms of collections)."""
    result = _run(
        """
        import gc, json, sys
        import reviewer.ui.app as ui_app
        painted = ui_app._first_painted
        def first(app, window):
            held = not gc.isenabled()
            painted(app, window)
            print(json.dumps({"held": held, "enabled": gc.isenabled(),
                              "frozen": gc.get_freeze_count() > 0}))
            app.exit(0)
        ui_app._first_painted = first
        from reviewer.cli import main
        sys.exit(main(["demo"]))
        """
    )
    assert result == {"held": True, "enabled": True, "frozen": True}
