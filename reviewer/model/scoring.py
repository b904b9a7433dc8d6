"""How a recording is scored: the one value type for md-eval's options, and which tracks.

Used by the CLI, the app, sessions, projects and every scorer; the checks here are the only
place a collar or a flag is validated.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np

from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM
from reviewer.model.time import from_seconds

_LONGEST_COLLAR = 1e6  # seconds: 11 days on each side, more than any recording


def check_collar(collar: float) -> int:
    """A collar in seconds (each side, md-eval's ``-c``) as ticks.

    Raises
    ------
    TypeError
        If the collar is not a number (a bool is not one).
    ValueError
        If the collar is negative, NaN or infinite (md-eval-22 refuses a negative collar).
    """
    if isinstance(collar, (bool, np.bool_)) or not isinstance(collar, numbers.Real | Decimal):
        raise TypeError(f"collar must be a number of seconds, not {type(collar).__name__}")
    if not collar >= 0 or not collar <= _LONGEST_COLLAR:
        raise ValueError(
            f"collar must be a finite, non-negative number of seconds (each side, as "
            f"md-eval's -c) of at most {_LONGEST_COLLAR:.0f}, not {collar!r}"
        )
    return from_seconds(Decimal(collar) if isinstance(collar, Decimal) else float(collar))


def check_flag(value: object, name: str) -> bool:
    """A true/false setting, refusing strings such as ``"false"`` that Python finds true.

    Raises
    ------
    TypeError
        If ``value`` is not a bool.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return bool(value)


@dataclass(frozen=True, slots=True)
class ScoringSettings:
    """md-eval-22's scoring options.

    Attributes
    ----------
    collar
        Seconds not scored on EACH side of every reference boundary: md-eval's ``-c``.
        (pyannote.metrics' ``collar`` is the total width, twice this.)
    skip_overlap
        Leave out regions where the reference has two or more speakers: md-eval's ``-1``.

    Raises
    ------
    ValueError
        If the collar is negative, NaN or infinite (md-eval-22 refuses a negative collar).
    TypeError
        If the collar is not a number or ``skip_overlap`` is not a bool.
    """

    collar: float = 0.0
    skip_overlap: bool = False
    _collar_ticks: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # ticks from the value as given: a Decimal collar stays exact to the tick
        object.__setattr__(self, "_collar_ticks", check_collar(self.collar))
        object.__setattr__(self, "collar", float(self.collar))
        object.__setattr__(self, "skip_overlap", check_flag(self.skip_overlap, "skip_overlap"))

    @property
    def collar_ticks(self) -> int:
        """The collar (each side) in ticks, exact for a ``Decimal`` collar."""
        return self._collar_ticks

    def to_json(self) -> dict[str, float | bool]:
        """``{"collar": seconds each side, "skip_overlap": bool}`` (sessions, projects)."""
        return {"collar": self.collar, "skip_overlap": self.skip_overlap}

    @classmethod
    def from_json(cls, data: dict) -> ScoringSettings:
        """Inverse of :meth:`to_json`; missing fields take md-eval's defaults."""
        return cls(data.get("collar", 0.0), data.get("skip_overlap", False))

    def describe(self) -> str:
        """``"collar 0.25 s each side, overlap scored"``: for status bars and reports."""
        overlap = "overlap skipped" if self.skip_overlap else "overlap scored"
        return f"collar {self.collar:g} s each side, {overlap}"


@dataclass(frozen=True, slots=True)
class ScoringSetup:
    """Which track of a document is scored against which, and how.

    Attributes
    ----------
    reference, hypothesis
        Track names.
    settings
        md-eval's options (collar seconds on EACH side, skip-overlap).
    """

    reference: str = REFERENCE
    hypothesis: str = CORRECTED
    settings: ScoringSettings = field(default_factory=ScoringSettings)

    @property
    def collar(self) -> float:
        """Seconds not scored on each side of every reference boundary (md-eval's ``-c``)."""
        return self.settings.collar

    @property
    def skip_overlap(self) -> bool:
        """Whether overlapped reference speech is left out (md-eval's ``-1``)."""
        return self.settings.skip_overlap

    @classmethod
    def for_tracks(cls, names: Iterable[str]) -> ScoringSetup:
        """What a recording with these tracks is scored with by default.

        The reference against the corrected track, or the system output when there is no
        corrected track yet; md-eval's default settings.
        """
        names = set(names)
        hypothesis = next((n for n in (CORRECTED, SYSTEM) if n in names), CORRECTED)
        return cls(REFERENCE, hypothesis)

    def with_settings(self, settings: ScoringSettings) -> ScoringSetup:
        """The same tracks scored with other settings."""
        return replace(self, settings=settings)

    def to_json(self) -> dict[str, str | float | bool]:
        """``{"reference", "hypothesis", "collar", "skip_overlap"}``: a session's settings."""
        tracks = {"reference": self.reference, "hypothesis": self.hypothesis}
        return tracks | self.settings.to_json()

    @classmethod
    def from_json(cls, data: dict, default: ScoringSetup | None = None) -> ScoringSetup:
        """Inverse of :meth:`to_json`; missing fields come from ``default``."""
        default = default or cls()
        return cls(
            data.get("reference", default.reference),
            data.get("hypothesis", default.hypothesis),
            ScoringSettings(
                data.get("collar", default.collar),
                data.get("skip_overlap", default.skip_overlap),
            ),
        )
