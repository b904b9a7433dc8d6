"""Reviewing a corpus, without Qt: the project, its rows, background scoring and totals.

The corpus window (:class:`reviewer.ui.corpus_window.CorpusWindow`) presents a
:class:`CorpusReview` and dispatches to it. Scoring passes run as
:class:`~reviewer.services.jobs.Job` s (a ``concurrent.futures`` executor, cancelled through a
:class:`threading.Event` checked before each recording). Rows wait in a buffer for the UI
thread to take them (:meth:`CorpusReview.take_rows`); the callbacks given to
:class:`CorpusReview` say, *on the worker thread*, that rows are waiting (once, until they
are taken) and that a pass has ended: the window turns them into queued Qt signals. Taking
the rows in batches keeps the UI thread's share of the interpreter small while a pass runs.
Everything the reviewer changes (status, note, corrections, settings, the recording last
opened) is saved to the project file at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from reviewer.corpus import (
    STATUSES,
    CorpusEntry,
    CorpusTotals,
    ExportSummary,
    Project,
    RecordingRow,
    SystemComparison,
    TrackCache,
    compare_systems,
    corpus_totals,
    export_corrections,
    score_entries,
    score_entry,
    system_files,
)
from reviewer.metrics.numbers import format_percent, format_points, points
from reviewer.model.annotation import Track
from reviewer.model.scoring import ScoringSettings
from reviewer.services.jobs import Job

#: A pass's role: the table's rows, or system A / B of a comparison.
ROWS, SYSTEM_A, SYSTEM_B = "rows", "a", "b"


class ScoringPass:
    """One background pass of :func:`~reviewer.corpus.score_entries` over a corpus.

    Parameters
    ----------
    role
        :data:`ROWS`, :data:`SYSTEM_A` or :data:`SYSTEM_B`.
    on_row
        Called with ``(pass, row)`` after each recording, on the worker thread (or None).
    on_done
        Called with ``(pass,)`` once the pass has ended (all its rows reported first), on the
        worker thread (or at once on the caller's, if it had already ended).
    """

    def __init__(
        self,
        role: str,
        entries: list[CorpusEntry],
        project: Project | None,
        settings: ScoringSettings,
        on_row: Callable[[ScoringPass, RecordingRow], None] | None,
        on_done: Callable[[ScoringPass], None],
        system: Path | None = None,
    ) -> None:
        self.role = role
        self.total = len(entries)

        def report(_done: int, _total: int, row: RecordingRow) -> None:
            if on_row is not None:
                on_row(self, row)

        def work(stop) -> list[RecordingRow]:
            return score_entries(
                entries, project, settings, system=system, on_row=report, should_stop=stop.is_set
            )

        self.job: Job[list[RecordingRow]] = Job(work, name="corpus-scoring")
        self.job.start().add_done_callback(lambda _future: on_done(self))

    def cancel(self) -> None:
        """Stop after the recording being scored."""
        self.job.cancel()

    @property
    def done(self) -> bool:
        """Whether the pass has ended."""
        return self.job.done

    @property
    def rows(self) -> list[RecordingRow]:
        """Every row of a pass that ended well (empty otherwise)."""
        future = self.job.future
        if future is None or not future.done() or future.exception() is not None:
            return []
        return future.result()

    @property
    def error(self) -> BaseException | None:
        """What stopped a pass that failed, or None."""
        future = self.job.future
        return future.exception() if future is not None and future.done() else None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the pass ends (or ``timeout`` seconds); whether it ended."""
        return self.job.wait(timeout)


@dataclass(frozen=True)
class RowFilter:
    """Which rows the table shows: a part of the recording's name, and a review status."""

    text: str = ""
    status: str | None = None

    def accepts(self, uri: str, status: str) -> bool:
        """Whether a recording passes (the name matched whatever its case)."""
        if self.text and self.text.casefold() not in uri.casefold():
            return False
        return self.status is None or status == self.status


class CorpusReview:
    """A corpus being reviewed: its project, scored rows, filter, passes and comparison.

    Parameters
    ----------
    project, path
        The project and the file it is saved to after every change.
    on_rows
        Called (on a worker thread) when rows are waiting to be taken; not again until
        :meth:`take_rows` has taken them.
    on_done
        Called with a pass (on a worker thread) once it has ended, after its rows.
    """

    def __init__(
        self,
        project: Project,
        path: Path,
        on_rows: Callable[[], None],
        on_done: Callable[[ScoringPass], None],
    ) -> None:
        self.project, self.path = project, Path(path)
        self.rows: dict[str, RecordingRow] = {}
        self.filter = RowFilter()
        self.cache = TrackCache()  # the files rows are rescored from after an edit
        self.scoring: ScoringPass | None = None
        self.comparing: tuple[ScoringPass, ScoringPass] | None = None
        self._on_rows, self._on_done = on_rows, on_done
        self._pending: set[str] = set()
        self._waiting: list[tuple[ScoringPass, RecordingRow]] = []  # scored, not yet taken
        self._lock = threading.Lock()

    # --- scoring ----------------------------------------------------------------------------

    def rescore(self) -> ScoringPass:
        """Score every recording in the background (an earlier pass stops)."""
        if self.scoring is not None:
            self.scoring.cancel()
        project = self.project
        self.scoring = self._pass(ROWS, project, project.settings)
        return self.scoring

    def compare_with(self, other: Path) -> None:
        """Score a second system in the background, and the first again, to compare.

        Raises
        ------
        FormatError
            If ``other`` does not exist (nothing changes then).
        """
        system_files(other)
        self.project.other_system = Path(other)
        for run in self.comparing or ():
            run.cancel()  # an earlier comparison stops
        settings = self.project.settings
        self.comparing = (  # only their ends are reported: rows come with the comparison
            self._pass(SYSTEM_A, None, settings),
            self._pass(SYSTEM_B, None, settings, Path(other)),
        )

    def _pass(self, role: str, project, settings, system: Path | None = None) -> ScoringPass:
        entries = list(self.project.entries)
        on_row = self._arrived if role == ROWS else None
        return ScoringPass(role, entries, project, settings, on_row, self._on_done, system)

    def _arrived(self, run: ScoringPass, row: RecordingRow) -> None:
        """A pass scored a row (worker thread): keep it; say so if none was waiting."""
        with self._lock:
            self._waiting.append((run, row))
            first = len(self._waiting) == 1
        if first:
            self._on_rows()

    def take_rows(self) -> list[RecordingRow]:
        """The rows of the current pass scored since the last call, now in :attr:`rows`."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        rows = [row for run, row in waiting if run is self.scoring]
        self.rows.update((row.uri, row) for row in rows)
        return rows

    def comparison(self) -> SystemComparison | None:
        """Once both passes of the current comparison have ended: the comparison (once)."""
        if self.comparing is None or not all(run.done for run in self.comparing):
            return None
        first, second = self.comparing
        self.comparing = None
        return compare_systems(first.rows, second.rows)

    def change_settings(self, settings: ScoringSettings) -> bool:
        """Score with other settings (saved; rows and comparison scored again)."""
        if settings == self.project.settings:
            return False
        self.project.settings = settings
        self.rescore()
        if self.project.other_system is not None:
            self.compare_with(self.project.other_system)
        return True

    def passes(self) -> list[ScoringPass]:
        """The passes started and not replaced."""
        return [run for run in (self.scoring, *(self.comparing or ())) if run is not None]

    def stop(self, timeout: float | None = None) -> None:
        """Cancel every pass and wait for them to end."""
        for run in self.passes():
            run.cancel()
        for run in self.passes():
            run.wait(timeout)

    # --- review records ---------------------------------------------------------------------

    def status(self, uri: str) -> str:
        """A recording's review status."""
        record = self.project.review.get(uri)
        return record.status if record else STATUSES[0]

    def note(self, uri: str) -> str:
        """A recording's note ("" for none)."""
        record = self.project.review.get(uri)
        return record.note if record else ""

    def set_status(self, uri: str, status: str) -> None:
        """Set a recording's review status."""
        self.project.entry(uri).status = status
        self._restate(uri)

    def set_note(self, uri: str, note: str) -> bool:
        """Set a recording's note; whether it changed."""
        if self.project.entry(uri).note == note:
            return False
        self.project.entry(uri).note = note
        return True

    def _restate(self, uri: str) -> None:
        if uri in self.rows:
            self.rows[uri] = replace(self.rows[uri], status=self.status(uri))

    def opened(self, uri: str) -> None:
        """A recording was opened for review: it is in progress, and where to continue."""
        record = self.project.entry(uri)
        if record.status == STATUSES[0]:
            record.status = "in progress"
        self.project.current = uri
        self._restate(uri)

    def edited(self, uri: str) -> None:
        """A recording's corrections changed (kept by :meth:`keep_corrections`)."""
        self._pending.add(uri)

    def take_edited(self) -> set[str]:
        """The recordings edited since the last call."""
        pending, self._pending = self._pending, set()
        return pending

    def keep_corrections(self, corrected: Mapping[str, Track]) -> list[RecordingRow]:
        """Put corrected tracks in the project and score their rows again; the new rows."""
        rows = []
        for uri, track in corrected.items():
            record = self.project.entry(uri)
            record.corrected = track
            row = score_entry(
                self.project.find(uri), record, self.project.settings, cache=self.cache
            )
            self.rows[uri] = row
            rows.append(row)
        return rows

    def save(self) -> str | None:
        """Save the project; None, or what went wrong (for a status bar)."""
        try:
            self.project.save(self.path)
        except OSError as error:
            return f"could not save {self.path}: {error.strerror or error}"
        return None

    def export(self, target: Path, one_file: bool) -> ExportSummary:
        """Write every recording's corrections (or system output) as RTTM.

        Raises
        ------
        FormatError, OSError
            If a system output cannot be read or the target cannot be written.
        """
        return export_corrections(self.project, target, one_file=one_file)

    # --- totals -----------------------------------------------------------------------------

    def totals(self, uris: Iterable[str] | None = None) -> CorpusTotals:
        """Time-weighted totals of the rows scored (of ``uris`` only, when given)."""
        if uris is None:
            return corpus_totals(self.rows.values())
        return corpus_totals(self.rows[uri] for uri in uris if uri in self.rows)

    def summary(self, shown: list[str]) -> str:
        """The totals line(s) under the table: the corpus, then the rows shown if fewer."""
        text = describe_totals(self.totals(), "corpus", self.project.settings)
        if len([uri for uri in shown if uri in self.rows]) != len(self.rows):
            text += "<br>" + describe_totals(self.totals(shown), "shown", self.project.settings)
        return text


def describe_totals(totals: CorpusTotals, what: str, settings: ScoringSettings) -> str:
    """One paragraph (rich text) of corpus totals: DER, its parts, the settings, the review."""
    score = totals.score
    if score.der is None:
        return f"{totals.recordings} recordings, nothing scored"
    unscored = f" {totals.problems} could not be scored (see 'problem')." if totals.problems else ""

    def share(seconds: float) -> str:
        return format_points(points(seconds, score.scored))

    counts = totals.statuses
    return (
        f"<b>{what}: {totals.recordings} recordings, {totals.duration / 3600:.1f} h, "
        f"DER {format_percent(score.der)}</b> (missed {share(score.missed)}, false alarm "
        f"{share(score.false_alarm)}, confusion {share(score.confusion)}; structure "
        f"{format_points(totals.structure_points)} pts, speakers "
        f"{format_points(totals.speaker_points)} pts), time-weighted like md-eval, collar "
        f"{settings.collar:g} s each side{', overlap skipped' if settings.skip_overlap else ''}. "
        f"Reviewed: {counts['done']} done, {counts['in progress']} in progress, "
        f"{counts['skipped']} skipped.{unscored}"
    )
