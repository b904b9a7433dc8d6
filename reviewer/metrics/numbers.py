"""DER points and percentages: the one place a share of scored time becomes a number on screen.

md-eval-22 prints each error as a percentage of the scored reference speaker time
(``SCORED SPEAKER TIME``); a class's *DER points* are its error seconds over that same
denominator, times 100, so the points of all classes add up to the DER in percent.
"""

from __future__ import annotations

NO_VALUE = "-"
"""What a number with nothing to measure (no scored time) shows as."""


def points(error: float, scored: float) -> float | None:
    """DER points of ``error`` seconds: ``100 * error / scored``, or None when nothing is scored.

    Parameters
    ----------
    error
        Error time in seconds (one class's, or the total).
    scored
        Scored reference speaker time in seconds (md-eval's ``SCORED SPEAKER TIME``).
    """
    return 100.0 * error / scored if scored > 0 else None


def percent(ratio: float | None) -> float | None:
    """A ratio (a DER, an error rate) in percent: ``100 * ratio``; None stays None.

    Computed as ``100 * ratio / 1`` (:func:`points` over 1), so a DER is the very float the
    reports have always printed.
    """
    return None if ratio is None else points(ratio, 1.0)


def format_percent(ratio: float | None, digits: int = 2) -> str:
    """A ratio as md-eval prints a rate: ``0.1234`` -> ``"12.34 %"``; None -> ``"-"``."""
    return NO_VALUE if ratio is None else f"{100.0 * ratio:.{digits}f} %"


def format_points(value: float | None, digits: int = 2, signed: bool = False) -> str:
    """DER points (already times 100) as text: ``12.3456`` -> ``"12.35"``; None -> ``"-"``.

    ``signed`` writes a ``+`` before a change that is not negative (``"+0.50"``).
    """
    if value is None:
        return NO_VALUE
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def format_share(error: float, scored: float, digits: int = 2) -> str:
    """``error`` seconds as a percentage of ``scored`` seconds, ``"-"`` when nothing is scored."""
    value = points(error, scored)
    return NO_VALUE if value is None else f"{value:.{digits}f} %"
