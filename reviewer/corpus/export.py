"""Exporting a corpus's corrections: every corrected track as RTTM, atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.corpus.project import Project, ProjectEntry
from reviewer.corpus.scoring import TrackCache
from reviewer.io.files import write_text_atomic
from reviewer.io.rttm import format_rttm
from reviewer.model.annotation import Track


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`export_corrections` wrote."""

    written: tuple[Path, ...]
    corrected: int
    from_system: int
    skipped: tuple[str, ...]


def export_corrections(
    project: Project,
    target: str | Path,
    *,
    one_file: bool = False,
    fallback: bool = True,
    statuses: tuple[str, ...] | None = None,
) -> ExportSummary:
    """Write every recording's corrected track as RTTM, atomically.

    Corrected tracks are written canonically (one line per stretch of a speaker, as the
    review window exports them); system outputs used as the fallback are written turn by
    turn, as they are.

    Parameters
    ----------
    target
        A folder (created; one ``<uri>.rttm`` per recording), or with ``one_file`` an RTTM
        file holding every recording.
    fallback
        Recordings without corrections get their system output (else they are skipped).
    statuses
        Only recordings with one of these review statuses (all by default).

    Raises
    ------
    FormatError
        If a system output cannot be read; nothing is written then.
    """
    target = Path(target)
    cache = TrackCache()
    tracks: dict[str, Track] = {}
    corrections: set[str] = set()
    corrected = from_system = 0
    skipped = []
    for entry in project.entries:
        record = project.review.get(entry.uri) or ProjectEntry()
        if statuses is not None and record.status not in statuses:
            skipped.append(entry.uri)
        elif record.corrected is not None:
            tracks[entry.uri] = record.corrected
            corrections.add(entry.uri)
            corrected += 1
        elif fallback and entry.system is not None:
            tracks[entry.uri] = cache.track(entry.system, entry.uri) or Track(uri=entry.uri)
            from_system += 1
        else:
            skipped.append(entry.uri)

    def text(uris) -> str:  # corrections canonical as the window exports them; system as is
        return "".join(
            format_rttm({uri: tracks[uri]}, canonical=uri in corrections) for uri in sorted(uris)
        )

    written: tuple[Path, ...]
    if one_file:
        write_text_atomic(target, text(tracks))
        written = (target,)
    else:
        target.mkdir(parents=True, exist_ok=True)
        written = tuple(target / f"{file_name(uri)}.rttm" for uri in tracks)
        for path, uri in zip(written, tracks, strict=True):
            write_text_atomic(path, text([uri]))
    return ExportSummary(written, corrected, from_system, tuple(skipped))


def file_name(uri: str) -> str:
    """A recording id as a file name: as is, unless it holds a path separator or is a dot."""
    if "/" in uri or "\\" in uri or "\0" in uri or uri in (".", ".."):
        from urllib.parse import quote

        return quote(uri, safe="")
    return uri
