"""Build a pyannote.audio speaker-diarization pipeline from random local models (offline).

The recipe is the one checked in ``shared/design/pyannote-local-pipeline.md``: a PyanNet
segmentation model whose classifier bias makes it say "speaker #1 everywhere", an XVectorMFCC
embedding (about ten times faster on CPU than ResNet34) and a random local PLDA, saved as
checkpoints next to a ``config.yaml`` that :meth:`pyannote.audio.Pipeline.from_pretrained`
loads. Nothing is downloaded. The output is meaningless as diarization, but every step of
the pipeline (segmentation, speaker counting, embeddings, clustering) runs for real.

Importing this module imports torch and pyannote.audio: use it only after
``pytest.importorskip("pyannote.audio")``.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")  # before pyannote is imported

from pathlib import Path  # noqa: E402

import lightning  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from pyannote.audio.core.task import Problem, Resolution, Specifications  # noqa: E402
from pyannote.audio.models.embedding import XVectorMFCC  # noqa: E402
from pyannote.audio.models.segmentation import PyanNet  # noqa: E402

CONFIG = """\
dependencies: {{pyannote.audio: 4.0.7}}
pipeline:
  name: pyannote.audio.pipelines.SpeakerDiarization
  params:
    segmentation: $model/segmentation
    embedding: $model/embedding
    plda: $model/plda
    clustering: VBxClustering
    embedding_exclude_overlap: true
    segmentation_batch_size: {segmentation_batch_size}
    embedding_batch_size: {embedding_batch_size}
params:
  segmentation: {{min_duration_off: 0.0}}
  clustering: {{threshold: 0.6, Fa: 0.07, Fb: 0.8}}
"""


def _save(model: torch.nn.Module, folder: Path) -> None:
    """Save ``model`` as ``folder/pytorch_model.bin``, the way pyannote checkpoints look."""
    checkpoint = {
        "state_dict": model.state_dict(),
        "hyper_parameters": dict(model.hparams),
        "pytorch-lightning_version": lightning.__version__,
    }
    model.on_save_checkpoint(checkpoint)  # adds the "pyannote.audio" entry (class, specs)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, folder / "pytorch_model.bin")


def write_config(
    directory: Path,
    name: str = "config.yaml",
    *,
    segmentation_batch_size: int = 32,
    embedding_batch_size: int = 32,
) -> Path:
    """Write a pipeline ``config.yaml`` (under any name) for the models in ``directory``.

    ``$model/...`` references are resolved against the yaml's folder, so several configs
    can share one set of models.
    """
    path = Path(directory) / name
    path.write_text(
        CONFIG.format(
            segmentation_batch_size=segmentation_batch_size,
            embedding_batch_size=embedding_batch_size,
        )
    )
    return path


def build_local_pipeline(
    directory: str | Path,
    *,
    seed: int = 0,
    segmentation_batch_size: int = 32,
    embedding_batch_size: int = 32,
) -> Path:
    """Create random segmentation/embedding/PLDA models and ``config.yaml`` in ``directory``.

    Parameters
    ----------
    directory
        Where to write (created if needed). Pass it to ``Pipeline.from_pretrained``.
    seed
        Seed of torch and numpy for the random weights.
    segmentation_batch_size, embedding_batch_size
        Written into ``config.yaml``. A small embedding batch makes cancelling quicker.

    Returns
    -------
    Path
        ``directory``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)

    segmentation = PyanNet(sincnet={"stride": 10}, lstm={"num_layers": 4, "dropout": 0.5})
    segmentation.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION,
        resolution=Resolution.FRAME,
        duration=10.0,
        classes=["speaker#1", "speaker#2", "speaker#3"],
        powerset_max_classes=2,
        permutation_invariant=True,
    )
    segmentation.build()  # 7 powerset classes: {} {1} {2} {3} {1,2} {1,3} {2,3}
    with torch.no_grad():  # "speaker #1 everywhere" (a random net says one constant class)
        segmentation.classifier.bias.copy_(torch.tensor([-5.0, 5, 0, 0, -5, -5, -5]))
    _save(segmentation, directory / "segmentation")

    embedding = XVectorMFCC()
    embedding.specifications = Specifications(
        problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK, duration=10.0
    )
    _save(embedding, directory / "embedding")

    plda = directory / "plda"
    plda.mkdir(exist_ok=True)
    dimension, lda_dimension = embedding.dimension, 128  # PLDA lda_dimension is 128
    lda = np.linalg.qr(rng.standard_normal((dimension, lda_dimension)))[0]
    np.savez(
        plda / "xvec_transform.npz",
        mean1=np.zeros(dimension),
        mean2=np.zeros(lda_dimension),
        lda=lda,
    )
    np.savez(
        plda / "plda.npz",
        mu=np.zeros(lda_dimension),
        tr=np.linalg.qr(rng.standard_normal((lda_dimension, lda_dimension)))[0],
        psi=np.sort(rng.uniform(0.5, 5.0, lda_dimension))[::-1],
    )

    write_config(
        directory,
        segmentation_batch_size=segmentation_batch_size,
        embedding_batch_size=embedding_batch_size,
    )
    return directory


if __name__ == "__main__":  # python tests/local_pipeline.py DIR
    import sys

    print(build_local_pipeline(sys.argv[1] if len(sys.argv) > 1 else "local-pipeline"))
