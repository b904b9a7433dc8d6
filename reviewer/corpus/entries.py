"""Which recordings a corpus holds: discovery in a folder, list files, system outputs.

A corpus is a set of :class:`CorpusEntry` (a recording id and the paths of its audio,
reference, system output and UEM), found by matching file names to recording ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reviewer.io import FormatError, read_rttm, read_uem
from reviewer.io.audio import AUDIO_SUFFIXES
from reviewer.io.files import numbered_lines

REFERENCE_FOLDERS = ("ref", "reference", "references", "rttm", "ref-dev", "ref-test")
SYSTEM_FOLDERS = ("sys", "system", "hyp", "hypothesis", "systems")


@dataclass(frozen=True)
class CorpusEntry:
    """One recording of a corpus: its file id and the paths of what belongs to it."""

    uri: str
    audio: Path | None = None
    reference: Path | None = None
    system: Path | None = None
    uem: Path | None = None


def discover(folder: str | Path, system: str | Path | None = None) -> list[CorpusEntry]:
    """The recordings of a corpus folder, matched by recording id.

    The folder holds audio files (anywhere below it) and reference / system RTTM folders
    (``ref``, ``reference``, ``rttm`` ... and ``sys``, ``hyp``, ``system`` ...), one
    ``<uri>.rttm`` per recording or one RTTM for all; an optional ``uem`` folder or
    ``*.uem`` file. ``system`` overrides where the system output is.

    Raises
    ------
    FormatError
        If the folder does not exist or holds no reference.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FormatError(folder, None, "not a folder")
    reference = _first(folder, REFERENCE_FOLDERS)
    if reference is None:
        raise FormatError(folder, None, "no reference folder (ref/, reference/ or rttm/)")
    hypothesis = Path(system) if system else _first(folder, SYSTEM_FOLDERS)
    files = [p for p in sorted(folder.rglob("*")) if p.suffix.lower() in AUDIO_SUFFIXES]
    audio = {p.name.split(".")[0]: p for p in files}  # "uri.16k.flac"
    audio.update({p.stem: p for p in files})  # the whole stem first: "ES2004a.Mix-Headset.wav"
    return entries_from_files(reference, hypothesis, _first(folder, ("uem", "uems")), audio)


def entries_from_files(
    reference: str | Path,
    system: str | Path | None = None,
    uem: str | Path | None = None,
    audio: dict[str, Path] | None = None,
) -> list[CorpusEntry]:
    """The recordings of a reference folder (or RTTM file), matched by uri with the rest.

    Parameters
    ----------
    reference, system
        A folder of ``<uri>.rttm`` files or one RTTM file holding every recording.
    uem
        A folder of ``<uri>.uem`` files or one UEM file.
    audio
        ``{uri: audio file}``.

    Raises
    ------
    FormatError
        If a path does not exist or a file holding several recordings cannot be read.
    """
    reference = Path(reference)
    if not reference.exists():
        raise FormatError(reference, None, "no such reference folder or file")
    systems = system_files(system)
    uems = {}
    if uem is not None:
        if not Path(uem).exists():
            raise FormatError(uem, None, "no such UEM folder or file")
        uems = _uem_files(Path(uem))
    audio = audio or {}
    return [
        CorpusEntry(uri, audio.get(uri), path, systems.get(uri), uems.get(uri))
        for uri, path in sorted(_rttm_files(reference).items())
    ]


def system_files(system: str | Path | None) -> dict[str, Path]:
    """``{uri: RTTM file}`` of a system output folder or single RTTM file.

    Raises
    ------
    FormatError
        If it does not exist.
    """
    if system is None:
        return {}
    system = Path(system)
    if not system.exists():
        raise FormatError(system, None, "no such system output folder or file")
    return _rttm_files(system)


def read_list(path: str | Path) -> list[CorpusEntry]:
    """A list file: one recording per line, ``uri audio reference [system [uem]]``.

    Paths are relative to the list file; ``-`` stands for none; ``#`` starts a comment.

    Raises
    ------
    FormatError
        Naming the line of a malformed entry.
    """
    path = Path(path)
    entries = []
    for number, line in numbered_lines(path):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if not 3 <= len(fields) <= 5:
            raise FormatError(
                path,
                number,
                f"expected 'uri audio reference [system [uem]]', found {len(fields)} fields",
            )
        paths: list[Path | None] = [None if f == "-" else (path.parent / f) for f in fields[1:]]
        paths += [None] * (4 - len(paths))
        entries.append(CorpusEntry(fields[0], *paths))
    return entries


def _first(folder: Path, names: Iterable[str]) -> Path | None:
    for name in names:
        if (folder / name).exists():
            return folder / name
    return None


def _rttm_files(path: Path) -> dict[str, Path]:
    """``{uri: file}`` of an RTTM folder (or one RTTM file holding several recordings)."""
    if path.is_file():
        return dict.fromkeys(read_rttm(path), path)
    return {p.stem: p for p in sorted(path.glob("*.rttm"))}


def _uem_files(path: Path) -> dict[str, Path]:
    if path.is_file():
        return dict.fromkeys(read_uem(path), path)
    return {p.stem: p for p in sorted(path.glob("*.uem"))}
