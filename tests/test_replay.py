"""md-eval's floating-point pass, replayed: Perl's sort, float sums, and the ties they decide."""

from __future__ import annotations

import random
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.metrics import score
from reviewer.metrics.incremental import IncrementalScorer
from reviewer.metrics.inputs import columns
from reviewer.metrics.mapping import speaker_mapping
from reviewer.metrics.perl_sort import perl_sort
from reviewer.metrics.replay import _compare, mdeval_cooccurrence
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.time import TICKS_PER_SECOND, from_seconds

# md-eval-22's event comparator (line 2286), in Perl: one case per input line of
# "id:time:END|BEG" items; prints each case's ids in the order Perl's sort leaves them.
PERL_SORT = r"""
while (my $case = <STDIN>) {
    my @events = map { my ($i, $t, $k) = split /:/; {ID => $i, TIME => $t, EVENT => $k} }
                 split " ", $case;
    @events = sort {($a->{TIME} < $b->{TIME}-1E-8 ? -1 :
                     ($a->{TIME} > $b->{TIME}+1E-8 ? 1 :
                      ($a->{EVENT} eq "END" ? -1 : 1)))} @events;
    print join(" ", map {$_->{ID}} @events), "\n";
}
"""


@pytest.mark.skipif(shutil.which("perl") is None, reason="perl is not installed")
def test_perl_sort_leaves_what_perl_leaves_for_md_evals_comparator():
    """Near-equal times make the comparator inconsistent; the order is Perl's anyway."""
    rng = random.Random(20261130)
    lines, cases = [], []
    for _ in range(200):
        n = rng.choice([2, 3, 4, 5, 7, 16, 17, 33, 60, 201, 300])
        events = []
        for i in range(n):
            time = rng.randint(0, max(1, n // 3)) * 0.1 + rng.choice([0, 0, 1e-16, 4e-9, 2e-8])
            events.append((time, rng.choice((0, 1)), i))
        cases.append(events)
        lines.append(" ".join(f"{i}:{t!r}:{'END' if k == 0 else 'BEG'}" for t, k, i in events))
    done = subprocess.run(
        ["perl", "-e", PERL_SORT], input="\n".join(lines) + "\n", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    perl_orders = done.stdout.splitlines()
    assert len(perl_orders) == len(cases)
    ours = [" ".join(str(i) for _, _, i in perl_sort(events, _compare_events)) for events in cases]
    assert ours == perl_orders
    assert any(
        [i for _, _, i in perl_sort(events, _compare_events)]
        != [i for _, _, i in sorted(events, key=lambda e: (e[0], e[1]))]
        for events in cases
    ), "the inputs never exercised the inconsistent comparisons"


def _compare_events(a, b):
    return _compare((a[0], a[1], 0, 0), (b[0], b[1], 0, 0))


@given(st.lists(st.integers(-5, 5), max_size=300))
def test_perl_sort_is_a_stable_sort_for_a_consistent_comparator(values):
    items = list(enumerate(values))
    ordered = perl_sort(items, lambda a, b: (a[1] > b[1]) - (a[1] < b[1]))
    assert ordered == sorted(items, key=lambda item: item[1])


# tie_016 of the conformance material, inline: A -> xA and D -> xA tie at 0.1 s each in exact
# arithmetic. md-eval-22 sums A/xA as 0.09999999999999964 (4.6 + 0.1 ends before 4.7) and
# D/xA as 0.10000000000000009, and maps D -> xA (30 runs out of 30).
TIE_REF = """0.000 1.000 C|1.000 0.200 D|1.200 1.500 B|3.200 0.100 C|3.800 0.100 D|3.600 1.000 B|
4.600 0.100 A|4.900 0.500 C|5.400 0.300 A|5.700 0.100 B"""
TIE_HYP = """0.100 1.000 xC|1.200 0.500 xB|1.300 1.500 xB|3.100 0.400 xC|3.800 0.100 xC|
3.700 1.000 xB|4.600 0.100 xA|4.900 0.500 xC|5.700 0.000 xB|4.700 0.200 xB|3.800 0.100 xA"""


def _track(text: str) -> Track:
    turns = []
    for item in text.replace("\n", "").split("|"):
        onset, duration, speaker = item.split()
        start = from_seconds(float(onset))
        turns.append(Turn(start, start + from_seconds(float(duration)), speaker))
    return Track(turns, uri="tie")


def test_the_float_sums_are_md_evals():
    ref, hyp = columns(_track(TIE_REF)), columns(_track(TIE_HYP))
    sums = mdeval_cooccurrence(ref, hyp, None)
    a, d, xa = ref.labels.index("A"), ref.labels.index("D"), hyp.labels.index("xA")
    assert sums[a, xa] == 0.09999999999999964
    assert sums[d, xa] == 0.10000000000000009


def test_a_tie_is_broken_as_md_eval_breaks_it_in_every_scorer():
    reference, hypothesis = _track(TIE_REF), _track(TIE_HYP)
    scorer = IncrementalScorer(reference, hypothesis, skip_overlap=True)
    assert scorer.mapping == {"B": "xB", "C": "xC", "D": "xA"}
    # md-eval-22 -1 -c 0: 4.70 s scored, 0.70 missed, 0.70 false alarm, 0.20 confusion
    expected = (4.7, 0.7, 0.7, 0.2)
    for result in (scorer.score, score(reference, hypothesis, skip_overlap=True)):
        got = (result.scored, result.missed, result.false_alarm, result.confusion)
        assert got == pytest.approx(expected, abs=1e-9)


def test_the_float_pass_runs_only_on_ties():
    def never():
        raise AssertionError("no tie: the exact sums decide")

    clear = np.array([[5, 1], [1, 5]], dtype=np.int64)
    assert speaker_mapping(clear, ("A", "B"), ("x", "y"), never) == [(0, 0), (1, 1)]
    tied = np.array([[5, 5], [5, 5]], dtype=np.int64)
    floats = np.array([[0.5, 0.6], [0.6, 0.5]])
    assert speaker_mapping(tied, ("A", "B"), ("x", "y"), lambda: floats) == [(0, 1), (1, 0)]
    uneven = np.array([[3, 2, 0], [2, 0, 0]], dtype=np.int64)  # {A-x, B?} 3 vs {A-y, B-x} 4
    assert speaker_mapping(uneven, ("A", "B"), ("x", "y", "z"), never) == [(0, 1), (1, 0)]


def test_touching_uem_regions_cut_the_float_segments_as_md_eval_does():
    second = TICKS_PER_SECOND
    ref = columns(Track([Turn(0, 9 * second // 10, "A")]))
    hyp = columns(Track([Turn(0, 9 * second // 10, "x")]))
    whole = mdeval_cooccurrence(ref, hyp, [Span(0, 9 * second // 10)])
    cut = mdeval_cooccurrence(
        ref, hyp, [Span(0, 2 * second // 10), Span(2 * second // 10, 9 * second // 10)]
    )
    assert whole[0, 0] == 0.9
    assert cut[0, 0] == (0.2 - 0.0) + (0.9 - 0.2) == 0.8999999999999999
