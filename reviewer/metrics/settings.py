"""How a recording is scored: one value type for the CLI, the app, sessions, projects, scorers."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.metrics.der import check_collar, check_flag


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

    def __post_init__(self) -> None:
        check_collar(self.collar)
        object.__setattr__(self, "collar", float(self.collar))
        object.__setattr__(self, "skip_overlap", check_flag(self.skip_overlap, "skip_overlap"))

    @property
    def collar_ticks(self) -> int:
        """The collar (each side) in ticks."""
        return check_collar(self.collar)

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
