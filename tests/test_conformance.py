"""Every md-eval-22 number of the shared conformance material, reproduced within 1 ms."""

from __future__ import annotations

import json
from functools import cache

import pytest
from conftest import CONFORMANCE, needs_shared

from reviewer.io import read_rttm, read_uem
from reviewer.metrics import score, score_corpus

EDGE = CONFORMANCE / "edge-cases"
TIES = CONFORMANCE / "tie-cases"
VOX = CONFORMANCE / "voxconverse"
TOLERANCE = 1e-3


def _rows(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _by(rows, key):
    grouped = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


EDGE_ROWS = _by(_rows(EDGE / "expected.jsonl"), "case")
TIE_ROWS = _by(_rows(TIES / "expected.jsonl"), "case")

# md-eval-22 itself is not deterministic on this row: which of two tied mappings it returns
# depends on Perl's per-process hash order (40 runs: each mapping 20 times). expected.jsonl
# holds the run with A -> xB (PERL_HASH_SEED=0 gives it: confusion 2.9 s); with
# PERL_HASH_SEED=1 md-eval returns A -> xA and prints 2.8 s, which reviewer reproduces.
MDEVAL_OTHER_DRAW = {("tie_055", 0.0, True, True): {"confusion": 2.8}}
VOX_ROWS = _by(_rows(VOX / "dev-cases" / "expected.jsonl"), "uri")


def _check(result, row):
    got = {
        "scored": result.scored,
        "missed": result.missed,
        "falarm": result.false_alarm,
        "confusion": result.confusion,
    }
    wrong = {k: (got[k], row[k]) for k in got if abs(got[k] - row[k]) > TOLERANCE}
    assert not wrong, f"{row}: got {wrong}"


def test_conformance_material_is_complete():
    needs_shared(EDGE)
    assert sum(len(rows) for rows in EDGE_ROWS.values()) == 304
    assert sum(len(rows) for rows in VOX_ROWS.values()) == 1080


@pytest.mark.parametrize("case", sorted(EDGE_ROWS) or ["missing"])
def test_edge_case(case):
    folder = needs_shared(EDGE / case)
    reference = read_rttm(folder / "ref.rttm")
    hypothesis = read_rttm(folder / "hyp.rttm")
    for row in EDGE_ROWS[case]:
        uems = read_uem(folder / "uem.uem") if row["uem"] else None
        total = score_corpus(
            reference,
            hypothesis,
            uems=uems,
            collar=row["collar"],
            skip_overlap=row["skip_overlap"],
        ).total
        _check(total, row)


def test_tie_material_is_complete():
    needs_shared(TIES)
    assert len(TIE_ROWS) == 60
    assert sum(len(rows) for rows in TIE_ROWS.values()) == 240


@pytest.mark.parametrize("case", sorted(TIE_ROWS) or ["missing"])
def test_tie_case(case):
    """Several mappings tie; md-eval's floating-point sums pick one, and reviewer picks it."""
    folder = needs_shared(TIES / case)
    reference = read_rttm(folder / "ref.rttm")
    hypothesis = read_rttm(folder / "hyp.rttm")
    for row in TIE_ROWS[case]:
        uems = read_uem(folder / "uem.uem") if row["uem"] else None
        total = score_corpus(
            reference, hypothesis, uems=uems, collar=row["collar"], skip_overlap=row["skip_overlap"]
        ).total
        other = MDEVAL_OTHER_DRAW.get((case, row["collar"], row["skip_overlap"], row["uem"]))
        if other is not None:
            row = {**row, **other}
        _check(total, row)


@cache
def _vox(uri):
    reference = read_rttm(VOX / "ref-dev" / f"{uri}.rttm")[uri]
    hypothesis = read_rttm(VOX / "dev-cases" / "hyp" / f"{uri}.rttm").get(uri)
    uem = read_uem(VOX / "dev-cases" / "uem" / f"{uri}.uem")[uri]
    return reference, hypothesis, uem


@pytest.mark.parametrize("uri", sorted(VOX_ROWS) or ["missing"])
def test_voxconverse(uri):
    needs_shared(VOX / "ref-dev" / f"{uri}.rttm")
    reference, hypothesis, uem = _vox(uri)
    for row in VOX_ROWS[uri]:
        result = score(
            reference,
            hypothesis,
            uem=uem if row["uem"] else None,
            collar=row["collar"],
            skip_overlap=row["skip_overlap"],
        )
        _check(result, row)
        assert result.der == pytest.approx(row["der_percent"] / 100, abs=6e-5)


def test_voxconverse_through_pyannote_annotations():
    """The same numbers when the inputs are pyannote.core Annotation / Timeline."""
    needs_shared(VOX / "ref-dev")
    from reviewer.model.annotation import spans_to_timeline

    for uri in sorted(VOX_ROWS)[:20]:
        reference, hypothesis, uem = _vox(uri)
        for row in VOX_ROWS[uri]:
            result = score(
                reference.to_annotation(),
                hypothesis.to_annotation(),
                uem=spans_to_timeline(uem) if row["uem"] else None,
                collar=row["collar"],
                skip_overlap=row["skip_overlap"],
            )
            _check(result, row)
