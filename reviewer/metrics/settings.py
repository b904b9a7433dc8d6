"""Scoring settings as the scorers take them: see :mod:`reviewer.model.scoring`."""

from __future__ import annotations

from reviewer.model.scoring import ScoringSettings, ScoringSetup

__all__ = ["ScoringSettings", "ScoringSetup"]
