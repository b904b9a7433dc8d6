"""Stable, distinct speaker colours; error colours."""

from __future__ import annotations

from PySide6.QtGui import QColor

# Okabe-Ito and Tableau-like colours, distinguishable with common colour blindness.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#17BECF",
    "#BCBD22",
)
MISSED = QColor("#D62728")
FALSE_ALARM = QColor("#FF9F1C")
CONFUSION = QColor("#7B2CBF")
CURSOR = QColor("#FFFFFF")
SELECTION = QColor(255, 255, 255, 40)
OVERLAP = QColor("#E0E0E0")
"""The reference-overlap lane (darker shades for more speakers come from its alpha)."""
UNSCORED_HATCH = QColor(220, 220, 220, 110)
OVERLAP_HATCH = QColor(255, 210, 80, 120)
UNSCORED = (QColor("#555555"), QColor("#9A9A9A"), QColor("#D4A72C"), QColor("#7A7AA0"))
"""The scoring lane's colour of each unscored kind: outside the UEM, collar, overlap, zone."""


def color_of(index: int) -> QColor:
    """The ``index``-th speaker colour: the palette, then hues a golden angle apart.

    Past the 16 colours of :data:`PALETTE` (recordings with 20+ speakers), hues step by the
    golden ratio of a turn, so neighbours stay far apart; lightness alternates.
    """
    if index < len(PALETTE):
        return QColor(PALETTE[index])
    n = index - len(PALETTE)
    hue = (0.13 + n * 0.618033988749895) % 1.0
    return QColor.fromHsvF(hue, 0.55 if n % 2 else 0.8, 0.95 if n % 2 else 0.8)


class SpeakerColors:
    """Colours per speaker, stable while reviewing.

    Reference speakers are coloured by sorted name; a system speaker takes the colour of
    the reference speaker it is mapped to, so confusion shows as a colour change.
    """

    def __init__(self) -> None:
        self._colors: dict[str, QColor] = {}

    def update(self, reference: tuple[str, ...], mapping: dict[str, str], others=()) -> bool:
        """Recompute colours from the reference's speakers and md-eval's mapping.

        Returns whether any speaker's colour changed (lanes need repainting then).
        """
        colors: dict[str, QColor] = {}
        for i, label in enumerate(reference):
            colors[label] = color_of(i)
        for ref, hyp in mapping.items():
            if ref in colors:
                colors.setdefault(hyp, colors[ref])
        spare = len(reference)
        for label in others:
            if label not in colors:
                colors[label] = color_of(spare).darker(130)
                spare += 1
        changed = any(self._colors.get(label) != color for label, color in colors.items())
        self._colors = colors
        return changed

    def __getitem__(self, label: str) -> QColor:
        if label not in self._colors:
            index = sum(map(ord, label)) % len(PALETTE)
            self._colors[label] = QColor(PALETTE[index])
        return self._colors[label]
