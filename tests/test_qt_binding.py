"""Guards against Qt binding releases that break a long-running app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(object)


def test_signal_emission_keeps_bool_reference_counts():
    """PySide6 6.12.0 drops a reference to True on every emit; on Python < 3.12 the app
    then aborts ("deallocating True or False") after a few thousand signals."""
    emitter = _Emitter()
    emitter.fired.connect(lambda value: None)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit(emitter)
    assert abs(sys.getrefcount(True) - before) < 50
