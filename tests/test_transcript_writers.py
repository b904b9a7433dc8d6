"""What the transcript writers cannot hold is said, never left out silently (found by a user).

Every writer returns what it wrote (:class:`Written`, whose summary ``reviewer convert``
prints) and reports each loss with a ``FormatWarning`` on the written file: speakers or
texts the format has no place for, utterances or words not written, word times, speaker
names written changed. Names are never merged: ``Ana Maria``, ``Ana_Maria`` and
``Ana`` + no-break space + ``Maria`` stay three speakers in every format.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.io import FormatError, FormatWarning, read_rttm
from reviewer.io.files import WriteError
from reviewer.io.transcripts import (
    FORMATS,
    Written,
    convert,
    read_ctm,
    read_transcript,
    read_vtt,
    write_eaf,
    write_textgrid,
    write_transcript,
)
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.model.transcript import Transcript, Utterance, Word

S = TICKS_PER_SECOND
MS = S // 1000
NBSP = "\u00a0"
REVIEWER = Path(sys.executable).parent / "reviewer"
EXTENSIONS = {
    "stm": ".stm", "ctm": ".ctm", "srt": ".srt", "vtt": ".vtt", "textgrid": ".TextGrid",
    "eaf": ".eaf", "json": ".json", "rttm": ".rttm", "txt": ".txt",
}  # fmt: skip
SPEAKER_FORMATS = ["stm", "srt", "vtt", "textgrid", "eaf", "json", "rttm"]


def run(*args: str) -> subprocess.CompletedProcess:
    command = [str(REVIEWER)] if REVIEWER.exists() else [sys.executable, "-m", "reviewer.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


def written_warned(path: Path, transcript: Transcript) -> tuple[Written, list[str]]:
    """Write, returning what the writer says it wrote and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = write_transcript(path, transcript)
    assert all(issubclass(w.category, FormatWarning) for w in caught)
    messages = [str(w.message) for w in caught]
    assert all(m.startswith(f"{path}: ") for m in messages), messages  # on the written file
    return written, messages


def read_back(path: Path) -> Transcript:
    options = {"speaker_prefix": True} if path.suffix in (".srt", ".vtt") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_transcript(path, **options)


# -- merge.vtt: three speakers, not one ---------------------------------------------------------

MERGE_VTT = (
    "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Maria>one\n\n"
    "00:02.000 --> 00:03.000\n<v Ana_Maria>two\n\n"
    f"00:03.000 --> 00:04.000\n<v Ana{NBSP}Maria>three\n"
)


def test_webvtt_keeps_a_voice_name_as_written(tmp_path):
    # before: the no-break space became a space, merging 'Ana\u00a0Maria' with 'Ana Maria'
    path = tmp_path / "merge.vtt"
    path.write_text(MERGE_VTT, encoding="utf-8")
    transcript = read_vtt(path)
    assert [u.speaker for u in transcript] == ["Ana Maria", "Ana_Maria", f"Ana{NBSP}Maria"]
    assert len(transcript.speakers) == 3
    # runs of ASCII blanks in a voice are one space, as the specification collapses them
    path.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana \t Maria>one\n")
    assert [u.speaker for u in read_vtt(path)] == ["Ana Maria"]


def test_convert_never_merges_speakers_and_counts_what_it_wrote(tmp_path):
    # before: "3 utterances, 2 speakers", and one speaker 'Ana_Maria' in the file
    source = tmp_path / "merge.vtt"
    source.write_text(MERGE_VTT, encoding="utf-8")
    target = tmp_path / "merge.rttm"
    result = run("convert", str(source), str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"wrote {target}: 3 turns of 3 speakers (1 speaker renamed; texts not written)\n"
    )
    assert result.stderr.splitlines() == [
        f"reviewer: warning: {target}: 1 speaker name written changed, as blanks become '_' "
        "in an RTTM field (a number added where a name would be another's): 'Ana Maria' as "
        "'Ana_Maria_2' ('Ana_Maria' is another speaker)",
        f"reviewer: warning: {target}: the texts of 3 utterances are not written: RTTM holds "
        "speaker turns only",
    ]
    speakers = [t.speaker for t in read_rttm(target)["merge"]]
    assert speakers == ["Ana_Maria_2", "Ana_Maria", f"Ana{NBSP}Maria"]
    stm = tmp_path / "merge.stm"
    assert run("convert", str(source), str(stm)).returncode == 0
    assert read_transcript(stm).speakers == ("Ana_Maria", "Ana_Maria_2", f"Ana{NBSP}Maria")


SEVEN_CUES = "WEBVTT\n\n" + "".join(
    f"00:0{i}.000 --> 00:0{i}.900\n{voice}cue {i}\n\n"
    for i, voice in enumerate(
        ["<v Ana>", "<v Bruno>", "<v Ana>", "", "<v Bruno>", "<v Ana>", "<v Bruno>"], start=1
    )
)


def test_rttm_says_which_utterances_it_cannot_hold(tmp_path):
    # before: 6 lines written, "7 utterances" reported, nothing said of the seventh
    source = tmp_path / "a.vtt"
    source.write_text(SEVEN_CUES)
    target = tmp_path / "out.rttm"
    result = run("convert", str(source), str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"wrote {target}: 6 turns of 2 speakers (1 utterance without speaker not written; "
        "texts not written)\n"
    )
    assert (
        f"reviewer: warning: {target}: 1 utterance without speaker is not written: an RTTM "
        "turn needs one\n"
    ) in result.stderr
    assert len(target.read_text().splitlines()) == 6


WHISPERX = {
    "segments": [
        {
            "start": 0.0,
            "end": 2.5,
            "text": " It costs 20 dollars.",
            "speaker": "SPEAKER_00",
            "words": [
                {"word": "It", "start": 0.0, "end": 0.2, "speaker": "SPEAKER_00"},
                {"word": "costs", "start": 0.3, "end": 0.6, "speaker": "SPEAKER_00"},
                {"word": "20", "speaker": "SPEAKER_00"},
                {"word": "dollars.", "start": 1.9, "end": 2.5, "speaker": "SPEAKER_00"},
            ],
        },
        {"start": 4.0, "end": 5.0, "text": " Fine.", "speaker": "SPEAKER_01"},
    ]
}


def test_ctm_says_it_drops_speakers_and_untimed_words(tmp_path):
    # before: every speaker and the word '20' gone without a word, the reader's note
    # saying the word was "kept in its segment's text"
    source = tmp_path / "x.json"
    source.write_text(json.dumps(WHISPERX))
    target = tmp_path / "x.ctm"
    result = run("convert", str(source), str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"wrote {target}: 4 words (speakers of 2 utterances not written; 1 word without "
        "times not written)\n"
    )
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"reviewer: warning: {source} (segments[0].words[2]): word '20'")
    assert "a CTM written from this transcript cannot hold it" in lines[0]
    assert lines[1:] == [
        f"reviewer: warning: {target}: the speakers of 2 utterances ('SPEAKER_00', "
        "'SPEAKER_01') are not written: CTM has no speaker field",
        f"reviewer: warning: {target}: 1 word without times ('20') is not written: a CTM "
        "line needs times (the source has it in its utterance's text only)",
    ]
    assert [w.text for u in read_ctm(target) for w in u.words] == [
        "It", "costs", "dollars.", "Fine.",
    ]  # fmt: skip


TRICKY = Transcript(
    [
        Utterance(0, S, "Hello there", "Ana Maria", (Word(0, 400 * MS, "Hello"),
                                                     Word(500 * MS, S, "there"))),
        Utterance(S, 2 * S, "two", "Ana_Maria"),
        Utterance(2 * S, 3 * S, "three", None),
        Utterance(3 * S, 4 * S, "", "Bo"),
        Utterance(5 * S, 6 * S, "a few words", "Bo"),
    ],
    uri="rec",
)  # fmt: skip
RENAMED = r"1 speaker name written changed, as blanks become '_' in an? \w+ field .*'Ana Maria' as 'Ana_Maria_2'"  # noqa: E501
WORD_TIMES = r"the times of 2 words are not written: .* holds utterances, not words"
LOSSES = {
    "stm": ("5 utterances of 3 speakers (1 speaker renamed; word times not written)",
            [RENAMED, WORD_TIMES]),
    "ctm": ("7 words (speakers of 4 utterances not written; 1 utterance without text not "
            "written; 2 utterances merged on reading; times of 3 words shared evenly)",
            [r"the speakers of 4 utterances \('Ana Maria', 'Ana_Maria', 'Bo'\) are not",
             "1 utterance without text is not written",
             r"utterance bounds are not written .* 2 utterances closer than that",
             r"3 words without times of their own written sharing"]),
    "srt": ("5 cues of 3 speakers (word times not written)", [WORD_TIMES]),
    "vtt": ("5 cues of 3 speakers (word times not written)", [WORD_TIMES]),
    "textgrid": ("4 intervals of 3 speakers (word times not written; 1 utterance without "
                 "text not kept)",
                 [WORD_TIMES, "1 utterance without text is written as empty intervals, "
                  "which read back as silence"]),
    "eaf": ("5 annotations of 3 speakers (word times not written)", [WORD_TIMES]),
    "json": ("5 segments of 3 speakers", []),
    "rttm": ("4 turns of 3 speakers (1 speaker renamed; 1 utterance without speaker not "
             "written; texts not written)",
             [RENAMED, "1 utterance without speaker is not written",
              "the texts of 3 utterances are not written"]),
    "txt": ("5 lines of 3 speakers (no times)", ["times are not written"]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_writer_says_what_its_format_cannot_hold(tmp_path, name):
    path = tmp_path / f"x{EXTENSIONS[name]}"
    written, messages = written_warned(path, TRICKY)
    summary, patterns = LOSSES[name]
    assert written.summary() == f"wrote {path}: {summary}"
    assert len(messages) == len(patterns), messages
    for message, pattern in zip(messages, patterns, strict=True):
        assert re.search(pattern, message), (pattern, message)
    assert written.transcript is TRICKY
    if name in SPEAKER_FORMATS:  # what was written is what is read back
        back = read_back(path)
        assert len(back.speakers) == written.speakers


def test_a_reserved_or_padded_name_is_written_distinct(tmp_path):
    transcript = Transcript(
        [
            Utterance(0, S, "a", "unknown"),
            Utterance(S, 2 * S, "b", None),
            Utterance(2 * S, 3 * S, "c", " Bo "),
            Utterance(3 * S, 4 * S, "d", "Bo"),
            Utterance(4 * S, 5 * S, "e", "excluded_region"),
        ]
    )
    expected = {
        "stm": ["unknown_2", None, "Bo_2", "Bo", "excluded_region_2"],
        "textgrid": ["unknown_2", None, "Bo_2", "Bo", "excluded_region"],
        "eaf": ["unknown_2", None, "Bo_2", "Bo", "excluded_region"],
    }
    for name, speakers in expected.items():
        path = tmp_path / f"x{EXTENSIONS[name]}"
        _, messages = written_warned(path, transcript)
        assert "none" not in messages[0] and "'unknown' as 'unknown_2'" in messages[0]
        assert [u.speaker for u in read_back(path)] == speakers, name
    assert "('unknown' means no speaker)" in messages[0]


# -- the property: speakers are never merged, whatever their names --------------------------

NAMES = st.sampled_from(
    [None, "Ana Maria", "Ana_Maria", f"Ana{NBSP}Maria", "Ana  Maria", "Ana\tMaria", "unknown",
     " Bo", "Bo", "Bo_2", "Bo --", "SPEAKER_00", "Zoë Ørsted", "inter_segment_gap"]
)  # fmt: skip


@st.composite
def named_transcripts(draw):
    utterances = []
    start = 0
    for index in range(draw(st.integers(1, 8))):
        start += draw(st.integers(1, 5_000)) * MS
        end = start + draw(st.integers(1, 3_000)) * MS
        utterances.append(Utterance(start, end, f"word{index}", draw(NAMES)))
        start = end
    return Transcript(utterances, uri="rec")


@pytest.mark.parametrize("name", SPEAKER_FORMATS)
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(transcript=named_transcripts())
def test_speakers_are_never_merged(name, transcript, tmp_path):
    path = tmp_path / f"x{EXTENSIONS[name]}"
    written, messages = written_warned(path, transcript)
    back = read_back(path)
    kept = [u for u in transcript if u.speaker or name != "rttm"]
    assert len(back) == len(kept) == written.count
    pairs = {(u.speaker, b.speaker) for u, b in zip(kept, back, strict=True)}
    # one name read back for each speaker written, a different one for each
    assert len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs})
    assert (None, None) in pairs or all(a is not None for a, _ in pairs)
    changed = [(a, b) for a, b in pairs if a != b]
    for before, after in changed:  # each change is reported
        assert any(f"{before!r} as {after!r}" in m for m in messages), (before, after)


# -- writers refuse what a format cannot hold at all, naming the file ------------------------


@pytest.mark.parametrize("writer", [write_textgrid, write_eaf])
def test_a_tier_writer_names_the_file_it_refuses(tmp_path, writer):
    # before: "a TextGrid cannot hold the zero-length utterance of A at 0.001 s", no file
    target = tmp_path / "out"
    with pytest.raises(FormatError) as caught:
        writer(target, Transcript([Utterance(MS, MS, "a", "A")]))
    assert str(caught.value).startswith(f"{target}: ")
    assert "zero-length" in str(caught.value)
    assert not target.exists()


def test_convert_names_the_file_it_cannot_write(tmp_path):
    source = tmp_path / "z.stm"
    source.write_text("z 1 A 1 1 hi\n")
    target = tmp_path / "z.TextGrid"
    result = run("convert", str(source), str(target))
    assert result.returncode == 2 and not target.exists()
    assert result.stderr == (
        f"reviewer: error: {target}: a TextGrid cannot hold the zero-length utterance of A "
        "at 1.000 s\n"
    )


def test_subtitle_writers_name_the_file_they_refuse(tmp_path):
    for suffix, name in ((".srt", "A: B"), (".vtt", "A > B")):
        target = tmp_path / f"x{suffix}"
        with pytest.raises(FormatError, match=re.escape(f"{target}: speaker {name!r}")):
            write_transcript(target, Transcript([Utterance(0, MS, "a", name)]))


def test_a_missing_directory_is_named_not_the_temporary_file(tmp_path):
    # before: "[Errno 2] No such file or directory: '.../.o.vtt.p1iux8qn.tmp'"
    source = tmp_path / "a.vtt"
    source.write_text(SEVEN_CUES)
    target = tmp_path / "missing" / "o.vtt"
    result = run("convert", str(source), str(target))
    assert result.returncode == 2
    assert result.stderr == (
        f"reviewer: error: {target}: no such directory {str(target.parent)!r}\n"
    )
    with pytest.raises(WriteError) as caught:
        convert(source, target)
    assert caught.value.filename == str(target)
    assert str(caught.value) == f"{target}: cannot write: no such directory {str(target.parent)!r}"
    assert isinstance(caught.value, OSError)  # callers catching write failures still do
    folder = tmp_path / "folder.vtt"
    folder.mkdir()
    with pytest.raises(WriteError, match="it is a directory"):
        convert(source, folder)
    assert [p.name for p in folder.iterdir()] == [] and len(list(tmp_path.iterdir())) == 2


def test_plain_text_names_on_one_line(tmp_path):
    path = tmp_path / "x.txt"
    transcript = Transcript([Utterance(0, S, "hi", "Ana\nMaria"), Utterance(S, 2 * S, "yo", "B")])
    _, messages = written_warned(path, transcript)
    assert path.read_text() == "Ana Maria: hi\nB: yo\n"
    assert "'Ana\\nMaria' as 'Ana Maria'" in messages[0]
