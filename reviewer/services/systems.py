"""Diarization systems an experiment can run: pyannote pipelines and any command.

A system is named by one string, as ``--system`` takes it:

- a **command template** (any string holding ``{audio}`` and ``{rttm}``): the program is run
  with the audio file and the RTTM file it must write, e.g. ``"my-sys {audio} {rttm}"``
  (``{uri}`` is the recording's id). The template is split as a shell would split it, but no
  shell runs it; each placeholder fills one argument, so paths with spaces are safe;
- ``baseline`` or ``baseline:SUBSEGMENT`` is the **offline baseline**
  (:mod:`reviewer.services.baseline`: Silero VAD, Resemblyzer embeddings of subsegments,
  agglomerative clustering), which needs no network;
- anything else is a **pyannote.audio pipeline**, as ``reviewer diarize --pipeline`` takes it
  (a local folder holding ``config.yaml``, or a Hugging Face id).

Every system has an :attr:`identity` that changes when what it computes may change, so that
an experiment recomputes exactly the cells a new system version affects: a command template's
text *and the bytes of every existing file it names* (the script, a model file: editing
``mysys.py`` reruns its cells); a local pyannote pipeline's name and the bytes of every file
of its folder (``config.yaml``, checkpoints) and of every existing file its config names.
What a system does not name (a module its script imports, a Hugging Face model that changed
under the same id) cannot be seen: ``--rerun`` recomputes everything.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
from pathlib import Path
from typing import Protocol

from reviewer.model.annotation import Track


class SystemFailed(RuntimeError):
    """A system failed on one recording; the message says which and why.

    Attributes
    ----------
    log
        Everything the system wrote on stderr (the message holds its last lines only).
    """

    def __init__(self, message: str, log: str = ""):
        super().__init__(message)
        self.log = log

    def __reduce__(self):  # sent back from a Dask worker with its log
        return (type(self), (str(self), self.log))


def files_digest(paths) -> str:
    """SHA-256 over the names and bytes of the existing files among ``paths`` (hex, 16 digits).

    A path that is no existing file is skipped (a word of a command, an option).
    """
    from reviewer.factorial.design import file_digest

    parts = []
    for text in paths:
        path = Path(text).expanduser()
        try:
            if path.is_file():
                parts.append(f"{path.resolve()} {file_digest(path)}")
        except OSError:  # a word too long to be a path
            continue
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


class DiarizationSystem(Protocol):
    """What the experiment runner needs of a system."""

    @property
    def identity(self) -> str:
        """A string that changes whenever the system's output may change."""
        ...

    def diarize(self, audio: Path, uri: str, folder: Path) -> Track:
        """Who speaks when in ``audio``; ``folder`` may hold its files (the output RTTM)."""
        ...


class CommandSystem:
    """A program run as ``template`` with ``{audio}``, ``{rttm}`` and ``{uri}`` filled in.

    Raises
    ------
    ValueError
        If the template lacks ``{audio}`` or ``{rttm}``.
    """

    def __init__(self, template: str):
        if "{audio}" not in template or "{rttm}" not in template:
            raise ValueError(
                f"system command {template!r} must hold {{audio}} and {{rttm}}: where the "
                "audio is and where to write the RTTM"
            )
        self.template = template

    @property
    def identity(self) -> str:
        """``command:<template>:<digest>``, the digest of every existing file it names.

        A file is named by a word of its own or as an option's value (``--model=m.ckpt``).
        """
        words = [part for part in shlex.split(self.template) if "{" not in part]
        values = [word.split("=", 1)[1] for word in words if "=" in word]
        return f"command:{self.template}:{files_digest(words + values)}"

    def diarize(self, audio: Path, uri: str, folder: Path) -> Track:
        """Run the program and read the RTTM it wrote.

        Raises
        ------
        SystemFailed
            If it exits with an error or writes no (or a malformed) RTTM; the message has
            the end of its stderr.
        """
        from reviewer.io import FormatError, read_rttm

        rttm = folder / f"{uri}.rttm"
        rttm.unlink(missing_ok=True)
        fill = {"audio": str(audio), "rttm": str(rttm), "uri": uri}
        command = [part.format(**fill) for part in shlex.split(self.template)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            raise SystemFailed(
                f"{command[0]} failed on {audio.name} (exit {result.returncode}): {tail}",
                result.stderr,
            )
        if not rttm.exists():
            raise SystemFailed(f"{command[0]} wrote no {rttm.name} for {audio.name}")
        try:
            tracks = read_rttm(rttm)
        except FormatError as error:
            raise SystemFailed(f"{command[0]} wrote a malformed RTTM: {error}") from None
        return _the_recording(tracks, uri)


class PyannoteSystem:
    """A pyannote.audio speaker-diarization pipeline (see :mod:`reviewer.services.diarization`).

    As ``reviewer diarize`` runs it: loaded for each recording, on the in-memory waveform.
    """

    def __init__(self, pipeline: str):
        from reviewer.services.dependencies import require_diarize

        require_diarize()
        self.pipeline = pipeline

    @property
    def identity(self) -> str:
        """``pyannote:<pipeline>``, with the digest of a local pipeline's files.

        Those are every file of its folder (``config.yaml``, checkpoints beside it) and every
        existing file its config names (a checkpoint elsewhere); a Hugging Face id has none.
        """
        local = Path(self.pipeline).expanduser()
        config = local / "config.yaml" if local.is_dir() else local
        if not config.is_file():
            return f"pyannote:{self.pipeline}"
        files = sorted(str(p) for p in local.rglob("*") if p.is_file()) if local.is_dir() else []
        for word in re.findall(r"[\w./~-]+", config.read_text(errors="replace")):
            named = Path(word).expanduser()
            files.append(str(named if named.is_absolute() else config.parent / named))
        files.append(str(config))
        return f"pyannote:{self.pipeline}:{files_digest(files)}"

    def diarize(self, audio: Path, uri: str, folder: Path) -> Track:
        """Run the pipeline on ``audio``."""
        from reviewer.services.diarization import DiarizationRequest, diarize

        result = diarize(DiarizationRequest(audio=audio, pipeline=self.pipeline))
        return result.diarization.with_uri(uri)


class BaselineSystem:
    """The offline baseline (:mod:`reviewer.services.baseline`): ``baseline[:SUBSEGMENT]``."""

    def __init__(self, spec: str):
        from reviewer.services.baseline import BASELINE_FEATURE, BASELINE_MODULES, parse
        from reviewer.services.dependencies import require_diarize

        self.settings = parse(spec)
        require_diarize(BASELINE_FEATURE, BASELINE_MODULES)

    @property
    def identity(self) -> str:
        """The baseline's settings."""
        return self.settings.identity

    def diarize(self, audio: Path, uri: str, folder: Path) -> Track:
        """Run the baseline on ``audio``."""
        from reviewer.services.baseline import diarize_baseline

        return diarize_baseline(audio, self.settings, uri=uri)


def system_from_spec(spec: str) -> DiarizationSystem:
    """The system a ``--system`` string names (see the module's documentation).

    Raises
    ------
    ValueError
        For a command template without its placeholders, or a malformed baseline.
    MissingExtra
        (a ``ValueError``) For the baseline or a pyannote pipeline when the ``diarize`` extra
        is not installed: one sentence naming the command that installs it.
    """
    from reviewer.services.baseline import is_baseline

    if "{" in spec:
        return CommandSystem(spec)
    if is_baseline(spec):
        return BaselineSystem(spec)
    return PyannoteSystem(spec)


def _the_recording(tracks: dict[str, Track], uri: str) -> Track:
    if not tracks:
        return Track(uri=uri)  # the system found no speech
    for key, track in tracks.items():
        if track.uri == uri or key == uri:
            return track.with_uri(uri)
    if len(tracks) == 1:
        return next(iter(tracks.values())).with_uri(uri)
    raise SystemFailed(f"the system's RTTM holds {len(tracks)} recordings and none is {uri!r}")
