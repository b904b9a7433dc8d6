"""One diarization run: read the audio, load the pipeline, run it, return the tracks.

:func:`diarize` does the whole run on the calling thread (the background job,
:mod:`reviewer.services.diarization.job`, calls it on its worker). It checks the request
before anything slow, sets pyannote's telemetry switch before pyannote is imported, imports
torch and pyannote.audio lazily (an import that fails becomes a :class:`DiarizationError`
naming the installed versions, see :mod:`reviewer.services.dependencies`), and turns the
pipeline's output into :class:`reviewer.model.annotation.Track` objects.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewer.io.audio import AudioError, AudioSource
from reviewer.model.annotation import Track
from reviewer.services.baseline import BASELINE_FEATURE, BASELINE_MODULES, is_baseline
from reviewer.services.dependencies import MissingExtra, require_diarize
from reviewer.services.diarization.failures import run_error
from reviewer.services.diarization.hub import load_pipeline
from reviewer.services.diarization.progress import ProgressTracker, check_stop
from reviewer.services.diarization.token import resolve_token
from reviewer.services.diarization.values import (
    Cancelled,
    DiarizationError,
    DiarizationRequest,
    DiarizationResult,
    Progress,
    ProgressCallback,
)


def diarize(
    request: DiarizationRequest,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DiarizationResult:
    """Run speaker diarization on ``request.audio``.

    Parameters
    ----------
    request
        The audio file, the pipeline and its options.
    on_progress
        Called (on the calling thread) with a :class:`Progress` at every pipeline callback.
    should_stop
        Polled before loading, after loading and at every pipeline callback; when it returns
        True the run stops with :class:`Cancelled` (see :mod:`reviewer.services.diarization`
        for the delay).

    Returns
    -------
    DiarizationResult
        The tracks, named after the audio file's stem.

    Raises
    ------
    DiarizationError
        With a message for the user: bad request, unreadable audio, pipeline not found or not
        downloadable, access denied, out of memory, or the pipeline failing.
    Cancelled
        If ``should_stop`` returned True.
    """
    started = time.monotonic()
    stop = should_stop or (lambda: False)
    _check_speakers(request)
    check_stop(stop)
    _configure_telemetry(request.telemetry)

    audio = Path(request.audio).expanduser()
    report = on_progress or (lambda progress: None)
    if is_baseline(request.pipeline):  # the offline baseline: no pyannote, no hub
        return _run_baseline(request, audio, report, started)
    try:
        require_diarize()  # the light install: one sentence, before anything is read
    except MissingExtra as error:
        raise DiarizationError(str(error)) from None
    samples, sample_rate = _read_audio(audio)
    report(Progress("loading", 0.0, 0.0, 0.0, None))

    torch, pipeline_class = _import_pyannote(request.telemetry)
    token = resolve_token(request.token)
    pipeline = load_pipeline(pipeline_class, request.pipeline, token)
    check_stop(stop)

    device = _pick_device(torch, request.device)
    try:
        pipeline.to(torch.device(device))
    except Exception as error:
        raise run_error(error, device, "moving the pipeline to the device") from error

    tracker = ProgressTracker(report, stop)
    speakers = {
        key: value
        for key, value in (
            ("num_speakers", request.num_speakers),
            ("min_speakers", request.min_speakers),
            ("max_speakers", request.max_speakers),
        )
        if value is not None
    }
    waveform = torch.from_numpy(samples).unsqueeze(0)  # (1 channel, samples), float32
    try:
        output = pipeline(
            {"waveform": waveform, "sample_rate": sample_rate, "uri": audio.stem},
            hook=tracker.hook,
            **speakers,
        )
    except Cancelled:
        raise
    except DiarizationError:
        raise
    except Exception as error:
        raise run_error(error, device, "running the pipeline") from error

    diarization, exclusive = _tracks(output, audio.stem, request.pipeline)
    tracker.finish()
    return DiarizationResult(
        diarization=diarization,
        exclusive=exclusive,
        device=device,
        seconds=time.monotonic() - started,
    )


def _run_baseline(
    request: DiarizationRequest, audio: Path, report: ProgressCallback, started: float
) -> DiarizationResult:
    """The offline baseline (:mod:`reviewer.services.baseline`) in place of a pipeline."""
    from dataclasses import replace

    from reviewer.services.baseline import diarize_baseline, parse

    try:
        settings = replace(parse(request.pipeline), num_speakers=request.num_speakers)
        require_diarize(BASELINE_FEATURE, BASELINE_MODULES)
    except ValueError as error:  # a malformed spec, or MissingExtra
        raise DiarizationError(str(error)) from None
    report(Progress("loading", 0.0, 0.0, 0.0, None))
    try:
        track = diarize_baseline(audio, settings, uri=audio.stem)
    except AudioError as error:
        raise DiarizationError(str(error)) from None
    report(Progress("done", 1.0, 1.0, time.monotonic() - started, None))
    return DiarizationResult(  # no overlap: the exclusive output would be the same
        diarization=track,
        exclusive=None,
        device="cpu",
        seconds=time.monotonic() - started,
        system="baseline",
    )


def _check_speakers(request: DiarizationRequest) -> None:
    """Reject impossible speaker counts before anything slow happens."""
    for name in ("num_speakers", "min_speakers", "max_speakers"):
        value = getattr(request, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise DiarizationError(
                f"The number of speakers ({name.replace('_', ' ')}) must be a whole number "
                f"of at least 1, not {value!r}."
            )
    low, high = request.min_speakers, request.max_speakers
    if request.num_speakers is None and low is not None and high is not None and low > high:
        raise DiarizationError(
            f"The minimum number of speakers ({low}) is more than the maximum ({high})."
        )


def _configure_telemetry(enabled: bool) -> None:
    """Set pyannote's telemetry switch; must run before pyannote.audio is imported."""
    os.environ["PYANNOTE_METRICS_ENABLED"] = "1" if enabled else "0"


def _import_pyannote(telemetry: bool) -> tuple[Any, Any]:
    """Import torch and pyannote's Pipeline (seconds, the first time)."""
    try:
        import torch
        from pyannote.audio import Pipeline
    except Exception as error:  # missing, or a broken pair (a library that does not load)
        from reviewer.services.dependencies import import_failure_message

        raise DiarizationError(import_failure_message(error)) from error
    try:
        from pyannote.audio.telemetry import set_telemetry_metrics
    except ImportError:  # another pyannote.audio version: the variable alone decides
        pass
    else:
        set_telemetry_metrics(telemetry)  # writes "true"/"false"; both mean the same
    os.environ["PYANNOTE_METRICS_ENABLED"] = "1" if telemetry else "0"
    return torch, Pipeline


def _read_audio(path: Path) -> tuple[Any, int]:
    """The whole file as a mono float32 array and its sample rate."""
    try:
        with AudioSource.open(path) as source:
            samples = source.read(0, source.frames)
            sample_rate = source.sample_rate
    except AudioError as error:
        problem = error.problem.rstrip(".")
        end = "" if problem.endswith(")") else "."
        raise DiarizationError(
            f"Cannot read the audio file {error.path}: {problem}{end}"
        ) from error
    except MemoryError as error:
        raise DiarizationError(
            f"Not enough memory to load the audio file {path} for diarization."
        ) from error
    if len(samples) == 0:
        raise DiarizationError(f"Cannot read the audio file {path}: no samples could be decoded.")
    return samples, sample_rate


def _pick_device(torch: Any, wanted: str | None) -> str:
    cuda = bool(torch.cuda.is_available())
    if wanted is None:
        return "cuda" if cuda else "cpu"
    if wanted not in ("cpu", "cuda"):
        raise DiarizationError(f"Unknown device {wanted!r}: use 'cpu' or 'cuda'.")
    if wanted == "cuda" and not cuda:
        raise DiarizationError("CUDA was asked for, but torch finds no usable CUDA GPU.")
    return wanted


def _tracks(output: Any, uri: str, pipeline: str) -> tuple[Track, Track | None]:
    """Convert the pipeline's output (DiarizeOutput, or an Annotation with ``legacy``)."""
    if hasattr(output, "itertracks"):  # legacy=True: a bare Annotation
        return Track.from_annotation(output).with_uri(uri), None
    annotation = getattr(output, "speaker_diarization", None)
    if annotation is None or not hasattr(annotation, "itertracks"):
        raise DiarizationError(
            f"The pipeline {pipeline} returned {type(output).__name__}, not a speaker "
            f"diarization: is it a pyannote SpeakerDiarization pipeline?"
        )
    exclusive = getattr(output, "exclusive_speaker_diarization", None)
    return (
        Track.from_annotation(annotation).with_uri(uri),
        None if exclusive is None else Track.from_annotation(exclusive).with_uri(uri),
    )
