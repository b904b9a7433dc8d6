"""The RTTM reader's fast path reads exactly what its careful path reads (issue 16, item 7).

A file of plain SPEAKER lines is read at once (``rttm._read_plain``, numpy for the times);
any other file line by line (``rttm._read_lines``), with md-eval's leniencies and refusals.
Generated files, plain and not, must give the same tracks, warnings and errors both ways.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import hypothesis.strategies as st
import numpy as np
from hypothesis import HealthCheck, example, given, settings

from reviewer.io import FormatError, rttm
from reviewer.io.files import seconds_to_ticks
from reviewer.model.time import parse_plain_column

PLAIN_TIMES = st.one_of(
    st.integers(0, 10**9 - 1).map(str),
    st.tuples(st.integers(0, 10**9 - 1), st.integers(0, 6)).flatmap(
        lambda wd: st.integers(0, 10 ** wd[1] - 1).map(
            lambda frac: f"{wd[0]}." + (f"{frac:0{wd[1]}d}" if wd[1] else "")
        )
    ),
    st.integers(1, 6).flatmap(lambda d: st.integers(0, 10**d - 1).map(lambda f: f".{f:0{d}d}")),
)
ODD_TIMES = st.sampled_from(
    ["-1", "+1", "1e3", "1.1234567", "1234567890", ".", "", "1_0", "\u0661", "<NA>", "2*",
     "-0", "nan", "inf", "0x1", "1.5.", " 3"]
)  # fmt: skip


@given(st.lists(PLAIN_TIMES, min_size=1, max_size=50))
def test_a_plain_column_gives_the_exact_ticks(texts):
    ticks = parse_plain_column(texts)
    assert ticks is not None and ticks.dtype == np.int64
    assert ticks.tolist() == [seconds_to_ticks(text) for text in texts]


@given(st.lists(PLAIN_TIMES, max_size=5), ODD_TIMES, st.lists(PLAIN_TIMES, max_size=5))
def test_a_column_with_anything_else_is_left_to_the_careful_path(before, odd, after):
    assert parse_plain_column([*before, odd, *after]) is None


def test_the_largest_plain_times_are_exact():
    texts = ["999999999.999999", "999999999.999998", "0.000001", "123456789.123457"]
    expected = [int(Decimal(t) * 3_528_000_000) for t in texts]
    assert parse_plain_column(texts).tolist() == expected


SPEAKERS = st.sampled_from(["spk1", "SPEAKER_00", "A", "b\u00a0c", "x\ty"])
LINE = st.builds(
    lambda kind, uri, channel, onset, duration, subtype, speaker, tenth: " ".join(
        [kind, uri, channel, onset, duration, "<NA>", subtype, speaker, "<NA>"]
        + (["<NA>"] if tenth else [])
    ),
    st.sampled_from(["SPEAKER"] * 8 + ["speaker", "NOSCORE", "LEXEME", "SPKR-INFO", "XYZ"]),
    st.sampled_from(["rec"] * 6 + ["other"]),
    st.sampled_from(["1"] * 6 + ["2", "A", "a"]),
    st.one_of(PLAIN_TIMES, PLAIN_TIMES, PLAIN_TIMES, ODD_TIMES),
    st.one_of(PLAIN_TIMES, PLAIN_TIMES, PLAIN_TIMES, ODD_TIMES),
    st.sampled_from(["<NA>"] * 6 + ["<na>", "laugh", "other"]),
    SPEAKERS,
    st.booleans(),
)
EXTRA = st.sampled_from(["", "# a comment", ";; note", "SPEAKER rec 1 1 2 <NA> <NA> a b <NA> x"])


def _read(path, careful: bool, monkeypatch):
    """(tracks, exclusions, warnings) or the FormatError's text, by one path or the other."""
    with monkeypatch.context() as patch:
        if careful:
            patch.setattr(rttm, "_read_plain", lambda lines, recordings: False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                contents = rttm.read_rttm_contents(path)
            except FormatError as error:
                return str(error)
    said = [str(w.message) for w in caught]
    return contents.tracks, contents.exclusions, said


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(LINE, min_size=0, max_size=30),
    st.lists(st.tuples(st.integers(0, 30), EXTRA), max_size=2),
)
@example(["SPEAKER rec 1 0.5 1.25 <NA> <NA> A <NA>"] * 3, [])
def test_both_paths_read_the_same(tmp_path_factory, monkeypatch, lines, extras):
    for at, extra in extras:
        lines.insert(min(at, len(lines)), extra)
    path = tmp_path_factory.mktemp("rttm") / "x.rttm"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert _read(path, False, monkeypatch) == _read(path, True, monkeypatch)


def test_the_fast_path_takes_a_plain_file(tmp_path, monkeypatch):
    """The 10-hour file's kind of lines: read at once, the careful path not called."""
    path = tmp_path / "plain.rttm"
    path.write_text(
        "".join(
            f"SPEAKER rec 1 {i * 1.5:.3f} 1.250 <NA> <NA> spk{i % 3} <NA> <NA>\n"
            for i in range(2000)
        )
    )
    monkeypatch.setattr(rttm, "_read_lines", lambda *a: (_ for _ in ()).throw(AssertionError))
    track = rttm.read_rttm(path)["rec"]
    assert len(track.turns) == 2000
    assert track.turns[1].start == 5_292_000_000 and track.turns[1].end == 9_702_000_000


PLAIN_LINE = st.builds(
    lambda onset, duration, speaker, tenth: (
        f"SPEAKER rec 1 {onset} {duration} <NA> <NA> {speaker} <NA>" + (" <NA>" if tenth else "")
    ),
    PLAIN_TIMES,
    PLAIN_TIMES,
    st.sampled_from(["spk1", "spk2", "SPEAKER_00"]),
    st.booleans(),
)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PLAIN_LINE, min_size=1, max_size=40))
def test_plain_files_read_the_same_both_ways(tmp_path_factory, monkeypatch, lines):
    path = tmp_path_factory.mktemp("rttm") / "x.rttm"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    fast = _read(path, False, monkeypatch)
    assert fast == _read(path, True, monkeypatch)
    assert len(fast[0]["rec"].turns) == len(lines)
