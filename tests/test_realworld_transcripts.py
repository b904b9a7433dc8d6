"""Transcript files as the tools write them (issue 14): the shared real-world cases, each
the test of a whole kind of fault.

The files come from ``../shared/cases/realworld`` (each folder's README gives the expected
behaviour); where that material is absent, each test writes an equivalent file itself.
"""

from __future__ import annotations

import codecs
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import SHARED

from reviewer.io import FormatError, FormatWarning, read_rttm, read_uem
from reviewer.io.transcripts import (
    FORMATS,
    read_srt,
    read_transcript,
    read_vtt,
    write_transcript,
)
from reviewer.model.time import TICKS_PER_SECOND, parse_seconds
from reviewer.model.transcript import Transcript, Utterance

REALWORLD = SHARED / "cases" / "realworld"
S = TICKS_PER_SECOND
REVIEWER = Path(sys.executable).parent / "reviewer"

LONG_TEXTGRID = """File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0 
xmax = 6 
tiers? <exists> 
size = 2 
item []: 
    item [1]:
        class = "IntervalTier" 
        name = "Ana" 
        xmin = 0 
        xmax = 6 
        intervals: size = 3 
        intervals [1]:
            xmin = 0 
            xmax = 1.5 
            text = "olá, tudo bem?" 
        intervals [2]:
            xmin = 1.5 
            xmax = 4 
            text = "" 
        intervals [3]:
            xmin = 4 
            xmax = 6 
            text = "até já" 
    item [2]:
        class = "IntervalTier" 
        name = "Bruno" 
        xmin = 0 
        xmax = 6 
        intervals: size = 3 
        intervals [1]:
            xmin = 0 
            xmax = 1.5 
            text = "" 
        intervals [2]:
            xmin = 1.5 
            xmax = 4 
            text = "tudo, e você?" 
        intervals [3]:
            xmin = 4 
            xmax = 6 
            text = "" 
"""  # noqa: W291 (Praat ends these lines with a blank)


def case(folder: str, name: str, tmp_path: Path, build: bytes) -> Path:
    """The shared file, or (without the shared material) an equivalent one written here."""
    shared = REALWORLD / folder / name
    if shared.exists():
        return shared
    path = tmp_path / name
    path.write_bytes(build)
    return path


def rows(transcript: Transcript) -> list[tuple]:
    return [(u.start, u.end, u.text, u.speaker) for u in transcript]


def quiet(read, *args, **kwargs):
    """Read, failing on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read(*args, **kwargs)


def run(*args: str) -> subprocess.CompletedProcess:
    command = [str(REVIEWER)] if REVIEWER.exists() else [sys.executable, "-m", "reviewer.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


# -- textgrid-utf16: encodings as the tools write them -----------------------------------------

THREE_UTTERANCES = [
    (0, parse_seconds("1.5"), "olá, tudo bem?", "Ana"),
    (parse_seconds("1.5"), 4 * S, "tudo, e você?", "Bruno"),
    (4 * S, 6 * S, "até já", "Ana"),
]


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("long_utf16be.TextGrid", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")),
        ("long_utf16le.TextGrid", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
        ("long_utf8.TextGrid", lambda t: t.encode("utf-8")),
    ],
)
def test_textgrid_utf16_reads_like_utf8(tmp_path, name, encode):
    # before: "not valid UTF-8 text" for the UTF-16 files Praat saves
    path = case("textgrid-utf16", name, tmp_path, encode(LONG_TEXTGRID))
    assert rows(quiet(read_transcript, path)) == THREE_UTTERANCES
    out = tmp_path / "out.stm"
    result = run("convert", str(path), str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}: 3 utterances of 2 speakers\n"
    assert "olá, tudo bem?" in out.read_text(encoding="utf-8")


SAMPLE = Transcript(
    [
        Utterance(S // 2, 2 * S, "Olá, senhor Muñoz!", "Ana"),
        Utterance(2 * S, 3 * S, "Ça va? 日本語も", "Bruno"),
        Utterance(3 * S, 4 * S, "Até já.", "Ana"),
    ],
    uri="rec",
)
ENCODINGS = {
    "utf-8 with BOM": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf-16 le": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16 be": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "left-to-right mark": lambda t: ("\u200e" + t).encode("utf-8"),
    "BOM and right-to-left mark": lambda t: ("\ufeff\u200f" + t).encode("utf-16"),
}
EXTENSIONS = {"stm": ".stm", "ctm": ".ctm", "srt": ".srt", "vtt": ".vtt",
              "textgrid": ".TextGrid", "eaf": ".eaf", "json": ".json", "rttm": ".rttm"}  # fmt: skip


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.read is not None])
def test_every_reader_takes_the_encodings_tools_write(tmp_path, name, encoding):
    path = tmp_path / f"x{EXTENSIONS[name]}"
    write_transcript(path, SAMPLE)
    options = {"speaker_prefix": True} if FORMATS[name].prefixes else {}
    expected = rows(read_transcript(path, **options))
    path.write_bytes(ENCODINGS[encoding](path.read_text(encoding="utf-8")))
    assert rows(quiet(read_transcript, path, **options)) == expected


def test_rttm_and_uem_share_the_decoder(tmp_path):
    rttm = tmp_path / "x.rttm"
    text = "SPEAKER rec 1 0.5 1.5 <NA> <NA> Zoë <NA> <NA>\n"
    rttm.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert [t.speaker for t in read_rttm(rttm)["rec"]] == ["Zoë"]
    uem = tmp_path / "x.uem"
    uem.write_bytes(("\u200erec 1 0 10\n").encode("utf-8"))
    assert list(read_uem(uem)) == ["rec"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"1\n00:00:01,000 --> 00:00:02,000\nol\xe9\n", ":3: not valid UTF-8 or UTF-16 text "
         "(byte 0xE9 at line 3)"),
        ("1\n00:00:01,000 --> 00:00:02,000\nhi\n".encode("utf-16-le"),
         ":1: UTF-16 text without a byte order mark"),
        (codecs.BOM_UTF16_LE + "1\n".encode("utf-16-le") + b"\x00",
         ":2: UTF-16 text cut in the middle of a character"),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\x00\x01\x02\x03", ":3: holds a NUL character"),
    ],
)  # fmt: skip
def test_an_encoding_error_names_the_real_problem(tmp_path, data, problem):
    path = tmp_path / "x.srt"
    path.write_bytes(data)
    with pytest.raises(FormatError) as caught:
        read_transcript(path)
    assert str(caught.value).startswith(str(path) + problem)


def test_a_latin1_textgrid_is_read_as_praat_reads_it(tmp_path):
    path = tmp_path / "x.TextGrid"
    path.write_bytes(LONG_TEXTGRID.encode("windows-1252"))
    with pytest.warns(FormatWarning, match=r"x.TextGrid:18: not UTF-8 text \(byte 0xE1\)"):
        assert rows(read_transcript(path)) == THREE_UTTERANCES


# -- srt-leading-lrm: invisible marks before the first cue -------------------------------------

LRM_SRT = "\u200e1\n00:00:01,000 --> 00:00:03,000\nAna: bom dia\n\n2\n00:00:03,500 --> 00:00:05,000\nBruno: tudo bem?\n"  # noqa: E501


def test_srt_leading_lrm_is_skipped(tmp_path):
    # before: exit 2, "not a valid SRT cue: '\u200e'"
    path = case("srt-leading-lrm", "lrm.srt", tmp_path, LRM_SRT.encode("utf-8"))
    assert path.read_bytes().startswith("\u200e".encode())
    assert rows(read_srt(path, speaker_prefix=True)) == [
        (1 * S, 3 * S, "bom dia", "Ana"),
        (parse_seconds("3.5"), 5 * S, "tudo bem?", "Bruno"),
    ]
    # two names said once each are no evidence of speaker prefixes: the words stay, and
    # the warning says how to ask for them
    with pytest.warns(FormatWarning, match="--speaker-prefix yes"):
        assert [u.text for u in read_srt(path)] == ["Ana: bom dia", "Bruno: tudo bem?"]


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\ufeff\u200f", "\u061c"])
def test_direction_marks_before_any_format_are_skipped(tmp_path, mark):
    vtt = tmp_path / "x.vtt"
    vtt.write_text(mark + "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>שלום\n", encoding="utf-8")
    assert rows(quiet(read_vtt, vtt)) == [(S, 2 * S, "שלום", "Ana")]
    stm = tmp_path / "x.stm"
    stm.write_text(mark + "rec 1 Ana 1 2 שלום\n", encoding="utf-8")
    assert quiet(read_transcript, stm).uri == "rec"


# -- srt-colon-speaker: a colon is not a speaker ------------------------------------------------

WHISPER_SRT = (
    "1\n00:00:01,000 --> 00:00:04,000\n The agenda for today: budget and hiring.\n\n"
    "2\n00:00:04,000 --> 00:00:06,000\n Here's the thing: we are late.\n\n"
    "3\n00:00:06,000 --> 00:00:08,000\n We start at 10: 30 sharp.\n"
)


def test_srt_colon_speaker_keeps_every_word(tmp_path):
    # before: speakers 'The agenda for today', "Here's the thing", 'We start at 10' and
    # the words before each colon deleted
    path = case("srt-colon-speaker", "whisper_colons.srt", tmp_path, WHISPER_SRT.encode())
    assert rows(quiet(read_transcript, path)) == [
        (1 * S, 4 * S, "The agenda for today: budget and hiring.", None),
        (4 * S, 6 * S, "Here's the thing: we are late.", None),
        (6 * S, 8 * S, "We start at 10: 30 sharp.", None),
    ]
    out = tmp_path / "out.stm"
    result = run("convert", str(path), str(out))
    assert result.returncode == 0 and result.stdout == f"wrote {out}: 3 utterances, no speaker\n"
    assert result.stderr == ""
    assert "unknown 1.000 4.000 The agenda for today: budget and hiring." in out.read_text()


def test_speakerless_webvtt_keeps_every_word_too(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text("WEBVTT\n\n" + WHISPER_SRT.replace(",", ".").replace("1\n00", "00"))
    assert [u.speaker for u in quiet(read_vtt, path)] == [None, None, None]


DIARIZED = "".join(
    f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\n{name}: {text}\n\n"
    for i, (name, text) in enumerate(
        [("Ana", "bom dia"), ("Bruno", "oi"), ("Ana", "tudo bem?"), ("Bruno", "tudo: e você?")],
        start=1,
    )
)


TAKEN = "x.srt:2: 'Name:' prefixes read as speakers {}, because the file uses them throughout"


def test_recurring_names_in_most_cues_are_speakers(tmp_path):
    path = tmp_path / "x.srt"
    path.write_text(DIARIZED)
    # the rule's choice is said, with the way to turn it off
    with pytest.warns(FormatWarning) as caught:
        transcript = read_srt(path)
    (warning,) = caught
    assert str(warning.message).startswith(
        str(path.parent / TAKEN.format("'Ana' (2 cues), 'Bruno' (2 cues)"))
    )
    assert str(warning.message).endswith("read it with --speaker-prefix no")
    assert [(u.speaker, u.text) for u in transcript] == [
        ("Ana", "bom dia"), ("Bruno", "oi"), ("Ana", "tudo bem?"), ("Bruno", "tudo: e você?"),
    ]  # fmt: skip
    assert quiet(read_srt, path, speaker_prefix=True).speakers == ("Ana", "Bruno")
    assert [u.text for u in quiet(read_srt, path, speaker_prefix=False)][0] == "Ana: bom dia"
    # WhisperX writes its speakers in brackets
    path.write_text(DIARIZED.replace("Ana:", "[SPEAKER_00]:").replace("Bruno:", "[SPEAKER_01]:"))
    with pytest.warns(FormatWarning, match=r"speakers 'SPEAKER_00' \(2 cues\), 'SPEAKER_01'"):
        assert read_transcript(path).speakers == ("SPEAKER_00", "SPEAKER_01")


def test_speaker_prefix_on_the_command_line(tmp_path):
    path = case("srt-colon-speaker", "whisper_colons.srt", tmp_path, WHISPER_SRT.encode())
    out = tmp_path / "out.rttm"
    result = run("convert", str(path), str(out), "--speaker-prefix", "yes")
    assert result.returncode == 0 and "3 turns of 3 speakers" in result.stdout
    diarized = tmp_path / "d.srt"
    diarized.write_text(DIARIZED)
    result = run("convert", str(diarized), str(out), "--speaker-prefix", "no")
    assert result.returncode == 0
    # nothing is written to RTTM from utterances without speaker, and the summary says so
    assert result.stdout == (
        f"wrote {out}: 0 turns, no speaker (4 utterances without speaker not written)\n"
    )
    assert "4 utterances without speaker are not written" in result.stderr


# -- srt-dialog-dash: one cue, two speakers -----------------------------------------------------

DIALOG_SRT = "1\n0:00:01,000 --> 0:00:03,000\n- Ana: bom dia\n- Bruno: oi\n"


def test_srt_dialog_dash_gives_one_utterance_per_speaker(tmp_path):
    # before: speaker '- Ana' (written '-_Ana' in STM) with text 'bom dia - Bruno: oi'
    path = case("srt-dialog-dash", "dialog_dash.srt", tmp_path, DIALOG_SRT.encode())
    with pytest.warns(FormatWarning, match=r"dialog_dash.srt:2: cue 1 \(Ana, Bruno\) holds"):
        transcript = read_transcript(path)
    # a cue does not say who speaks when: each speaker gets the cue's span, not half of it
    assert rows(transcript) == [(1 * S, 3 * S, "bom dia", "Ana"), (1 * S, 3 * S, "oi", "Bruno")]
    out = tmp_path / "out.stm"
    result = run("convert", str(path), str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}: 2 utterances of 2 speakers\n"
    assert "cue 1 (Ana, Bruno) holds several speakers" in result.stderr
    assert "-_Ana" not in out.read_text() and " Ana 1.000 3.000 bom dia" in out.read_text()
    assert rows(quiet(read_srt, path, speaker_prefix=False)) == [
        (1 * S, 3 * S, "- Ana: bom dia - Bruno: oi", None)
    ]


def test_dialogue_without_names_and_several_voices(tmp_path):
    path = tmp_path / "x.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:03,000\n- Bom dia.\n- Oi.\n")
    assert rows(quiet(read_srt, path)) == [(S, 3 * S, "- Bom dia. - Oi.", None)]
    vtt = tmp_path / "x.vtt"
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:03.000\n<v Ana>bom dia</v>\n<v.loud Bruno>oi\n")
    with pytest.warns(FormatWarning, match="cue 1 .Ana, Bruno. holds several speakers"):
        assert rows(read_vtt(vtt)) == [(S, 3 * S, "bom dia", "Ana"), (S, 3 * S, "oi", "Bruno")]


# -- the rule says when it takes prefixes for speakers (found by a user) -----------------------

WARNING_SRT = (
    "1\n00:00:01,000 --> 00:00:02,000\nWARNING: High voltage.\n\n"
    "2\n00:00:03,000 --> 00:00:04,000\nWARNING: Keep out.\n"
)


def test_prefixes_taken_for_speakers_are_said(tmp_path):
    # before: speaker 'WARNING' invented, the word removed from the text, nothing said
    path = tmp_path / "w.srt"
    path.write_text(WARNING_SRT)
    with pytest.warns(FormatWarning) as caught:
        transcript = read_srt(path)
    assert [str(w.message) for w in caught] == [
        f"{path}:2: 'Name:' prefixes read as speakers 'WARNING' (2 cues), because the file "
        "uses them throughout (the same few names starting most cues); if they are part of "
        "the text, read it with --speaker-prefix no"
    ]
    assert [(u.speaker, u.text) for u in transcript] == [
        ("WARNING", "High voltage."), ("WARNING", "Keep out."),
    ]  # fmt: skip
    assert [u.text for u in quiet(read_srt, path, speaker_prefix=False)] == [
        "WARNING: High voltage.", "WARNING: Keep out.",
    ]  # fmt: skip
    out = tmp_path / "w.stm"
    result = run("convert", str(path), str(out))
    assert result.returncode == 0 and result.stdout == f"wrote {out}: 2 utterances of 1 speaker\n"
    assert result.stderr == f"reviewer: warning: {caught[0].message}\n"
    result = run("convert", str(path), str(out), "--speaker-prefix", "no")
    assert result.stderr == "" and "WARNING: Keep out." in out.read_text()
    # a dialogue cue read as two speakers by the rule is said too
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\n- Ana: bom dia\n- Bruno: oi\n")
    with pytest.warns(FormatWarning) as caught:
        read_srt(path)
    assert str(caught[0].message).startswith(
        f"{path}:2: 'Name:' prefixes read as speakers 'Ana' (1 cue), 'Bruno' (1 cue), because "
        "each is a dialogue cue"
    )
