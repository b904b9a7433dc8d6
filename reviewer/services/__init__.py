"""Heavy or device-bound work, imported lazily and free of Qt.

:mod:`~reviewer.services.playback` (sounddevice), :mod:`~reviewer.services.diarization`
(torch and pyannote.audio), :mod:`~reviewer.services.jobs` (background work through
``concurrent.futures``) and :mod:`~reviewer.services.dependencies` (the installed versions
against the lock).
"""
