"""The window follows the desktop: a light or dark colour scheme, and its font size."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette

from reviewer.ui.app import application, build_window, follow_desktop, prepare


@pytest.fixture
def app():
    app = application()
    font = app.font()
    yield app
    app.setFont(font)
    follow_desktop(app)  # as the desktop says, for the tests that follow


@pytest.fixture
def window(app, qtbot):
    from reviewer.resources import demo
    from reviewer.ui.app import release

    files = demo()
    review = prepare(files.audio, files.reference, files.system, start=False)
    window = build_window(review, with_player=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    release(window, review)


def lightness(widget, role=QPalette.ColorRole.Window) -> int:
    return widget.palette().color(role).lightness()


def test_a_light_desktop_gives_light_panels(app, window, qtbot):
    assert follow_desktop(app, Qt.ColorScheme.Light) is False
    qtbot.waitUntil(lambda: lightness(window) > 200)
    for widget in (window, window.metrics, window.statusBar()):
        assert lightness(widget) > 200
        assert lightness(widget, QPalette.ColorRole.WindowText) < 80  # dark text on it


def test_a_dark_desktop_gives_dark_panels(app, window, qtbot):
    assert follow_desktop(app, Qt.ColorScheme.Dark) is True
    qtbot.waitUntil(lambda: lightness(window) < 80)
    assert lightness(window.metrics) < 80
    assert lightness(window.metrics, QPalette.ColorRole.WindowText) > 200


def test_switching_the_desktop_scheme_switches_the_window(app, window, qtbot):
    follow_desktop(app, Qt.ColorScheme.Light)
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: lightness(window) < 80)
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: lightness(window) > 200)


def test_a_desktop_without_a_scheme_keeps_its_own_palette(app):
    """``Unknown`` (plain X11, Xvfb, offscreen): the desktop's palette, not a forced dark one."""
    app.setPalette(QPalette())
    own = app.palette().color(QPalette.ColorRole.Window)
    dark = follow_desktop(app, Qt.ColorScheme.Unknown)
    assert dark is (own.lightness() < 128)
    if not dark:
        assert app.palette().color(QPalette.ColorRole.Window) == own


def test_the_panels_take_the_desktops_font_size(app, window, qtbot):
    base = app.font().pointSizeF()
    bigger = QFont(app.font())
    bigger.setPointSizeF(base * 2)
    app.setFont(bigger)
    qtbot.waitUntil(lambda: window.font().pointSizeF() == base * 2)
    for widget in (window.metrics, window.statusBar(), window.menuBar()):
        assert widget.font().pointSizeF() == base * 2


def test_the_der_grows_with_the_desktops_font(app, window, qtbot):
    base = window.metrics.der_label.fontInfo().pointSizeF()
    bigger = QFont(app.font())
    bigger.setPointSizeF(app.font().pointSizeF() * 2)
    app.setFont(bigger)
    qtbot.waitUntil(lambda: window.font().pointSizeF() == bigger.pointSizeF())
    assert window.metrics.der_label.fontInfo().pointSizeF() > 1.5 * base
