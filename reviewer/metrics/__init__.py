"""Diarization metrics with NIST md-eval-22 semantics (and DIHARD's JER as dscore computes it).

The public face: :func:`score`, :func:`score_corpus`, :class:`IncrementalScorer` and
:func:`jer`; every DER scorer takes ``collar``/``skip_overlap`` keywords or one
:class:`ScoringSettings`. How the modules fit together: ``inputs`` (tracks and UEMs to
arrays), ``regions`` (where md-eval evaluates and scores), ``engine`` (sums and error
regions over elementary intervals), ``mapping`` (md-eval's speaker mapping), ``der`` (the
scores), ``incremental`` and ``live`` (rescoring after an edit), ``structure``, ``curves``
and ``breakdown`` (errors by cause).

Importing this package is cheap: the JER imports SciPy (0.4 s) only when it scores.
"""

from reviewer.metrics.der import (
    CorpusScore,
    DiarizationScore,
    score,
    score_corpus,
)
from reviewer.metrics.incremental import IncrementalScorer
from reviewer.metrics.jer import JaccardScore, jer, jer_corpus
from reviewer.model.scoring import ScoringSettings

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
