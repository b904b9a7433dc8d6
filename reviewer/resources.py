"""Where reviewer's bundled files are: its ``resources/`` folder and the built-in demo.

The folder is the checkout's top-level ``resources/`` (a source tree or an editable install)
or, in an installed wheel or the standalone bundle, ``reviewer/_resources/`` (the wheel maps
the folder there: ``[tool.setuptools.package-dir]`` in ``pyproject.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find_resources() -> Path:
    installed = _PACKAGE / "_resources"
    return installed if installed.is_dir() else _PACKAGE.parent / "resources"


#: The bundled files: ``demo/`` and ``factorial/`` (voices and structures).
RESOURCES = _find_resources()


@dataclass(frozen=True)
class Demo:
    """The built-in demo: pyannote.audio's sample, its reference, transcript and a system output."""

    audio: Path
    reference: Path
    transcript: Path
    system: Path


def demo() -> Demo:
    """Locate the demo files (``resources/demo/``; no optional package is needed).

    Raises
    ------
    FileNotFoundError
        Naming the first missing file, if the installation lost one.
    """
    folder = RESOURCES / "demo"
    result = Demo(
        audio=folder / "sample.wav",
        reference=folder / "sample.rttm",
        transcript=folder / "sample.stm",
        system=folder / "sample.system.rttm",
    )
    for path in (result.audio, result.reference, result.transcript, result.system):
        if not path.exists():
            raise FileNotFoundError(f"demo file missing: {path}")
    return result
