"""The pure model of reviewer: time, turns, tracks, documents, commands and history.

No Qt, no audio device, no torch, and nothing from the other packages (``ARCHITECTURE.md``).
"""

from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.time import TICKS_PER_SECOND

__all__ = ["TICKS_PER_SECOND", "Span", "Track", "Turn"]
