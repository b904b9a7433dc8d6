"""RTTM as a transcript: speaker turns are utterances without text, and back.

Reading and writing are :func:`reviewer.model.formats.read_rttm` and
:func:`~reviewer.model.formats.write_rttm`; this module only maps turns to utterances.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.model.annotation import Track, Turn
from reviewer.model.formats.rttm import read_rttm, write_rttm
from reviewer.model.formats.transcripts.common import pick_recording, token
from reviewer.model.transcript import Transcript, Utterance


def read_rttm_transcript(path: str | Path, uri: str | None = None) -> Transcript:
    """Read the turns of one recording of an RTTM file as utterances with empty text.

    Parameters
    ----------
    path
        The file (or a directory of ``*.rttm`` files).
    uri
        The file id to read when there are several recordings; by default the first one
        (with a warning if there are others).

    Raises
    ------
    FormatError
        As :func:`~reviewer.model.formats.read_rttm`.
    """
    path = Path(path)
    tracks = read_rttm(path)
    if not tracks and uri is None:
        return Transcript()
    uri, track = pick_recording(path, tracks, uri)
    return Transcript((Utterance(t.start, t.end, "", t.speaker) for t in track), uri=uri)


def transcript_track(transcript: Transcript, uri: str) -> Track:
    """The speaker turns of a transcript's utterances that have a speaker.

    Blanks inside speaker names and the file id become ``_``, as RTTM fields cannot hold
    them.
    """
    turns = [Turn(u.start, u.end, token(u.speaker)) for u in transcript if u.speaker]
    return Track(turns, uri=token(uri))


def write_rttm_transcript(path: str | Path, transcript: Transcript) -> None:
    """Write the utterances that have a speaker as RTTM turns, atomically.

    The file id is the transcript's ``uri``, or the file name without extension; texts,
    words and utterances without speaker are not written.
    """
    path = Path(path)
    track = transcript_track(transcript, transcript.uri or path.stem)
    write_rttm(path, [track])
