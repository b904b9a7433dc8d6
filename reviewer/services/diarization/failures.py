"""Failures while running a pipeline, explained for the user.

Whatever torch or pyannote raise while the pipeline is moved to its device or run becomes a
:class:`DiarizationError` that says what happened in words for the user: running out of
memory (with advice for the CPU or the GPU) or the pipeline failing. :func:`error_chain`
walks an exception's causes, which the hub's explanations
(:mod:`reviewer.services.diarization.hub`) read too.
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.services.diarization.values import DiarizationError


def error_chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and its causes/contexts."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is running out of memory, on the CPU or a GPU."""
    for e in error_chain(error):
        if isinstance(e, MemoryError) or type(e).__name__ == "OutOfMemoryError":
            return True
        text = str(e).lower()
        if isinstance(e, RuntimeError) and (
            "out of memory" in text or "can't allocate memory" in text
        ):
            return True
    return False


def run_error(error: BaseException, device: str, doing: str) -> DiarizationError:
    """The user's explanation of ``error`` raised on ``device`` while ``doing`` something."""
    if is_out_of_memory(error):
        advice = (
            "run it on the CPU instead, or close other programs using the GPU"
            if device == "cuda"
            else "close other programs, or diarize a shorter recording"
        )
        return DiarizationError(f"Out of memory ({device}) while {doing}: {advice}.")
    return DiarizationError(f"Diarization failed while {doing}: {type(error).__name__}: {error}")
