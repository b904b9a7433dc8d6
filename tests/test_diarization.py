"""Automatic diarization service: a real pyannote pipeline built from random local models.

Nothing reaches the network: HF_HUB_OFFLINE=1, telemetry off, an empty Hugging Face cache.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("pyannote.audio")
pytestmark = [  # harmless warnings of the random XVectorMFCC model and pyannote's pooling
    pytest.mark.filterwarnings("ignore:At least one mel filterbank:UserWarning"),
    pytest.mark.filterwarnings("ignore:std\\(\\). degrees of freedom:UserWarning"),
]

import huggingface_hub.constants  # noqa: E402
import soundfile as sf  # noqa: E402
from local_pipeline import build_local_pipeline, write_config  # noqa: E402
from pyannote.audio import Pipeline  # noqa: E402

from reviewer.resources import demo  # noqa: E402
from reviewer.services.diarization import (  # noqa: E402
    STEPS,
    Cancelled,
    DiarizationError,
    DiarizationJob,
    DiarizationRequest,
    DiarizationResult,
    Progress,
    diarize,
    load_token,
    save_token,
    token_path,
)

ROOT = Path(__file__).resolve().parents[1]
STEP_ORDER = ["loading", *(name for name, _ in STEPS), "done"]


def _isolate(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PYANNOTE_METRICS_ENABLED", "0")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    _isolate(monkeypatch, tmp_path / "hf-cache")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def network_attempts(monkeypatch) -> list[tuple]:
    """Every name lookup or connection attempted (and refused) while the test runs."""
    attempts: list[tuple] = []

    def refuse(kind: str):
        def attempt(*args, **kwargs):
            attempts.append((kind, args))
            raise OSError(f"reviewer tests: no {kind} allowed")

        return attempt

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    return attempts


@pytest.fixture(scope="session")
def pipeline_dir(tmp_path_factory) -> Path:
    directory = build_local_pipeline(tmp_path_factory.mktemp("pipeline"))
    write_config(directory, "small-batch.yaml", embedding_batch_size=2)
    return directory


@pytest.fixture(scope="module")
def sample_run(pipeline_dir, tmp_path_factory) -> tuple[DiarizationResult, list[Progress]]:
    progress: list[Progress] = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, tmp_path_factory.mktemp("hf-cache"))
        request = DiarizationRequest(demo().audio, pipeline=str(pipeline_dir), num_speakers=2)
        result = diarize(request, on_progress=progress.append)
        assert os.environ["PYANNOTE_METRICS_ENABLED"] == "0"
    return result, progress


def test_importing_the_service_imports_neither_torch_nor_pyannote():
    code = (
        "import sys, reviewer.services.diarization;"
        "print([m for m in ('torch', 'pyannote.audio') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_end_to_end_on_the_sample(sample_run):
    result, _ = sample_run
    assert result.device in ("cpu", "cuda")
    assert result.seconds > 0
    track = result.diarization
    assert len(track) > 0
    assert track.uri == "sample"
    assert len(track.labels) == 2
    assert all(turn.end > turn.start for turn in track)
    exclusive = result.exclusive
    assert exclusive is not None and len(exclusive) > 0
    assert exclusive.uri == "sample"
    assert set(exclusive.labels) <= set(track.labels)
    turns = exclusive.turns
    assert all(a.end <= b.start for a, b in pairwise(turns)), "exclusive turns overlap"


def test_progress_arrives_in_order(sample_run):
    _, progress = sample_run
    assert progress, "no progress reported"
    steps = [p.step for p in progress]
    seen = [step for i, step in enumerate(steps) if i == 0 or steps[i - 1] != step]
    assert seen == STEP_ORDER
    fractions = [p.overall for p in progress]
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert all(0.0 <= p.step_fraction <= 1.0 for p in progress)
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and progress[-1].seconds_left == 0.0
    assert all(p.seconds_left is None or p.seconds_left >= 0 for p in progress)
    elapsed = [p.elapsed for p in progress]
    assert elapsed == sorted(elapsed)
    embeddings = [p.step_fraction for p in progress if p.step == "embeddings"]
    assert embeddings[0] == 0.0 and embeddings[-1] == 1.0 and len(embeddings) >= 3


def test_job_runs_in_the_background(pipeline_dir):
    seen_threads: set[str] = set()
    request = DiarizationRequest(demo().audio, pipeline=str(pipeline_dir / "config.yaml"))
    job = DiarizationJob(
        request, on_progress=lambda p: seen_threads.add(threading.current_thread().name)
    )
    assert not job.started and not job.done and job.progress is None
    job.start()
    with pytest.raises(RuntimeError):
        job.start()
    assert job.wait(120)
    assert job.done and job.error is None, job.error
    assert isinstance(job.result, DiarizationResult)
    assert job.result.diarization.uri == "sample"
    assert job.progress is not None and job.progress.step == "done"
    assert job.future is not None and job.future.result() is job.result
    assert seen_threads == {"reviewer-diarization"}


def test_cancel_from_another_thread_stops_at_the_next_step(pipeline_dir):
    request = DiarizationRequest(demo().audio, pipeline=str(pipeline_dir / "small-batch.yaml"))
    reported: list[Progress] = []
    in_embeddings = threading.Event()
    cancelled = threading.Event()

    def on_progress(progress: Progress) -> None:  # on the job's thread
        reported.append(progress)
        if progress.step == "embeddings" and not in_embeddings.is_set():
            in_embeddings.set()  # hold the run here until the other thread has cancelled
            cancelled.wait(60)

    job = DiarizationJob(request, on_progress=on_progress).start()
    ended = threading.Event()
    job.add_done_callback(lambda _: ended.set())
    assert in_embeddings.wait(60), f"no embeddings progress: {job.error}"
    job.cancel()
    seen = len(reported)
    assert not job.done and not ended.is_set()
    cancelled.set()
    assert ended.wait(60) and job.done
    assert isinstance(job.error, Cancelled), job.error
    assert job.result is None and job.cancelled
    assert len(reported) == seen, "the pipeline went on reporting after the cancel"
    assert job.progress is reported[-1] and job.progress.step == "embeddings"
    assert job.progress.overall < 1.0


def test_should_stop_before_loading_cancels_at_once(pipeline_dir):
    request = DiarizationRequest(demo().audio, pipeline=str(pipeline_dir))
    with pytest.raises(Cancelled):
        diarize(request, should_stop=lambda: True)


def test_a_wrong_local_path_is_named(tmp_path):
    missing = tmp_path / "no" / "such-pipeline"
    with pytest.raises(DiarizationError, match="not found") as caught:
        diarize(DiarizationRequest(demo().audio, pipeline=str(missing)))
    assert str(missing) in str(caught.value)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DiarizationError, match="config.yaml") as caught:
        diarize(DiarizationRequest(demo().audio, pipeline=str(empty)))
    assert str(empty) in str(caught.value)


def test_a_broken_local_pipeline_is_reported(pipeline_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.yaml").write_text("pipeline: [")
    with pytest.raises(DiarizationError, match="Could not load the pipeline"):
        diarize(DiarizationRequest(demo().audio, pipeline=str(broken)))


@pytest.mark.parametrize(
    "pipeline", ["pyannote/speaker-diarization-community-1", "reviewer-tests/no-such-pipeline"]
)
def test_a_hub_id_offline_says_so(pipeline, network_attempts):
    offline_before = huggingface_hub.constants.HF_HUB_OFFLINE
    with pytest.raises(DiarizationError) as caught:
        diarize(DiarizationRequest(demo().audio, pipeline=pipeline))
    message = str(caught.value)
    assert "offline" in message and "network" in message
    assert pipeline in message
    assert caught.value.__cause__ is not None
    assert network_attempts == [], "tried the network"
    assert huggingface_hub.constants.HF_HUB_OFFLINE == offline_before


def _http_error(kind: type, status: int, message: str) -> Exception:
    response = SimpleNamespace(status_code=status, headers={}, request=None)
    return kind(message, response=response)


@pytest.mark.parametrize(
    ("make", "token", "expected"),
    [
        (lambda e: _http_error(e.GatedRepoError, 403, "gated"), "hf_x", "gated"),
        (lambda e: _http_error(e.RepositoryNotFoundError, 401, "nf"), None, "not found"),
        (lambda e: _http_error(e.HfHubHTTPError, 401, "401"), "hf_bad", "refused the token"),
        (lambda e: _http_error(e.HfHubHTTPError, 403, "403"), "hf_x", "403"),
        (lambda e: _http_error(e.HfHubHTTPError, 401, "401"), "abc", "does not start with 'hf_'"),
    ],
)
def test_hub_access_problems_are_explained(monkeypatch, make, token, expected):
    import huggingface_hub.errors as errors

    def refuse(*args, **kwargs):
        raise make(errors)

    monkeypatch.setattr(Pipeline, "from_pretrained", refuse)
    with pytest.raises(DiarizationError, match=expected) as caught:
        diarize(DiarizationRequest(demo().audio, pipeline="owner/model", token=token))
    assert "owner/model" in str(caught.value)


def test_no_network_is_explained(monkeypatch):
    import huggingface_hub.errors as errors

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)

    def unreachable(*args, **kwargs):
        try:
            raise ConnectionError("[Errno -2] Name or service not known")
        except ConnectionError as cause:
            raise errors.LocalEntryNotFoundError("check your connection") from cause

    monkeypatch.setattr(Pipeline, "from_pretrained", unreachable)
    with pytest.raises(DiarizationError, match="no network connection"):
        diarize(DiarizationRequest(demo().audio, pipeline="owner/model"))


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1 GB"),
        MemoryError(),
    ],
)
def test_out_of_memory_is_explained(monkeypatch, pipeline_dir, error):
    from pyannote.audio.pipelines import SpeakerDiarization

    def exhausted(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(SpeakerDiarization, "apply", exhausted)
    with pytest.raises(DiarizationError, match="Out of memory"):
        diarize(DiarizationRequest(demo().audio, pipeline=str(pipeline_dir)))


def test_unreadable_audio_is_explained(pipeline_dir, tmp_path):
    missing = tmp_path / "missing.wav"
    with pytest.raises(DiarizationError, match="no such file") as caught:
        diarize(DiarizationRequest(missing, pipeline=str(pipeline_dir)))
    assert str(missing) in str(caught.value)
    garbage = tmp_path / "garbage.wav"
    garbage.write_text("not audio")
    with pytest.raises(DiarizationError, match="not a readable audio file"):
        diarize(DiarizationRequest(garbage, pipeline=str(pipeline_dir)))
    empty = tmp_path / "empty.wav"
    sf.write(empty, [], 16000)
    with pytest.raises(DiarizationError, match="no audio"):
        diarize(DiarizationRequest(empty, pipeline=str(pipeline_dir)))


def test_impossible_speaker_counts_are_refused(pipeline_dir):
    for options in ({"num_speakers": 0}, {"min_speakers": 3, "max_speakers": 2}):
        with pytest.raises(DiarizationError, match="speakers"):
            diarize(DiarizationRequest(demo().audio, pipeline=str(pipeline_dir), **options))


def test_telemetry_stays_off(monkeypatch, tmp_path):
    from pyannote.audio.telemetry.metrics import is_metrics_enabled

    monkeypatch.setenv("PYANNOTE_METRICS_ENABLED", "1")
    with pytest.raises(DiarizationError):
        diarize(DiarizationRequest(tmp_path / "missing.wav", pipeline=str(tmp_path)))
    assert os.environ["PYANNOTE_METRICS_ENABLED"] == "0"
    assert not is_metrics_enabled()
    with pytest.raises(DiarizationError):  # opting in is explicit (fails before any network)
        diarize(DiarizationRequest(tmp_path / "missing.wav", telemetry=True))
    assert os.environ["PYANNOTE_METRICS_ENABLED"] == "1"


def test_token_file_is_private(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = token_path()
    assert path == tmp_path / "xdg" / "reviewer" / "hf_token"
    assert load_token() is None
    monkeypatch.setenv("HF_TOKEN", "hf_from_environment")
    assert load_token() == "hf_from_environment"

    old_umask = os.umask(0)  # even with a permissive umask
    try:
        path.parent.mkdir(parents=True)
        path.write_text("hf_old\n")
        path.chmod(0o644)
        assert save_token("  hf_secret\n") == path
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "hf_secret\n"
    assert load_token() == "hf_secret"
    assert [p.name for p in path.parent.iterdir()] == ["hf_token"], "temporary file left"

    with pytest.raises(ValueError):
        save_token("hf_a hf_b")
    assert save_token("") is None
    assert not path.exists()
    assert load_token() == "hf_from_environment"


def test_token_path_defaults_to_dot_config(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert token_path() == tmp_path / ".config" / "reviewer" / "hf_token"
