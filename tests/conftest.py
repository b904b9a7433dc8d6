"""Shared fixtures: the conformance material in ``../shared`` (tests skip without it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEWER_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"


def needs_shared(path: Path) -> Path:
    """Skip the test cleanly when the shared material is not beside the checkout."""
    if not path.exists():
        pytest.skip(f"shared conformance material not found at {path}")
    return path
