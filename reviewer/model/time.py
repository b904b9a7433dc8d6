"""Exact time: integer ticks instead of drifting floats.

One tick is 1 / 3,528,000,000 s. Every whole microsecond and every sample frame at the
usual audio rates (8, 11.025, 16, 22.05, 24, 32, 44.1, 48, 88.2, 96, 176.4, 192 kHz) is a
whole number of ticks, so RTTM times with up to six decimals and sample positions are exact;
anything finer is rounded to the nearest tick (0.28 ns). An ``int64`` holds 82 years of ticks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import numpy as np

TICKS_PER_SECOND = 3_528_000_000
"""Ticks in one second: the least common multiple of 10**6 and the common sample rates."""

_TICKS_PER_MILLISECOND = TICKS_PER_SECOND // 1000
_TICKS_PER_MICROSECOND = TICKS_PER_SECOND // 1_000_000
_PLAIN_COLUMN = re.compile(r"(?:(?:[0-9]{1,9}(?:\.[0-9]{0,6})?|\.[0-9]{1,6})\n)*")


def parse_seconds(text: str) -> int:
    """Parse a decimal number of seconds exactly into ticks.

    Parameters
    ----------
    text
        A decimal number such as ``"12.345"`` or ``"1e-3"``.

    Returns
    -------
    int
        The time in ticks, rounded half to even when finer than one tick.

    Raises
    ------
    ValueError
        If ``text`` is not a finite number.
    """
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return int((value * TICKS_PER_SECOND).to_integral_value())


def parse_plain_column(texts: Sequence[str]) -> np.ndarray | None:
    """Ticks of a column of plain decimals (``"12.345"``, ``"7"``, ``".5"``), or None.

    The fast path of :func:`parse_seconds` for a whole column of time fields, as files
    nearly always write them: ASCII digits with at most one point, at most 9 digits before
    it (under 32 years) and at most 6 after it. Such a number is a whole number ``n`` of
    microseconds below 10**15 < 2**50, which ``float`` and one product by 10**6 reach within
    0.25 (two roundings of relative error 2**-53 each), so rounding gives ``n`` exactly and
    the ticks equal :func:`parse_seconds`'s. A column with anything else in it (a sign, an
    exponent, more decimals, a blank, a non-ASCII digit, no field at all) gives None: the
    caller then reads it field by field, the careful way, accepting or refusing each
    field with its reason.

    Parameters
    ----------
    texts
        The fields, in seconds.

    Returns
    -------
    numpy.ndarray or None
        ``int64`` ticks of shape ``(len(texts),)``, or None.
    """
    if not texts or not _PLAIN_COLUMN.fullmatch("\n".join(texts) + "\n"):
        return None
    microseconds = np.rint(np.array(texts, dtype=np.float64) * 1e6).astype(np.int64)
    return microseconds * _TICKS_PER_MICROSECOND


def from_seconds(seconds: float) -> int:
    """Convert seconds (a float, int or Decimal) to the nearest tick.

    Raises
    ------
    ValueError
        If ``seconds`` is NaN or infinite.
    """
    if isinstance(seconds, Decimal):
        return parse_seconds(str(seconds))
    if isinstance(seconds, int):
        return seconds * TICKS_PER_SECOND
    if not math.isfinite(seconds):
        raise ValueError(f"{seconds!r} is not a finite time")
    return round(seconds * TICKS_PER_SECOND)


def to_seconds(ticks: int) -> float:
    """Convert ticks to seconds, correctly rounded to the nearest float."""
    return ticks / TICKS_PER_SECOND


def to_milliseconds(ticks: int) -> int:
    """Round ticks to whole milliseconds (half to even), exactly."""
    quotient, remainder = divmod(ticks, _TICKS_PER_MILLISECOND)
    twice = 2 * remainder
    if twice > _TICKS_PER_MILLISECOND or (twice == _TICKS_PER_MILLISECOND and quotient % 2):
        quotient += 1
    return quotient


def format_milliseconds(milliseconds: int) -> str:
    """Format whole milliseconds as seconds with three decimals (``"12.345"``)."""
    sign = "-" if milliseconds < 0 else ""
    whole, frac = divmod(abs(milliseconds), 1000)
    return f"{sign}{whole}.{frac:03d}"


def format_seconds(ticks: int) -> str:
    """Format ticks as seconds with millisecond precision (``"12.345"``)."""
    return format_milliseconds(to_milliseconds(ticks))


def format_clock(ticks: int) -> str:
    """Format ticks as ``h:mm:ss.mmm``."""
    milliseconds = to_milliseconds(ticks)
    sign = "-" if milliseconds < 0 else ""
    seconds, ms = divmod(abs(milliseconds), 1000)
    minutes, s = divmod(seconds, 60)
    hours, m = divmod(minutes, 60)
    return f"{sign}{hours}:{m:02d}:{s:02d}.{ms:03d}"


def ticks_to_frames(ticks: int, sample_rate: int) -> int:
    """The sample frame at ``ticks`` (rounded down)."""
    return ticks * sample_rate // TICKS_PER_SECOND


def frames_to_ticks(frames: int, sample_rate: int) -> int:
    """Ticks of sample frame ``frames`` (exact at the usual rates, else the nearest)."""
    return (frames * TICKS_PER_SECOND + sample_rate // 2) // sample_rate
