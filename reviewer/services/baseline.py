"""An offline diarization baseline: voice activity, subsegment embeddings, clustering.

It needs no network and no token: its two trained models ship inside their wheels. It
mirrors the subsegment x-vector clustering baseline of the factorial paper's case study
(Seyfarth, Srinivasan & Kirchhoff, 2021) with open parts:

1. **Speech activity:** Silero VAD (``silero-vad``, its JIT model in the wheel), default
   thresholds, on 16 kHz mono audio (resampled with soxr when needed).
2. **Subsegments:** each speech region is cut into windows of ``subsegment`` seconds with
   half-window hops (a region shorter than a window is one window), as the DIHARD and
   Kaldi x-vector recipes do (1.5 s windows, 0.75 s hop).
3. **Embeddings:** Resemblyzer's pretrained speaker encoder (GE2E, 256 dimensions, its
   weights in the wheel), on the mel spectrogram of the whole file computed once and sliced
   per window (Resemblyzer's own features: 40 mel channels, 25 ms windows, 10 ms hops).
4. **Clustering:** the embeddings are centred on the recording's mean and re-normalised
   (Resemblyzer's embeddings are all positive, so raw cosine distances between speakers are
   small: on pyannote's sample, medians 0.25 within and 0.32 between speakers; centred,
   0.91 and 1.19), then clustered agglomeratively with average linkage on cosine distances
   (scikit-learn), cut at ``threshold`` or at ``num_speakers`` when known. Centring assumes
   more than one speaker: a one-speaker recording is split unless ``num_speakers=1``. The
   default threshold, 1.1, was chosen on two recordings only (pyannote's sample: DER 16.3 %
   with 1.5 s subsegments, 10.0 % with 0.75 s; a two-voice espeak-ng conversation: 3.4 %
   and 10.9 %): a baseline, not a tuned system.
5. **Segmentation:** each 10 ms frame of speech takes the label of the window whose centre
   is nearest; runs of one label become turns (so no overlapped speech is produced).

Shorter subsegments react faster to speaker changes and give noisier embeddings: the
paper's variant with shorter subsegments is ``baseline:0.75``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from reviewer.model.annotation import Track, Turn
from reviewer.model.time import from_seconds

RATE = 16000
"""The models' sample rate (Hz)."""

HOP = 0.01
"""Seconds per mel frame (Resemblyzer's 10 ms hop)."""

PREFIX = "baseline"
"""How ``--system`` / ``--pipeline`` names it: ``baseline`` or ``baseline:SUBSEGMENT``."""

#: The modules the baseline imports (all from the ``diarize`` extra) and how its message
#: names it (:func:`reviewer.services.dependencies.require_diarize`).
BASELINE_MODULES = ("torch", "silero_vad", "resemblyzer", "sklearn")
BASELINE_FEATURE = "The offline baseline"


@dataclass(frozen=True)
class BaselineSettings:
    """The baseline's parameters.

    Attributes
    ----------
    subsegment
        Window length in seconds (hop: half of it).
    threshold
        Cosine distance at which clusters stop merging.
    num_speakers
        The number of speakers when known (then ``threshold`` is not used).
    """

    subsegment: float = 1.5
    threshold: float = 1.1
    num_speakers: int | None = None

    @property
    def identity(self) -> str:
        """What an experiment keys its cells by."""
        return f"{PREFIX}:{self.subsegment:g}:{self.threshold:g}:{self.num_speakers}"


def is_baseline(spec: str) -> bool:
    """Whether a system or pipeline string names this baseline."""
    return spec == PREFIX or spec.startswith(PREFIX + ":")


def parse(spec: str) -> BaselineSettings:
    """``baseline`` or ``baseline:SUBSEGMENT`` (seconds).

    Raises
    ------
    ValueError
        For a subsegment that is not a number between 0.2 and 10 seconds.
    """
    _, _, rest = spec.partition(":")
    if not rest:
        return BaselineSettings()
    try:
        subsegment = float(rest)
    except ValueError:
        raise ValueError(
            f"{spec!r}: the subsegment length must be seconds, e.g. baseline:0.75"
        ) from None
    if not 0.2 <= subsegment <= 10:
        raise ValueError(f"{spec!r}: the subsegment length must be between 0.2 and 10 s")
    return BaselineSettings(subsegment=subsegment)


def diarize_baseline(
    audio: str | Path, settings: BaselineSettings | None = None, uri: str | None = None
) -> Track:
    """Who speaks when in ``audio``, by the offline baseline.

    Raises
    ------
    MissingExtra
        If the ``diarize`` extra (torch, Silero VAD, Resemblyzer) is not installed.
    AudioError
        If the audio cannot be read.
    """
    from reviewer.io.audio import AudioSource
    from reviewer.services.dependencies import require_diarize

    require_diarize(BASELINE_FEATURE, BASELINE_MODULES)

    settings = settings or BaselineSettings()
    source = AudioSource.open(audio)
    samples = source.read(0, source.frames).astype(np.float32)
    if source.sample_rate != RATE:
        import soxr

        samples = soxr.resample(samples, source.sample_rate, RATE, quality="HQ").astype(np.float32)
    uri = uri or Path(audio).stem
    regions = speech_regions(samples)
    windows = subsegments(regions, settings.subsegment)
    if not windows:
        return Track(uri=uri)
    labels = cluster(embeddings(samples, windows), settings)
    return Track(turns_from_windows(windows, labels, regions), uri=uri)


def speech_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    """Silero VAD's speech regions of 16 kHz audio, in seconds."""
    import torch
    from silero_vad import get_speech_timestamps

    with torch.inference_mode():
        found = get_speech_timestamps(torch.from_numpy(samples), _vad(), sampling_rate=RATE)
    return [(item["start"] / RATE, item["end"] / RATE) for item in found]


def subsegments(regions: list[tuple[float, float]], length: float) -> list[tuple[float, float]]:
    """Windows of ``length`` seconds with half-window hops over each region (in order)."""
    windows = []
    hop = length / 2
    for start, end in regions:
        if end - start <= length:
            windows.append((start, end))
            continue
        count = int(np.ceil((end - start - length) / hop)) + 1
        for k in range(count):
            first = min(start + k * hop, end - length)  # the last one ends with the region
            windows.append((first, first + length))
    return windows


def embeddings(samples: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray:
    """One L2-normalised Resemblyzer embedding per window, shape (windows, 256)."""
    import torch

    encoder = _encoder()  # imports Resemblyzer quietly first
    from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

    mel = wav_to_mel_spectrogram(normalize_volume(samples, -30, increase_only=True))
    slices = [
        (int(round(s / HOP)), max(int(round(e / HOP)), int(round(s / HOP)) + 1)) for s, e in windows
    ]
    result = np.zeros((len(windows), 256), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for index, (first, last) in enumerate(slices):
        by_length.setdefault(min(last, len(mel)) - first, []).append(index)
    with torch.inference_mode():
        for length, indices in by_length.items():
            if length <= 0:
                continue
            batch = np.stack([mel[slices[i][0] : slices[i][0] + length] for i in indices])
            result[indices] = encoder(torch.from_numpy(batch)).numpy()
    return result


def cluster(vectors: np.ndarray, settings: BaselineSettings) -> np.ndarray:
    """Cluster labels (0, 1, ...) of the embeddings, by average-linkage cosine AHC."""
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) == 1 or settings.num_speakers == 1:
        return np.zeros(len(vectors), dtype=int)
    vectors = vectors - vectors.mean(axis=0)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    if settings.num_speakers is not None:
        model = AgglomerativeClustering(
            n_clusters=min(settings.num_speakers, len(vectors)), metric="cosine", linkage="average"
        )
    else:
        model = AgglomerativeClustering(
            n_clusters=None,
            distance_threshold=settings.threshold,
            metric="cosine",
            linkage="average",
        )
    return model.fit_predict(vectors)


def turns_from_windows(
    windows: list[tuple[float, float]], labels: np.ndarray, regions: list[tuple[float, float]]
) -> list[Turn]:
    """Each 10 ms frame of speech labelled by the nearest window centre; runs become turns."""
    centres = np.array([(s + e) / 2 for s, e in windows])
    turns: list[Turn] = []
    for start, end in regions:
        frames = np.arange(
            int(round(start / HOP)), max(int(round(end / HOP)), int(round(start / HOP)) + 1)
        )
        times = (frames + 0.5) * HOP
        inside = np.flatnonzero((centres >= start - 1e-9) & (centres <= end + 1e-9))
        if len(inside) == 0:
            continue
        nearest = inside[np.abs(times[:, None] - centres[inside][None, :]).argmin(axis=1)]
        frame_labels = labels[nearest]
        cuts = np.flatnonzero(np.diff(frame_labels)) + 1
        bounds = [0, *cuts.tolist(), len(frames)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            first = start if a == 0 else frames[a] * HOP
            last = end if b == len(frames) else frames[b] * HOP
            turns.append(Turn(from_seconds(first), from_seconds(last), f"spk{frame_labels[a]:02d}"))
    return turns


@lru_cache(maxsize=1)
def _vad():
    with warnings.catch_warnings():  # silero-vad's loader uses deprecated importlib and jit APIs
        warnings.simplefilter("ignore", DeprecationWarning)
        from silero_vad import load_silero_vad

        return load_silero_vad()


@lru_cache(maxsize=1)
def _encoder():
    with warnings.catch_warnings():  # webrtcvad imports pkg_resources, deprecated
        warnings.simplefilter("ignore")
        from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)
