"""Open a recording for review: its audio, reference, system output and UEM."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewer.model.annotation import Track
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Document
from reviewer.model.formats import FormatError, read_rttm, read_uem


@dataclass
class Opened:
    """A document ready for review, and what the user should be told about it."""

    document: Document
    notes: list[str] = field(default_factory=list)


def load_document(
    audio: Path | None = None,
    reference: Path | None = None,
    system: Path | None = None,
    uem: Path | None = None,
    correct: str | None = None,
    transcript: Path | None = None,
    uri: str | None = None,
) -> Opened:
    """Build the document for one recording.

    The transcript, if given, may be in any format ``read_transcript`` knows.
    The recording's file id is ``uri`` if given (a corpus knows it), else the audio file's
    name without extension; an RTTM holding several recordings contributes the one with
    that id (or its only one). The corrected track starts as a copy of ``correct``
    (``"system"`` by default when there is one, else ``"reference"``; empty when that track
    is missing).

    Raises
    ------
    FormatError
        For malformed files, or an RTTM without the recording.
    """
    if audio is None and reference is None and system is None:
        raise ValueError("nothing to open: give audio, a reference or a system output")
    notes: list[str] = []
    known = uri is not None
    if uri is None and audio:
        uri = Path(audio).name.split(".")[0]
    tracks: dict[str, Track] = {}
    for name, path in ((REFERENCE, reference), (SYSTEM, system)):
        if path is None:
            continue
        found = read_rttm(path)
        if known and uri not in found:  # the corpus knows the id: no turns is no turns
            notes.append(f"{path} has no turns for {uri}")
            tracks[name] = Track(uri=uri)
            continue
        track, uri = _pick(found, uri, Path(path), notes)
        tracks[name] = track
    correct = correct or (SYSTEM if SYSTEM in tracks else REFERENCE)
    if correct in tracks:
        tracks[CORRECTED] = Track(tracks[correct].turns, uri=uri)
    else:  # audio only: annotate from scratch
        tracks[CORRECTED] = Track(uri=uri)
    regions = None
    if uem is not None:
        regions = read_uem(uem).get(uri or "")
        if regions is None:
            notes.append(f"{uem} has no region for {uri}: scoring the reference's extent")
    words = None
    if transcript is not None:
        import warnings

        from reviewer.model.formats.transcripts import read_transcript

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            words = read_transcript(transcript)
        notes.extend(str(warning.message) for warning in caught)
        if words.uri and uri and words.uri != uri:
            notes.append(f"{transcript} is about {words.uri!r}, not {uri!r}: using it anyway")
    document = Document(
        uri or "recording",
        tracks,
        audio=Path(audio) if audio else None,
        uem=regions,
        transcript=words,
    )
    return Opened(document, notes)


def _pick(tracks: dict[str, Track], uri: str | None, path: Path, notes: list[str]):
    if not tracks:
        notes.append(f"{path} has no SPEAKER line")
        return Track(uri=uri), uri
    if uri is None:
        uri = next(iter(tracks))
        if len(tracks) > 1:
            notes.append(f"{path} holds {len(tracks)} recordings; showing {uri}")
        return tracks[uri], uri
    if uri in tracks:
        return tracks[uri], uri
    if len(tracks) == 1:
        ((other, track),) = tracks.items()
        notes.append(f"{path} is about {other!r}, not {uri!r}: using it anyway")
        return track.with_uri(uri), uri
    raise FormatError(path, None, f"no turns for recording {uri!r} (it has {', '.join(tracks)})")
