"""Diarization metrics with NIST md-eval-22 semantics."""

from reviewer.model.metrics.der import (
    CorpusScore,
    DiarizationScore,
    score,
    score_corpus,
)
from reviewer.model.metrics.incremental import IncrementalScorer

__all__ = ["CorpusScore", "DiarizationScore", "IncrementalScorer", "score", "score_corpus"]
