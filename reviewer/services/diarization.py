"""Automatic speaker diarization with a pyannote.audio pipeline, in the background.

:func:`diarize` loads a pyannote.audio ``SpeakerDiarization`` pipeline (a Hugging Face model
id such as ``pyannote/speaker-diarization-community-1``, a local folder holding a
``config.yaml``, or the path of such a yaml file), runs it on one audio file and returns the
result as :class:`reviewer.model.annotation.Track` objects. :class:`DiarizationJob` runs it on
a background thread that a UI polls (this module knows nothing of Qt).

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
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.io.audio import AudioError, AudioSource
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

_PYANNOTE_STEPS = {
    "segmentation": "segmentation",
    "speaker_counting": "speaker counting",
    "embeddings": "embeddings",
    "discrete_diarization": "clustering",
}

_TOKEN_URL = "https://hf.co/settings/tokens"
_MIN_ESTIMATE_FRACTION = 0.02
"""Below this overall fraction, :attr:`Progress.seconds_left` is None (too early to guess)."""


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
    """

    diarization: Track
    exclusive: Track | None
    device: str
    seconds: float


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


# ---------------------------------------------------------------------- diarize


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
        True the run stops with :class:`Cancelled` (see the module docstring for the delay).

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
    _check_stop(stop)
    _configure_telemetry(request.telemetry)

    audio = Path(request.audio).expanduser()
    samples, sample_rate = _read_audio(audio)
    report = on_progress or (lambda progress: None)
    report(Progress("loading", 0.0, 0.0, 0.0, None))

    torch, pipeline_class = _import_pyannote(request.telemetry)
    token = _resolve_token(request.token)
    pipeline = _load_pipeline(pipeline_class, request.pipeline, token)
    _check_stop(stop)

    device = _pick_device(torch, request.device)
    try:
        pipeline.to(torch.device(device))
    except Exception as error:
        raise _run_error(error, device, "moving the pipeline to the device") from error

    tracker = _Tracker(report, stop)
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
        raise _run_error(error, device, "running the pipeline") from error

    diarization, exclusive = _tracks(output, audio.stem, request.pipeline)
    tracker.finish()
    return DiarizationResult(
        diarization=diarization,
        exclusive=exclusive,
        device=device,
        seconds=time.monotonic() - started,
    )


def _check_stop(should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise Cancelled("diarization cancelled")


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


# ---------------------------------------------------------------------- progress


class _Tracker:
    """Turns pyannote hook calls into :class:`Progress` reports; raises when told to stop."""

    def __init__(self, report: ProgressCallback, should_stop: Callable[[], bool]):
        self._report = report
        self._should_stop = should_stop
        self._started = time.monotonic()
        self._fraction = 0.0
        self._offsets: dict[str, tuple[float, float]] = {}
        offset = 0.0
        for name, weight in STEPS:
            self._offsets[name] = (offset, weight)
            offset += weight

    def hook(
        self,
        step_name: str,
        step_artifact: Any = None,
        file: Any = None,
        total: int | None = None,
        completed: int | None = None,
    ) -> None:
        """The pyannote hook: ``hook(step_name, artifact, file=, total=, completed=)``."""
        _check_stop(self._should_stop)
        step = _PYANNOTE_STEPS.get(step_name, step_name.replace("_", " "))
        if total and completed is not None:
            done = min(max(completed / total, 0.0), 1.0)  # completed may exceed total
        elif completed is None and total is None:
            done = 1.0  # the call that hands over a step's finished artifact
        else:
            done = 0.0
        if step_name == "embeddings" and done == 1.0 and total is None:
            step, done = "clustering", 0.0  # embeddings finished: clustering starts now
        self._emit(step, done)

    def finish(self) -> None:
        """Report the end of the run."""
        self._emit("done", 1.0, overall=1.0)

    def _emit(self, step: str, done: float, overall: float | None = None) -> None:
        if overall is None:
            known = self._offsets.get(step)
            overall = self._fraction if known is None else known[0] + known[1] * done
        self._fraction = min(max(self._fraction, overall), 1.0)
        elapsed = time.monotonic() - self._started
        if self._fraction >= 1.0:
            left: float | None = 0.0
        elif self._fraction >= _MIN_ESTIMATE_FRACTION:
            left = elapsed * (1.0 - self._fraction) / self._fraction
        else:
            left = None
        self._report(Progress(step, done, self._fraction, elapsed, left))


# ---------------------------------------------------------------------- loading


_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def _looks_like_path(spec: str) -> bool:
    """Whether ``spec`` is clearly meant as a local path rather than a hub id."""
    return (
        spec.startswith(("/", ".", "~"))
        or "\\" in spec
        or spec.count("/") > 1
        or spec.lower().endswith((".yaml", ".yml"))
        or bool(re.match(r"[A-Za-z]:", spec))
    )


def _load_pipeline(pipeline_class: Any, spec: str, token: str | None) -> Any:
    """Load a pipeline from a folder, a yaml file or the Hugging Face hub."""
    spec = str(spec).strip()
    if not spec:
        raise DiarizationError("No diarization pipeline given.")
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "config.yaml").is_file():
            raise DiarizationError(
                f"The pipeline folder {path} has no config.yaml: it is not a pyannote pipeline."
            )
        return _load_local(pipeline_class, path, token)
    if path.is_file():
        return _load_local(pipeline_class, path, token)
    if _looks_like_path(spec) or not _HUB_ID.fullmatch(spec):
        if _looks_like_path(spec):
            raise DiarizationError(
                f"Pipeline not found: {path} does not exist (expected a folder with a "
                f"config.yaml, or a config.yaml file)."
            )
        raise DiarizationError(
            f"Pipeline {spec!r} is neither an existing folder or config.yaml nor a Hugging "
            f"Face model id such as {DEFAULT_PIPELINE}."
        )
    try:
        with _offline_from_environment():
            pipeline = pipeline_class.from_pretrained(spec, token=token)
    except Exception as error:
        raise _hub_error(error, spec, token) from error
    if pipeline is None:
        raise DiarizationError(f"Could not download the pipeline {spec} from Hugging Face.")
    return pipeline


def _load_local(pipeline_class: Any, path: Path, token: str | None) -> Any:
    try:
        with _offline_from_environment():
            pipeline = pipeline_class.from_pretrained(path, token=token)
    except Exception as error:
        if _is_hub_error(error):  # the local config refers to models on the hub
            raise _hub_error(error, str(path), token, local=path) from error
        if _is_out_of_memory(error):
            raise DiarizationError(f"Out of memory while loading the pipeline {path}.") from error
        raise DiarizationError(
            f"Could not load the pipeline {path}: {type(error).__name__}: {error}"
        ) from error
    if pipeline is None:
        raise DiarizationError(f"Could not load the pipeline {path}.")
    return pipeline


_offline_lock = threading.Lock()
_offline_users = 0  # loads currently relying on the offline switch set below


@contextlib.contextmanager
def _offline_from_environment() -> Iterator[None]:
    """Honour ``HF_HUB_OFFLINE`` as it is now, not as it was when huggingface_hub was imported.

    huggingface_hub reads the variable once, at import; a caller (or a test) that sets it
    later expects no network access. Only ever switches offline mode on, and back off when
    the last load that switched it on is done.
    """
    global _offline_users
    try:
        from huggingface_hub import constants
    except ImportError:
        yield
        return
    with _offline_lock:
        if not _env_offline() or (constants.HF_HUB_OFFLINE and _offline_users == 0):
            switched = False
        else:
            constants.HF_HUB_OFFLINE = True
            _offline_users += 1
            switched = True
    try:
        yield
    finally:
        if switched:
            with _offline_lock:
                _offline_users -= 1
                if _offline_users == 0:
                    constants.HF_HUB_OFFLINE = False


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and its causes/contexts."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_hub_error(error: BaseException) -> bool:
    return any(type(e).__module__.startswith("huggingface_hub") for e in _chain(error))


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _offline() -> bool:
    """Whether Hugging Face offline mode is on (by the variable now, or since import)."""
    if _env_offline():
        return True
    try:
        from huggingface_hub import constants
    except ImportError:
        return False
    return bool(constants.HF_HUB_OFFLINE)


def _env_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def _hub_error(
    error: BaseException, spec: str, token: str | None, local: Path | None = None
) -> DiarizationError:
    """A user-facing explanation of a failure to get something from the Hugging Face hub.

    ``spec`` is the pipeline asked for; ``local`` is set when it is a local pipeline whose
    config refers to a model on the hub.
    """
    chain = list(_chain(error))
    names = {type(e).__name__ for e in chain}
    status = next((s for s in map(_status, chain) if s is not None), None)
    repo_id = next((e.repo_id for e in chain if getattr(e, "repo_id", None)), None)
    repo = repo_id or (spec if local is None else "")
    if local is None:
        what = f"the pipeline {spec}" if repo in ("", spec) else f"the model {repo}"
    else:
        what = f"the model {repo}" if repo else "a model"
        what += f" that the pipeline {local} uses"
    page = f"https://hf.co/{repo}" if repo else "its Hugging Face page"
    if token is None:
        token_hint = (
            f" No Hugging Face token was given: create one at {_TOKEN_URL} and enter it "
            f"(or set HF_TOKEN)."
        )
    elif not token.startswith("hf_"):
        token_hint = (
            " The token given does not start with 'hf_', so pyannote did not send it: "
            f"use a Hugging Face access token from {_TOKEN_URL}."
        )
    else:
        token_hint = ""

    if "OfflineModeIsEnabled" in names or (
        "LocalEntryNotFoundError" in names and _offline() and status is None
    ):
        message = (
            f"Cannot download {what}: Hugging Face offline mode is on (HF_HUB_OFFLINE=1) "
            f"and it is not in the local cache. Turn offline mode off while connected to the "
            f"network, or choose a local pipeline folder."
        )
    elif "GatedRepoError" in names:
        message = (
            f"Access to {what} is gated: log in at {page} and accept its user conditions "
            f"with the account whose token you use, then try again.{token_hint}"
        )
    elif "RepositoryNotFoundError" in names:
        message = (
            f"{_capital(what)} was not found on Hugging Face, or it is private and the token "
            f"does not give access to it. Check the name and the token.{token_hint}"
        )
        if local is None and not _looks_like_path(spec):
            message += f" (There is no local folder named {spec!r} either.)"
    elif "RemoteEntryNotFoundError" in names:
        message = f"Cannot download {what}: a file it needs is missing on Hugging Face ({error})"
    elif "RevisionNotFoundError" in names:
        message = f"Cannot download {what}: the requested revision does not exist."
    elif status == 401:
        message = (
            f"Hugging Face refused the token (401 Unauthorized) for {what}: it is missing, "
            f"mistyped or revoked.{token_hint}"
        )
    elif status == 403:
        message = (
            f"Hugging Face denied access to {what} (403 Forbidden): accept its user "
            f"conditions at {page} and use a token with read access.{token_hint}"
        )
    elif status is not None and status >= 500:
        message = (
            f"Hugging Face is not answering properly ({status}) while downloading {what}; "
            f"try again later."
        )
    elif "HFValidationError" in names:
        message = (
            f"Pipeline {spec!r} is neither an existing folder or config.yaml nor a valid "
            f"Hugging Face model id."
            if local is None
            else f"Cannot load {what}: {error}"
        )
    elif "LocalEntryNotFoundError" in names or any(
        isinstance(e, (ConnectionError, TimeoutError)) or "ConnectError" in type(e).__name__
        for e in chain
    ):
        message = (
            f"Cannot download {what} from Hugging Face: no network connection (and it is not "
            f"in the local cache). Connect to the network, or choose a local pipeline folder."
        )
    elif _is_out_of_memory(error):
        message = f"Out of memory while loading {what}."
    else:
        message = f"Could not load {what} from Hugging Face: {type(error).__name__}: {error}"
    return DiarizationError(message)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _resolve_token(token: str | None) -> str | None:
    token = (token or "").strip() or os.environ.get("HF_TOKEN", "").strip()
    return token or None


# ---------------------------------------------------------------------- run errors


def _is_out_of_memory(error: BaseException) -> bool:
    for e in _chain(error):
        if isinstance(e, MemoryError) or type(e).__name__ == "OutOfMemoryError":
            return True
        text = str(e).lower()
        if isinstance(e, RuntimeError) and (
            "out of memory" in text or "can't allocate memory" in text
        ):
            return True
    return False


def _run_error(error: BaseException, device: str, doing: str) -> DiarizationError:
    if _is_out_of_memory(error):
        advice = (
            "run it on the CPU instead, or close other programs using the GPU"
            if device == "cuda"
            else "close other programs, or diarize a shorter recording"
        )
        return DiarizationError(f"Out of memory ({device}) while {doing}: {advice}.")
    return DiarizationError(f"Diarization failed while {doing}: {type(error).__name__}: {error}")


# ---------------------------------------------------------------------- background job


class DiarizationJob:
    """One :func:`diarize` call on a background thread, for a UI that polls.

    Parameters
    ----------
    request
        What to diarize.
    on_progress
        Also called with each :class:`Progress`, on the job's thread (so not for widgets;
        poll :attr:`progress` from a timer instead).

    Notes
    -----
    :meth:`cancel` only sets a flag; the run stops at pyannote's next callback (after the
    current segmentation or embedding batch, or at the end of clustering), or right after
    the pipeline is loaded if it is still loading. :attr:`done` turns True when it has.
    The thread is a daemon thread so that quitting the app never waits for a long run;
    cancel and :meth:`wait` first to stop cleanly.
    """

    def __init__(self, request: DiarizationRequest, on_progress: ProgressCallback | None = None):
        self.request = request
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None
        self._progress: Progress | None = None
        self._result: DiarizationResult | None = None
        self._error: BaseException | None = None

    def start(self) -> DiarizationJob:
        """Start the run (once); returns the job.

        Raises
        ------
        RuntimeError
            If the job was already started.
        """
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("this diarization job was already started")
            self._thread = threading.Thread(
                target=self._run, name="reviewer-diarization", daemon=True
            )
            self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the run to stop; it ends with :class:`Cancelled` (see the notes for how soon)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancel.is_set()

    @property
    def started(self) -> bool:
        """Whether :meth:`start` was called."""
        return self._thread is not None

    @property
    def done(self) -> bool:
        """Whether the run has ended (with a result, an error or a cancel)."""
        return self._finished.is_set()

    @property
    def progress(self) -> Progress | None:
        """The latest progress report (None before the first). Safe from any thread."""
        with self._lock:
            return self._progress

    @property
    def result(self) -> DiarizationResult | None:
        """The result once the run succeeded, else None."""
        with self._lock:
            return self._result

    @property
    def error(self) -> BaseException | None:
        """What ended the run, if not a result.

        A :class:`DiarizationError`, :class:`Cancelled` or (a bug) anything else.
        """
        with self._lock:
            return self._error

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends or ``timeout`` seconds pass; return :attr:`done`."""
        return self._finished.wait(timeout)

    def _report(self, progress: Progress) -> None:
        with self._lock:
            self._progress = progress
        if self._on_progress is not None:
            self._on_progress(progress)

    def _run(self) -> None:
        try:
            result = diarize(self.request, self._report, self._cancel.is_set)
        except BaseException as error:  # handed to the polling thread, never lost
            with self._lock:
                self._error = error
        else:
            with self._lock:
                self._result = result
        finally:
            self._finished.set()


# ---------------------------------------------------------------------- token storage


def token_path() -> Path:
    """Where :func:`save_token` keeps the Hugging Face token.

    ``$XDG_CONFIG_HOME/reviewer/hf_token``, or ``~/.config/reviewer/hf_token`` when
    ``XDG_CONFIG_HOME`` is unset or not an absolute path.
    """
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "reviewer" / "hf_token"


def save_token(token: str | None) -> Path | None:
    """Store the Hugging Face token, readable by the user only (mode 0600).

    The file is written beside its final name and renamed over it, so a crash never leaves
    a half-written token. An empty token (or None) deletes the stored one.

    Returns
    -------
    Path or None
        The token file, or None if the token was deleted.

    Raises
    ------
    ValueError
        If the token contains whitespace inside it (a paste gone wrong).
    OSError
        If the file cannot be written.
    """
    path = token_path()
    token = (token or "").strip()
    if not token:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return None
    if any(char.isspace() for char in token):
        raise ValueError("a Hugging Face token has no spaces or line breaks")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(descriptor, 0o600)  # whatever the umask
            data = (token + "\n").encode()
            while data:
                data = data[os.write(descriptor, data) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path


def load_token() -> str | None:
    """The stored Hugging Face token, else the ``HF_TOKEN`` environment variable, else None."""
    try:
        token = token_path().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        token = ""
    return token or os.environ.get("HF_TOKEN", "").strip() or None
