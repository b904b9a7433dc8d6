"""Shared fixtures: the conformance material in ``../shared`` (tests skip without it).

Also the one list of the tests that need the ``diarize`` extra (torch, pyannote.audio, the
offline baseline): :data:`NEEDS_DIARIZE` marks them ``diarize``, so that
``pytest -m "not diarize"`` is the suite of the light install (``pip install '.[test]'``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEWER_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"


#: Test modules (``test_x.py``) or single tests (``test_x.py::test_y``) that need the
#: ``diarize`` extra; each is marked ``diarize`` (registered in pyproject.toml).
NEEDS_DIARIZE = (
    "test_baseline.py",
    "test_diarization.py",
    "test_diarize_app.py",
    "test_lock.py",  # the locked torch stack, a broken torchaudio
    "test_factorial_demo.py::test_the_demo_runs_with_what_the_install_brings",  # the baseline
    "test_transcripts.py::test_pyannote_sample_stm",  # reads pyannote.audio's own copy
)


def _extra_missing() -> bool:
    from reviewer.services.dependencies import DIARIZE_MODULES, missing_modules

    return bool(missing_modules(DIARIZE_MODULES))


def pytest_ignore_collect(collection_path, config):
    """Without the extra, whole modules of :data:`NEEDS_DIARIZE` are not even imported."""
    if collection_path.name in NEEDS_DIARIZE and _extra_missing():
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """Mark the tests of :data:`NEEDS_DIARIZE` ``diarize``."""
    for item in items:
        module = item.path.name
        if module in NEEDS_DIARIZE or f"{module}::{item.originalname}" in NEEDS_DIARIZE:
            item.add_marker(pytest.mark.diarize)


def needs_shared(path: Path) -> Path:
    """Skip the test cleanly when the shared material is not beside the checkout."""
    if not path.exists():
        pytest.skip(f"shared conformance material not found at {path}")
    return path


@pytest.fixture(scope="session")
def light_venv(tmp_path_factory) -> Path:
    """A real light install: a new venv with ``pip install -c packaging/constraints.txt
    '.[test]'`` from this checkout (no diarize extra), built once per session (minutes).

    Returns the venv's folder; its Python is ``bin/python``.
    """
    import subprocess
    import sys

    venv = tmp_path_factory.mktemp("light") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
         "-c", str(ROOT / "packaging" / "constraints.txt"), f"{ROOT}[test]"],
        check=True,
    )  # fmt: skip
    return venv
