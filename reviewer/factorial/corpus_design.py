"""A factorial design from a corpus: its recordings' voices crossed with their structures."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from reviewer.corpus import PROJECT_SUFFIX, CorpusEntry, Project, discover, read_list
from reviewer.corpus.scoring import TrackCache
from reviewer.factorial.design import FactorialDesign, Structure, VoiceSource
from reviewer.factorial.synthesis import RemixSettings
from reviewer.io import FormatError


def corpus_entries(source: str | Path) -> list[CorpusEntry]:
    """The recordings of a corpus folder, list file or project file.

    Found as ``reviewer corpus`` finds them; a folder's own files are read (a project saved
    beside them is not needed).

    Raises
    ------
    FormatError
        If the source does not exist or a list or project file is malformed.
    """
    source = Path(source)
    if not source.exists():
        raise FormatError(source, None, "no such corpus folder, list or project file")
    if source.name.endswith(PROJECT_SUFFIX):
        return Project.load(source).entries
    return discover(source) if source.is_dir() else read_list(source)


def corpus_design(
    source: str | Path,
    voices: Collection[str] | None = None,
    structures: Collection[str] | None = None,
    voice_bank: str | Path | None = None,
    out: str | Path | None = None,
    remix: RemixSettings | None = None,
) -> FactorialDesign:
    """Every recording's voices crossed with every recording's structure (its reference).

    Parameters
    ----------
    source
        The corpus (:func:`corpus_entries`).
    voices, structures
        The recordings to take as voice sources and as structures (default: all; only
        recordings with audio and a reference can be voice sources).
    voice_bank
        Voice sets from single-speaker files, ``FOLDER/<set>/<speaker>.wav``, instead of the
        corpus's recordings (:func:`~reviewer.factorial.voice_bank.voice_sets`, which keeps
        their joined audio in ``out/voices``).
    remix
        How every cell is remixed (default :class:`RemixSettings`).

    Raises
    ------
    ValueError
        Naming recordings asked for that the corpus does not have.
    """
    entries = corpus_entries(source)
    known = {entry.uri for entry in entries}
    for wanted in (voices, structures):
        unknown = sorted(set(wanted or ()) - known)
        if unknown:
            raise ValueError(f"{source}: no recording {', '.join(unknown)} in the corpus")
    chosen_voices: list = []
    chosen_structures: list = []
    cache = TrackCache()  # one RTTM may hold every recording: read it once
    for entry in entries:
        track = cache.track(entry.reference, entry.uri)
        if track is None:
            continue
        if entry.audio is not None and (voices is None or entry.uri in voices):
            chosen_voices.append(VoiceSource(entry.uri, entry.audio, track))
        if structures is None or entry.uri in structures:
            chosen_structures.append(Structure(entry.uri, track))
    if voice_bank:
        from reviewer.factorial.voice_bank import voice_sets

        chosen_voices = list(voice_sets(voice_bank, Path(out or ".") / "voices"))
    return FactorialDesign(tuple(chosen_voices), tuple(chosen_structures), remix or RemixSettings())
