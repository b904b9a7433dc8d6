"""The reference's conversation structure: the classes the error breakdown counts in.

Every scored interval falls in exactly one class, decided by the reference alone (first
match wins):

- ``overlap``: two or more reference speakers active;
- ``near_change``: within ``tau`` of a speaker change point: the start of a reference turn
  while another reference speaker is active or was active less than ``gap`` (2 s) before,
  and the end of a reference turn while another speaker is active or becomes active less
  than ``gap`` after (each speaker's overlapping or touching turns merged first);
- ``short_turn``: inside a reference turn shorter than ``short``;
- ``steady``: the rest of single-speaker speech;
- ``non_speech``: no reference speaker (false alarm only).

:func:`reference_structure` finds the merged turns and change points (ticks);
:meth:`Structure.classify` gives each elementary interval its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from reviewer.metrics.engine import covered
from reviewer.model.annotation import TrackArrays

CLASSES = ("overlap", "near_change", "short_turn", "steady", "non_speech")
"""The classes, in the order they are tried; a class index is a position here."""

STRUCTURE = ("overlap", "near_change", "short_turn")
"""The classes caused by conversation structure (the rest is steady speech and non-speech)."""


def merged_turns(track: TrackArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each speaker's turns with overlapping or touching ones merged (zero-length dropped).

    Returns
    -------
    tuple of numpy.ndarray
        ``(starts, ends, speakers)``: ``int64`` ticks and speaker codes, grouped by speaker
        and sorted by start within a speaker.
    """
    keep = track.ends > track.starts
    starts, ends, speakers = track.starts[keep], track.ends[keep], track.speakers[keep]
    order = np.lexsort((starts, speakers))
    starts, ends, speakers = starts[order], ends[order], speakers[order]
    out_s, out_e, out_k = [], [], []
    for k in np.unique(speakers):
        s, e = starts[speakers == k], ends[speakers == k]
        reach = np.maximum.accumulate(e)
        new = np.concatenate(([True], s[1:] > reach[:-1]))
        groups = np.cumsum(new) - 1
        out_s.append(s[new])
        out_e.append(np.maximum.reduceat(e, np.flatnonzero(new)))
        out_k.append(np.full(groups.max() + 1, k))
    if not out_s:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(out_s), np.concatenate(out_e), np.concatenate(out_k)


def change_points(
    starts: np.ndarray, ends: np.ndarray, speakers: np.ndarray, gap: int
) -> np.ndarray:
    """Speaker change points of merged reference turns (ticks, sorted, unique)."""
    points = []
    for k in np.unique(speakers):
        others = speakers != k
        o_starts, o_ends = starts[others], ends[others]
        if len(o_starts) == 0:
            continue
        order = np.argsort(o_starts, kind="stable")
        o_starts, o_ends = o_starts[order], o_ends[order]
        reach = np.maximum.accumulate(o_ends)
        mine_s, mine_e = starts[speakers == k], ends[speakers == k]
        # a start: another speaker active at it, or less than `gap` before it
        i = np.searchsorted(o_starts, mine_s, side="right") - 1
        hit = (i >= 0) & (reach[np.maximum(i, 0)] > mine_s - gap)
        points.append(mine_s[hit])
        # an end: another speaker active at it, or becoming active less than `gap` after
        j = np.searchsorted(o_starts, mine_e + gap, side="left") - 1
        hit = (j >= 0) & (reach[np.maximum(j, 0)] > mine_e)
        points.append(mine_e[hit])
    if not points:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(points))


@dataclass(frozen=True)
class Structure:
    """A reference's merged turns and speaker change points, with the class settings.

    Attributes
    ----------
    starts, ends, speakers
        Merged turns (:func:`merged_turns`).
    points
        Speaker change points (:func:`change_points`), ticks.
    tau, short
        Ticks: the ``near_change`` radius and the ``short_turn`` length.
    """

    starts: np.ndarray
    ends: np.ndarray
    speakers: np.ndarray
    points: np.ndarray
    tau: int
    short: int

    @cached_property
    def is_short(self) -> np.ndarray:
        """``[merged turn]``: whether it is shorter than :attr:`short`."""
        return (self.ends - self.starts) < self.short

    @cached_property
    def turns_of(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """``{speaker code: (starts, ends)}`` of the merged turns, sorted by start."""
        return {
            int(k): (self.starts[self.speakers == k], self.ends[self.speakers == k])
            for k in np.unique(self.speakers)
        }

    @cached_property
    def _zones(self) -> tuple[tuple[np.ndarray, np.ndarray, int], ...]:
        """The near-change zones and the short turns, sorted by start, and their longest.

        Sorted and bounded in length, a window's zones are a slice (:func:`_within`).
        """
        is_short = self.is_short
        order = np.argsort(self.starts[is_short], kind="stable")
        short_starts, short_ends = self.starts[is_short][order], self.ends[is_short][order]
        return (
            (self.points - self.tau, self.points + self.tau, 2 * self.tau),
            (short_starts, short_ends, self.short),
        )

    @cached_property
    def _bounds(self) -> np.ndarray:
        points, tau, is_short = self.points, self.tau, self.is_short
        return np.concatenate(
            [points - tau, points + tau, self.starts[is_short], self.ends[is_short]]
        )

    def bounds(self) -> np.ndarray:
        """Where the classes can change: the edges of near-change zones and short turns."""
        return self._bounds

    def classify(self, bounds: np.ndarray, n_ref: np.ndarray) -> np.ndarray:
        """The class (an index into :data:`CLASSES`) of each elementary interval.

        Parameters
        ----------
        bounds
            ``K + 1`` sorted ticks of the intervals; they must split at :meth:`bounds`.
        n_ref
            ``[K]``: how many reference speakers are active in each.
        """
        near, short_zone = (
            covered(bounds, *_within(starts, ends, longest, bounds[0], bounds[-1]))
            for starts, ends, longest in self._zones
        )
        return np.select([n_ref >= 2, near, short_zone, n_ref == 1], [0, 1, 2, 3], default=4)


def _within(
    starts: np.ndarray, ends: np.ndarray, longest: int, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    """The zones (sorted by start, none longer than ``longest``) that may meet ``[lo, hi]``."""
    i, j = np.searchsorted(starts, [lo - longest, hi], side="right")
    return starts[i:j], ends[i:j]


def reference_structure(reference: TrackArrays, tau: int, short: int, gap: int) -> Structure:
    """The structure of a reference (all arguments after it in ticks).

    ``gap``: how recently another speaker must have spoken (or how soon they must speak)
    for a turn start (end) to be a change point.
    """
    starts, ends, speakers = merged_turns(reference)
    return Structure(starts, ends, speakers, change_points(starts, ends, speakers, gap), tau, short)
