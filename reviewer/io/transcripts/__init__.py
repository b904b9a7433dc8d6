"""Readers and writers of timed transcripts, one module per format, and a registry.

Every reader returns a :class:`~reviewer.model.transcript.Transcript` (times in ticks) or
raises :class:`~reviewer.io.FormatError` naming the file and the line (or the
element: cue, tier, JSON path) and the problem, before anything is returned. What a reader
honours in its own way or cannot represent is reported with a
:class:`~reviewer.io.FormatWarning` (file and line or place): no reader silently
drops, merges, shifts or invents what a file says; a file holding no utterance at all
(empty, comments only) is read as an empty transcript with a warning. RTTM takes part too,
as utterances without text.

Every writer writes atomically (a temporary file, then a rename; a failure names the file
asked for and the problem, :class:`~reviewer.io.files.WriteError`) and returns a
:class:`Written` saying what it wrote, in the format's own units, which ``reviewer
convert`` prints (``wrote out.rttm: 6 turns of 2 speakers (1 utterance without speaker not
written)``). What the format cannot hold is never left out silently: what it cannot hold
at all is refused before anything is written (a
:class:`~reviewer.io.FormatError` naming the file: an SRT speaker name holding
``:``, a zero-length utterance in a TextGrid), and everything else is written as well as
the format allows and reported with one :class:`~reviewer.io.FormatWarning` per
kind on the written file (one ``reviewer: warning:`` line each): speakers the format has no
field for (CTM), texts (RTTM), utterances or words not written (RTTM: utterances without
speaker; CTM: utterances without text, words without times), word times (every format but
CTM and JSON), speaker names written changed.

Speaker names are never merged. A name a format cannot hold as written (blanks in an STM,
CTM or RTTM field, a line break in a subtitle prefix) is written changed (``Ana Maria`` as
``Ana_Maria``), and when that is another speaker's name, or one the format reserves
(``unknown``, no speaker, in STM, TextGrid and EAF), a number is added (``Ana_Maria_2``);
every change is reported, naming the old and the new name. Names the format holds are
written as they are: a no-break space is a character of the name, not a blank.

Every text is decoded by :func:`reviewer.io.files.decode_text`: UTF-8 with or
without byte order mark, UTF-16 (LE or BE) or UTF-32 with one, leading invisible marks
(byte order mark, U+200E, U+200F, U+061C) skipped; anything else is refused naming the line
and the byte ("not valid UTF-8 or UTF-16 text (byte 0xE9 at line 3)"), except where the
format's tool reads it (TextGrid: 8-bit text as Windows-1252, with a warning, as Praat's
"try UTF-8, then Latin-1"; EAF: the encoding its XML declaration names). No time beyond
about 82 years (``MAX_TICKS``) is accepted.

What each format keeps and loses
--------------------------------
========  ===========  ==================  =================  ==============  ==================
Format    Times        Speakers            Words              File id (uri)   Lost on the way
========  ===========  ==================  =================  ==============  ==================
STM       ms written,  a field; none is    no                 yes             channels, labels,
          exact read   ``unknown``                                            non-speech lines
                                                                              (all reported)
CTM       ms           no                  yes, a line each   yes             speakers,
                                                                              utterance bounds,
                                                                              channels and
                                                                              confidences
                                                                              (reported)
SRT       ms           ``<v>`` tag, dash   no                 no              layout, styling
                       dialogue, or
                       ``Name:`` prefix
                       (see below)
WebVTT    ms           ``<v Speaker>``     no                 no              cue settings,
                       voice tag, or                                          styles, tags;
                       ``Name:`` prefix                                       inline timestamps
                                                                              (reported)
TextGrid  exact        a tier each; none   no                 no              empty intervals,
                       is ``unknown``                                         point tiers
                                                                              (reported)
EAF       ms           a tier's            no                 read from the   dependent tiers
                       participant, else                      media file      (reported)
                       the tier
JSON      exact        the segment's       yes (timed ones)   no              scores, language,
                       ``speaker``; a                                         untimed words'
                       segment is split                                       times (reported)
                       where its words'
                       ``speaker``
                       changes
RTTM      ms           yes                 no                 yes             texts, words,
                                                                              unattributed
                                                                              utterances
                                                                              (reported)
Text      none         ``Speaker:`` prefix no                 no              times (export
                                                                              only, not read;
                                                                              reported)
========  ===========  ==================  =================  ==============  ==================

"Lost on the way" is what a format cannot hold, read or written; on writing, each such
loss (and each speaker name written changed) is reported on the written file.

What each reader honours, warns about and refuses
-------------------------------------------------
Each module's docstring is the full account; in short (every reader also warns about a
file holding no utterance):

- **STM** (sclite): fields split on ASCII blanks, as sclite does (a no-break space is part
  of a name or word). Honours comments, ``unknown`` speakers, several recordings (the first,
  or ``uri=``). Warns: several recordings; several channels of one recording (read
  together); the label field (``<o,f0,male>``), not kept; non-speech lines
  (``inter_segment_gap``, ``excluded_region``, ``ignore_time_segment_in_scoring``), not
  read. Refuses fewer than five fields, a bad, negative or backwards time.
- **CTM** (sclite): fields split on ASCII blanks; words grouped into utterances at silences
  of 0.5 s or more. Warns:
  several recordings, several channels, confidences (not kept). Refuses other than 5 or 6
  fields, bad times, a confidence that is neither a number nor ``NA``.
- **SRT**: cue blocks by the ``srt`` library's grammar; formatting tags and ASS codes
  removed; timestamps parsed by reviewer. Warns: a timestamp without hours (read as
  minutes:seconds, where ``srt`` reads a minute), a fraction of other than three digits
  (read as a decimal fraction), none (``00:00:1``, read as whole seconds), 60 or more
  minutes or seconds (added up, as players do), cues holding several speakers, prefixes
  taken for speakers by the conservative rule (naming them) or not taken. Refuses text
  that is not a cue, a bad timing, a backwards cue.
- **WebVTT**: parsed by the W3C rules (header, identifiers, hour-less timestamps, cue
  settings, ``NOTE`` / ``STYLE`` / ``REGION`` blocks, tags and character references).
  Warns: ``X-TIMESTAMP-MAP`` (times read as written, not moved to the MPEG-TS clock),
  inline timestamps and ruby text (not read), text outside any cue, cues holding several
  speakers, prefixes taken for speakers by the conservative rule (naming them) or not
  taken. Refuses a missing ``WEBVTT`` signature, a timing line or timestamp the
  specification does not allow (minutes or seconds of 60 or more too), a backwards cue.
- **TextGrid**: read by Praat's own token rules (long and short forms, ``!`` comments,
  ``""`` in texts, exponents, negative time domains), or praatio's JSON form. Warns: 8-bit
  text, point tiers (not read), overlapping intervals in a tier, tiers sharing a name,
  text after the declared tiers. Refuses a binary TextGrid, a malformed token or count,
  an interval with text that runs backwards or before 0.
- **EAF**: ELAN's format read with the standard XML parser. Honours a media's
  ``TIME_ORIGIN`` (times moved to the recording's clock), ``PARTICIPANT`` as the speaker.
  Warns: that media offset, unaligned time slots (placed evenly between aligned ones),
  dependent tiers (not read), several tiers of one participant. Refuses malformed XML,
  ``TIME_UNITS`` other than milliseconds, missing time slots, backwards annotations.
- **JSON** (Whisper, WhisperX, whisper.cpp ``-oj``): a WhisperX segment whose words have
  several speakers is split where the speaker changes, the parts covering the segment
  (the first from its start, the last to its end). Warns: words without times (kept in the
  text only), words whose times lie outside their segment (read as written), a segment
  whose words name several speakers but cannot be split (a stretch without timed words),
  a segment speaker other than its words', whisper.cpp speaker turns and tokens (not
  read). Refuses invalid JSON (with its line) and bad values (with their JSON path).

In detail:

- *ms*: written rounded to the millisecond; *exact*: written as full-precision decimals and
  read back to the same tick.
- Line breaks and runs of ASCII blanks inside a text become single spaces in every format
  but TextGrid, EAF and JSON (a no-break space is kept); ASCII blanks inside a speaker name
  or file id become ``_`` in the whitespace-separated formats (STM, CTM, RTTM), a number
  added when the name would then be another speaker's (reported, see above).
- Word times are written by CTM and JSON only; the other writers report them lost.
- CTM: an utterance without word timings is written as its words sharing its time evenly
  (reported); a word without times (in the text only) is not written (reported); speakers
  are not written (reported); on reading, words are grouped into utterances at silences of
  0.5 s or more, so utterances closer than that are merged. An utterance without text
  writes nothing (reported).
- RTTM: utterances without speaker are not written, nor texts (reported).
- SRT / WebVTT speakers (:mod:`~reviewer.io.transcripts.cues`): a ``<v Name>``
  voice tag is always read. A ``Name: text`` prefix is read as a speaker always
  (``speaker_prefix=True``), never (``False``), or by default (``None``) only when the file
  uses prefixes throughout (at least two prefixed turns, at least half of the turns with
  text prefixed, one name starting two turns or more, at most two names or one for every
  two prefixed turns; a name is short and capitalised: see the module) or in a dialogue cue
  whose dash lines each start with a different name. A prefix not read so stays in the
  text, with a warning saying how to ask for it (``--speaker-prefix yes``); a prefix read so
  by the default rule is reported too, naming the speakers and how to keep the prefixes as
  text (``--speaker-prefix no``). A cue with several speakers (``- Ana: ...`` /
  ``- Bruno: ...`` dialogue lines, several voices) gives one utterance per speaker, each
  spanning the whole cue, since the cue does not say who speaks when (reported as
  overlap, never split into invented times). SRT is written with ``Name:`` prefixes, read
  back as speakers with ``speaker_prefix=True`` (or by the rule when its names recur);
  WebVTT with voice tags.
- TextGrid / EAF: a tier cannot hold a zero-length utterance (EAF: under a millisecond) nor
  two overlapping utterances of one speaker; the writer refuses them (a
  :class:`~reviewer.io.FormatError` naming the file). A TextGrid interval
  without text is silence: utterances without text are reported lost.
- STM / CTM / RTTM files can hold several recordings: the registry reads the first (with a
  warning); :func:`read_stm`, :func:`read_ctm` and :func:`read_rttm_transcript` take
  ``uri=`` to choose.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what each name is, for type checkers; imported when first used
    from reviewer.io.transcripts.common import UNKNOWN_SPEAKER, Written
    from reviewer.io.transcripts.ctm import (
        UTTERANCE_GAP,
        format_ctm,
        group_words,
        read_ctm,
        write_ctm,
    )
    from reviewer.io.transcripts.eaf import read_eaf, write_eaf
    from reviewer.io.transcripts.plaintext import format_plain_text, write_plain_text
    from reviewer.io.transcripts.registry import (
        FORMATS,
        TranscriptFormat,
        convert,
        read_transcript,
        transcript_format,
        write_transcript,
    )
    from reviewer.io.transcripts.rttm import (
        read_rttm_transcript,
        transcript_track,
        write_rttm_transcript,
    )
    from reviewer.io.transcripts.stm import format_stm, read_stm, write_stm
    from reviewer.io.transcripts.subrip import format_srt, read_srt, write_srt
    from reviewer.io.transcripts.textgrid import read_textgrid, write_textgrid
    from reviewer.io.transcripts.vtt import format_vtt, read_vtt, write_vtt
    from reviewer.io.transcripts.whisper import (
        format_whisper_json,
        read_whisper_json,
        write_whisper_json,
    )

_MODULES = {
    "UNKNOWN_SPEAKER": "common",
    "Written": "common",
    "UTTERANCE_GAP": "ctm",
    "format_ctm": "ctm",
    "group_words": "ctm",
    "read_ctm": "ctm",
    "write_ctm": "ctm",
    "read_eaf": "eaf",
    "write_eaf": "eaf",
    "format_plain_text": "plaintext",
    "write_plain_text": "plaintext",
    "FORMATS": "registry",
    "TranscriptFormat": "registry",
    "convert": "registry",
    "read_transcript": "registry",
    "transcript_format": "registry",
    "write_transcript": "registry",
    "read_rttm_transcript": "rttm",
    "transcript_track": "rttm",
    "write_rttm_transcript": "rttm",
    "format_stm": "stm",
    "read_stm": "stm",
    "write_stm": "stm",
    "format_srt": "subrip",
    "read_srt": "subrip",
    "write_srt": "subrip",
    "read_textgrid": "textgrid",
    "write_textgrid": "textgrid",
    "format_vtt": "vtt",
    "read_vtt": "vtt",
    "write_vtt": "vtt",
    "format_whisper_json": "whisper",
    "read_whisper_json": "whisper",
    "write_whisper_json": "whisper",
}
"""The module of each name this package exports, imported when the name is first used."""


def __getattr__(name: str) -> Any:
    """Import a format's module when one of its names is first asked for (PEP 562).

    Opening a recording with an STM transcript then imports the STM reader alone, not the
    SRT, WebVTT, EAF (XML) and TextGrid ones and the libraries behind them.
    """
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})


__all__ = [
    "FORMATS",
    "UNKNOWN_SPEAKER",
    "UTTERANCE_GAP",
    "TranscriptFormat",
    "Written",
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
