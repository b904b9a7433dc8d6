"""RTTM as a transcript: speaker turns are utterances without text, and back.

Reading and writing are :func:`reviewer.io.read_rttm` and
:func:`~reviewer.io.write_rttm`; this module only maps turns to utterances. RTTM
holds speaker turns only: written, a transcript loses its texts and word times and its
utterances without speaker, and a speaker name with blanks (which would split its field) is
written changed, never merged with another; each is reported.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.io.rttm import read_rttm, write_rttm
from reviewer.io.transcripts.common import (
    Losses,
    Written,
    empty_warning,
    pick_recording,
    plural,
    speaker_names,
    token,
)
from reviewer.model.annotation import Track, Turn
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

    Warns
    -----
    FormatWarning
        As :func:`~reviewer.io.read_rttm`, and when the file holds no turn.

    Raises
    ------
    FormatError
        As :func:`~reviewer.io.read_rttm`.
    """
    path = Path(path)
    tracks = read_rttm(path)
    if not tracks and uri is None:
        return empty_warning(path, Transcript())
    uri, track = pick_recording(path, tracks, uri)
    utterances = (Utterance(t.start, t.end, "", t.speaker) for t in track)
    return empty_warning(path, Transcript(utterances, uri=uri))


def transcript_track(transcript: Transcript, uri: str, losses: Losses | None = None) -> Track:
    """The speaker turns of a transcript's utterances that have a speaker.

    Blanks inside the file id and speaker names become ``_``, as RTTM fields cannot hold
    them; a name that would then be another speaker's gets a number (``Ana_Maria_2``).
    What is left out or changed is recorded in ``losses``.
    """
    losses = losses if losses is not None else Losses()
    names = speaker_names(transcript, losses, token, "blanks become '_' in an RTTM field")
    written_id = token(uri) or "_"
    if written_id != uri:
        losses.add(
            f"file id {uri!r} written as {written_id!r} (an RTTM field cannot hold blanks)",
            "file id changed",
        )
    unattributed = sum(1 for u in transcript if not u.speaker)
    if unattributed:
        losses.add(
            f"{plural(unattributed, 'utterance')} without speaker "
            f"{'is' if unattributed == 1 else 'are'} not written: an RTTM turn needs one",
            f"{plural(unattributed, 'utterance')} without speaker not written",
        )
    texts = sum(1 for u in transcript if u.speaker and (u.text.strip() or u.words))
    if texts:
        losses.add(
            f"the texts of {plural(texts, 'utterance')} are not written: RTTM holds speaker "
            "turns only",
            "texts not written",
        )
    turns = [Turn(u.start, u.end, names[u.speaker]) for u in transcript if u.speaker]
    return Track(turns, uri=written_id)


def write_rttm_transcript(path: str | Path, transcript: Transcript) -> Written:
    """Write the utterances that have a speaker as RTTM turns, atomically.

    The file id is the transcript's ``uri``, or the file name without extension. What RTTM
    cannot hold (see :func:`transcript_track`) is reported with a
    :class:`~reviewer.io.FormatWarning` on ``path`` once it is written.
    """
    path = Path(path)
    losses = Losses()
    track = transcript_track(transcript, transcript.uri or path.stem, losses)
    write_rttm(path, [track])
    speakers = len({turn.speaker for turn in track})
    return losses.written(path, transcript, len(track.turns), "turn", speakers)
