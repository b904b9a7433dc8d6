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


class SpeakerColors:
    """Colours per speaker, stable while reviewing.

    Reference speakers are coloured by sorted name; a system speaker takes the colour of
    the reference speaker it is mapped to, so confusion shows as a colour change.
    """

    def __init__(self) -> None:
        self._colors: dict[str, QColor] = {}

    def update(self, reference: tuple[str, ...], mapping: dict[str, str], others=()) -> None:
        """Recompute colours from the reference's speakers and md-eval's mapping."""
        colors: dict[str, QColor] = {}
        for i, label in enumerate(reference):
            colors[label] = QColor(PALETTE[i % len(PALETTE)])
        for ref, hyp in mapping.items():
            if ref in colors:
                colors.setdefault(hyp, colors[ref])
        spare = len(reference)
        for label in others:
            if label not in colors:
                colors[label] = QColor(PALETTE[spare % len(PALETTE)]).darker(130)
                spare += 1
        self._colors = colors

    def __getitem__(self, label: str) -> QColor:
        if label not in self._colors:
            index = sum(map(ord, label)) % len(PALETTE)
            self._colors[label] = QColor(PALETTE[index])
        return self._colors[label]
