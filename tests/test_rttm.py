"""RTTM reading and writing: strict on bad lines, lossless on good ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.io import FormatError, read_rttm, write_rttm
from reviewer.io.rttm import format_rttm
from reviewer.model.annotation import Track, Turn
from reviewer.model.time import TICKS_PER_SECOND, parse_seconds

GOOD = """\
SPKR-INFO a 1 <NA> <NA> <NA> unknown A <NA> <NA>
SPEAKER a 1 0.372 6.649 <NA> <NA> A <NA> <NA>
# a comment
;; another comment

SPEAKER b 1 1.000 0.000 <NA> <NA> B <NA> <NA>
SPEAKER a 1 10.500 2.125 <NA> <NA> B <NA> <NA>
SPEAKER b 1 3.25 1 <NA> <NA> B <NA>
"""


def write(tmp_path: Path, text: str, name: str = "x.rttm") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_speaker_lines_per_recording(tmp_path):
    tracks = read_rttm(write(tmp_path, GOOD))
    assert list(tracks) == ["a", "b"]
    assert tracks["a"].turns == (
        Turn(parse_seconds("0.372"), parse_seconds("7.021"), "A"),
        Turn(parse_seconds("10.5"), parse_seconds("12.625"), "B"),
    )
    assert tracks["b"].turns[0].duration == 0  # zero-length turns are valid
    assert tracks["b"].channel == "1"
    assert tracks["a"].uri == "a"


def test_times_are_exact():
    assert parse_seconds("0.001") * 1000 == TICKS_PER_SECOND
    assert parse_seconds("1e-3") == parse_seconds("0.001")
    assert parse_seconds("0.000001") * 10**6 == TICKS_PER_SECOND


def test_round_trip_reproduces_speaker_lines(tmp_path):
    source = write(tmp_path, GOOD)
    target = tmp_path / "out.rttm"
    write_rttm(target, read_rttm(source))
    expected = sorted(
        (f[1], f[2], float(f[3]), float(f[4]), f[7])
        for f in (line.split() for line in GOOD.splitlines())
        if f and f[0] == "SPEAKER"
    )
    got = [
        (f[1], f[2], float(f[3]), float(f[4]), f[7])
        for f in (line.split() for line in target.read_text().splitlines())
    ]
    assert sorted(got) == expected
    assert got == sorted(got, key=lambda r: (r[0], r[2]))
    assert all(len(line.split()) == 10 for line in target.read_text().splitlines())
    assert read_rttm(target) == read_rttm(source)


def test_round_trip_of_real_voxconverse_file(tmp_path):
    from conftest import CONFORMANCE, needs_shared

    source = needs_shared(CONFORMANCE / "voxconverse" / "ref-dev" / "abjxc.rttm")
    target = tmp_path / "abjxc.rttm"
    write_rttm(target, read_rttm(source))

    def values(path):
        return sorted(
            (f[1], f[2], round(float(f[3]), 3), round(float(f[4]), 3), f[7])
            for f in (line.split() for line in path.read_text().splitlines())
            if f and f[0] == "SPEAKER"
        )

    assert values(target) == values(source)


def test_millisecond_precision_on_write():
    track = Track([Turn.from_seconds(1.0004, 2.0006, "A")], uri="u")
    assert format_rttm([track]) == "SPEAKER u 1 1.000 1.001 <NA> <NA> A <NA> <NA>\n"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("SPEAKER a 1 0.0 1.0 <NA> <NA>", "has 7 fields, expected 10"),
        ("SPEAKER a 1 0.0 1.0 <NA> <NA> A <NA> <NA> extra", "has 11 fields"),
        ("SPEAKER a 1 zero 1.0 <NA> <NA> A <NA> <NA>", "onset 'zero' is not a number"),
        ("SPEAKER a 1 0.0 1,5 <NA> <NA> A <NA> <NA>", "duration '1,5' is not a number"),
        ("SPEAKER a 1 -1.0 1.0 <NA> <NA> A <NA> <NA>", "onset '-1.0' is negative"),
        ("SPEAKER a 1 1.0 -0.5 <NA> <NA> A <NA> <NA>", "duration '-0.5' is negative"),
        ("SPEAKER a 1 NaN 1.0 <NA> <NA> A <NA> <NA>", "onset 'NaN' is not a finite number"),
        ("SPEAKER a 1 0.0 inf <NA> <NA> A <NA> <NA>", "duration 'inf' is not a finite number"),
        ("SPEAKER a 1 0.0 -Infinity <NA> <NA> A <NA> <NA>", "is not a finite number"),
    ],
)
def test_malformed_line_names_file_line_and_problem(tmp_path, line, problem):
    path = write(tmp_path, "SPEAKER a 1 0.0 1.0 <NA> <NA> A <NA> <NA>\n\n" + line + "\n")
    with pytest.raises(FormatError) as caught:
        read_rttm(path)
    assert caught.value.line == 3
    assert caught.value.path == path
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}:3: ")


def test_not_utf8(tmp_path):
    path = tmp_path / "x.rttm"
    path.write_bytes(
        b"SPEAKER a 1 0 1 <NA> <NA> A <NA> <NA>\nSPEAKER a 1 0 1 <NA> <NA> \xff <NA> <NA>\n"
    )
    with pytest.raises(FormatError, match=r"x.rttm:2: not valid UTF-8"):
        read_rttm(path)


def test_missing_file_and_empty_directory(tmp_path):
    with pytest.raises(FormatError, match="no such file"):
        read_rttm(tmp_path / "nope.rttm")
    with pytest.raises(FormatError, match=r"no \*.rttm file"):
        read_rttm(tmp_path)


def test_directory_means_all_rttm_files(tmp_path):
    write(tmp_path, "SPEAKER a 1 0 1 <NA> <NA> A <NA> <NA>\n", "1.rttm")
    write(tmp_path, "SPEAKER b 1 0 1 <NA> <NA> B <NA> <NA>\n", "2.rttm")
    write(tmp_path, "SPEAKER c 1 0 1 <NA> <NA> C <NA> <NA>\n", "3.txt")
    assert sorted(read_rttm(tmp_path)) == ["a", "b"]


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "out.rttm"
    target.write_text("old content\n")
    track = Track([Turn.from_seconds(0, 1, "A")], uri="u")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError):
        write_rttm(target, [track])
    assert target.read_text() == "old content\n"
    assert os.listdir(tmp_path) == ["out.rttm"]
    monkeypatch.undo()
    write_rttm(target, [track])
    assert read_rttm(target)["u"] == track
    assert os.listdir(tmp_path) == ["out.rttm"]


def test_channel_is_kept(tmp_path):
    source = write(tmp_path, "SPEAKER a A 0 1 <NA> <NA> X <NA> <NA>\n")
    assert format_rttm(read_rttm(source)) == "SPEAKER a A 0.000 1.000 <NA> <NA> X <NA> <NA>\n"


def test_canonical_export_merges_a_speakers_touching_and_overlapping_turns():
    track = Track(
        [
            Turn.from_seconds(0.0, 1.0, "A"),
            Turn.from_seconds(1.0, 2.0, "A"),  # touches
            Turn.from_seconds(1.5, 2.5, "A"),  # overlaps
            Turn.from_seconds(2.5004, 3.0, "A"),  # touches once written in milliseconds
            Turn.from_seconds(0.5, 1.5, "B"),  # another speaker: overlapped speech, kept
            Turn.from_seconds(4.0, 5.0, "A"),
        ],
        uri="u",
    )
    assert format_rttm([track], canonical=True) == (
        "SPEAKER u 1 0.000 3.000 <NA> <NA> A <NA> <NA>\n"
        "SPEAKER u 1 0.500 1.000 <NA> <NA> B <NA> <NA>\n"
        "SPEAKER u 1 4.000 1.000 <NA> <NA> A <NA> <NA>\n"
    )
    assert len(format_rttm([track]).splitlines()) == 6  # by default, every turn is a line
