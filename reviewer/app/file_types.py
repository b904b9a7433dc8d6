"""What to do with files opened from the file manager (``reviewer open-file``), without Qt.

:func:`kind_of` names a file's kind by its name; :func:`plan` decides, for the files of one
double-click or one selection, what reviewer does with them:

- a session (``*.reviewer.json``) opens as it was saved; a corpus project
  (``*.reviewer-project.json``) opens the corpus window;
- audio with its RTTMs opens at once (two RTTMs: the one whose name says ``ref`` is the
  reference; one RTTM: the reference if its name says so, else the system output);
- audio alone asks for its reference and system output (or none), with those found
  beside it filled in (:func:`annotations_beside`);
- an RTTM, a transcript or a UEM without audio asks for the audio, the one of the same
  name beside it chosen (:func:`audio_beside`); an RTTM's role is asked too, the system
  output by default;
- anything else is refused with a sentence saying what reviewer opens.

The dialogs are :mod:`reviewer.ui.open_file`'s.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewer.corpus.project import PROJECT_SUFFIX
from reviewer.io.audio import AUDIO_SUFFIXES
from reviewer.io.session import SESSION_SUFFIX
from reviewer.io.transcripts.registry import TRANSCRIPT_SUFFIXES


class Kind(enum.Enum):
    """What a file is, by its name."""

    AUDIO = "audio"
    RTTM = "RTTM"
    UEM = "UEM"
    SESSION = "session"
    PROJECT = "project"
    TRANSCRIPT = "transcript"
    UNKNOWN = "unknown"


class Action(enum.Enum):
    """What :func:`plan` decided."""

    OPEN = "open"
    """Open the recording's files as they are."""
    ASK_FILES = "ask files"
    """Audio without annotations: ask for the reference and system output, or none."""
    ASK_AUDIO = "ask audio"
    """Annotations without audio: ask for the audio (and an RTTM's role)."""
    SESSION = "session"
    PROJECT = "project"
    REFUSE = "refuse"


def kind_of(path: str | Path) -> Kind:
    """A file's kind by its name (case-insensitive); sessions and projects before JSON."""
    name = Path(path).name.lower()
    if name.endswith(SESSION_SUFFIX):
        return Kind.SESSION
    if name.endswith(PROJECT_SUFFIX):
        return Kind.PROJECT
    suffix = Path(name).suffix
    if suffix == ".rttm":
        return Kind.RTTM
    if suffix == ".uem":
        return Kind.UEM
    if suffix in AUDIO_SUFFIXES:
        return Kind.AUDIO
    if suffix in TRANSCRIPT_SUFFIXES:
        return Kind.TRANSCRIPT
    return Kind.UNKNOWN


@dataclass(frozen=True)
class FilePlan:
    """What to open, and what to ask first.

    Attributes
    ----------
    action
        The decision.
    audio, reference, system, uem, transcript
        The recording's files, as known (or guessed from neighbours, for the asking
        actions).
    session, project
        The session or project to open (their actions).
    rttm
        For :attr:`Action.ASK_AUDIO` from an RTTM: the RTTM whose role (system output or
        reference) is asked; it stands in :attr:`system` until the answer.
    start
        Where the audio question's file dialog starts: the guessed audio, or the folder of
        the file that was opened.
    problem
        For :attr:`Action.REFUSE`: why, in one sentence.
    """

    action: Action
    audio: Path | None = None
    reference: Path | None = None
    system: Path | None = None
    uem: Path | None = None
    transcript: Path | None = None
    session: Path | None = None
    project: Path | None = None
    rttm: Path | None = None
    start: Path | None = None
    problem: str = ""

    @property
    def about(self) -> Path | None:
        """The file the question is about: the RTTM, the transcript, the UEM or the audio."""
        return self.rttm or self.transcript or self.uem or self.audio


OPENS = (
    "audio, RTTM, UEM, a reviewer session (.reviewer.json) or project (.reviewer-project.json), "
    "or a transcript (" + ", ".join(TRANSCRIPT_SUFFIXES) + ")"
)
"""What reviewer opens, for a refusal."""


def plan(paths: Sequence[str | Path]) -> FilePlan:
    """Decide what to do with the files of one double-click or selection.

    Parameters
    ----------
    paths
        The files, as the file manager passes them (``%F``); order does not matter.

    Returns
    -------
    FilePlan
        See the module's description for the rules. Missing files are refused (a file
        manager passes existing ones; a stale recent-files entry may not).
    """
    files = [Path(p) for p in paths]
    if not files:
        return FilePlan(Action.REFUSE, problem="no file to open")
    missing = [f for f in files if not f.is_file()]
    if missing:
        return FilePlan(Action.REFUSE, problem=f"no such file: {missing[0]}")
    by_kind: dict[Kind, list[Path]] = {kind: [] for kind in Kind}
    for f in files:
        by_kind[kind_of(f)].append(f)
    if by_kind[Kind.SESSION]:
        return FilePlan(Action.SESSION, session=by_kind[Kind.SESSION][0])
    if by_kind[Kind.PROJECT]:
        return FilePlan(Action.PROJECT, project=by_kind[Kind.PROJECT][0])
    audio = _first(by_kind[Kind.AUDIO])
    uem = _first(by_kind[Kind.UEM])
    transcript = _first(by_kind[Kind.TRANSCRIPT])
    rttms = sorted(by_kind[Kind.RTTM], key=lambda p: (not _says_reference(p), p.name))
    if audio is None and not (rttms or uem or transcript):
        unknown = by_kind[Kind.UNKNOWN][0]
        return FilePlan(
            Action.REFUSE, problem=f"reviewer does not open {unknown.name}: it opens {OPENS}"
        )
    if audio is not None and (rttms or transcript):
        reference, system = _roles(rttms)
        return FilePlan(Action.OPEN, audio, reference, system, uem, transcript)
    if audio is not None:
        reference, system = annotations_beside(audio)
        return FilePlan(Action.ASK_FILES, audio, reference, system, uem, start=audio)
    about = rttms[0] if rttms else transcript or uem
    assert about is not None
    guess = audio_beside(about)
    if len(rttms) == 1:
        return FilePlan(
            Action.ASK_AUDIO,
            guess,
            system=rttms[0],
            uem=uem,
            transcript=transcript,
            rttm=rttms[0],
            start=guess or about.parent,
        )
    reference, system = _roles(rttms)
    return FilePlan(
        Action.ASK_AUDIO, guess, reference, system, uem, transcript, start=guess or about.parent
    )


def _first(paths: list[Path]) -> Path | None:
    return paths[0] if paths else None


def _says_reference(path: Path) -> bool:
    return "ref" in path.name.lower() or path.parent.name.lower() in ("ref", "reference")


def _roles(rttms: list[Path]) -> tuple[Path | None, Path | None]:
    """(reference, system) of RTTMs sorted reference first.

    One RTTM is the system output, unless its name or folder says reference.
    """
    if len(rttms) >= 2:
        return rttms[0], rttms[1]
    if rttms and _says_reference(rttms[0]):
        return rttms[0], None
    return None, rttms[0] if rttms else None


def _stems(path: Path) -> list[str]:
    """``a.b.rttm`` -> ``["a.b", "a"]``: the name less its extensions, longest first."""
    parts = path.name.split(".")[:-1]
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _near(path: Path) -> list[Path]:
    """The folders to look in: the file's own, then its parent's (a corpus's ``ref/``)."""
    folders = [path.parent]
    if path.parent.parent != path.parent:
        folders.append(path.parent.parent)
    return folders


def audio_beside(path: str | Path) -> Path | None:
    """The audio of the same name beside an annotation file, or in the folder above it.

    ``talk.rttm`` and ``talk.system.rttm`` find ``talk.wav`` (any of
    :data:`AUDIO_SUFFIXES`, in any case); ``corpus/ref/talk.rttm`` finds ``corpus/talk.flac``.
    """
    path = Path(path)
    for stem in _stems(path):
        for folder in _near(path):
            found = _named(folder, stem, AUDIO_SUFFIXES)
            if found is not None:
                return found
    return None


def annotations_beside(audio: str | Path) -> tuple[Path | None, Path | None]:
    """The reference and system RTTMs of an audio file, where a corpus keeps them.

    ``ref/<stem>.rttm`` (or ``reference/``) and ``sys/<stem>.rttm`` (or ``system/``, ``hyp/``),
    beside the audio or one folder up; beside it, ``<stem>.ref.rttm`` (``.reference``) and
    ``<stem>.sys.rttm`` (``.system``, ``.hyp``). A plain ``<stem>.rttm`` beside the audio is
    the reference when a system output was found, else the system output (the default role).
    """
    audio = Path(audio)
    stem = audio.stem
    reference = system = None
    for folder in _near(audio):
        reference = reference or _first_named(folder, _REFERENCE_NAMES, stem)
        system = system or _first_named(folder, _SYSTEM_NAMES, stem)
    reference = reference or _named(
        audio.parent, stem, tuple(f".{name}.rttm" for name in _REFERENCE_NAMES)
    )
    system = system or _named(audio.parent, stem, tuple(f".{name}.rttm" for name in _SYSTEM_NAMES))
    plain = _named(audio.parent, stem, (".rttm",))
    if system is None:
        system = plain
    elif reference is None:
        reference = plain
    return reference, system


_REFERENCE_NAMES = ("ref", "reference")
_SYSTEM_NAMES = ("sys", "system", "hyp")


def _first_named(folder: Path, subfolders: Iterable[str], stem: str) -> Path | None:
    for sub in subfolders:
        found = _named(folder / sub, stem, (".rttm",))
        if found is not None:
            return found
    return None


def _named(folder: Path, stem: str, suffixes: Sequence[str]) -> Path | None:
    """The file ``folder/<stem><suffix>`` for the first suffix that exists (any case)."""
    try:
        names = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError:
        return None
    for suffix in suffixes:
        found = names.get((stem + suffix).lower())
        if found is not None:
            return found
    return None
