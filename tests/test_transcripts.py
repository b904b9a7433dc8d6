"""Transcript formats: round trips, conversions (RTTM included) and strict readers."""

from __future__ import annotations

import importlib.util
import json
import re
import warnings
from pathlib import Path

import pytest

from reviewer.io import FormatError, FormatWarning, read_rttm
from reviewer.io.transcripts import (
    FORMATS,
    convert,
    format_ctm,
    format_plain_text,
    read_ctm,
    read_stm,
    read_textgrid,
    read_transcript,
    read_whisper_json,
    write_eaf,
    write_stm,
    write_textgrid,
    write_transcript,
)
from reviewer.model.time import TICKS_PER_SECOND, frames_to_ticks, parse_seconds
from reviewer.model.transcript import Transcript, Utterance, Word

MS = TICKS_PER_SECOND // 1000

WORDS = (Word(500 * MS, 1000 * MS, "Hello"), Word(1100 * MS, 1800 * MS, "there."))
UTTERANCES = (
    Utterance(500 * MS, 1800 * MS, "Hello there.", "Diane", WORDS),
    Utterance(2500 * MS, 4125 * MS, "Hi, how are you?", "Sheila"),
    Utterance(5000 * MS, 6001 * MS, "Fine & <well>", None),
    Utterance(7000 * MS, 9999 * MS, "Good to hear", "Diane"),
)
SAMPLE = Transcript(UTTERANCES, uri="meeting")

EXTENSIONS = {
    "stm": ".stm",
    "ctm": ".ctm",
    "srt": ".srt",
    "vtt": ".vtt",
    "textgrid": ".TextGrid",
    "eaf": ".eaf",
    "json": ".json",
    "rttm": ".rttm",
    "txt": ".txt",
}
READABLE = [name for name in EXTENSIONS if FORMATS[name].read is not None]
HAS_URI = {"stm", "ctm", "rttm"}


def rows(transcript: Transcript) -> list[tuple]:
    return [(u.start, u.end, u.text, u.speaker) for u in transcript]


def project(items: list[tuple], name: str) -> list[tuple]:
    """What format ``name`` keeps of utterance rows (the table in the package docstring)."""
    kept = []
    for start, end, text, speaker in items:
        if name == "ctm":
            speaker = None
        if name == "rttm":
            text = ""
        if (name == "rttm" and speaker is None) or (name in ("ctm", "textgrid") and not text):
            continue
        kept.append((start, end, text, speaker))
    return sorted(kept, key=lambda r: (r[0], r[1], r[2], r[3] or ""))


def put(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READABLE)
def test_round_trip(tmp_path, name):
    path = tmp_path / f"meeting{EXTENSIONS[name]}"
    write_transcript(path, SAMPLE)
    back = read_transcript(path)
    assert rows(back) == project(rows(SAMPLE), name)
    assert back.uri == ("meeting" if name in HAS_URI else None)
    assert read_transcript(path, format=name).utterances == back.utterances


def test_whisper_json_keeps_words_exactly(tmp_path):
    path = tmp_path / "x.json"
    write_transcript(path, SAMPLE)
    assert read_transcript(path) == SAMPLE  # Transcript equality compares the words too


def test_ctm_keeps_words_and_shares_time_of_wordless_utterances(tmp_path):
    path = tmp_path / "x.ctm"
    write_transcript(path, SAMPLE)
    back = read_ctm(path)
    assert back.utterances[0].words == WORDS
    assert [w.text for w in back.utterances[1].words] == ["Hi,", "how", "are", "you?"]
    assert [w.end - w.start for w in back.utterances[1].words] == [406 * MS] * 3 + [407 * MS]
    assert "meeting 1 2.500 0.406 Hi," in format_ctm(SAMPLE, "meeting")


def test_exact_formats_keep_sub_millisecond_times(tmp_path):
    start, end = frames_to_ticks(12345, 16000), frames_to_ticks(54321, 44100)
    transcript = Transcript([Utterance(start, end, "exact", "A", (Word(start, end, "exact"),))])
    for name in ("x.TextGrid", "x.json"):
        write_transcript(tmp_path / name, transcript)
        assert rows(read_transcript(tmp_path / name)) == [(start, end, "exact", "A")]
    write_transcript(tmp_path / "x.stm", transcript)
    (back,) = read_transcript(tmp_path / "x.stm")
    assert back.start == parse_seconds("0.772")  # STM is written to the millisecond


def test_speaker_marks_in_subtitles(tmp_path):
    srt = put(tmp_path, "x.srt", "1\n00:00:01,000 --> 00:00:02,000\n<v Ann Lee>Hi\nthere</v>\n\n")
    assert rows(read_transcript(srt)) == [
        (TICKS_PER_SECOND, 2 * TICKS_PER_SECOND, "Hi there", "Ann Lee")
    ]
    vtt = put(tmp_path, "x.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nBob: a &amp; b\n")
    assert rows(read_transcript(vtt, speaker_prefix=True))[0][2:] == ("a & b", "Bob")
    with pytest.warns(FormatWarning, match="--speaker-prefix yes"):  # one cue: no evidence
        assert rows(read_transcript(vtt))[0][2:] == ("Bob: a & b", None)
    write_transcript(tmp_path / "y.vtt", Transcript([Utterance(0, MS, "a < b", "Ann Lee")]))
    assert "<v Ann Lee>a &lt; b" in (tmp_path / "y.vtt").read_text()
    assert rows(read_transcript(tmp_path / "y.vtt"))[0][2:] == ("a < b", "Ann Lee")


def test_stm_text_starting_like_a_label_survives(tmp_path):
    transcript = Transcript([Utterance(0, MS, "<laugh> yes", "A")], uri="r")
    write_stm(tmp_path / "x.stm", transcript)
    assert rows(read_stm(tmp_path / "x.stm")) == rows(transcript)


def test_blanks_in_names_become_underscores_in_field_formats(tmp_path):
    transcript = Transcript([Utterance(0, MS, "hi", "Speaker 1")], uri="my meeting")
    write_transcript(tmp_path / "x.stm", transcript)
    assert rows(read_transcript(tmp_path / "x.stm")) == [(0, MS, "hi", "Speaker_1")]
    assert read_transcript(tmp_path / "x.stm").uri == "my_meeting"


def test_plain_text_export(tmp_path):
    write_transcript(tmp_path / "x.txt", SAMPLE)
    assert (tmp_path / "x.txt").read_text() == (
        "Diane: Hello there.\nSheila: Hi, how are you?\nFine & <well>\nDiane: Good to hear\n"
    )
    assert format_plain_text(Transcript()) == ""


def test_empty_transcript_round_trips(tmp_path):
    for name in READABLE:
        path = tmp_path / f"empty{EXTENSIONS[name]}"
        write_transcript(path, Transcript())
        assert len(read_transcript(path)) == 0, name


def test_pyannote_sample_stm():
    location = importlib.util.find_spec("pyannote.audio").submodule_search_locations[0]
    transcript = read_transcript(Path(location) / "sample" / "sample.stm")
    assert transcript.uri == "sample"
    assert transcript.speakers == ("Diane", "Sheila")
    assert len(transcript) == 13
    first = transcript.utterances[0]
    assert (first.start, first.end, first.text, first.speaker) == (
        parse_seconds("6.68"),
        parse_seconds("7.16"),
        "Hello?",
        "Diane",
    )


# -- conversions --------------------------------------------------------------------------------


@pytest.mark.parametrize("source", READABLE)
@pytest.mark.parametrize("target", list(EXTENSIONS))
def test_convert_between_every_pair(tmp_path, source, target):
    source_path = tmp_path / f"meeting{EXTENSIONS[source]}"
    write_transcript(source_path, SAMPLE)
    target_path = tmp_path / f"out{EXTENSIONS[target]}"
    transcript = convert(source_path, target_path).transcript
    assert rows(transcript) == project(rows(SAMPLE), source)
    if target == "txt":
        assert len(target_path.read_text().splitlines()) == len(transcript)
        return
    assert rows(read_transcript(target_path)) == project(rows(transcript), target)


def test_convert_stm_to_rttm_keeps_the_file_id(tmp_path):
    write_transcript(tmp_path / "in.stm", SAMPLE)
    convert(tmp_path / "in.stm", tmp_path / "out.data", to="rttm")
    tracks = read_rttm(tmp_path / "out.data")
    assert list(tracks) == ["meeting"]
    assert [(t.start, t.end, t.speaker) for t in tracks["meeting"]] == [
        (u.start, u.end, u.speaker) for u in UTTERANCES if u.speaker
    ]


def test_convert_rttm_reads_the_first_recording_with_a_warning(tmp_path):
    rttm = put(
        tmp_path,
        "x.rttm",
        "SPEAKER b 1 1.0 2.0 <NA> <NA> B <NA> <NA>\nSPEAKER a 1 0.5 1.0 <NA> <NA> A <NA> <NA>\n",
    )
    with pytest.warns(UserWarning, match="2 recordings"):
        transcript = convert(rttm, tmp_path / "x.eaf").transcript
    assert transcript.uri == "b"
    assert rows(read_transcript(tmp_path / "x.eaf")) == [
        (TICKS_PER_SECOND, 3 * TICKS_PER_SECOND, "", "B")
    ]


def test_multi_recording_stm_reads_one_by_uri(tmp_path):
    stm = put(tmp_path, "x.stm", "a 1 A 0 1 one\nb 1 B 0 1 two\n")
    assert rows(read_stm(stm, uri="b")) == [(0, TICKS_PER_SECOND, "two", "B")]
    with pytest.raises(FormatError, match="no recording 'c'"):
        read_stm(stm, uri="c")
    with pytest.raises(FormatError, match="holds none"):
        read_stm(put(tmp_path, "empty.stm", ";; nothing\n"), uri="a")
    with pytest.warns(UserWarning, match="only the first, 'a'"):
        assert read_transcript(stm).uri == "a"


# -- malformed input: a clear error, nothing loaded --------------------------------------------


def assert_error(path: Path, *where: str, format: str | None = None) -> FormatError:
    with pytest.raises(FormatError) as caught:
        read_transcript(path, format=format)
    message = str(caught.value)
    assert str(path) in message
    for part in where:
        assert part in message
    return caught.value


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("s 1 A 1.0 2.0", None),  # a good line: five fields, no words
        ("s 1 A 1.0", "has 4 fields"),
        ("s 1 A one 2.0 hi", "start 'one' is not a number"),
        ("s 1 A -1.0 2.0 hi", "negative"),
        ("s 1 A 3.0 2.0 hi", "before it starts"),
        ("s 1 A nan 2.0 hi", "not a finite number"),
    ],
)
def test_malformed_stm(tmp_path, line, problem):
    path = put(tmp_path, "x.stm", f";; comment\ns 1 B 0 1 fine\n{line}\n")
    if problem is None:
        assert len(read_transcript(path)) == 2
    else:
        assert_error(path, f"{path}:3", problem)


def test_stm_skips_non_speech_lines(tmp_path):
    path = put(
        tmp_path,
        "x.stm",
        "s 1 inter_segment_gap 0 1 <o,f0,unknown>\n"
        "s 1 excluded_region 1 2 ignore_time_segment_in_scoring\n"
        "s 1 A 2 3 IGNORE_TIME_SEGMENT_IN_SCORING\n"
        "s 1 unknown 3 4 <o,f0,male> hello  there\n",
    )
    transcript = read_warned(path, "label field", r"x.stm:1: 3 lines marking regions")
    assert rows(transcript) == [(3 * TICKS_PER_SECOND, 4 * TICKS_PER_SECOND, "hello there", None)]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("s 1 1.0 0.5 hi 0.9 extra", "has 7 fields"),
        ("s 1 1.0 0.5", "has 4 fields"),
        ("s 1 x 0.5 hi", "start 'x' is not a number"),
        ("s 1 1.0 -0.5 hi", "duration '-0.5' is negative"),
        ("s 1 1.0 0.5 hi high", "confidence 'high' is not a number"),
    ],
)
def test_malformed_ctm(tmp_path, line, problem):
    path = put(tmp_path, "x.ctm", f"s 1 0.0 0.5 ok NA\n{line}\n")
    assert_error(path, f"{path}:2", problem)


def test_malformed_srt(tmp_path):
    cue = "1\n00:00:01,000 --> 00:00:02,000\nok\n\n"
    path = put(tmp_path, "x.srt", cue + "2\n00:00:0x,000 --> 00:00:04,000\nbad time\n\n")
    assert_error(path, f"{path}:5", "not a valid SRT cue")
    path = put(tmp_path, "y.srt", cue + "2\n00:00:05,000 --> 00:00:04,000\nbackwards\n")
    assert_error(path, "cue 2", "before it starts")


def test_malformed_vtt(tmp_path):
    path = put(tmp_path, "x.vtt", "00:00:01.000 --> 00:00:02.000\nno header\n")
    assert_error(path, f"{path}:1", "WEBVTT")
    path = put(tmp_path, "y.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nbad time\n")
    assert_error(path, f"{path}:3", "cue 1", "'00:00:0x.000' is not a WebVTT timestamp")
    path = put(
        tmp_path,
        "z.vtt",
        "WEBVTT\n\nc1\n00:00:01.000 --> 00:00:02.000\nok\n\n"
        "c2\n00:00:05.000 --> 00:00:04.000\nbackwards\n",
    )
    assert_error(path, "cue 2 (c2)", "before it starts")


TEXTGRID = """File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 5
tiers? <exists>
size = 1
item []:
    item [1]:
        class = "IntervalTier"
        name = "Diane"
        xmin = 0
        xmax = 5
        intervals: size = 2
        intervals [1]:
            xmin = 0
            xmax = {end}
            text = "hi"
        intervals [2]:
            xmin = {end}
            xmax = 5
            text = ""
"""


def test_malformed_textgrid(tmp_path):
    good = put(tmp_path, "good.TextGrid", TEXTGRID.format(end="1.5"))
    assert rows(read_textgrid(good)) == [(0, parse_seconds("1.5"), "hi", "Diane")]
    assert_error(put(tmp_path, "x.TextGrid", "hello\n"), ":1: not a Praat text file")
    backwards = put(tmp_path, "y.TextGrid", TEXTGRID.format(end="-1"))
    assert_error(backwards, f"{backwards}:16", "interval 1", "before it starts")
    bad = put(tmp_path, "z.TextGrid", TEXTGRID.format(end="x"))
    assert_error(bad, f"{bad}:18: found a string while looking for the xmax of tier 1 'Diane'")


EAF = """<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
    <MEDIA_DESCRIPTOR MEDIA_URL="file:///data/call-17.wav" MIME_TYPE="audio/x-wav"/>
  </HEADER>
  <TIME_ORDER>
    <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="{start}"/>
    <TIME_SLOT TIME_SLOT_ID="ts2" {end}/>
  </TIME_ORDER>
  <TIER LINGUISTIC_TYPE_REF="default-lt" TIER_ID="Diane">
    <ANNOTATION>
      <ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
        <ANNOTATION_VALUE>hello</ANNOTATION_VALUE>
      </ALIGNABLE_ANNOTATION>
    </ANNOTATION>
  </TIER>
  <TIER LINGUISTIC_TYPE_REF="default-lt" PARENT_REF="Diane" TIER_ID="Diane-translation"/>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>
"""


def test_malformed_eaf(tmp_path):
    good = put(tmp_path, "good.eaf", EAF.format(start=100, end='TIME_VALUE="900"'))
    transcript = read_transcript(good)
    assert rows(transcript) == [(100 * MS, 900 * MS, "hello", "Diane")]
    assert transcript.uri == "call-17"
    backwards = put(tmp_path, "x.eaf", EAF.format(start=900, end='TIME_VALUE="100"'))
    assert_error(backwards, "tier 'Diane'", "before it starts")
    unaligned = put(tmp_path, "y.eaf", EAF.format(start=100, end=""))
    assert_error(unaligned, "tier 'Diane'", "not aligned")
    broken = put(tmp_path, "z.eaf", EAF.format(start=100, end="<oops").replace("<oops", "<"))
    assert_error(broken, f"{broken}:10", "not a valid EAF file")
    # pympi refused a document without schema location (KeyError); it is valid XML and EAF
    schema = ' xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd"'
    no_schema = put(
        tmp_path, "w.eaf", EAF.replace(schema, "").format(start=1, end='TIME_VALUE="2"')
    )
    assert rows(read_transcript(no_schema)) == [(MS, 2 * MS, "hello", "Diane")]


@pytest.mark.parametrize(
    ("segments", "where", "problem"),
    [
        (
            '[{"start": 0, "end": 1, "text": "a"}, {"start": 1, "end": "2"}]',
            "segments[1].end",
            "expected a number",
        ),
        ('[{"start": -0.5, "end": 1, "text": "a"}]', "segments[0].start", "negative"),
        ('[{"start": 2.0, "end": 1.5, "text": "a"}]', "segments[0]", "before it starts"),
        ('[{"start": NaN, "end": 1, "text": "a"}]', "segments[0].start", "NaN"),
        ('[{"end": 1, "text": "a"}]', "segments[0].start", "missing"),
        ('[{"start": 0, "end": 1, "text": 3}]', "segments[0].text", "expected a string"),
        ('[{"start": 0, "end": 1, "speaker": 7}]', "segments[0].speaker", "expected a string"),
        (
            '[{"start": 0, "end": 1, "words": [{"word": "a", "start": 0}]}]',
            "segments[0].words[0].end",
            "missing",
        ),
        (
            '[{"start": 0, "end": 1, "words": [{"start": 0, "end": 1}]}]',
            "segments[0].words[0]",
            'no "word"',
        ),
        ('[{"start": 0, "end": 1, "words": {}}]', "segments[0].words", "expected a list"),
        ("[3]", "segments[0]", "expected an object"),
        ('"none"', "segments", "list"),
    ],
)
def test_malformed_whisper_json(tmp_path, segments, where, problem):
    path = put(tmp_path, "x.json", f'{{"segments": {segments}}}')
    assert_error(path, where, problem)


def test_invalid_json_names_the_line(tmp_path):
    path = put(tmp_path, "x.json", '{"segments": [\n  {"start": 0,\n  "end": 1,,\n]}\n')
    assert_error(path, f"{path}:3", "not valid JSON")


def test_whisperx_words_without_times_stay_in_the_text(tmp_path):
    document = {
        "segments": [
            {
                "start": 0.031,
                "end": 2.5,
                "text": " It costs 20 dollars.",
                "speaker": "SPEAKER_01",
                "words": [
                    {"word": "It", "start": 0.031, "end": 0.2, "score": 0.9},
                    {"word": "costs", "start": 0.25, "end": 0.6, "speaker": "SPEAKER_01"},
                    {"word": "20"},
                    {"text": "dollars.", "start": 1.9, "end": 2.5},
                ],
            },
            {"start": 3, "end": 4, "words": [{"word": " Bye", "start": 3, "end": 4}]},
        ]
    }
    path = put(tmp_path, "x.json", json.dumps(document))
    with pytest.warns(FormatWarning, match=r"\(segments\[0\].words\[2\]\): word '20' has no"):
        transcript = read_whisper_json(path)
    first, second = transcript.utterances
    assert (first.text, first.speaker, first.start) == (
        "It costs 20 dollars.",
        "SPEAKER_01",
        parse_seconds("0.031"),
    )
    assert [w.text for w in first.words] == ["It", "costs", "dollars."]
    assert (second.text, second.speaker) == ("Bye", None)


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "x.srt"
    path.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\n\xff\n")
    assert_error(path, f"{path}:3", "UTF-8")
    assert_error(tmp_path / "missing.vtt", "cannot read")


def test_unknown_formats(tmp_path):
    path = put(tmp_path, "x.doc", "")
    assert_error(path, "unknown transcript extension '.doc'")
    assert_error(path, "unknown transcript format 'word'", format="word")
    with pytest.raises(FormatError, match="x.doc"):
        write_transcript(path, SAMPLE)
    assert_error(put(tmp_path, "x.txt", "Diane: hi\n"), "export only")
    assert read_transcript(put(tmp_path, "x.sub", "s 1 A 0 1 hi\n"), format="STM").uri == "s"


def test_a_failed_conversion_writes_nothing(tmp_path):
    source = put(tmp_path, "x.stm", "s 1 A 0 1 ok\ns 1 A 2 1 backwards\n")
    with pytest.raises(FormatError):
        convert(source, tmp_path / "out.srt")
    assert not (tmp_path / "out.srt").exists()


@pytest.mark.parametrize("writer", [write_textgrid, write_eaf])
def test_tier_writers_refuse_what_a_tier_cannot_hold(tmp_path, writer):
    target = put(tmp_path, "old", "previous content")
    overlapping = Transcript([Utterance(0, 2 * MS, "a", "A"), Utterance(MS, 3 * MS, "b", "A")])
    with pytest.raises(ValueError, match="overlapping"):
        writer(target, overlapping)
    with pytest.raises(ValueError, match="zero-length"):
        writer(target, Transcript([Utterance(MS, MS, "a", "A")]))
    assert target.read_text() == "previous content"


def test_srt_refuses_a_speaker_it_could_not_read_back(tmp_path):
    with pytest.raises(ValueError, match="prefix"):
        write_transcript(tmp_path / "x.srt", Transcript([Utterance(0, MS, "a", "A: B")]))


# -- each reader beside its format's specification and its tool ---------------------------------


def read_warned(path: Path, *patterns: str, **options) -> Transcript:
    """Read, checking that exactly the warnings matching ``patterns`` (in order) come."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcript = read_transcript(path, **options)
    messages = [str(w.message) for w in caught]
    assert all(issubclass(w.category, FormatWarning) for w in caught), messages
    assert len(messages) == len(patterns), messages
    for message, pattern in zip(messages, patterns, strict=True):
        assert re.search(pattern, message), (pattern, message)
    return transcript


def test_stm_reports_channels_labels_and_regions_it_cannot_keep(tmp_path):
    path = put(
        tmp_path,
        "x.stm",
        ';; CATEGORY "0" "" ""\n'
        "sw A Ana 0 1 <o,f0,female> hello\n"
        "sw B Bruno 0.5 2 <o,f0,male> hi there\n"
        "sw A excluded_region 2 3 ignore_time_segment_in_scoring\n"
        "sw A inter_segment_gap 3 4 <o,f0,unknown>\n",
    )
    transcript = read_warned(
        path,
        r"x.stm:3: recording 'sw' has 2 channels \(A, B\): read together",
        r"x.stm:2: the label field \(<o,f0,female>, <o,f0,male>, <o,f0,unknown>\) is not kept",
        r"x.stm:4: 2 lines marking regions sclite does not score",
    )
    assert rows(transcript) == [
        (0, TICKS_PER_SECOND, "hello", "Ana"),
        (TICKS_PER_SECOND // 2, 2 * TICKS_PER_SECOND, "hi there", "Bruno"),
    ]


def test_ctm_reports_channels_and_confidences(tmp_path):
    path = put(tmp_path, "x.ctm", "sw A 0 0.5 hello 0.93\nsw B 0.6 0.4 hi NA\n")
    transcript = read_warned(
        path, r"x.ctm:2: recording 'sw' has 2 channels", r"x.ctm:1: word confidences"
    )
    assert [w.text for w in transcript.utterances[0].words] == ["hello", "hi"]
    assert read_warned(put(tmp_path, "y.ctm", "sw A 0 0.5 hello NA\n")).uri == "sw"
    assert_error(put(tmp_path, "z.ctm", "sw A 1e400000 1 hello\n"), ":1: start", "too large")


def test_srt_timestamps_as_editors_write_them(tmp_path):
    path = put(
        tmp_path,
        "x.srt",
        "1\n00:00:01.000 --> 00:00:02:500 X1:100 X2:600 Y1:20 Y2:50\n{\\an8}<i>top</i>\n\n"
        '2\n00:03,000 --> 00:04,250\n<font color="red">no hours</font> <laugh>\n\n'
        "3\n0:00:05,5 --> 0:00:06,25\nshort\n\nfractions\n",
    )
    transcript = read_warned(
        path,
        r"x.srt:6: cue 2: timestamp '00:03,000' \(and 1 more\) has no hours",
        r"x.srt:10: cue 3: timestamp '0:00:05,5' \(and 1 more\) has a fraction",
    )
    assert rows(transcript) == [
        (TICKS_PER_SECOND, parse_seconds("2.5"), "top", None),
        (3 * TICKS_PER_SECOND, parse_seconds("4.25"), "no hours <laugh>", None),
        (parse_seconds("5.5"), parse_seconds("6.25"), "short fractions", None),
    ]


def test_srt_and_vtt_with_any_line_ends(tmp_path):
    cues = "1\n00:00:01,000 --> 00:00:02,000\nhi\nthere\n\n2\n00:00:03,000 --> 00:00:04,000\nbye\n"
    for end in ("\r\n", "\r"):
        path = put(tmp_path, "x.srt", cues.replace("\n", end))
        assert [u.text for u in read_warned(path)] == ["hi there", "bye"]
        vtt = "WEBVTT\n\n" + cues.replace(",", ".").replace("1\n00", "00").replace("2\n00", "00")
        assert [u.text for u in read_warned(put(tmp_path, "x.vtt", vtt.replace("\n", end)))] == [
            "hi there",
            "bye",
        ]


def test_vtt_blocks_header_and_cue_text_as_the_specification_reads_them(tmp_path):
    path = put(
        tmp_path,
        "x.vtt",
        "WEBVTT - with a title\nKind: captions\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n"
        "\nSTYLE\n::cue { color: lime }\n\nREGION\nid:left\n\nNOTE two\nlines\n\n"
        "intro\n00:01.000-->00:02.000 align:start position:10%\n<c.yellow>Fish</c> &amp; "
        "<i>chips</i>\n\n"
        "0:00:02.000 --> 0:00:03.000\n<v Ana>one <00:00:02.500>two</v>\n\n"
        "\n\nnot in a cue\n\n"
        "00:00:03.000 --> 00:00:04.000\n<ruby>漢<rt>kan</rt></ruby>字 a < b\n",
    )
    transcript = read_warned(
        path,
        r"x.vtt:3: X-TIMESTAMP-MAP puts the cues 10.000 s later",
        r"x.vtt:23: text outside any cue is not read: 'not in a cue'",
        r"x.vtt:18: cue 2: timestamps inside the cue text",
        r"x.vtt:25: cue 3: ruby annotations",
    )
    assert rows(transcript) == [
        (TICKS_PER_SECOND, 2 * TICKS_PER_SECOND, "Fish & chips", None),
        (2 * TICKS_PER_SECOND, 3 * TICKS_PER_SECOND, "one two", "Ana"),
        (3 * TICKS_PER_SECOND, 4 * TICKS_PER_SECOND, "漢字 a < b", None),
    ]
    map_zero = put(tmp_path, "y.vtt", "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:10.000,MPEGTS:900000\n")
    # LOCAL 10 s is MPEG-TS 10 s: nothing moves (and there is no cue)
    assert len(read_warned(map_zero, "holds no utterance")) == 0
    assert_error(
        put(tmp_path, "z.vtt", "WEBVTT\n\n00:01.5 --> 00:02.000\nhi\n"),
        ":3: cue 1: '00:01.5' is not a WebVTT timestamp",
    )
    assert_error(
        put(tmp_path, "w.vtt", "WEBVTT\n\n00:61.000 --> 01:02:00.000\nhi\n"),
        ":3: cue 1: '00:61.000' has more than 59",
    )


SHORT_TEXTGRID = '''File type = "ooTextFile"
Object class = "TextGrid"

-0.5 ! a negative time domain, as Praat allows
6
<exists>
3
"IntervalTier"
"Ana ""A"" Silva"
-0.5
6
3
-0.5
1e-05
""
1e-05
4
"olá ""você"""
4
6
"multi
line"
"TextTier"
"events"
0
6
1
2.5
"laugh"
"IntervalTier"
"Ana ""A"" Silva"
0
6
2
3
5
"overlaps"
4.5
6
"again"
'''


def test_textgrid_short_form_read_as_praat_reads_it(tmp_path):
    path = put(tmp_path, "x.TextGrid", SHORT_TEXTGRID)
    transcript = read_warned(
        path,
        r"x.TextGrid:8: 2 interval tiers are named 'Ana \"A\" Silva'",
        r"x.TextGrid:23: tier 2 'events' is a point tier: its 1 labelled points are not read",
        r"x.TextGrid:38: tier 3 'Ana \"A\" Silva': interval 1 and interval 2 overlap",
    )
    speaker = 'Ana "A" Silva'
    assert rows(transcript) == [
        (parse_seconds("1e-05"), 4 * TICKS_PER_SECOND, 'olá "você"', speaker),
        (3 * TICKS_PER_SECOND, 5 * TICKS_PER_SECOND, "overlaps", speaker),
        (4 * TICKS_PER_SECOND, 6 * TICKS_PER_SECOND, "multi\nline", speaker),
        (parse_seconds("4.5"), 6 * TICKS_PER_SECOND, "again", speaker),
    ]
    trailing = put(tmp_path, "y.TextGrid", TEXTGRID.format(end="1.5") + '    item [2]:\n "B"\n')
    read_warned(trailing, r"y.TextGrid:24: text after the last of the 1 tiers")
    negative = SHORT_TEXTGRID.replace('"olá', '"neg').replace("\n1e-05\n4\n", "\n1e-05\n-4\n")
    with pytest.warns(FormatWarning, match="2 interval tiers are named"):
        assert_error(put(tmp_path, "z.TextGrid", negative), ":16: tier 1", "before it starts")
    unquoted = TEXTGRID.format(end="1.5").replace('"hi"', '"h"i"')
    assert_error(put(tmp_path, "q.TextGrid", unquoted), ":18:", "character 'i' after a closing")
    binary = tmp_path / "b.TextGrid"
    binary.write_bytes(b"ooBinaryFile\x08TextGrid\x00\x00")
    assert_error(binary, ":1: a binary TextGrid")


EAF_FULL = """<?xml version="1.0" encoding="ISO-8859-1"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
    <MEDIA_DESCRIPTOR MEDIA_URL="file:///v/call.mp4" MIME_TYPE="video/mp4" TIME_ORIGIN="9000"/>
    <MEDIA_DESCRIPTOR MEDIA_URL="file:///a/call.wav" MIME_TYPE="audio/x-wav" TIME_ORIGIN="1500"/>
  </HEADER>
  <TIME_ORDER>
    <TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/>
    <TIME_SLOT TIME_SLOT_ID="t2"/>
    <TIME_SLOT TIME_SLOT_ID="t3" TIME_VALUE="1000"/>
    <TIME_SLOT TIME_SLOT_ID="t4" TIME_VALUE="2000"/>
    <TIME_SLOT TIME_SLOT_ID="t5" TIME_VALUE="3000"/>
  </TIME_ORDER>
  <TIER LINGUISTIC_TYPE_REF="ut" PARTICIPANT="Ana Silva" TIER_ID="A">
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="t1" TIME_SLOT_REF2="t2">
      <ANNOTATION_VALUE>olá</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="t2" TIME_SLOT_REF2="t3">
      <ANNOTATION_VALUE>tudo</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  </TIER>
  <TIER LINGUISTIC_TYPE_REF="ut" PARTICIPANT="Ana Silva" TIER_ID="A-noise">
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="t4" TIME_SLOT_REF2="t5">
      <ANNOTATION_VALUE/></ALIGNABLE_ANNOTATION></ANNOTATION>
  </TIER>
  <TIER LINGUISTIC_TYPE_REF="tr" PARENT_REF="A" TIER_ID="A-en">
    <ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a4" ANNOTATION_REF="a1">
      <ANNOTATION_VALUE>hello</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>
  </TIER>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="ut" TIME_ALIGNABLE="true"/>
  <LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" LINGUISTIC_TYPE_ID="tr"/>
</ANNOTATION_DOCUMENT>
"""


def test_eaf_media_offset_participants_and_dependent_tiers(tmp_path):
    path = tmp_path / "x.eaf"
    path.write_bytes(EAF_FULL.encode("iso-8859-1"))  # as its XML declaration says
    transcript = read_warned(
        path,
        r"x.eaf \(tier 'A-en'\): dependent tier \(Symbolic Association of 'A'\): its 1 ",
        r"x.eaf \(MEDIA_DESCRIPTOR\): the media 'file:///a/call.wav' has TIME_ORIGIN 1500 ms",
        r"x.eaf \(tier 'A', annotation 'a1'\): a boundary is not aligned to a time .and 1 more.",
        r"x.eaf \(tier 'A-noise'\): independent tiers 'A', 'A-noise' all belong to 'Ana Silva'",
    )
    ms = TICKS_PER_SECOND // 1000
    assert transcript.uri == "call"
    assert rows(transcript) == [
        (1500 * ms, 2000 * ms, "olá", "Ana Silva"),  # t2 placed halfway between t1 and t3
        (2000 * ms, 2500 * ms, "tudo", "Ana Silva"),
        (3500 * ms, 4500 * ms, "", "Ana Silva"),
    ]
    frames = put(tmp_path, "f.eaf", EAF_FULL.replace('"milliseconds"', '"PAL-frames"'))
    assert_error(frames, "HEADER: TIME_UNITS 'PAL-frames'")
    missing = put(tmp_path, "m.eaf", EAF_FULL.replace('REF2="t3"', 'REF2="t9"'))
    assert_error(missing, "tier 'A', annotation 'a2': TIME_SLOT_REF2 't9' is not a time slot")


def test_whisperx_word_speakers_split_a_segment(tmp_path):
    segment = {
        "start": 0.5,
        "end": 4.0,
        "text": " Yes, it is. No way!",
        "speaker": "SPEAKER_00",
        "words": [
            {"word": "Yes,", "start": 0.5, "end": 0.8, "speaker": "SPEAKER_00"},
            {"word": "it", "start": 0.9, "end": 1.0, "speaker": "SPEAKER_00"},
            {"word": "is.", "start": 1.0, "end": 1.2},
            {"word": "No", "start": 2.0, "end": 2.5, "speaker": "SPEAKER_01"},
            {"word": "way!", "start": 2.6, "end": 4.0, "speaker": "SPEAKER_01"},
        ],
    }
    path = put(tmp_path, "x.json", json.dumps({"segments": [segment]}))
    transcript = read_warned(path)
    assert rows(transcript) == [
        (parse_seconds("0.5"), parse_seconds("1.2"), "Yes, it is.", "SPEAKER_00"),
        (2 * TICKS_PER_SECOND, 4 * TICKS_PER_SECOND, "No way!", "SPEAKER_01"),
    ]
    assert [w.text for w in transcript.utterances[1].words] == ["No", "way!"]
    segment["words"] = [dict(w, speaker="SPEAKER_01") for w in segment["words"]]
    path = put(tmp_path, "y.json", json.dumps({"segments": [segment]}))
    transcript = read_warned(
        path, r"\(segments\[0\]\): the segment's speaker 'SPEAKER_00' is not its words'"
    )
    assert [u.speaker for u in transcript] == ["SPEAKER_00"]


def test_whisper_cpp_json(tmp_path):
    document = {
        "transcription": [
            {"offsets": {"from": 0, "to": 2500}, "text": " Hello.", "speaker": "0"},
            {"offsets": {"from": 2500, "to": 4000}, "text": " Hi.", "speaker": "?",
             "speaker_turn_next": True},
        ]
    }  # fmt: skip
    path = put(tmp_path, "x.json", json.dumps(document))
    transcript = read_warned(path, r"x.json \(transcription\[1\]\): 1 speaker turns")
    assert rows(transcript) == [
        (0, parse_seconds("2.5"), "Hello.", "0"),
        (parse_seconds("2.5"), 4 * TICKS_PER_SECOND, "Hi.", None),
    ]
    document["transcription"][0]["offsets"]["to"] = 2.5
    path = put(tmp_path, "y.json", json.dumps(document))
    assert_error(path, "transcription[0].offsets.to: expected whole milliseconds")


def test_what_fuzzing_found_reads_or_fails_cleanly(tmp_path):
    # each of these took minutes to hours (backtracking patterns) or raised a raw exception
    cue = "1\n00:00:01,000 --> 00:00:02,000\n"
    voice = put(tmp_path, "v.srt", cue + "<v" + "." * 40 + "x\n")
    assert [u.text for u in read_warned(voice)] == ["<v" + "." * 40 + "x"]
    assert_error(put(tmp_path, "d.srt", "9" * 5000 + "\n" + cue), ":1: not a valid SRT cue")
    digits = put(tmp_path, "e.srt", cue + "hi\n\n" + "9" * 5000)  # text: no cue follows
    assert [u.text for u in read_warned(digits)] == ["hi " + "9" * 5000]
    assert_error(
        put(tmp_path, "n.stm", f"s 1 A 0 {'1' * 100_000}_1 hi\n"), ":1: end", "not a number"
    )
    assert_error(put(tmp_path, "o.stm", "s 1 A 0 1e9999999 hi\n"), ":1: end", "too large")
    assert_error(put(tmp_path, "j.json", '{"segments": [{"start": 1e-99999999999999999999}]}'),
                 "segments[0].start: expected a number of seconds")  # fmt: skip
    superscript = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\u00b900000,LOCAL:00:00:00.000\n"
    read_warned(
        put(tmp_path, "m.vtt", superscript), "X-TIMESTAMP-MAP not understood", "no utterance"
    )
    eaf = EAF.format(start=1, end='TIME_VALUE="2"').replace("file:///data", "file://[A]: ")
    assert read_transcript(put(tmp_path, "u.eaf", eaf)).uri == "call-17"


# -- found by a user testing the tool: readers ----------------------------------------------

NBSP = "\u00a0"


def test_whisperx_split_parts_cover_their_segment(tmp_path):
    # before: the segment 0.5-3.2 s became 0.5-1.7 and 1.8-2.2 s, 2.2-3.2 s lost unsaid
    segment = {
        "start": 0.5,
        "end": 3.2,
        "text": " Yes it is. No.",
        "speaker": "SPEAKER_00",
        "words": [
            {"word": "Yes", "start": 0.7, "end": 0.9, "speaker": "SPEAKER_00"},
            {"word": "it", "start": 1.0, "end": 1.2, "speaker": "SPEAKER_00"},
            {"word": "is.", "start": 1.3, "end": 1.7, "speaker": "SPEAKER_00"},
            {"word": "No.", "start": 1.8, "end": 2.2, "speaker": "SPEAKER_01"},
        ],
    }
    path = put(tmp_path, "x.json", json.dumps({"segments": [segment]}))
    transcript = read_warned(path)
    assert rows(transcript) == [
        (parse_seconds("0.5"), parse_seconds("1.7"), "Yes it is.", "SPEAKER_00"),
        (parse_seconds("1.8"), parse_seconds("3.2"), "No.", "SPEAKER_01"),
    ]
    assert [w.start for w in transcript.utterances[0].words][0] == parse_seconds("0.7")


def test_whisperx_words_outside_their_segment_or_unsplittable_are_said(tmp_path):
    # before: both read without a word
    segments = [
        {"start": 4, "end": 5, "text": " Late.", "words": [
            {"word": "Late.", "start": 4.5, "end": 5.6}]},
        {"start": 6, "end": 7, "text": " Ok 20", "speaker": "A", "words": [
            {"word": "Ok", "start": 6, "end": 6.5, "speaker": "A"},
            {"word": "20", "speaker": "B"}]},
    ]  # fmt: skip
    path = put(tmp_path, "x.json", json.dumps({"segments": segments}))
    transcript = read_warned(
        path,
        r"\(segments\[1\].words\[1\]\): word '20' has no times: kept in its segment's text "
        "only",
        r"\(segments\[0\].words\[0\]\): word 'Late.' \(4.500-5.600 s\) lies outside its "
        r"segment \(4.000-5.000 s\): read with its times as written",
        r"\(segments\[1\]\): the segment's words name several speakers, but a stretch of one "
        r"speaker's words has no times: not split, read as one utterance of the segment's "
        r"speaker \(A\)",
    )
    assert rows(transcript) == [
        (4 * TICKS_PER_SECOND, 5 * TICKS_PER_SECOND, "Late.", None),
        (6 * TICKS_PER_SECOND, 7 * TICKS_PER_SECOND, "Ok 20", "A"),
    ]
    assert transcript.utterances[0].words[0].end == parse_seconds("5.6")
    # the format table says what the reader does with word speakers
    import reviewer.io.transcripts as package

    assert "segment is split" in package.__doc__ and "word speakers" not in package.__doc__
    lone = put(tmp_path, "l.json", '{"segments": [{"start": 0, "end": 1, "text": "\\ud800"}]}')
    assert_error(lone, "segments[0].text: holds \\ud800, half of a UTF-16 pair")


def test_nist_fields_split_on_ascii_blanks_only(tmp_path):
    # before: a no-break or ideographic space split a name or word in two (STM: 'Maria' was
    # read as the start time and refused)
    from reviewer.io import read_uem
    from reviewer.io.files import split_fields

    assert split_fields(f" a{NBSP}b\tc\x0bd\u3000e\f") == [f"a{NBSP}b", "c", "d\u3000e"]
    assert split_fields(" \t ") == []
    stm = put(tmp_path, "x.stm", f"rec 1 Ana{NBSP}Maria 0 1 bom\u3000dia  tudo\n")
    assert rows(read_warned(stm)) == [(0, TICKS_PER_SECOND, "bom\u3000dia tudo", f"Ana{NBSP}Maria")]
    ctm = put(tmp_path, "x.ctm", f"rec 1 0 0.5 New{NBSP}York\nrec 1 0.5 0.5 City\n")
    assert [w.text for w in read_warned(ctm).utterances[0].words] == [f"New{NBSP}York", "City"]
    uem = put(tmp_path, "x.uem", f"rec{NBSP}1 1 0 10\n")
    assert list(read_uem(uem)) == [f"rec{NBSP}1"]
    rttm = put(tmp_path, "x.rttm", f"SPEAKER r 1 0 1 <NA> <NA> Ana{NBSP}Maria <NA> <NA>\n")
    assert read_rttm(rttm)["r"].turns[0].speaker == f"Ana{NBSP}Maria"
    # written back, the names are kept as they are
    write_stm(tmp_path / "y.stm", read_transcript(stm))
    assert read_transcript(tmp_path / "y.stm").speakers == (f"Ana{NBSP}Maria",)


def test_directory_inputs_match_suffixes_in_any_case(tmp_path):
    # before: "directory holds no *.rttm file" for A.RTTM
    from reviewer.io import read_uem

    put(tmp_path, "A.RTTM", "SPEAKER a 1 0 1 <NA> <NA> X <NA> <NA>\n")
    put(tmp_path, "b.Rttm", "SPEAKER b 1 0 1 <NA> <NA> Y <NA> <NA>\n")
    put(tmp_path, "A.UEM", "a 1 0 10\n")
    put(tmp_path, "notes.txt", "not read\n")
    assert list(read_rttm(tmp_path)) == ["a", "b"]
    assert list(read_uem(tmp_path)) == ["a"]


def test_srt_timestamps_cut_short_or_past_sixty_are_said(tmp_path):
    # before: '00:00:1' read as 1 s (a zero-length cue) and 60 s / 99 min accepted, unsaid
    path = put(
        tmp_path,
        "t.srt",
        "1\n00:00:01,000 --> 00:00:1\nhi\n\n2\n00:00:60,000 --> 00:99:04,000\nyo\n",
    )
    transcript = read_warned(
        path,
        r"t.srt:2: cue 1: timestamp '00:00:1' has no milliseconds \(a timestamp cut short\?\)",
        r"t.srt:6: cue 2: timestamp '00:00:60,000' \(and 1 more\) has 60 or more minutes or "
        "seconds",
    )
    assert rows(transcript) == [
        (TICKS_PER_SECOND, TICKS_PER_SECOND, "hi", None),
        (60 * TICKS_PER_SECOND, 5944 * TICKS_PER_SECOND, "yo", None),
    ]
    vtt = put(tmp_path, "t.vtt", "WEBVTT\n\n00:00:60.000 --> 00:01:01.000\nyo\n")
    assert_error(vtt, "t.vtt:3: cue 1: '00:00:60.000' has more than 59 minutes or seconds")
    # the full-width separators the srt library takes (Chinese subtitles)
    wide = put(tmp_path, "w.srt", "1\n00：00：01，000 --> 00：00：02，500\n你好\n")
    assert rows(read_warned(wide)) == [(TICKS_PER_SECOND, parse_seconds("2.5"), "你好", None)]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.srt", ""),
        ("x.srt", "\n\n"),
        ("x.stm", ";; a comment only\n"),
        ("x.stm", ""),
        ("x.ctm", ""),
        ("x.ctm", "# a comment only\n"),
        ("x.vtt", "WEBVTT\n\nNOTE nothing\n"),
        ("x.json", '{"segments": []}'),
        ("x.eaf", "<ANNOTATION_DOCUMENT><HEADER/></ANNOTATION_DOCUMENT>"),
        ("x.TextGrid", 'File type = "ooTextFile"\nObject class = "TextGrid"\n0\n1\n<absent>\n'),
        ("x.rttm", ""),
    ],
)  # fmt: skip
def test_a_file_without_utterance_is_said(tmp_path, name, text):
    # before: an empty transcript, without a word
    path = put(tmp_path, name, text)
    assert len(read_warned(path, rf"{name}: holds no utterance")) == 0
