"""RTTM and UEM files as people have them, scored as md-eval-22 scores them.

Each case of ``../shared/cases/realworld`` about scoring is a test here, with md-eval-22's
numbers; where ``../shared`` is absent the same small files are written from this module.
``tests/data/mdeval-exclusions`` holds md-eval's numbers on references with ``NOSCORE``,
``NON-LEX`` and ``LEXEME`` lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import SHARED

from reviewer.io import FormatError, FormatWarning, read_rttm, read_uem
from reviewer.io.rttm import read_rttm_contents
from reviewer.metrics import score, score_corpus
from reviewer.metrics.breakdown import breakdown_corpus
from reviewer.metrics.incremental import IncrementalScorer
from reviewer.metrics.pairing import ScoringWarning, mdeval_file_id

REALWORLD = SHARED / "cases" / "realworld"
EXCLUSIONS = Path(__file__).parent / "data" / "mdeval-exclusions"
WALKS = Path(__file__).parent / "data" / "mdeval-walks"

# The files of the shared cases, for a checkout without ../shared.
FILES = {
    "rttm-lowercase-type/ref.rttm": "speaker r 1 0.0 5.0 <na> <na> A <na> <na>\n"
    "speaker r 1 5.0 5.0 <na> <na> B <na> <na>\n",
    "rttm-lowercase-type/sys.rttm": "SPEAKER r 1 0.0 5.0 <NA> <NA> x <NA> <NA>\n"
    "SPEAKER r 1 5.0 5.0 <NA> <NA> y <NA> <NA>\n",
    "rttm-noscore-nonlex/ref_nonlex.rttm": "SPEAKER mtg 1 0.0 10.0 <NA> <NA> A <NA> <NA>\n"
    "NON-LEX mtg 1 11.0 2.0 <NA> laugh A <NA> <NA>\n"
    "SPEAKER mtg 1 15.0 10.0 <NA> <NA> B <NA> <NA>\n",
    "rttm-noscore-nonlex/ref_noscore.rttm": "SPKR-INFO mtg 1 <NA> <NA> <NA> unknown A <NA> <NA>\n"
    "SPKR-INFO mtg 1 <NA> <NA> <NA> unknown B <NA> <NA>\n"
    "SPEAKER mtg 1 0.0 10.0 <NA> <NA> A <NA> <NA>\n"
    "NOSCORE mtg 1 10.0 5.0 <NA> <NA> <NA> <NA> <NA>\n"
    "SPEAKER mtg 1 15.0 10.0 <NA> <NA> B <NA> <NA>\n",
    "rttm-noscore-nonlex/sys.rttm": "SPEAKER mtg 1 0.0 15.0 <NA> <NA> x <NA> <NA>\n"
    "SPEAKER mtg 1 15.0 10.0 <NA> <NA> y <NA> <NA>\n",
    "rttm-two-channels/ref.rttm": "SPEAKER call 1 0 10 <NA> <NA> A <NA> <NA>\n"
    "SPEAKER call 2 5 10 <NA> <NA> B <NA> <NA>\n",
    "rttm-two-channels/sys.rttm": "SPEAKER call 1 0 10 <NA> <NA> x <NA> <NA>\n"
    "SPEAKER call 2 5 10 <NA> <NA> x <NA> <NA>\n",
    "rttm-two-channels/ref_ch0.rttm": "SPEAKER mtg 0 0.0 4.0 <NA> <NA> A <NA> <NA>\n"
    "SPEAKER mtg 0 4.0 6.0 <NA> <NA> B <NA> <NA>\n",
    "rttm-two-channels/sys_chNA.rttm": "SPEAKER mtg <NA> 0.0 4.5 <NA> <NA> s1 <NA> <NA>\n"
    "SPEAKER mtg <NA> 4.5 5.5 <NA> <NA> s2 <NA> <NA>\n",
    "uem-path-extension/ref.rttm": "SPEAKER talk 1 5.00 5.00 <NA> <NA> A <NA> <NA>\n"
    "SPEAKER talk 1 10.00 10.00 <NA> <NA> B <NA> <NA>\n",
    "uem-path-extension/sys.rttm": "SPEAKER talk 1 0.00 10.00 <NA> <NA> a <NA> <NA>\n"
    "SPEAKER talk 1 10.00 10.00 <NA> <NA> b <NA> <NA>\n",
    "uem-path-extension/ext.uem": "talk.sph 1 0 20\n",
    "uem-path-extension/path.uem": "/corpus/audio/talk.wav 1 0 20\n",
    "uem-path-extension/nomatch.uem": "other 1 0 20\n",
    "rttm-mdeval-lenient/na_duration.rttm": "SPEAKER r 1 0.0 5.0 <NA> <NA> A <NA> <NA>\n"
    "SPEAKER r 1 5.0 <NA> <NA> <NA> B <NA> <NA>\n"
    "SPEAKER r 1 6.0 4.0 <NA> <NA> B <NA> <NA>\n",
    "rttm-mdeval-lenient/star_times.rttm": "SPEAKER r 1 0.0 5.0* <NA> <NA> A <NA> <NA>\n"
    "SPEAKER r 1 5.0* 5.0 <NA> <NA> B <NA> <NA>\n",
    "rttm-mdeval-lenient/sys.rttm": "SPEAKER r 1 0.0 5.0 <NA> <NA> x <NA> <NA>\n"
    "SPEAKER r 1 5.0 5.0 <NA> <NA> y <NA> <NA>\n",
}
LATIN1 = b"SPEAKER f 1 0 5 <NA> <NA> <NA> <NA> <NA>\nSPEAKER f 1 5 5 <NA> <NA> Jos\xe9 <NA> <NA>\n"


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The path of a shared case file, or of the same file written here."""
    home = tmp_path_factory.mktemp("realworld")

    def find(name: str) -> Path:
        shared = REALWORLD / name
        if shared.exists():
            return shared
        path = home / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("latin1.rttm"):
            path.write_bytes(LATIN1)
        else:
            path.write_text(FILES[name], encoding="utf-8")
        return path

    return find


def test_the_inline_copies_are_the_shared_files():
    if not REALWORLD.exists():
        pytest.skip("../shared is absent: the inline copies are what the tests use")
    for name, text in FILES.items():
        assert (REALWORLD / name).read_text(encoding="utf-8") == text, name


def totals(reference: Path, system: Path, uem: Path | None = None, **settings):
    contents = read_rttm_contents(reference)
    return score_corpus(
        contents.tracks,
        read_rttm(system),
        uems=read_uem(uem) if uem else None,
        exclusions=contents.exclusions,
        **settings,
    )


def seconds(result):
    return (result.scored, result.missed, result.false_alarm, result.confusion)


def test_line_types_are_case_insensitive(case):
    """md-eval-22 upper-cases the type: 'speaker' lines are turns (DER 0.00 %, 10 s)."""
    ref, sys_ = case("rttm-lowercase-type/ref.rttm"), case("rttm-lowercase-type/sys.rttm")
    assert len(read_rttm(ref)["r"]) == 2
    assert seconds(totals(ref, sys_).total) == pytest.approx((10, 0, 0, 0))
    assert seconds(totals(sys_, ref).total) == pytest.approx((10, 0, 0, 0))


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("ref_noscore.rttm", (20.0, 0.0, 0.0, 0.0)),  # NOSCORE: not evaluated, DER 0.00 %
        ("ref_nonlex.rttm", (20.0, 0.0, 2.0, 0.0)),  # NON-LEX widened by 0.5 s: 10.00 %
    ],
)
def test_noscore_and_nonlex_lines_have_md_evals_effect(case, reference, expected):
    ref = case(f"rttm-noscore-nonlex/{reference}")
    sys_ = case("rttm-noscore-nonlex/sys.rttm")
    result = totals(ref, sys_).total
    assert seconds(result) == pytest.approx(expected)
    tracks = read_rttm_contents(ref)
    scorer = IncrementalScorer(
        tracks.tracks["mtg"], read_rttm(sys_)["mtg"], exclusions=tracks.exclusions["mtg"]
    )
    assert seconds(scorer.score) == pytest.approx(expected)
    _, total = breakdown_corpus(tracks.tracks, read_rttm(sys_), exclusions=tracks.exclusions)
    assert seconds(total.total) == pytest.approx(expected)


def test_each_channel_is_scored_on_its_own(case):
    """md-eval-22 scores (file, channel) pairs: 0.00 % here, not 50 % of merged channels."""
    ref, sys_ = case("rttm-two-channels/ref.rttm"), case("rttm-two-channels/sys.rttm")
    tracks = read_rttm(ref)
    assert sorted(tracks) == ["call:1", "call:2"]
    assert (tracks["call:2"].uri, tracks["call:2"].channel) == ("call", "2")
    result = totals(ref, sys_)
    assert sorted(result.files) == ["call:1", "call:2"]
    assert seconds(result.total) == pytest.approx((20, 0, 0, 0))


def test_a_system_in_another_channel_is_all_missed_and_said(case):
    """md-eval-22: 100 % missed (channel 0 against <NA>); dscore would force channel 1."""
    ref, sys_ = case("rttm-two-channels/ref_ch0.rttm"), case("rttm-two-channels/sys_chNA.rttm")
    with pytest.warns(ScoringWarning, match=r"channel '<NA>', the reference in channel '0'"):
        result = totals(ref, sys_).total
    assert seconds(result) == pytest.approx((10, 10, 0, 0))


@pytest.mark.parametrize("uem", ["ext.uem", "path.uem"])
def test_uem_file_ids_lose_directory_and_extension_as_in_md_eval(case, uem):
    """md-eval-22: false alarm 5.0 s, DER 33.33 %."""
    ref, sys_ = case("uem-path-extension/ref.rttm"), case("uem-path-extension/sys.rttm")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a stripped id is md-eval's rule, not a surprise
        result = totals(ref, sys_, case(f"uem-path-extension/{uem}")).total
    assert seconds(result) == pytest.approx((15, 0, 5, 0))
    assert result.der == pytest.approx(1 / 3)


def test_a_uem_that_names_no_recording_is_reported(case):
    ref, sys_ = case("uem-path-extension/ref.rttm"), case("uem-path-extension/sys.rttm")
    uem = case("uem-path-extension/nomatch.uem")
    with pytest.warns(FormatWarning, match=r"nomatch.uem:1: UEM file id 'other' names no scored"):
        result = totals(ref, sys_, uem).total
    assert seconds(result) == pytest.approx((15, 0, 0, 0))


def test_md_evals_stripping_of_dotted_ids(tmp_path):
    assert mdeval_file_id("/corpus/audio/talk.wav") == "talk"
    assert mdeval_file_id("ES2004a.Mix-Headset") == "ES2004a"
    assert mdeval_file_id("a.b.c") == "a.c"
    ref = tmp_path / "ref.rttm"
    ref.write_text("SPEAKER ES2004a.Mix-Headset 1 5 5 <NA> <NA> A <NA> <NA>\n")
    sys_ = tmp_path / "sys.rttm"
    sys_.write_text("SPEAKER ES2004a.Mix-Headset 1 0 10 <NA> <NA> a <NA> <NA>\n")
    uem = tmp_path / "u.uem"
    uem.write_text("ES2004a.Mix-Headset 1 0 10\n")
    with pytest.warns(FormatWarning, match="md-eval-22 reads it as 'ES2004a' and would not"):
        result = totals(ref, sys_, uem).total
    assert result.false_alarm == pytest.approx(5.0)  # the UEM the user wrote is applied


def test_uem_regions_in_another_channel_are_not_applied_and_said(tmp_path):
    ref = tmp_path / "ref.rttm"
    ref.write_text("SPEAKER talk 1 5 5 <NA> <NA> A <NA> <NA>\n")
    sys_ = tmp_path / "sys.rttm"
    sys_.write_text("SPEAKER talk 1 0 10 <NA> <NA> a <NA> <NA>\n")
    uem = tmp_path / "u.uem"
    uem.write_text("talk A 0 10\n")
    with pytest.warns(FormatWarning, match="in channel 'A', the reference in channel '1'"):
        result = totals(ref, sys_, uem).total
    assert result.false_alarm == 0  # md-eval-22 scores 5-10 s only: the UEM is not applied


@pytest.mark.parametrize(
    ("name", "expected", "warning"),
    [
        ("na_duration.rttm", (9, 0, 1, 0), r"na_duration.rttm:2: duration <NA> read as 0"),
        ("star_times.rttm", (10, 0, 0, 0), r"star_times.rttm:1: '\*' after a time .* 1 more"),
    ],
)
def test_md_evals_lenient_times_are_read_and_reported(case, name, expected, warning):
    """md-eval-22: 11.11 % (a <NA> duration is a zero-length turn) and 0.00 %."""
    with pytest.warns(FormatWarning, match=warning):
        result = totals(case(f"rttm-mdeval-lenient/{name}"), case("rttm-mdeval-lenient/sys.rttm"))
    assert seconds(result.total) == pytest.approx(expected)


def test_a_file_that_is_not_unicode_text_is_refused_with_its_line(case):
    """md-eval takes bytes as they are; reviewer needs the characters of speaker names."""
    with pytest.raises(FormatError) as raised:
        read_rttm(case("rttm-mdeval-lenient/latin1.rttm"))
    assert raised.value.line == 2
    assert "UTF" in raised.value.problem


def test_unknown_line_types_are_reported_not_dropped_silently(tmp_path):
    ref = tmp_path / "ref.rttm"
    ref.write_text(
        "SPEAKER r 1 0 5 <NA> <NA> A <NA> <NA>\nSPEKAER r 1 5 5 <NA> <NA> B <NA> <NA>\n"
        "NON-SPEECH r 1 5 1 <NA> music <NA> <NA> <NA>\n"
    )
    with pytest.warns(FormatWarning, match=r"ref.rttm:2: unknown line type 'SPEKAER' ignored"):
        tracks = read_rttm(ref)
    assert len(tracks["r"]) == 1


def test_the_command_line_says_it_on_stderr(case, tmp_path):
    ref, sys_ = case("rttm-two-channels/ref_ch0.rttm"), case("rttm-two-channels/sys_chNA.rttm")
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", "score", "--ref", str(ref), "--hyp", str(sys_)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reviewer: warning: mtg: the system output")
    assert "100.00" in done.stdout


# --------------------------------------------------- the Python API (api-uem-segment)


def test_the_api_refuses_a_negative_collar_and_takes_a_segment_as_uem():
    from pyannote.core import Annotation, Segment, Timeline

    ref = Annotation(uri="r")
    ref[Segment(0, 10)] = "A"
    ref[Segment(10, 20)] = "B"
    hyp = Annotation(uri="r")
    hyp[Segment(0, 12)] = "a"
    hyp[Segment(12, 20)] = "b"
    for bad in (-0.25, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="collar must be a finite, non-negative"):
            score(ref, hyp, collar=bad)
        with pytest.raises(ValueError, match="collar"):
            IncrementalScorer(*(_tracks(ref, hyp)), collar=bad)
    one = score(ref, hyp, uem=Segment(0, 20))
    assert one == score(ref, hyp, uem=Timeline([Segment(0, 20)]))
    assert one.der == pytest.approx(0.1)
    with pytest.raises(TypeError, match="uem must be a pyannote.core Timeline"):
        score(ref, hyp, uem=[1, 2])
    with pytest.raises(TypeError, match="uem must be a pyannote.core Timeline"):
        score(ref, hyp, uem=20)


def _tracks(*annotations):
    from reviewer.model.annotation import Track

    return [Track.from_annotation(a) for a in annotations]


# --------------------------------------------- md-eval-22 on NOSCORE / NON-LEX / LEXEME


def _rows(folder: Path) -> list[dict]:
    path = folder / "expected.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize(("folder", "count"), [(EXCLUSIONS, 160), (WALKS, 180)])
def test_md_eval_numbers_where_its_walks_decide(folder, count):
    """md-eval-22's numbers (marks: 40 cases x 4 settings; coinciding edges: 30 x 6);
    score, the live scorer and the breakdown agree with them."""
    rows = _rows(folder)
    assert len(rows) == count
    wrong = []
    for row in rows:
        case = folder / row["case"]
        uem = case / "u.uem" if row["uem"] else None
        settings = {"collar": row["collar"], "skip_overlap": row["skip_overlap"]}
        contents = read_rttm_contents(case / "ref.rttm")
        hypotheses = read_rttm(case / "hyp.rttm")
        result = totals(case / "ref.rttm", case / "hyp.rttm", uem, **settings).total
        expected = (row["scored"], row["missed"], row["falarm"], row["confusion"])
        if seconds(result) != pytest.approx(expected, abs=1e-6):
            wrong.append((row, seconds(result)))
        scorer = IncrementalScorer(
            contents.tracks["f"],
            hypotheses["f"],
            uem=read_uem(uem)["f"] if uem else None,
            exclusions=contents.exclusions.get("f"),
            **settings,
        )
        assert seconds(scorer.score) == pytest.approx(seconds(result), abs=1e-9)
        _, total = breakdown_corpus(
            contents.tracks,
            hypotheses,
            uems=read_uem(uem) if uem else None,
            exclusions=contents.exclusions,
            **settings,
        )
        assert seconds(total.total) == pytest.approx(seconds(result), abs=1e-9)
    assert not wrong


# ------------------------------------------------------------ the same numbers in the app

MARKED_REF = """\
SPEAKER mtg 1 0.0 10.0 <NA> <NA> A <NA> <NA>
NON-LEX mtg 1 11.0 2.0 <NA> laugh A <NA> <NA>
SPEAKER mtg 1 15.0 10.0 <NA> <NA> B <NA> <NA>
SPEAKER mtg 1 26.0 <NA> <NA> <NA> B <NA> <NA>
"""


def test_the_app_scores_a_marked_reference_as_the_command_line(tmp_path, qtbot):
    """NON-LEX applies in the live score, survives a saved session, and warnings show."""
    from reviewer.model.document import REFERENCE, SYSTEM
    from reviewer.ui.app import application, build_window, prepare, prepare_session

    ref = tmp_path / "mtg.rttm"
    ref.write_text(MARKED_REF)
    sys_ = tmp_path / "sys.rttm"
    sys_.write_text(FILES["rttm-noscore-nonlex/sys.rttm"])
    with pytest.warns(FormatWarning):
        expected = totals(ref, sys_).total  # md-eval-22: FA 2.0 of 20.0 s, 10.00 %
    assert seconds(expected) == pytest.approx((20.0, 0.0, 2.0, 0.0))

    application()
    review = prepare(None, ref, sys_)
    window = build_window(review, with_player=False)
    window.confirm_close = False
    qtbot.addWidget(window)
    live = window.editor.live
    live.configure(type(live.setup)(reference=REFERENCE, hypothesis=SYSTEM))
    assert seconds(live.score) == pytest.approx(seconds(expected))
    assert any("duration <NA> read as 0" in note for note in review.notes)
    assert "mtg.rttm:4" in window.statusBar().currentMessage()
    regions = live.errors()
    assert len(regions) == 2  # false alarm 10.0-10.5 and 13.5-15.0: the zone is not scored

    path = tmp_path / "s.reviewer.json"
    window.do_save_session(str(path))
    reopened = prepare_session(path)
    reopened.editor.live.configure(type(live.setup)(reference=REFERENCE, hypothesis=SYSTEM))
    assert reopened.editor.document.exclusions == review.editor.document.exclusions
    assert seconds(reopened.editor.live.score) == pytest.approx(seconds(expected))


# ------------------------------------------------ found by trying to break it as a user


def test_unicode_spaces_belong_to_speaker_names(tmp_path):
    """md-eval splits on ASCII blanks: 'Ana<NBSP>Maria' and 'Ana<NBSP>Lopez' are two speakers."""
    ref = tmp_path / "ref.rttm"
    ref.write_text(
        "SPEAKER mtg 1 0.0 5.0 <NA> <NA> Ana\u00a0Maria <NA>\n"
        "SPEAKER mtg 1 5.0 5.0 <NA> <NA> \u5c71\u7530\u3000\u592a\u90ce <NA>\n",
        encoding="utf-8",
    )
    sys_ = tmp_path / "sys.rttm"
    sys_.write_text(
        "SPEAKER mtg 1 0.0 5.0 <NA> <NA> s1 <NA> <NA>\n"
        "SPEAKER mtg 1 5.0 5.0 <NA> <NA> s2 <NA> <NA>\n"
    )
    assert read_rttm(ref)["mtg"].labels == ("Ana\u00a0Maria", "\u5c71\u7530\u3000\u592a\u90ce")
    assert seconds(totals(ref, sys_).total) == pytest.approx((10, 0, 0, 0))  # md-eval: 0.00 %


def test_a_recording_without_speaker_lines_is_not_scored(tmp_path):
    """md-eval scores a (file, channel) only where the reference has SPEAKER lines."""
    ref = tmp_path / "ref.rttm"
    ref.write_text(
        "SPEAKER talk 1 1.0 4.0 <NA> <NA> A <NA> <NA>\n"
        "SEGMENT quiet 1 0.0 10.0 <NA> eval <NA> <NA> <NA>\n"
    )
    sys_ = tmp_path / "sys.rttm"
    sys_.write_text(
        "SPEAKER talk 1 1.0 4.0 <NA> <NA> x <NA> <NA>\n"
        "SPEAKER quiet 1 2.0 3.0 <NA> <NA> x <NA> <NA>\n"
    )
    with pytest.warns(FormatWarning, match="'quiet' channel '1' has lines but no SPEAKER line"):
        result = totals(ref, sys_)
    assert list(result.files) == ["talk"]
    assert result.total.false_alarm == 0  # md-eval-22: 0.00 %


def test_uem_lines_md_eval_reads_as_one_recording_are_gathered(tmp_path):
    """md-eval-22 applies both lines (scored 6, false alarm 4, confusion 2)."""
    ref = tmp_path / "ref.rttm"
    ref.write_text(
        "SPEAKER ES2004a 1 1 4 <NA> <NA> A <NA> <NA>\nSPEAKER ES2004a 1 6 4 <NA> <NA> B <NA> <NA>\n"
    )
    sys_ = tmp_path / "sys.rttm"
    sys_.write_text("SPEAKER ES2004a 1 0 12 <NA> <NA> x <NA> <NA>\n")
    uem = tmp_path / "u.uem"
    uem.write_text("ES2004a 1 0 3\nES2004a.wav 1 5 15\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = totals(ref, sys_, uem).total
    assert seconds(result) == pytest.approx((6, 0, 4, 2))


def test_recordings_missing_from_the_system_output_are_named(tmp_path):
    ref = tmp_path / "ref.rttm"
    ref.write_text("SPEAKER abjxc 1 0 5 <NA> <NA> A <NA> <NA>\n")
    sys_ = tmp_path / "sys.rttm"
    sys_.write_text("SPEAKER abjxc.wav 1 0 5 <NA> <NA> x <NA> <NA>\n")
    with pytest.warns(ScoringWarning, match=r"no system output for 1 of 1 .*'abjxc.wav'"):
        result = totals(ref, sys_).total
    assert result.missed == 5


def test_an_empty_reference_is_said(tmp_path):
    ref = tmp_path / "ref.rttm"
    ref.write_text("# nothing\n")
    with pytest.warns(ScoringWarning, match="the reference holds no recording"):
        result = totals(ref, ref)
    assert result.files == {}


def test_the_api_refuses_what_it_would_misread():
    from decimal import Decimal

    import numpy as np
    from pyannote.core import Annotation, Segment, Timeline

    ref = Annotation(uri="r")
    ref[Segment(0, 10)] = "A"
    ref[Segment(5, 20)] = "B"
    hyp = Annotation(uri="r")
    hyp[Segment(0, 20)] = "a"
    for flag in ("false", "no", "0", 1):
        with pytest.raises(TypeError, match="skip_overlap must be True or False"):
            score(ref, hyp, skip_overlap=flag)
    for huge in (1e20, 1e300):
        with pytest.raises(ValueError, match="collar must be a finite, non-negative"):
            score(ref, hyp, collar=huge)
    assert score(ref, hyp, collar=np.float32(0.25)) == score(ref, hyp, collar=0.25)
    assert score(ref, hyp, collar=Decimal("0.25")) == score(ref, hyp, collar=0.25)
    for bad in (None, Timeline(), {}):
        with pytest.raises(TypeError, match="must be a pyannote.core Annotation or a reviewer"):
            score(bad, hyp)
    with pytest.warns(ScoringWarning, match="the UEM is about 'other', the reference about 'r'"):
        score(ref, hyp, uem=Timeline([Segment(0, 20)], uri="other"))
    negative = Annotation(uri="r")
    negative[Segment(-1, 2)] = "A"
    with pytest.raises(ValueError, match="times must not be negative"):
        score(negative, hyp)


def test_json_times_print_as_the_times_they_are(tmp_path):
    ref = tmp_path / "ref.rttm"
    ref.write_text(
        "".join(
            f"SPEAKER f{i} 1 0 {t} <NA> <NA> A <NA> <NA>\n"
            for i, t in enumerate(["20.17", "20.17", "20.171"])
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", "score", "--ref", str(ref), "--hyp", str(ref), "--json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout)["total"]["scored"] == 60.511
    piped = subprocess.run(
        f"{sys.executable} -m reviewer score --ref {ref} --hyp {ref} --json | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert "Broken pipe" not in piped.stderr and "Traceback" not in piped.stderr


def test_md_eval_can_score_identical_tracks_with_confusion_and_it_is_said(tmp_path):
    """md-eval-22 -1 -u: scored 0.75 s, confusion 0.25 s for a reference scored against itself.

    The overlap of A's two turns ends at 7.5 s, where the UEM ends: md-eval's walk then
    scores 7.5-7.75 s, outside the UEM, where B (never seen inside the UEM) is not mapped.
    """
    ref = tmp_path / "id.rttm"
    ref.write_text(
        "SPEAKER f 1 7.5 0.25 <NA> <NA> B <NA> <NA>\n"
        "SPEAKER f 1 4.5 3.0 <NA> <NA> A <NA> <NA>\n"
        "SPEAKER f 1 4.75 3.0 <NA> <NA> A <NA> <NA>\n"
    )
    uem = tmp_path / "id.uem"
    uem.write_text("f 1 2.5 7.5\n")
    with pytest.warns(ScoringWarning, match="scores 0.250 s outside the evaluated region"):
        result = totals(ref, ref, uem, skip_overlap=True).total
    assert seconds(result) == pytest.approx((0.75, 0, 0, 0.25))
