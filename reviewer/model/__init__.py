"""The pure model of reviewer: turns, tracks, formats and metrics (no Qt, audio or torch)."""

from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.time import TICKS_PER_SECOND

__all__ = ["TICKS_PER_SECOND", "Span", "Track", "Turn"]
