"""Running a factorial experiment: every cell remixed, diarized and scored, on Dask.

Each cell is one independent task on ``dask.distributed``: with no scheduler address an
in-process ``LocalCluster`` (worker processes on this machine, one thread each), otherwise the
user's own cluster (``dask scheduler`` / ``dask worker``). A task makes the remix in a
temporary folder on its worker, runs the system on it, scores it with reviewer's md-eval
engine and sends everything back, so workers need no shared file system; the client writes
each result into the experiment folder the moment it arrives::

    EXP/design.json             the design (sources, settings, system)
    EXP/cells.csv               one row per finished cell (rewritten atomically on each)
    EXP/cells/<cell>.json       the cell's row and the key of its inputs
    EXP/remixes/<cell>.wav      the remix, .rttm its reference, .uem its scored extent (all of
                                it), .json where every piece came from
    EXP/systems/<cell>.rttm     the system's output
    EXP/structures/<name>.rttm  every structure (the analysis computes their covariates)

    EXP/failed/<cell>.log       a cell whose system failed: the one-line message, then the
                                system's whole stderr (removed when the cell succeeds)

An experiment folder is one experiment: a run into a folder holding another design (another
system, scoring or remix settings, or voice sources or structures left out) is refused with
:class:`DesignConflict`, unless ``replace`` removes the old one; a run that *adds* voice
sources or structures to the same system and settings extends it, every finished cell kept.

A cell whose ``cells/<cell>.json`` holds the same key (same audio bytes, references, remix,
system and scoring settings) is never computed again, so killing a run loses at most the
cells in flight, and changing one input recomputes exactly the cells it affects (``rerun``
recomputes every cell). A cell whose system fails is reported and left unrecorded, so the
next run retries it; the others go on.

The remix is scored over its whole length (a UEM from 0 to its end), so false alarms in its
pauses count.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from reviewer.factorial.cells_file import CellRow, write_cells
from reviewer.factorial.design import DesignCell, FactorialDesign, cell_key, file_digest
from reviewer.factorial.synthesis import RemixSettings, make_remix
from reviewer.io.files import write_bytes_atomic, write_text_atomic
from reviewer.io.rttm import format_rttm, write_rttm
from reviewer.io.uem import format_uem
from reviewer.model.annotation import Span, Track
from reviewer.model.scoring import ScoringSettings
from reviewer.model.time import frames_to_ticks
from reviewer.services.keyed_tasks import Failure, Progress, Records, run_keyed

__all__ = [
    "CellResult",
    "CellTask",
    "DesignConflict",
    "Experiment",
    "Progress",
    "compute_cell",
    "design_difference",
]

_KEPT = ("cells", "remixes", "systems", "structures", "failed", "cells.csv", "design.json")
"""What an experiment keeps in its folder (what ``replace`` removes)."""


class DesignConflict(ValueError):
    """The experiment folder holds an experiment of another design; the message says how.

    Attributes
    ----------
    what
        What the folder holds, without the command line's advice (for a window to phrase
        its own).
    """

    def __init__(self, what: str):
        super().__init__(
            f"{what}: choose another folder, or --replace to remove its cells, remixes and "
            "system outputs"
        )
        self.what = what


def design_difference(old: dict, new: dict) -> str | None:
    """How the design ``new`` differs from ``old`` (both as ``design.json`` holds them).

    Returns
    -------
    str or None
        None when ``new`` is ``old`` or extends it (the same system, scoring and remix
        settings; every voice source and structure of ``old`` still in it), else what differs
        in a few words.
    """
    for field, what in (("system", "system"), ("scoring", "scoring"), ("remix", "remix settings")):
        if old.get(field) != new.get(field) and field in old:
            return f"{what} {json.dumps(old.get(field))}, not {json.dumps(new.get(field))}"
    for field, what in (("voices", "voice sources"), ("structures", "structures")):
        before = [level["name"] for level in old.get(field, [])]
        after = {level["name"] for level in new.get(field, [])}
        left_out = [name for name in before if name not in after]
        if left_out:
            return f"{what} {', '.join(left_out)} as well"
    return None


@dataclass(frozen=True)
class CellTask:
    """Everything a worker needs to compute one cell (picklable)."""

    cell: DesignCell
    voice_audio: Path
    voices: Track
    structure: Track
    remix: RemixSettings
    system: str
    scoring: ScoringSettings
    key: str


@dataclass(frozen=True)
class CellResult:
    """What a worker sends back: the row, and the files the client keeps."""

    row: CellRow
    key: str
    remix_wav: bytes
    remix_rttm: str
    remix_uem: str
    provenance: dict
    system_rttm: str
    seconds: float


def compute_cell(task: CellTask) -> CellResult:
    """Remix, diarize and score one cell (runs on a Dask worker, or anywhere).

    Raises
    ------
    ValueError, AudioError
        If the remix cannot be made.
    SystemFailed
        If the system fails on the remix.
    """
    import soundfile as sf

    from reviewer.metrics import score
    from reviewer.metrics.breakdown import breakdown
    from reviewer.services.systems import system_from_spec

    started = time.perf_counter()
    name = task.cell.name
    remix = make_remix(task.voice_audio, task.voices, task.structure, None, task.remix, uri=name)
    with tempfile.TemporaryDirectory(prefix="reviewer-cell-") as folder:
        audio = Path(folder) / f"{name}.wav"
        sf.write(audio, remix.samples, remix.sample_rate, subtype="PCM_16")
        wav = audio.read_bytes()
        hypothesis = system_from_spec(task.system).diarize(audio, name, Path(folder))
    extent = Span(0, frames_to_ticks(len(remix.samples), remix.sample_rate))
    result = score(remix.reference, hypothesis, uem=[extent], settings=task.scoring)
    classes = breakdown(remix.reference, hypothesis, uem=[extent], settings=task.scoring).classes
    row = CellRow(
        voices=task.cell.voices,
        structure=task.cell.structure,
        scored=result.scored,
        missed=result.missed,
        false_alarm=result.false_alarm,
        confusion=result.confusion,
        der=result.der if result.der is not None else 0.0,
        extra={
            "diagonal": "1" if task.cell.diagonal else "0",
            **{f"{name}_error": repr(float(errors.error)) for name, errors in classes.items()},
        },
    )
    return CellResult(
        row=row,
        key=task.key,
        remix_wav=wav,
        remix_rttm=format_rttm([remix.reference]),
        remix_uem=format_uem({name: (extent,)}),
        provenance=remix.provenance,
        system_rttm=format_rttm([hypothesis]),
        seconds=time.perf_counter() - started,
    )


class Experiment:
    """A factorial experiment kept in a folder: its design, system and results.

    Parameters
    ----------
    folder
        The experiment folder (created if needed).
    design
        The voices, structures and remix settings.
    system
        The ``--system`` string (:func:`~reviewer.services.systems.system_from_spec`).
    scoring
        md-eval's collar (seconds each side) and skip-overlap.
    """

    def __init__(
        self,
        folder: str | Path,
        design: FactorialDesign,
        system: str,
        scoring: ScoringSettings | None = None,
    ):
        self.folder = Path(folder)
        self.design = design
        self.system = system
        self.scoring = scoring or ScoringSettings()
        self.failures: list[Failure] = []
        digests = {v.name: file_digest(v.audio) for v in design.voices}
        from reviewer.services.systems import system_from_spec

        identity = system_from_spec(system).identity
        self.tasks = [
            CellTask(
                cell,
                design.voice(cell.voices).audio,
                design.voice(cell.voices).reference,
                design.structure(cell.structure).reference,
                design.remix,
                system,
                self.scoring,
                cell_key(
                    digests[cell.voices],
                    design.voice(cell.voices).reference,
                    design.structure(cell.structure).reference,
                    design.remix,
                    identity,
                    self.scoring.collar,
                    self.scoring.skip_overlap,
                ),
            )
            for cell in design.cells()
        ]

    def finished(self) -> dict[str, CellRow]:
        """The cells already computed with the current inputs, ``{cell name: row}``."""
        records = Records(self.folder / "cells")
        rows = {}
        for task in self.tasks:
            record = records.get(task.cell.name, task.key)
            if record is not None:
                rows[task.cell.name] = CellRow(**record["row"])
        return rows

    def pending(self) -> list[CellTask]:
        """The cells still to compute."""
        done = self.finished()
        return [task for task in self.tasks if task.cell.name not in done]

    def check_folder(self) -> None:
        """Refuse a folder that holds an experiment of another design.

        Raises
        ------
        DesignConflict
            Naming what differs, and suggesting another folder or ``--replace``.
        """
        try:
            old = json.loads((self.folder / "design.json").read_text())
        except (FileNotFoundError, ValueError):
            return
        difference = design_difference(old, json.loads(json.dumps(self._design())))
        if difference is not None:
            cells = len(list((self.folder / "cells").glob("*.json")))
            raise DesignConflict(
                f"{self.folder} holds another experiment ({difference}; {cells} cells)"
            )

    def replace(self) -> list[Path]:
        """Remove the experiment this folder holds (its design, cells, remixes, outputs).

        Returns the files and folders removed.
        """
        removed = []
        for name in _KEPT:
            path = self.folder / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            else:
                continue
            removed.append(path)
        return removed

    def run(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
        rerun: bool = False,
        on_failure: Callable[[Failure], None] | None = None,
    ) -> list[CellRow]:
        """Compute every pending cell on Dask; results are written as they arrive.

        Parameters
        ----------
        scheduler
            A Dask scheduler's address (``tcp://host:8786``); None starts a ``LocalCluster``.
        workers
            Worker processes of the local cluster (default: Dask's choice for this machine).
        on_progress
            Called after each finished cell (and once at the start).
        stop
            When set, no further cell is started; the cells in flight are abandoned.
        rerun
            Compute every cell again, even those finished with the same inputs.
        on_failure
            Called with each cell that failed (its log is in ``failed/<cell>.log``); the
            others go on, and :attr:`failures` lists them all at the end.

        Returns
        -------
        list of CellRow
            Every finished cell, in design order (the failed ones are not).

        Raises
        ------
        DesignConflict
            If the folder holds an experiment of another design (:meth:`check_folder`).
        """
        self.check_folder()
        self._write_design()
        finished = {} if rerun else self.finished()
        pending = [task for task in self.tasks if task.cell.name not in finished]
        if not rerun:
            self._write_table(finished)
        self.failures = []

        def keep(result: CellResult) -> str:
            self._keep(result)
            finished[result.row.voices + "__" + result.row.structure] = result.row
            self._write_table(finished)
            return f"{result.row.voices} x {result.row.structure}"

        def failed(failure: Failure) -> None:
            self._keep_failure(failure)
            if on_failure is not None:
                on_failure(failure)

        self.failures = run_keyed(
            [(f"cell-{task.key}", task) for task in pending],
            compute_cell,
            keep,
            len(self.tasks),
            scheduler,
            workers,
            on_progress,
            stop,
            failed,
        )
        return self._rows(finished)

    def failure_log(self, name: str) -> Path:
        """Where the log of a failed cell is kept: ``failed/<cell>.log``."""
        return self.folder / "failed" / f"{name}.log"

    def _keep_failure(self, failure: Failure) -> None:
        log = getattr(failure.error, "log", "")
        path = self.failure_log(failure.payload.cell.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, failure.message + "\n" + (log or "") + "\n")

    def _keep(self, result: CellResult) -> None:
        name = f"{result.row.voices}__{result.row.structure}"
        for sub in ("cells", "remixes", "systems"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(self.folder / "remixes" / f"{name}.wav", result.remix_wav)
        write_text_atomic(self.folder / "remixes" / f"{name}.rttm", result.remix_rttm)
        write_text_atomic(self.folder / "remixes" / f"{name}.uem", result.remix_uem)
        write_text_atomic(
            self.folder / "remixes" / f"{name}.json", json.dumps(result.provenance, indent=1)
        )
        write_text_atomic(self.folder / "systems" / f"{name}.rttm", result.system_rttm)
        records = Records(self.folder / "cells")
        records.put(name, result.key, seconds=result.seconds, row=asdict(result.row))
        self.failure_log(name).unlink(missing_ok=True)

    def _rows(self, finished: dict[str, CellRow]) -> list[CellRow]:
        return [finished[t.cell.name] for t in self.tasks if t.cell.name in finished]

    def _write_table(self, finished: dict[str, CellRow]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        rows = self._rows(finished)
        if rows:
            write_cells(self.folder / "cells.csv", rows)

    def _write_design(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        design = self._design()
        write_text_atomic(self.folder / "design.json", json.dumps(design, indent=1) + "\n")
        (self.folder / "structures").mkdir(exist_ok=True)
        for structure in self.design.structures:  # the analysis computes their covariates
            write_rttm(
                self.folder / "structures" / f"{structure.name}.rttm",
                [structure.reference.with_uri(structure.name)],
            )

    def _design(self) -> dict:
        """What ``design.json`` holds."""
        return {
            "system": self.system,
            "scoring": {
                "collar": float(self.scoring.collar),
                "skip_overlap": self.scoring.skip_overlap,
            },
            "remix": asdict(self.design.remix),
            "voices": [
                {"name": v.name, "audio": str(v.audio), "speakers": list(v.reference.labels)}
                for v in self.design.voices
            ],
            "structures": [
                {"name": s.name, "turns": len(s.reference), "speakers": list(s.reference.labels)}
                for s in self.design.structures
            ],
            "cells": [task.cell.name for task in self.tasks],
            "skipped": [
                {"cell": cell.name, "reason": reason} for cell, reason in self.design.skipped()
            ],
        }
