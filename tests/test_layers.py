"""The layers stay honest: a pure model, lint-clean code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_model_imports_no_qt_audio_or_torch():
    code = (
        "import sys, reviewer, reviewer.model, reviewer.io, reviewer.metrics;"
        "import reviewer.model.synthetic;"
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'sounddevice', 'torch', 'pyannote.audio')"
        " if m in sys.modules]; print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_import_contracts():
    result = subprocess.run(
        [str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_mypy_is_clean_on_the_qt_free_packages():
    """model, metrics, io, corpus, app and reports type-check (``[tool.mypy]`` in pyproject)."""
    result = subprocess.run(
        [str(BIN / "mypy"), "--no-incremental"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
