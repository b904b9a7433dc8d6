"""Fuzzing the transcript readers (issue 14, item 7).

Each reader is fed mutated valid files (truncations, deletions, duplications, swapped lines
and fields, inserted random and special bytes, long runs of one piece, huge and odd numbers,
other encodings); the only outcomes allowed are a read that holds together or a
``FormatError`` naming the file and a line or a place. Warnings must be ``FormatWarning``.
Every example runs ``MUTATIONS`` single mutations and their running composition, so a
reader gets ``2 * MUTATIONS * EXAMPLES`` inputs (10,000 with the defaults) in about 5 s;
``REVIEWER_FUZZ_EXAMPLES`` raises the number of examples for a longer run.

A second property writes generated transcripts in every format, re-encodes the file as the
tools do (UTF-16 with a byte order mark, UTF-8 with one, a leading direction mark) and
checks that the reader gives back what the format keeps.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import warnings
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.io import FormatError, FormatWarning
from reviewer.io.files import MAX_TICKS
from reviewer.io.transcripts import (
    read_ctm,
    read_eaf,
    read_srt,
    read_stm,
    read_textgrid,
    read_transcript,
    read_vtt,
    read_whisper_json,
    write_transcript,
)
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.model.transcript import Transcript, Utterance

EXAMPLES = int(os.environ.get("REVIEWER_FUZZ_EXAMPLES", "200"))
MUTATIONS = 25
MS = TICKS_PER_SECOND // 1000
COUNTS: Counter[str] = Counter()
"""Inputs fed and outcomes, per reader and outcome (printed at the end with ``-s``)."""

PLACE = re.compile(
    r"^(cue |tier |tiers|time slot |segments|transcription|TIME_ORDER|HEADER|"
    r"MEDIA_DESCRIPTOR|JSON TextGrid|<|\(document\))"
)

SEEDS: dict[str, list[str]] = {
    "stm": [
        ';; LABEL "o" "Overall"\n'
        "rec A Ana 0.5 2.25 <o,f0,female> bom dia\n"
        "rec B Bruno 1.0 3.0 <o,f0,male> oi tudo bem\n"
        "rec A inter_segment_gap 3 4 <o,f0,unknown>\n"
        "rec A unknown 4.0 5.5 ignore_time_segment_in_scoring\n"
        "other 1 C 0 1 outra gravação\n",
    ],
    "ctm": [
        "rec A 0.50 0.30 bom 0.9\nrec A 0.85 0.40 dia NA\nrec B 2.0 0.5 oi 1\n"
        ";; comment\nother 1 0 1 palavra\n",
    ],
    "srt": [
        "1\n00:00:01,000 --> 00:00:02,500\nAna: bom dia\n\n"
        "2\n00:00:02,500 --> 00:00:04,000 X1:10 X2:20\n- Bruno: oi\n- Ana: <i>tudo</i> bem?\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\n<v Carla>olá</v> <v Ana>então</v>\n\n"
        "4\n00:01,000 --> 00:02,5\nBruno: já\n",
        "1\n00:00:01,000 --> 00:00:04,000\n The agenda for today: budget and hiring.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n Here's the thing: we are late.\n",
    ],
    "vtt": [
        "WEBVTT - a title\nKind: captions\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n"
        "STYLE\n::cue { color: yellow }\n\nNOTE a comment\n\n"
        "intro\n00:01.000 --> 00:02.500 align:start line:0\n<v.loud Ana>bom &amp; dia</v>\n\n"
        "0:00:02.500 --> 0:00:04.000\n<v Bruno>oi <00:00:03.000><c>tudo</c></v>\n<v Ana>bem\n\n"
        "00:00:04.000 --> 00:00:05.000\nCarla: <b>olá</b> <ruby>漢<rt>kan</rt></ruby>\n\n"
        "stray text\n",
    ],
    "textgrid": [
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0 \nxmax = 6 \n'
        "tiers? <exists> \nsize = 2 \nitem []: \n    item [1]:\n"
        '        class = "IntervalTier" \n        name = "Ana" \n        xmin = 0 \n'
        "        xmax = 6 \n        intervals: size = 2 \n        intervals [1]:\n"
        '            xmin = 0 \n            xmax = 1.5 \n            text = "olá ""tu"" bem?" \n'
        "        intervals [2]:\n            xmin = 1.5 \n            xmax = 6 \n"
        '            text = "" \n    item [2]:\n        class = "TextTier" \n'
        '        name = "events" \n        xmin = 0 \n        xmax = 6 \n'
        "        points: size = 1 \n        points [1]:\n            number = 2.5 \n"
        '            mark = "laugh" \n',
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n6\n<exists>\n1\n'
        '"IntervalTier"\n"Bruno"\n0\n6\n2\n0\n1e-05\n""\n1e-05\n4 ! comment\n"até já"\n',
        '{"xmin": 0, "xmax": 3, "tiers": [{"class": "IntervalTier", "name": "Ana", '
        '"xmin": 0, "xmax": 3, "entries": [[0.5, 1.25, "oi"], [1.25, 3, "tchau"]]}]}',
    ],
    "eaf": [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00+00:00" FORMAT="3.0" '
        'VERSION="3.0">\n<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">\n'
        '<MEDIA_DESCRIPTOR MEDIA_URL="file:///data/call.mp4" MIME_TYPE="video/mp4"/>\n'
        '<MEDIA_DESCRIPTOR MEDIA_URL="file:///data/call.wav" MIME_TYPE="audio/x-wav" '
        'TIME_ORIGIN="1500"/>\n</HEADER>\n<TIME_ORDER>\n'
        '<TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="100"/>\n<TIME_SLOT TIME_SLOT_ID="ts2"/>\n'
        '<TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="900"/>\n</TIME_ORDER>\n'
        '<TIER LINGUISTIC_TYPE_REF="lt" PARTICIPANT="Ana Silva" TIER_ID="A">\n'
        '<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" '
        'TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>bom dia</ANNOTATION_VALUE>'
        "</ALIGNABLE_ANNOTATION></ANNOTATION>\n"
        '<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts2" '
        'TIME_SLOT_REF2="ts3"><ANNOTATION_VALUE>tudo &amp; bem</ANNOTATION_VALUE>'
        "</ALIGNABLE_ANNOTATION></ANNOTATION>\n</TIER>\n"
        '<TIER LINGUISTIC_TYPE_REF="tr" PARENT_REF="A" TIER_ID="A-en">\n'
        '<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a3" ANNOTATION_REF="a1">'
        "<ANNOTATION_VALUE>good morning</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>\n"
        "</TIER>\n"
        '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="lt" TIME_ALIGNABLE="true"/>\n'
        '<LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" LINGUISTIC_TYPE_ID="tr" '
        'TIME_ALIGNABLE="false"/>\n</ANNOTATION_DOCUMENT>\n',
    ],
    "json": [
        json.dumps(
            {
                "segments": [
                    {
                        "start": 0.031,
                        "end": 2.5,
                        "text": " It costs 20 dollars. Okay.",
                        "speaker": "SPEAKER_01",
                        "words": [
                            {"word": "It", "start": 0.031, "end": 0.2, "speaker": "SPEAKER_01"},
                            {"word": "costs", "start": 0.25, "end": 0.6, "speaker": "SPEAKER_01"},
                            {"word": "20"},
                            {"word": "dollars.", "start": 1.2, "end": 1.6, "speaker": "SPEAKER_01"},
                            {"word": "Okay.", "start": 1.9, "end": 2.5, "speaker": "SPEAKER_00"},
                        ],
                    },
                    {"start": 3, "end": 4, "words": [{"word": " Bye", "start": 3, "end": 4}]},
                ],
                "language": "en",
            },
            indent=1,
        ),
        json.dumps(
            {
                "transcription": [
                    {
                        "timestamps": {"from": "00:00:00,000", "to": "00:00:02,500"},
                        "offsets": {"from": 0, "to": 2500},
                        "text": " Hello there.",
                        "speaker": "0",
                    },
                    {
                        "offsets": {"from": 2500, "to": 4000},
                        "text": " Hi.",
                        "speaker": "?",
                        "speaker_turn_next": True,
                    },
                ]
            },
            indent=1,
        ),
    ],
}

READERS = {
    "stm": read_stm,
    "ctm": read_ctm,
    "srt": read_srt,
    "vtt": read_vtt,
    "textgrid": read_textgrid,
    "eaf": read_eaf,
    "json": read_whisper_json,
}
EXTENSIONS = {
    "stm": ".stm",
    "ctm": ".ctm",
    "srt": ".srt",
    "vtt": ".vtt",
    "textgrid": ".TextGrid",
    "eaf": ".eaf",
    "json": ".json",
}

SPECIAL = [
    b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xe2\x80\x8e", b"\xc3", b'"', b'""', b"<",
    b">", b"</v>", b"<v A>", b"-->", b" --> ", b":", b": ", b"- ", b"!", b"\n", b"\r", b"\r\n",
    b"\n\n", b"\t", b" ", b"-", b"+", b".", b",", b"0", b"9", b"-1", b"1e999999", b"1e-999999",
    b"99999999999999999999999", b"9" * 5000, b"NaN", b"Infinity", b"null", b"[", b"]", b"{",
    b"}", b"&amp;", b"&", b"<?xml", b"<!DOCTYPE a [<!ENTITY x 'y'>]>", b"]]>", b"\\", b"\\u0000",
    b"<exists>", b"<absent>", b"size = 99", b"NOTE", b"WEBVTT", b"STYLE", b"\xd8\x00", b"<v.",
    b"<v", b".", b"1_", b"- Ana: ", b"[A]: ", b"<rt>", b"{\\an8}",
    "¹".encode(), "١٢".encode(), "\u2028".encode(), b"\x0b", b"1_0",
]  # fmt: skip


def _mutate(data: bytes, kind: int, a: float, b: float, blob: bytes) -> bytes:
    """One mutation of ``data``, chosen by ``kind`` and placed by fractions ``a``, ``b``."""
    n = len(data)
    i, j = sorted((int(a * n), int(b * n)))
    lines = data.split(b"\n")
    k, m = int(a * len(lines)) % len(lines), int(b * len(lines)) % len(lines)
    match kind:
        case 0:  # truncate
            return data[:i]
        case 1:  # delete a stretch
            return data[:i] + data[j:]
        case 2:  # duplicate a stretch
            return data[:j] + data[i:j] + data[j:]
        case 3:  # insert bytes
            return data[:i] + blob + data[i:]
        case 4:  # overwrite bytes
            return data[:i] + blob + data[i + len(blob) :]
        case 5:  # swap two lines
            lines[k], lines[m] = lines[m], lines[k]
            return b"\n".join(lines)
        case 6:  # swap two fields of a line
            fields = lines[k].split(b" ")
            p, q = int(a * len(fields)) % len(fields), int(b * len(fields)) % len(fields)
            fields[p], fields[q] = fields[q], fields[p]
            lines[k] = b" ".join(fields)
            return b"\n".join(lines)
        case 7:  # replace a number by an odd one
            numbers = list(re.finditer(rb"\d+(?:\.\d+)?", data))
            if not numbers:
                return data + blob
            found = numbers[int(a * len(numbers)) % len(numbers)]
            odd = [b"-1", b"1e999999", b"9" * 30, b"NaN", b"0.0000001", b"-0", b"99:99"][
                int(b * 7) % 7
            ]
            return data[: found.start()] + odd + data[found.end() :]
        case 8:  # re-encode the whole text
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                return data
            codec = ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "latin-1", "utf-32"][
                int(a * 6) % 6
            ]
            return text.encode(codec, errors="replace")
        case 9:  # flip a byte
            if not n:
                return blob
            return data[:i] + bytes([data[i % n] ^ (1 << int(b * 8) % 8)]) + data[i + 1 :]
        case 10:  # drop a line
            del lines[k]
            return b"\n".join(lines)
        case _:  # a long run of one piece (what makes a backtracking pattern take forever)
            return data[:i] + blob * (3_000 // len(blob) + 1) + data[i:]


def _check(name: str, path: Path, data: bytes) -> None:
    """Feed ``data`` to the reader; fail on anything but a sound read or a located error."""
    path.unlink(missing_ok=True)  # ext4 flushes a file truncated and rewritten: 1 ms each
    path.write_bytes(data)
    COUNTS[f"{name} inputs"] += 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            transcript = READERS[name](path)
        except FormatError as error:
            COUNTS[f"{name} FormatError"] += 1
            assert error.path == path, error
            assert error.line is not None or PLACE.match(error.problem), (str(error), data)
            return
    COUNTS[f"{name} read"] += 1
    for warning in caught:
        assert issubclass(warning.category, FormatWarning), (warning.message, data)
    assert isinstance(transcript, Transcript)
    for utterance in transcript:
        assert 0 <= utterance.start <= utterance.end <= MAX_TICKS, (utterance, data)
        assert isinstance(utterance.text, str)
        assert utterance.speaker is None or (
            isinstance(utterance.speaker, str) and utterance.speaker.strip()
        ), (utterance, data)
        for word in utterance.words:
            assert 0 <= word.start <= word.end <= MAX_TICKS


mutation = st.tuples(
    st.integers(0, 11),
    st.floats(0, 1),
    st.floats(0, 1),
    st.one_of(st.sampled_from(SPECIAL), st.binary(min_size=1, max_size=8)),
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("name", list(READERS))
def test_mutated_files_read_or_fail_cleanly(name, fuzz_dir):
    path = fuzz_dir / f"input{EXTENSIONS[name]}"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        seed=st.sampled_from(SEEDS[name]),
        mutations=st.lists(mutation, min_size=MUTATIONS, max_size=MUTATIONS),
    )
    def run(seed, mutations):
        original = seed.encode("utf-8")
        composed = original
        for kind, a, b, blob in mutations:
            _check(name, path, _mutate(original, kind, a, b, blob))
            composed = _mutate(composed, kind, a, b, blob)
            _check(name, path, composed)
            if len(composed) > 2 * len(original) + 1000:
                composed = original  # long runs stay single: a composition restarts

    run()
    assert COUNTS[f"{name} inputs"] >= 2 * MUTATIONS * EXAMPLES
    assert COUNTS[f"{name} read"] and COUNTS[f"{name} FormatError"]  # both outcomes reached
    print(f"\n{name}: {dict((k, v) for k, v in COUNTS.items() if k.startswith(name))}")


# -- generated transcripts, written and read back ------------------------------------------------

WORD = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        "áéíõçüßøłżščğış日本語中文한국어العربيةעברית.,?!'&%$()[]"
    ),
    min_size=1,
    max_size=8,
)
TEXT = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
SPEAKER = st.sampled_from([None, "Ana", "Bruno", "SPEAKER_00", "Dr. Silva", "Zoë Ørsted"])
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "lrm"]


@st.composite
def transcripts(draw):
    utterances = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, 10_000_000)) * MS
        end = start + draw(st.integers(1, 100_000)) * MS
        utterances.append(Utterance(start, end, draw(TEXT), draw(SPEAKER)))
    return Transcript(utterances, uri="rec")


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if encoding == "lrm":
        return ("\u200e" + text).encode("utf-8")
    return text.encode(encoding)


def _kept(name: str, transcript: Transcript) -> list[tuple]:
    """What format ``name`` keeps of a transcript (see the package docstring)."""
    rows = []
    for u in transcript:
        speaker, text = u.speaker, u.text
        if name == "ctm":
            speaker = None
        if name == "stm" and speaker:
            speaker = "_".join(speaker.split())  # a field cannot hold blanks
        if name in ("ctm", "textgrid") and not text:
            continue
        rows.append((u.start, u.end, text, speaker))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3] or ""))


@pytest.mark.parametrize("name", [n for n in READERS if n != "ctm"])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(transcript=transcripts(), encoding=st.sampled_from(ENCODINGS))
def test_written_files_read_back_in_any_encoding(name, transcript, encoding, tmp_path):
    path = tmp_path / f"x{EXTENSIONS[name]}"
    try:
        write_transcript(path, transcript)
    except ValueError:  # a tier format refusing overlapping utterances of one speaker
        return
    path.write_bytes(_encode(path.read_text(encoding="utf-8"), encoding))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = read_transcript(path, speaker_prefix=True)
    # a file reviewer wrote reads back without a warning, but that an empty one is empty
    expected = [] if transcript.utterances else ["holds no utterance"]
    assert [str(w.message).split(": ", 1)[1][:18] for w in caught] == expected
    rows = [(u.start, u.end, u.text, u.speaker) for u in back]
    assert rows == _kept(name, transcript)
