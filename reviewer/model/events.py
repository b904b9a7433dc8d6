"""Model events: how documents, histories, editors and scorers tell others they changed.

Every object whose state others show or follow declares its events as class attributes
made by :func:`event` (psygnal signals, as napari's Qt-free model uses), and whoever needs
to follow it connects: ``document.changed.connect(view.redraw)``. Nobody calls a view,
the journal or a scorer after changing something: they subscribe.

**Policy for a listener that raises** (one policy for every event of reviewer): the change
that emitted the event is already complete and stays made; the exception is logged with its
traceback on the ``reviewer.model.events`` logger, and the listeners connected after it are
still called. A broken view must neither undo half an edit, nor desynchronise the undo
history, nor stop the journal from recording the edit. (psygnal's own default stops at the
first failing listener and raises ``EmitLoopError`` into the code that made the change.)

**Order**: listeners are called in the order they connected, except that a listener
connected with a higher ``priority`` (``signal.connect(slot, priority=10)``) is called
first; the journal uses this so an edit is on disk before any view repaints.
"""

from __future__ import annotations

import logging
from typing import Any

from psygnal import Signal, SignalInstance

__all__ = ["Signal", "SignalInstance", "event"]

logger = logging.getLogger(__name__)


class _IsolatingSignalInstance(SignalInstance):
    """A psygnal signal that calls every listener even when one raises (see the policy)."""

    def _run_emit_loop_immediate(self) -> None:
        # psygnal's loop, with each call guarded (psygnal 0.16 `_signal.py`, same name).
        args = self._emit_queue.popleft()
        for caller in list(self._slots):
            if not caller._is_alive():
                continue
            try:
                caller.cb(args)
            except Exception:
                logger.exception("a listener of %s failed; the change stands", self.name)


def event(*types: Any, description: str = "") -> Signal:
    """Declare an event (a class attribute) whose listeners follow reviewer's error policy.

    Parameters
    ----------
    *types
        The types of the values the event carries, as for :class:`psygnal.Signal`.
    description
        What the event says, for the reader.
    """
    return Signal(*types, description=description, signal_instance_class=_IsolatingSignalInstance)
