"""Open a recording for review: its audio, reference, system output and UEM."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.io import FormatError, read_uem
from reviewer.io.rttm import read_rttm_contents
from reviewer.metrics.pairing import lookup_uem
from reviewer.model.annotation import Track
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Document


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
    speaker_prefix: bool | None = None,
) -> Opened:
    """Build the document for one recording.

    The transcript, if given, may be in any format ``read_transcript`` knows;
    ``speaker_prefix`` says how its ``Name: text`` prefixes are read if it is SRT or WebVTT
    (True always, False never, None when the file uses them throughout).
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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opened = _load(audio, reference, system, uem, correct, transcript, uri, speaker_prefix)
    opened.notes[:0] = [str(warning.message) for warning in caught]
    return opened


def _load(audio, reference, system, uem, correct, transcript, uri, speaker_prefix) -> Opened:
    notes: list[str] = []
    known = uri is not None
    if uri is None and audio:
        uri = Path(audio).name.split(".")[0]
    tracks: dict[str, Track] = {}
    exclusions = None
    for name, path in ((REFERENCE, reference), (SYSTEM, system)):
        if path is None:
            continue
        contents = read_rttm_contents(path)
        found = contents.tracks
        if known and uri not in found:  # the corpus knows the id: no turns is no turns
            notes.append(f"{path} has no turns for {uri}")
            tracks[name] = Track(uri=uri)
            continue
        key, uri = _pick(found, uri, Path(path), notes)
        if key is not None and key in found:
            tracks[name] = found[key].with_uri(uri)
            if name == REFERENCE:
                exclusions = contents.exclusions.get(key)
        else:
            tracks[name] = Track(uri=uri)
    correct = correct or (SYSTEM if SYSTEM in tracks else REFERENCE)
    if correct in tracks:
        tracks[CORRECTED] = tracks[correct].with_uri(uri)
    else:  # audio only: annotate from scratch
        tracks[CORRECTED] = Track(uri=uri)
    regions = None
    if uem is not None:
        channel = tracks[REFERENCE].channel if REFERENCE in tracks else None
        regions = lookup_uem(read_uem(uem), uri or "", channel)
        if regions is None:
            notes.append(f"{uem} has no region for {uri}: scoring the reference's extent")
    words = None
    if transcript is not None:
        from reviewer.io.transcripts import read_transcript

        words = read_transcript(transcript, speaker_prefix=speaker_prefix)
        if words.uri and uri and words.uri != uri:
            notes.append(f"{transcript} is about {words.uri!r}, not {uri!r}: using it anyway")
    document = Document(
        uri or "recording",
        tracks,
        audio=Path(audio) if audio else None,
        uem=regions,
        transcript=words,
        exclusions=exclusions,
    )
    return Opened(document, notes)


def _pick(
    tracks: dict[str, Track], uri: str | None, path: Path, notes: list[str]
) -> tuple[str | None, str | None]:
    """The key of the recording to show, and its file id."""
    if not tracks:
        notes.append(f"{path} has no SPEAKER line")
        return None, uri
    if uri is None:
        key = next(iter(tracks))
        uri = tracks[key].uri or key
        others = len({track.uri for track in tracks.values()})
        if others > 1:
            notes.append(f"{path} holds {others} recordings; showing {uri}")
    elif uri in tracks:
        return uri, uri
    else:
        channels = [key for key, track in tracks.items() if track.uri == uri]
        if not channels:
            if len(tracks) == 1:
                ((other, _),) = tracks.items()
                notes.append(f"{path} is about {other!r}, not {uri!r}: using it anyway")
                return other, uri
            raise FormatError(
                path, None, f"no turns for recording {uri!r} (it has {', '.join(tracks)})"
            )
        key = channels[0]
    channels = [k for k, track in tracks.items() if track.uri == tracks[key].uri]
    if len(channels) > 1:
        notes.append(
            f"{path} holds {uri} in channels "
            f"{', '.join(tracks[k].channel for k in channels)}: showing channel "
            f"{tracks[key].channel} (md-eval scores each channel on its own)"
        )
    return key, uri
