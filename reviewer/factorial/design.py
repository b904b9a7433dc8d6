"""The design of a factorial experiment: which voice sources cross which structures.

Every voice source is crossed with every structure (a full factorial design); a cell whose
structure has more speakers than its voice source is skipped and listed with the reason. The
diagonal (a recording's voices in its own structure) is the resynthesis control: it measures
what remixing itself costs the system.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from reviewer.factorial.synthesis import RemixSettings
from reviewer.model.annotation import Track


@dataclass(frozen=True)
class VoiceSource:
    """Recorded voices: an audio file and who speaks when in it.

    Attributes
    ----------
    name
        The name cells use (a recording's uri).
    audio
        The audio file.
    reference
        Its reference turns.
    """

    name: str
    audio: Path
    reference: Track


@dataclass(frozen=True)
class Structure:
    """A turn-and-pause schedule: a recording's reference (its audio is not used)."""

    name: str
    reference: Track


@dataclass(frozen=True)
class DesignCell:
    """One cell: ``voices`` in the schedule of ``structure``."""

    voices: str
    structure: str

    @property
    def name(self) -> str:
        """``<voices>__<structure>``: the stem of the cell's files."""
        return f"{self.voices}__{self.structure}"

    @property
    def diagonal(self) -> bool:
        """Whether this is a recording's own voices in its own structure."""
        return self.voices == self.structure


@dataclass(frozen=True)
class FactorialDesign:
    """Voice sources crossed with structures, and how remixes are made.

    Attributes
    ----------
    voices, structures
        The two factors' levels (names unique within each).
    remix
        The remix settings every cell uses.

    Raises
    ------
    ValueError
        If a name repeats within a factor, or a factor is empty.
    """

    voices: tuple[VoiceSource, ...]
    structures: tuple[Structure, ...]
    remix: RemixSettings = RemixSettings()

    def __post_init__(self) -> None:
        for kind, levels in (("voice source", self.voices), ("structure", self.structures)):
            if not levels:
                raise ValueError(f"no {kind}: the design needs at least one")
            names = [level.name for level in levels]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise ValueError(f"{kind} names must be unique: {', '.join(repeated)} repeat")

    def voice(self, name: str) -> VoiceSource:
        """The voice source called ``name``."""
        return next(v for v in self.voices if v.name == name)

    def structure(self, name: str) -> Structure:
        """The structure called ``name``."""
        return next(s for s in self.structures if s.name == name)

    def cells(self) -> list[DesignCell]:
        """The cells to compute, voices-major, skipping those that cannot be made."""
        skipped = {cell for cell, _ in self.skipped()}
        return [cell for cell in self._crossing() if cell not in skipped]

    def skipped(self) -> list[tuple[DesignCell, str]]:
        """The cells that cannot be made, each with the reason."""
        result = []
        for cell in self._crossing():
            needed = len(self.structure(cell.structure).reference.labels)
            available = len(self.voice(cell.voices).reference.labels)
            if needed > available:
                result.append(
                    (cell, f"the structure has {needed} speakers, the voices only {available}")
                )
        return result

    def _crossing(self) -> list[DesignCell]:
        return [DesignCell(v.name, s.name) for v in self.voices for s in self.structures]


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def track_digest(track: Track) -> str:
    """SHA-256 of a track's turns (exact ticks and speakers), independent of its uri."""
    text = "\n".join(f"{t.start} {t.end} {t.speaker}" for t in track)
    return hashlib.sha256(text.encode()).hexdigest()


def _settings(remix: RemixSettings) -> dict:
    """The remix settings that enter a key.

    An option added later is left out at its default, so that the cells computed before it
    existed keep their keys (and are not computed again).
    """
    settings = asdict(remix)
    if not settings["noise_floor"]:
        del settings["noise_floor"]
    return settings


def cell_key(
    voice_digest: str, voices: Track, structure: Track, remix: RemixSettings, *rest: object
) -> str:
    """The identity of a cell's inputs and settings: equal keys mean an equal result.

    Parameters
    ----------
    voice_digest
        :func:`file_digest` of the voice source's audio.
    voices, structure
        The voice source's reference and the structure.
    remix
        The remix settings.
    rest
        Anything else the result depends on (the system's identity, the scoring
        settings), as JSON-serialisable values.
    """
    payload = {
        "voice_audio": voice_digest,
        "voices": track_digest(voices),
        "structure": track_digest(structure),
        "remix": _settings(remix),
        "rest": [str(item) for item in rest],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
