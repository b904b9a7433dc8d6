"""Diarizing every recording of a corpus on Dask, resumably (``reviewer corpus --diarize``).

Each recording with audio is one task on the same runner as the factorial experiment
(:func:`~reviewer.services.keyed_tasks.run_keyed`): its worker runs the system (any
:func:`~reviewer.services.systems.system_from_spec` string: a pyannote pipeline, a command
template, ``baseline[:S]``) and sends the RTTM text back; the client writes it to
``OUT/<uri>.rttm`` the moment it arrives, then its record to ``OUT/.reviewer/<uri>.json``
holding the key of its inputs (the audio's bytes, the system's identity, the uri). A
recording whose record holds the same key is not diarized again, so a rerun resumes and a
new system version (or new audio) reruns exactly what it changes.

Workers read the audio from the corpus's paths, so they must see them (a local cluster
does; a remote one needs the corpus at the same path).
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewer.corpus.entries import CorpusEntry
from reviewer.factorial.design import file_digest
from reviewer.io.files import write_text_atomic
from reviewer.io.rttm import format_rttm
from reviewer.services.keyed_tasks import Failure, Progress, Records, run_keyed

RECORDS = ".reviewer"
"""The subfolder of the output folder holding one record per diarized recording."""


@dataclass(frozen=True)
class RecordingTask:
    """What a worker needs to diarize one recording (picklable)."""

    uri: str
    audio: Path
    system: str
    key: str


@dataclass(frozen=True)
class RecordingResult:
    """What a worker sends back: the system's output as RTTM text, and how long it took."""

    uri: str
    key: str
    rttm: str
    seconds: float


def diarize_recording(task: RecordingTask) -> RecordingResult:
    """Run the system on one recording (on a Dask worker, or anywhere).

    Raises
    ------
    SystemFailed
        If the system fails on it.
    """
    from reviewer.services.systems import system_from_spec

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reviewer-diarize-") as folder:
        track = system_from_spec(task.system).diarize(task.audio, task.uri, Path(folder))
    text = format_rttm([track.with_uri(task.uri)])
    return RecordingResult(task.uri, task.key, text, time.perf_counter() - started)


class CorpusDiarization:
    """A system's outputs for a corpus's recordings, kept in a folder.

    Parameters
    ----------
    entries
        The corpus's recordings; those without audio are listed in :attr:`skipped`.
    system
        The system, as :func:`~reviewer.services.systems.system_from_spec` takes it.
    out
        The folder of ``<uri>.rttm`` outputs (created when the first one arrives).

    Raises
    ------
    ValueError
        For a system string that names no system.
    """

    def __init__(self, entries: Sequence[CorpusEntry], system: str, out: str | Path):
        from reviewer.services.systems import system_from_spec

        self.out = Path(out)
        self.system = system
        identity = system_from_spec(system).identity
        self.skipped = [entry.uri for entry in entries if entry.audio is None]
        self.tasks = [
            RecordingTask(entry.uri, entry.audio, system, _key(entry, identity))
            for entry in entries
            if entry.audio is not None
        ]
        self.records = Records(self.out / RECORDS)
        self.failures: list[Failure] = []

    def finished(self) -> set[str]:
        """The recordings already diarized with the current inputs (and whose RTTM is there)."""
        return {
            task.uri
            for task in self.tasks
            if self.records.get(task.uri, task.key) is not None and self.output(task.uri).exists()
        }

    def pending(self) -> list[RecordingTask]:
        """The recordings still to diarize."""
        done = self.finished()
        return [task for task in self.tasks if task.uri not in done]

    def failure_log(self, uri: str) -> Path:
        """Where the log of a recording the system failed on is kept."""
        return self.out / RECORDS / f"{uri}.log"

    def output(self, uri: str) -> Path:
        """Where a recording's system output is written."""
        return self.out / f"{uri}.rttm"

    def run(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
        rerun: bool = False,
        on_failure: Callable[[Failure], None] | None = None,
    ) -> dict[str, Path]:
        """Diarize every pending recording on Dask, writing each output as it arrives.

        Parameters are those of :func:`~reviewer.services.keyed_tasks.run_keyed`; with
        ``rerun`` every recording is diarized again. A recording whose system fails is
        reported to ``on_failure`` (its whole stderr kept in ``OUT/.reviewer/<uri>.log``),
        left unrecorded so that a rerun retries it, and listed in :attr:`failures`; the
        others go on.

        Returns
        -------
        dict
            ``{uri: RTTM file}`` of every recording diarized (in this run or before).
        """

        def keep(result: RecordingResult) -> str:
            self.out.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.output(result.uri), result.rttm)
            self.records.put(result.uri, result.key, seconds=result.seconds)
            self.failure_log(result.uri).unlink(missing_ok=True)
            return result.uri

        def failed(failure: Failure) -> None:
            log = self.failure_log(failure.payload.uri)
            log.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(log, f"{failure.message}\n{getattr(failure.error, 'log', '')}\n")
            if on_failure is not None:
                on_failure(failure)

        pending = self.tasks if rerun else self.pending()
        self.failures = run_keyed(
            [(f"diarize-{task.key}", task) for task in pending],
            diarize_recording,
            keep,
            len(self.tasks),
            scheduler,
            workers,
            on_progress,
            stop,
            failed,
        )
        done = self.finished()
        return {task.uri: self.output(task.uri) for task in self.tasks if task.uri in done}


def _key(entry: CorpusEntry, identity: str) -> str:
    """The identity of a recording's diarization: its audio's bytes, the system, its uri."""
    assert entry.audio is not None
    text = "\n".join((file_digest(Path(entry.audio)), identity, entry.uri))
    return hashlib.sha256(text.encode()).hexdigest()
