"""reviewer: review and correct speaker diarization, with md-eval-exact DER after every edit.

``__version__`` is the one place the version is written: packaging reads it (a dynamic
version in ``pyproject.toml``), ``reviewer --version`` and the About dialog print it, and
``CHANGELOG.md`` and the AppStream releases name it (``tests/test_version.py`` checks they
agree). The scoring names below are imported when first used, so that importing reviewer
(``reviewer --version``, the command line's start) loads neither numpy nor the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["DiarizationScore", "IncrementalScorer", "score"]

if TYPE_CHECKING:
    from reviewer.metrics import DiarizationScore, IncrementalScorer, score


def __getattr__(name: str) -> Any:
    """The scoring names, imported from :mod:`reviewer.metrics` when first asked for (PEP 562)."""
    if name in __all__:
        import reviewer.metrics

        return getattr(reviewer.metrics, name)
    raise AttributeError(f"module 'reviewer' has no attribute {name!r}")
