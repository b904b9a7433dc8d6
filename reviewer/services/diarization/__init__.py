"""Automatic speaker diarization with a pyannote.audio pipeline, in the background.

:func:`diarize` loads a pyannote.audio ``SpeakerDiarization`` pipeline (a Hugging Face model
id such as ``pyannote/speaker-diarization-community-1``, a local folder holding a
``config.yaml``, or the path of such a yaml file), runs it on one audio file and returns the
result as :class:`reviewer.model.annotation.Track` objects. :class:`DiarizationJob` runs it on
a background thread (this package knows nothing of Qt).

Progress and cancelling
-----------------------
pyannote calls a *hook* between units of work: once per batch of segmentation chunks, once per
batch of speaker embeddings, and once at the end of each step ("segmentation", "speaker
counting", "embeddings", "discrete diarization"). Each call becomes a :class:`Progress`.
Cancelling is cooperative: the hook raises :class:`Cancelled` at its next call, so a cancel
takes effect after the batch being computed: one segmentation batch, or one embedding batch
of ``embedding_batch_size`` crops (on 2 CPU cores, batches of 32 take about 17 s with a
WeSpeaker ResNet34 embedding like community-1's and 1.5 s with XVectorMFCC; batches of 2 make
it 0.05 s), or the end of clustering, which has no callback. Loading the
pipeline (and downloading it the first time) cannot be interrupted: a cancel during loading
takes effect as soon as it is loaded.

Errors
------
Everything a user can cause -- a missing local pipeline, a Hugging Face id with no network or
in offline mode, a gated model, a missing or rejected token, an unreadable audio file, running
out of memory -- is raised as :class:`DiarizationError` with a message meant for the user
(the original exception is its ``__cause__``). Cancelling raises :class:`Cancelled`.

Telemetry
---------
pyannote.audio reports usage to its authors unless ``PYANNOTE_METRICS_ENABLED`` is "0"/"false".
:func:`diarize` sets it to "0" (or "1" only if :attr:`DiarizationRequest.telemetry`) before
pyannote is imported, since pyannote defaults it to "true" at import.

torch and pyannote.audio (seconds to import) are imported lazily, on the first :func:`diarize`.
An import that fails -- a package missing, or a broken pair such as torchaudio 2.11.1 with
torch 2.11.0, which raises ``OSError`` from the dynamic loader -- becomes a
:class:`DiarizationError` naming the installed versions (see
:mod:`reviewer.services.dependencies`); nothing else in reviewer imports them.

The modules
-----------
:mod:`~reviewer.services.diarization.values`
    The request, the result, :class:`Progress`, :data:`STEPS` and the two exceptions.
:mod:`~reviewer.services.diarization.run`
    :func:`diarize`: one run on the calling thread.
:mod:`~reviewer.services.diarization.progress`
    pyannote's hook calls turned into ordered :class:`Progress` reports; cancelling.
:mod:`~reviewer.services.diarization.hub`
    Loading a pipeline (folder, yaml file or Hugging Face id) and explaining hub failures.
:mod:`~reviewer.services.diarization.failures`
    Failures while running (out of memory, the pipeline raising) explained.
:mod:`~reviewer.services.diarization.job`
    :class:`DiarizationJob`: a run in the background (:mod:`reviewer.services.jobs`).
:mod:`~reviewer.services.diarization.token`
    The stored Hugging Face token.
"""

from reviewer.services.diarization.job import DiarizationJob
from reviewer.services.diarization.run import diarize
from reviewer.services.diarization.token import load_token, save_token, token_path
from reviewer.services.diarization.values import (
    DEFAULT_PIPELINE,
    STEPS,
    Cancelled,
    DiarizationError,
    DiarizationRequest,
    DiarizationResult,
    Progress,
    ProgressCallback,
)

__all__ = [
    "DEFAULT_PIPELINE",
    "STEPS",
    "Cancelled",
    "DiarizationError",
    "DiarizationJob",
    "DiarizationRequest",
    "DiarizationResult",
    "Progress",
    "ProgressCallback",
    "diarize",
    "load_token",
    "save_token",
    "token_path",
]
