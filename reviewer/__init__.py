"""reviewer: review and correct speaker diarization, with md-eval-exact DER after every edit."""

from reviewer.metrics import DiarizationScore, IncrementalScorer, score

__all__ = ["DiarizationScore", "IncrementalScorer", "score"]
__version__ = "0.1.0"
