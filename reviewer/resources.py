"""Where reviewer's bundled files are: its ``resources/`` folder and the built-in demo."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


@dataclass(frozen=True)
class Demo:
    """The built-in demo: pyannote.audio's sample, its reference, transcript and a system output."""

    audio: Path
    reference: Path
    transcript: Path
    system: Path


def demo() -> Demo:
    """Locate the demo files without importing pyannote.audio (which costs seconds).

    Raises
    ------
    FileNotFoundError
        If pyannote.audio or its sample is not installed.
    """
    spec = importlib.util.find_spec("pyannote.audio")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("pyannote.audio is not installed: the demo needs its sample")
    sample = Path(next(iter(spec.submodule_search_locations))) / "sample"
    result = Demo(
        audio=sample / "sample.wav",
        reference=sample / "sample.rttm",
        transcript=sample / "sample.stm",
        system=RESOURCES / "demo" / "sample.system.rttm",
    )
    for path in (result.audio, result.reference, result.system):
        if not path.exists():
            raise FileNotFoundError(f"demo file missing: {path}")
    return result
