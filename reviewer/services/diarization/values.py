"""What a diarization run is asked, what it returns, how far it is, and how it can fail.

The vocabulary shared by the rest of :mod:`reviewer.services.diarization`: the request and the
result, the :class:`Progress` reports and the weights of the pipeline's :data:`STEPS`, and the
two ways a run ends without a result (:class:`DiarizationError`, :class:`Cancelled`).
Imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reviewer.model.annotation import Track

DEFAULT_PIPELINE = "pyannote/speaker-diarization-community-1"
"""The pipeline used unless another is asked for (gated: accept its conditions, use a token)."""

STEPS: tuple[tuple[str, float], ...] = (
    ("segmentation", 0.15),
    ("speaker counting", 0.01),
    ("embeddings", 0.80),
    ("clustering", 0.04),
)
"""The pipeline's steps in order, with the share of the run time each is assumed to take.

The weights turn per-step progress into an overall fraction. On CPU, embeddings take most of
the time (84% of a 10-minute run with an XVectorMFCC embedding, 16% segmentation; nearly all
of it with ResNet34). Clustering has no callback: it starts when the embeddings are done and
ends with pyannote's "discrete diarization" callback.
"""


class DiarizationError(Exception):
    """Diarization could not be done; ``str(error)`` says why, in words for the user."""

    @property
    def message(self) -> str:
        """The message for the user."""
        return str(self.args[0]) if self.args else ""


class Cancelled(Exception):
    """The diarization was cancelled (by ``should_stop`` or :meth:`DiarizationJob.cancel`)."""


@dataclass(frozen=True)
class DiarizationRequest:
    """What to diarize and how.

    Attributes
    ----------
    audio
        The audio file (any format libsndfile reads; resampled by pyannote as needed).
    pipeline
        A Hugging Face model id (``owner/name``), a local folder holding a ``config.yaml``,
        or the path of a pipeline yaml file.
    num_speakers
        The exact number of speakers, if known (then min/max are ignored).
    min_speakers, max_speakers
        Bounds on the number of speakers, if known.
    token
        Hugging Face access token (``hf_...``); None to use the ``HF_TOKEN`` environment
        variable (or else the token huggingface_hub has stored after ``hf auth login``).
    telemetry
        Whether pyannote.audio may send its usage metrics (off by default).
    device
        ``"cpu"`` or ``"cuda"``; None picks CUDA when available, else the CPU.
    """

    audio: str | Path
    pipeline: str = DEFAULT_PIPELINE
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    token: str | None = None
    telemetry: bool = False
    device: str | None = None


@dataclass(frozen=True)
class DiarizationResult:
    """The outcome of :func:`diarize`.

    Attributes
    ----------
    diarization
        Who speaks when, overlaps included (pyannote's ``speaker_diarization``); its ``uri``
        is the audio file's stem.
    exclusive
        The same with at most one speaker at a time (``exclusive_speaker_diarization``), or
        None if the pipeline does not produce it (e.g. ``legacy`` output).
    device
        Where it ran: ``"cpu"`` or ``"cuda"``.
    seconds
        Wall-clock time of the whole call: reading audio, loading the pipeline, running it.
    system
        What made it, and the name its track takes in a review: ``"pyannote"`` for a
        pipeline, ``"baseline"`` for the offline baseline.
    """

    diarization: Track
    exclusive: Track | None
    device: str
    seconds: float
    system: str = "pyannote"


@dataclass(frozen=True)
class Progress:
    """How far a diarization run is.

    Attributes
    ----------
    step
        The current step, for humans: ``"loading"`` (before the run), then the names in
        :data:`STEPS` ("segmentation", "speaker counting", "embeddings", "clustering"), and
        ``"done"`` once the result is ready.
    step_fraction
        Fraction of the current step done, in [0, 1].
    overall
        Fraction of the whole run done, in [0, 1] (weighted by :data:`STEPS`); it never
        decreases.
    elapsed
        Seconds since the pipeline started running (loading excluded).
    seconds_left
        Estimated seconds until the end, from ``elapsed`` and ``overall``; None while too
        little is done to guess. Rough: the step weights are averages.
    """

    step: str
    step_fraction: float
    overall: float
    elapsed: float
    seconds_left: float | None


ProgressCallback = Callable[[Progress], None]
