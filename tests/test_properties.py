"""Properties of the DER engine, checked on random recordings (hypothesis)."""

from __future__ import annotations

import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.metrics import IncrementalScorer, score
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.time import TICKS_PER_SECOND

GRID = TICKS_PER_SECOND // 4  # coarse: boundaries, collars and UEM edges coincide often


@st.composite
def turns(draw, speakers=("A", "B", "C"), max_size=12):
    items = []
    for _ in range(draw(st.integers(0, max_size))):
        start = draw(st.integers(0, 40))
        length = draw(st.integers(0, 12))
        items.append(Turn(start * GRID, (start + length) * GRID, draw(st.sampled_from(speakers))))
    return items


@st.composite
def uems(draw):
    if draw(st.booleans()):
        return None
    spans = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 40))
        spans.append(Span(start * GRID, (start + draw(st.integers(0, 20))) * GRID))
    return spans


SETTINGS = st.tuples(uems(), st.sampled_from([0.0, 0.25, 0.5]), st.booleans())


@settings(max_examples=150, deadline=None)
@given(turns(), SETTINGS)
def test_identical_tracks_score_zero(items, setup):
    """No error, but where md-eval's own walk scores outside the UEM (and says so)."""
    uem, collar, skip = setup
    track = Track(items)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = score(track, track, uem=uem, collar=collar, skip_overlap=skip)
    assert result.missed == result.false_alarm == 0
    outside = [w for w in caught if "outside the evaluated region" in str(w.message)]
    if not outside:
        assert result.confusion == 0


@settings(max_examples=150, deadline=None)
@given(turns(), turns(speakers=("x", "y", "z", "w")), SETTINGS, st.text("abc", min_size=1))
def test_consistent_relabelling_changes_nothing(ref, hyp, setup, prefix):
    """Renaming system speakers (keeping their order) never changes any number."""
    uem, collar, skip = setup
    renamed = Track(Turn(t.start, t.end, prefix + t.speaker.upper()) for t in hyp)
    before = score(Track(ref), Track(hyp), uem=uem, collar=collar, skip_overlap=skip)
    after = score(Track(ref), renamed, uem=uem, collar=collar, skip_overlap=skip)
    assert before == after


@settings(max_examples=150, deadline=None)
@given(turns(), turns(speakers=("x", "y", "z", "w")), uems(), st.permutations("pqrs"))
def test_any_permutation_of_names_without_collar(ref, hyp, uem, names):
    """Without collar or overlap removal, even reordering names changes nothing.

    With them, md-eval breaks ties between equally good mappings by speaker name, so a
    renaming that reorders names can change confusion; ``mapping.py`` reproduces that.
    """
    rename = dict(zip("xyzw", names, strict=True))
    renamed = Track(Turn(t.start, t.end, rename[t.speaker]) for t in hyp)
    assert score(Track(ref), Track(hyp), uem=uem) == score(Track(ref), renamed, uem=uem)


@st.composite
def edits(draw):
    """A random sequence of (side, old index or None, new turn or None) edits."""
    sequence = []
    for _ in range(draw(st.integers(1, 12))):
        side = draw(st.sampled_from(["reference", "hypothesis"]))
        kind = draw(st.sampled_from(["add", "remove", "move", "relabel"]))
        start = draw(st.integers(0, 44))
        new = Turn(
            start * GRID,
            (start + draw(st.integers(0, 10))) * GRID,
            draw(st.sampled_from(["A", "B", "C", "D", "x", "y", "new"])),
        )
        sequence.append((side, kind, draw(st.integers(0, 100)), new))
    return sequence


@settings(max_examples=200, deadline=None)
@given(turns(), turns(speakers=("x", "y", "z")), SETTINGS, edits())
def test_incremental_equals_full_rescoring(ref, hyp, setup, sequence):
    uem, collar, skip = setup
    current = {"reference": list(ref), "hypothesis": list(hyp)}
    scorer = IncrementalScorer(Track(ref), Track(hyp), uem=uem, collar=collar, skip_overlap=skip)
    for side, kind, index, new in sequence:
        items = current[side]
        old = items[index % len(items)] if items and kind != "add" else None
        if kind == "remove" and old is not None:
            new = None
        elif kind == "relabel" and old is not None:
            new = Turn(old.start, old.end, new.speaker)
        if old is not None:
            items.remove(old)
        if new is not None:
            items.append(new)
        scorer.replace(side, old, new)
        expected = score(
            Track(current["reference"]),
            Track(current["hypothesis"]),
            uem=uem,
            collar=collar,
            skip_overlap=skip,
        )
        assert scorer.score == expected


def test_incremental_rejects_unknown_turn_and_keeps_state():
    ref = Track([Turn(0, 4 * GRID, "A")])
    scorer = IncrementalScorer(ref, Track([Turn(0, 2 * GRID, "x")]))
    before = scorer.score
    try:
        scorer.remove("hypothesis", Turn(0, 3 * GRID, "x"))
    except KeyError:
        pass
    else:
        raise AssertionError("removing a turn that is not there must fail")
    assert scorer.score == before
