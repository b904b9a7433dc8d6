"""Diarization metrics with NIST md-eval-22 semantics (and DIHARD's JER as dscore computes it).

The public face: :func:`score`, :func:`score_corpus`, :class:`IncrementalScorer` and
:func:`jer`; every DER scorer takes ``collar``/``skip_overlap`` keywords or one
:class:`ScoringSettings`. How the modules fit together: ``inputs`` (tracks and UEMs to
arrays), ``regions`` (where md-eval evaluates and scores), ``engine`` (sums and error
regions over elementary intervals), ``mapping`` (md-eval's speaker mapping), ``der`` (the
scores), ``incremental`` and ``live`` (rescoring after an edit), ``structure``, ``curves``
and ``breakdown`` (errors by cause).

The public names are imported when first used, so that importing any of the metrics
modules does not import them all (nor SciPy, which the JER needs).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewer.metrics.der import CorpusScore, DiarizationScore, score, score_corpus
    from reviewer.metrics.incremental import IncrementalScorer
    from reviewer.metrics.jer import JaccardScore, jer, jer_corpus
    from reviewer.model.scoring import ScoringSettings

_HOMES = {
    "CorpusScore": "reviewer.metrics.der",
    "DiarizationScore": "reviewer.metrics.der",
    "score": "reviewer.metrics.der",
    "score_corpus": "reviewer.metrics.der",
    "IncrementalScorer": "reviewer.metrics.incremental",
    "JaccardScore": "reviewer.metrics.jer",
    "jer": "reviewer.metrics.jer",
    "jer_corpus": "reviewer.metrics.jer",
    "ScoringSettings": "reviewer.model.scoring",
}
"""Where each public name lives: imported when first used (the JER's SciPy costs 0.4 s)."""

__all__ = [
    "CorpusScore",
    "DiarizationScore",
    "IncrementalScorer",
    "JaccardScore",
    "ScoringSettings",
    "jer",
    "jer_corpus",
    "score",
    "score_corpus",
]


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
