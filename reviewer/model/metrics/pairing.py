"""Which system output and which UEM regions go with each reference recording.

md-eval-22 scores each (file id, channel) of the reference on its own (``evaluate``,
md-eval-22.pl lines 613-625): the system output of the same file id *and channel*, and the
UEM regions of the same file id (directory and extension stripped) and channel. reviewer
pairs recordings the same way, so its totals are md-eval's, and says so
(:class:`ScoringWarning`) where md-eval's rule scores something differently from what a
user probably meant:

- a system output whose file id matches but whose channel does not (``<NA>`` against
  ``1``, say) is not used: md-eval scores that reference channel as all missed. dscore and
  pyannote.metrics force every channel to 1 and would pair them; reviewer follows md-eval,
  whose numbers it reproduces, and warns;
- system recordings that no reference has are ignored, as md-eval ignores them;
- UEM matching and its warnings: :func:`~reviewer.model.formats.uem.match_uems`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewer.model.annotation import Track


class ScoringWarning(UserWarning):
    """Something about the inputs that md-eval's rules score differently than it may seem."""


@dataclass(frozen=True)
class Pair:
    """One reference recording with what it is scored against.

    Attributes
    ----------
    key
        The reference's key (file id, or ``<file-id>:<channel>``).
    reference, hypothesis
        The tracks (the hypothesis is empty when the system has none for it).
    uem
        The UEM regions that apply, or None for md-eval's default extent.
    """

    key: str
    reference: Any
    hypothesis: Any
    uem: Any


def pair_recordings(
    references: Mapping[str, Any],
    hypotheses: Mapping[str, Any],
    uems: Mapping[str, Any] | None = None,
) -> list[Pair]:
    """Pair every reference recording with its system output and UEM, as md-eval does.

    Parameters
    ----------
    references, hypotheses
        ``{key: track}``: :class:`Track` (which knows its file id and channel) or pyannote
        ``Annotation`` (known by its key only).
    uems
        ``{file id: regions}``, e.g. from :func:`~reviewer.model.formats.uem.read_uem`.

    Returns
    -------
    list of Pair
        In the order of the reference keys, sorted.
    """
    from reviewer.model.formats.uem import match_uems

    matched_uems = match_uems(uems, references) if uems else {}
    by_identity: dict[tuple[str, str | None], Any] = {}
    channels: dict[str, list[str]] = {}
    for key, track in hypotheses.items():
        uri, channel = _identity(key, track)
        by_identity.setdefault((uri, channel), track)
        if channel is not None:
            channels.setdefault(uri, []).append(track.channel)
    pairs = []
    unmatched = []
    for key in sorted(references):
        reference = references[key]
        uri, channel = _identity(key, reference)
        hypothesis = by_identity.get((uri, channel))
        if hypothesis is None and channel is None:
            hypothesis = next((t for (u, _), t in by_identity.items() if u == uri), None)
        if hypothesis is None:
            hypothesis = by_identity.get((uri, None))
        if hypothesis is None and uri in channels:
            warnings.warn(
                ScoringWarning(
                    f"{key}: the system output for {uri!r} is in channel "
                    f"{', '.join(map(repr, channels[uri]))}, the reference in channel "
                    f"{reference.channel!r}: md-eval-22 scores each (file, channel) on its "
                    "own, so this reference channel is scored as all missed (dscore and "
                    "pyannote.metrics force both to channel 1)"
                ),
                stacklevel=2,
            )
        elif hypothesis is None:
            unmatched.append(uri)
        hypothesis = Track() if hypothesis is None else hypothesis
        pairs.append(Pair(key, reference, hypothesis, matched_uems.get(key)))
    if unmatched and hypotheses:
        names = sorted({uri for uri, _ in by_identity})
        warnings.warn(
            ScoringWarning(
                f"no system output for {len(unmatched)} of {len(references)} reference "
                f"recordings ({_listed(unmatched)}): scored as all missed, as md-eval-22 "
                f"does; the system output's file ids are {_listed(names)}"
            ),
            stacklevel=2,
        )
    if not references:
        warnings.warn(
            ScoringWarning("the reference holds no recording: nothing is scored"), stacklevel=2
        )
    return pairs


def _listed(names: list[str], most: int = 5) -> str:
    """``'a', 'b', 'c'`` or ``'a', 'b', ... (12 in all)``."""
    shown = ", ".join(map(repr, names[:most]))
    return shown if len(names) <= most else f"{shown}, ... ({len(names)} in all)"


def _identity(key: str, track: Any) -> tuple[str, str | None]:
    """``(file id, lower-case channel)`` of a Track; ``(key, None)`` for anything else."""
    if isinstance(track, Track):
        return track.uri or key, track.channel.lower()
    return key, None
