"""Make the ``diarize`` extra unimportable, as in the light install (``pip install reviewer``).

Put this folder first on ``PYTHONPATH`` of a child process: Python imports ``sitecustomize``
at start-up, and the finder below, first on ``sys.meta_path``, refuses torch, torchaudio,
pyannote.audio, Silero VAD and Resemblyzer (and anything below them) with the
``ModuleNotFoundError`` a missing package gives. ``importlib.util.find_spec`` raises it too.
"""

from __future__ import annotations

import sys

BLOCKED = ("torch", "torchaudio", "pyannote.audio", "silero_vad", "resemblyzer", "webrtcvad")


class _Blocked:
    """A meta-path finder that refuses :data:`BLOCKED` and their submodules."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if any(name == blocked or name.startswith(blocked + ".") for blocked in BLOCKED):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Blocked())
