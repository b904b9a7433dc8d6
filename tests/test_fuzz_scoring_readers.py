"""Fuzzing the RTTM and UEM readers: a correct read or a FormatError naming the file, no crash.

Each hypothesis example mutates valid files many times over (truncation, swapped or
dropped fields, odd encodings, huge or non-finite numbers, inserted bytes, case changes), so
each reader sees more than 10,000 inputs per run. A read that succeeds is checked against
an independent reading of the same text: every turn line is there with its times, and
the tracks can be scored (times fit the engine's 64-bit ticks).
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal, InvalidOperation
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.io import FormatError, read_rttm, read_uem
from reviewer.io.rttm import read_rttm_contents
from reviewer.metrics import score_corpus
from reviewer.model.time import TICKS_PER_SECOND

EXAMPLES = 210
MUTATIONS = 48  # 210 x 48 = 10,080 inputs per reader

RTTM = """\
SPKR-INFO rec 1 <NA> <NA> <NA> unknown A <NA> <NA>
SPEAKER rec 1 0.372 6.649 <NA> <NA> A <NA> <NA>
SPEAKER rec 1 10.500 2.125 <NA> <NA> B <NA> <NA>
NON-LEX rec 1 13.0 0.5 <NA> laugh A <NA> <NA>
NOSCORE rec 1 20.0 1.0 <NA> <NA> <NA> <NA> <NA>
LEXEME rec 1 11.0 0.3 hello lex B <NA> <NA>
SPEAKER other 2 1.000 0.000 <NA> <NA> C <NA>
SPEAKER rec 1 3.25 1 <NA> <NA> B <NA> <NA>
"""
UEM = "rec 1 0.00 10.00\nrec 1 20 30\nother 2 0 1.5\n;; comment\n"

PIECES = ["", " ", "\t", "-1", "1e400", "nan", "inf", "99999999999999999999999", "<NA>",
          "*", "0.0", "5", "SPEAKER", "speaker", "NOSCORE", "x", "\u00e9", "\ufeff", "\u200e",
          ";", "#"]  # fmt: skip
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1"]


def mutate(text: str, data) -> bytes:
    """One mutation of a valid file, chosen by ``data``."""
    lines = text.splitlines()
    kind = data.draw(st.integers(0, 8))
    if kind == 0 and lines:  # truncate anywhere
        cut = data.draw(st.integers(0, len(text)))
        text = text[:cut]
    elif kind == 1 and lines:  # swap two fields of a line
        i = data.draw(st.integers(0, len(lines) - 1))
        fields = lines[i].split()
        if len(fields) > 1:
            a, b = (
                data.draw(st.integers(0, len(fields) - 1)),
                data.draw(st.integers(0, len(fields) - 1)),
            )
            fields[a], fields[b] = fields[b], fields[a]
            lines[i] = " ".join(fields)
        text = "\n".join(lines) + "\n"
    elif kind == 2 and lines:  # replace a field by an odd piece
        i = data.draw(st.integers(0, len(lines) - 1))
        fields = lines[i].split() or [""]
        fields[data.draw(st.integers(0, len(fields) - 1))] = data.draw(st.sampled_from(PIECES))
        lines[i] = " ".join(fields)
        text = "\n".join(lines) + "\n"
    elif kind == 3 and lines:  # drop or duplicate a field
        i = data.draw(st.integers(0, len(lines) - 1))
        fields = lines[i].split()
        if fields:
            j = data.draw(st.integers(0, len(fields) - 1))
            fields = (
                fields[:j] + fields[j + 1 :] if data.draw(st.booleans()) else fields + [fields[j]]
            )
        lines[i] = " ".join(fields)
        text = "\n".join(lines) + "\n"
    elif kind == 4:  # insert random text
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.text(max_size=8)) + text[at:]
    elif kind == 5:  # change case of a line
        lines = [line.lower() if data.draw(st.booleans()) else line for line in lines]
        text = "\n".join(lines) + "\n"
    elif kind == 6:  # duplicate or shuffle lines
        lines = data.draw(st.permutations(lines)) + lines[: data.draw(st.integers(0, 2))]
        text = "\n".join(lines) + "\n"
    raw = text.encode(data.draw(st.sampled_from(ENCODINGS)), errors="replace")
    if kind == 7:  # random bytes
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(max_size=6)) + raw[at:]
    if kind == 8:  # line endings
        raw = raw.replace(b"\n", data.draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"])))
    return raw


def _times(onset: str, duration: str) -> tuple[int, int] | None:
    """An independent reading of a turn line's times (md-eval's leniencies included)."""
    onset, duration = onset.rstrip("*"), duration.rstrip("*")
    try:
        start = Decimal(onset)
        length = Decimal(0) if duration.lower() == "<na>" else Decimal(duration)
    except InvalidOperation:
        return None
    if not (start.is_finite() and length.is_finite()) or start < 0 or length < 0:
        return None
    return (
        int((start * TICKS_PER_SECOND).to_integral_value()),
        int(((start + length) * TICKS_PER_SECOND).to_integral_value()),
    )


def check_rttm(path: Path, raw: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            contents = read_rttm_contents(path)
    except FormatError as error:
        assert error.path == path
        assert error.problem
        assert error.line is None or error.line >= 1
        return
    text = _decoded(raw)
    expected = []
    for line in re.split(r"\r\n|\r|\n", text):  # md-eval's lines and fields: ASCII only
        fields = [field for field in re.split(r"[ \t\n\r\f\v]+", line) if field]
        if fields and fields[0].upper() == "SPEAKER" and not fields[0].startswith(("#", ";")):
            times = _times(fields[3], fields[4])
            assert times is not None, f"accepted bad times in {line!r}"
            expected.append((fields[1], *times, fields[7]))
    got = [
        (track.uri, turn.start, turn.end, turn.speaker)
        for track in contents.tracks.values()
        for turn in track.turns
    ]
    assert sorted(got) == sorted(expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score_corpus(contents.tracks, contents.tracks, exclusions=contents.exclusions)


def _decoded(raw: bytes) -> str:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(codec).lstrip("\ufeff\u200e\u200f")
    return raw.decode("utf-8").lstrip("\ufeff\u200e\u200f")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_rttm_reader_reads_correctly_or_names_the_problem(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("rttm", numbered=True)
    for i in range(MUTATIONS):
        raw = mutate(RTTM, data)
        path = folder / f"{i}.rttm"
        path.write_bytes(raw)
        check_rttm(path, raw)


def check_uem(path: Path) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            regions = read_uem(path)
    except FormatError as error:
        assert error.path == path and error.problem
        return
    for spans in regions.values():
        assert list(spans) == sorted(spans)
        assert all(0 <= span.start < span.end for span in spans)
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_uem_reader_reads_correctly_or_names_the_problem(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("uem", numbered=True)
    for i in range(MUTATIONS):
        path = folder / f"{i}.uem"
        path.write_bytes(mutate(UEM, data))
        check_uem(path)


def test_the_fuzzer_reaches_both_outcomes(tmp_path):
    """The mutations are not all refused nor all accepted: both paths are exercised."""
    good = tmp_path / "good.rttm"
    good.write_text(RTTM)
    assert sum(len(t) for t in read_rttm(good).values()) == 4
    bad = tmp_path / "bad.rttm"
    bad.write_text(RTTM.replace("6.649", "1e400"))
    try:
        read_rttm(bad)
    except FormatError as error:
        assert error.line == 2
    else:
        raise AssertionError("a time of 1e400 s was accepted")
