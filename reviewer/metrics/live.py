"""Live scoring of two tracks of a document, kept up to date after every edit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from reviewer.metrics.der import DiarizationScore
from reviewer.metrics.engine import ErrorRegions, error_regions
from reviewer.metrics.incremental import IncrementalScorer
from reviewer.model.document import Change, Document
from reviewer.model.events import event
from reviewer.model.scoring import ScoringSetup

if TYPE_CHECKING:
    from reviewer.metrics.breakdown import ErrorBreakdown
    from reviewer.metrics.incremental_breakdown import IncrementalBreakdown
    from reviewer.metrics.jer import JaccardScore

_REBUILD_ABOVE = 64  # an edit touching more turns than this rescores from scratch


class LiveScore:
    """The md-eval score of a document's two tracks, updated incrementally on every change.

    Parameters
    ----------
    document
        The document; the live score subscribes to its changes.
    setup
        Which tracks and settings.
    """

    updated = event(description="the score changed (an edit of a scored track, new settings)")
    configured = event(description="other tracks or settings are scored (after `updated`)")

    def __init__(self, document: Document, setup: ScoringSetup | None = None):
        self.document = document
        self.setup = setup or ScoringSetup()
        self._rebuild()
        document.changed.connect(self._changed, priority=5)

    def configure(self, setup: ScoringSetup) -> None:
        """Score other tracks or with other settings (rescores from scratch)."""
        self.setup = setup
        self._rebuild()
        self.updated.emit()
        self.configured.emit()

    @property
    def available(self) -> bool:
        """Whether both tracks exist."""
        return self._scorer is not None

    @property
    def score(self) -> DiarizationScore | None:
        """The current score, or None when a track is missing."""
        return self._scorer.score if self._scorer else None

    @property
    def mapping(self) -> dict[str, str]:
        """md-eval's current mapping, ``{reference speaker: system speaker}``."""
        return self._scorer.mapping if self._scorer else {}

    def errors(self, window: tuple[int, int] | None = None) -> ErrorRegions:
        """Missed, false-alarm and confused regions (all of them, or inside ``window``)."""
        if self._scorer is None:
            return error_regions(None, [])
        return self._scorer.errors(window)

    def _rebuild(self) -> None:
        setup = self.setup
        if setup.reference not in self.document or setup.hypothesis not in self.document:
            self._scorer = None
            return
        self._scorer = IncrementalScorer(
            self.document[setup.reference],
            self.document[setup.hypothesis],
            uem=self.document.uem,
            settings=setup.settings,
            exclusions=self.document.exclusions_of(setup.reference),
        )

    def _changed(self, change: Change) -> None:
        sides: dict[str, Literal["reference", "hypothesis"]] = {
            self.setup.reference: "reference",
            self.setup.hypothesis: "hypothesis",
        }
        if change.track not in sides:
            return
        if (
            self._scorer is None
            or self.setup.reference == self.setup.hypothesis
            or len(change.removed) + len(change.added) > _REBUILD_ABOVE
        ):
            self._rebuild()
        else:
            self._scorer.apply(sides[change.track], change.removed, change.added)
        self.updated.emit()


class LiveBreakdown:
    """The error breakdown (and JER) of a live score's two tracks, kept current.

    After every update of the live score the listeners are told; the breakdown and the JER
    are computed when first read after it, so nobody pays for what is not shown, and a
    burst of edits between two reads costs one count. The breakdown is recounted only
    around what changed (:class:`~reviewer.metrics.incremental_breakdown.IncrementalBreakdown`),
    bit for bit what :func:`~reviewer.metrics.breakdown.breakdown` gives from scratch.

    Parameters
    ----------
    live
        The live score whose tracks and settings it follows.
    tau, short
        The breakdown's settings (seconds): near-change radius and short-turn length.
    """

    updated = event(description="the breakdown is out of date (read it again)")

    def __init__(self, live: LiveScore, tau: float = 0.5, short: float = 1.0):
        self.live = live
        self.tau = tau
        self.short = short
        self._result: ErrorBreakdown | None = None
        self._jaccard: JaccardScore | None = None
        self._counter: tuple[tuple, IncrementalBreakdown] | None = None
        self._stale = True
        live.updated.connect(self._update, priority=5)

    def configure(self, tau: float, short: float) -> None:
        """Change the settings."""
        self.tau, self.short = tau, short
        self._update()

    @property
    def result(self):
        """The current :class:`~reviewer.metrics.breakdown.ErrorBreakdown`, or None."""
        self._refresh()
        return self._result

    @property
    def jaccard(self):
        """The current :class:`~reviewer.metrics.jer.JaccardScore`, or None."""
        if self._stale or self._jaccard is None:
            self._refresh()
            from reviewer.metrics.jer import jer

            if self.live.available:
                setup, document = self.live.setup, self.live.document
                self._jaccard = jer(
                    document[setup.reference], document[setup.hypothesis], uem=document.uem
                )
        return self._jaccard

    def _update(self) -> None:
        self._stale = True
        self._jaccard = None
        self.updated.emit()

    def _refresh(self) -> None:
        if not self._stale:
            return
        live = self.live
        setup, document = live.setup, live.document
        self._result = None
        if live.available:
            self._result = self._count().update(
                document[setup.reference].arrays, document[setup.hypothesis].arrays
            )
        self._stale = False

    def _count(self) -> IncrementalBreakdown:
        """The incremental count for the current settings (a new one when they changed)."""
        setup, document = self.live.setup, self.live.document
        exclusions = document.exclusions_of(setup.reference)
        key = (setup, document.uem, id(exclusions), self.tau, self.short)
        if self._counter is None or self._counter[0] != key:
            from reviewer.metrics.incremental_breakdown import IncrementalBreakdown

            counter = IncrementalBreakdown(
                uem=document.uem,
                settings=setup.settings,
                exclusions=exclusions,
                tau=self.tau,
                short=self.short,
            )
            self._counter = (key, counter)
        return self._counter[1]
