"""Diarization metrics with NIST md-eval-22 semantics."""

from reviewer.metrics.der import (
    CorpusScore,
    DiarizationScore,
    score,
    score_corpus,
)
from reviewer.metrics.incremental import IncrementalScorer
from reviewer.metrics.jer import JaccardScore, jer, jer_corpus

__all__ = [
    "CorpusScore",
    "DiarizationScore",
    "IncrementalScorer",
    "JaccardScore",
    "jer",
    "jer_corpus",
    "score",
    "score_corpus",
]
