"""Readers and writers of timed transcripts, one module per format, and a registry.

Every reader returns a :class:`~reviewer.model.transcript.Transcript` (times in ticks) or
raises :class:`~reviewer.model.formats.FormatError` naming the file and the line (or the
element: cue, tier, JSON path) and the problem, before anything is returned. Every writer
writes atomically (a temporary file, then a rename) and raises ``ValueError`` before writing
if the format cannot hold the transcript. RTTM takes part too, as utterances without text.

What each format keeps and loses
--------------------------------
========  ===========  ==================  =================  ==============  ==================
Format    Times        Speakers            Words              File id (uri)   Lost on the way
========  ===========  ==================  =================  ==============  ==================
STM       ms written,  a field; none is    no                 yes             channel, labels,
          exact read   ``unknown``                                            non-speech lines
CTM       ms           no                  yes, a line each   yes             speakers,
                                                                              utterance bounds,
                                                                              confidences
SRT       ms           ``Speaker:`` prefix no                 no              layout, styling
                       (``<v>`` read too)
WebVTT    ms           ``<v Speaker>``     no                 no              cue settings,
                       voice tag                                              styles, tags
TextGrid  exact        a tier each; none   no                 no              empty-text
                       is ``unknown``                                         utterances, point
                                                                              tiers
EAF       ms           a tier each; none   no                 read from the   dependent tiers
                       is ``unknown``                         media file
JSON      exact        segment             yes (timed ones)   no              word speakers,
                       ``speaker``                                            scores, language
RTTM      ms           yes                 no                 yes             texts, words,
                                                                              unattributed
                                                                              utterances
Text      none         ``Speaker:`` prefix no                 no              times (export
                                                                              only, not read)
========  ===========  ==================  =================  ==============  ==================

In detail:

- *ms*: written rounded to the millisecond; *exact*: written as full-precision decimals and
  read back to the same tick.
- Line breaks and runs of blanks inside a text become single spaces in every format but
  TextGrid, EAF and JSON; blanks inside a speaker name or file id become ``_`` in the
  whitespace-separated formats (STM, CTM, RTTM).
- CTM: an utterance without word timings is written as its words sharing its time evenly;
  on reading, words are grouped into utterances at silences of 0.5 s or more, so utterances
  closer than that are merged. An utterance without text writes nothing.
- SRT / WebVTT: a cue without speaker mark whose text starts like ``Name: ...`` is read as
  spoken by ``Name``.
- TextGrid / EAF: a tier cannot hold a zero-length utterance (EAF: under a millisecond) nor
  two overlapping utterances of one speaker; the writer refuses them (``ValueError``).
- STM / CTM / RTTM files can hold several recordings: the registry reads the first (with a
  warning); :func:`read_stm`, :func:`read_ctm` and :func:`read_rttm_transcript` take
  ``uri=`` to choose.
"""

from reviewer.model.formats.transcripts.common import UNKNOWN_SPEAKER
from reviewer.model.formats.transcripts.ctm import (
    UTTERANCE_GAP,
    format_ctm,
    group_words,
    read_ctm,
    write_ctm,
)
from reviewer.model.formats.transcripts.eaf import read_eaf, write_eaf
from reviewer.model.formats.transcripts.plaintext import format_plain_text, write_plain_text
from reviewer.model.formats.transcripts.registry import (
    FORMATS,
    TranscriptFormat,
    convert,
    read_transcript,
    transcript_format,
    write_transcript,
)
from reviewer.model.formats.transcripts.rttm import (
    read_rttm_transcript,
    transcript_track,
    write_rttm_transcript,
)
from reviewer.model.formats.transcripts.stm import format_stm, read_stm, write_stm
from reviewer.model.formats.transcripts.subrip import format_srt, read_srt, write_srt
from reviewer.model.formats.transcripts.textgrid import read_textgrid, write_textgrid
from reviewer.model.formats.transcripts.vtt import format_vtt, read_vtt, write_vtt
from reviewer.model.formats.transcripts.whisper import (
    format_whisper_json,
    read_whisper_json,
    write_whisper_json,
)

__all__ = [
    "FORMATS",
    "UNKNOWN_SPEAKER",
    "UTTERANCE_GAP",
    "TranscriptFormat",
    "convert",
    "format_ctm",
    "format_plain_text",
    "format_srt",
    "format_stm",
    "format_vtt",
    "format_whisper_json",
    "group_words",
    "read_ctm",
    "read_eaf",
    "read_rttm_transcript",
    "read_srt",
    "read_stm",
    "read_textgrid",
    "read_transcript",
    "read_vtt",
    "read_whisper_json",
    "transcript_format",
    "transcript_track",
    "write_ctm",
    "write_eaf",
    "write_plain_text",
    "write_rttm_transcript",
    "write_srt",
    "write_stm",
    "write_textgrid",
    "write_transcript",
    "write_vtt",
    "write_whisper_json",
]
