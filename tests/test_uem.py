"""UEM reading and writing."""

from __future__ import annotations

import pytest

from reviewer.io import FormatError, FormatWarning, read_uem, write_uem
from reviewer.model.annotation import Span
from reviewer.model.time import parse_seconds as t


def test_reads_and_merges_regions(tmp_path):
    path = tmp_path / "x.uem"
    path.write_text("a 1 0.00 10.00\n;; comment\na 1 20 30\na 1 5 12\nb 1 0 1.5\n")
    with pytest.warns(FormatWarning, match=r"x.uem:4: region overlaps another of a channel 1"):
        regions = read_uem(path)
    assert regions == {
        "a": (Span(t("0"), t("12")), Span(t("20"), t("30"))),
        "b": (Span(t("0"), t("1.5")),),
    }


def test_round_trip(tmp_path):
    regions = {"a": (Span(t("0.25"), t("12.5")),), "b": (Span(0, t("3")),)}
    write_uem(tmp_path / "out.uem", regions)
    assert read_uem(tmp_path / "out.uem") == regions


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("a 1 0", "has 3 fields, expected 4"),
        ("a 1 x 10", "start 'x' is not a number"),
        ("a 1 0 nan", "end 'nan' is not a finite number"),
        ("a 1 -2 10", "start '-2' is negative"),
        ("a 1 10 5", "ends (5) before it starts (10)"),
    ],
)
def test_malformed(tmp_path, line, problem):
    path = tmp_path / "x.uem"
    path.write_text("a 1 0 1\n" + line + "\n")
    with pytest.raises(FormatError) as caught:
        read_uem(path)
    assert caught.value.line == 2
    assert problem in str(caught.value)
