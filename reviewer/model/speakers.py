"""Names for new speakers, in the style of the names a track already has."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBERED = re.compile(r"(.*?)(\d+)")


def new_speaker_name(labels: Iterable[str], like: str | None = None) -> str:
    """A name for a new speaker, in the style of a track's speaker ``labels``.

    With ``like`` (the speaker the new one is split from), its style is continued:
    ``sys02`` among ``sys00``-``sys03`` gives ``sys04`` (the prefix's next number, same
    width); ``SPEAKER_01`` gives ``SPEAKER_02`` or the next free; a name without a number
    gives ``name_2``, ``name_3``, ...

    Without it, the style most labels follow is continued:

    - a prefix and a number: after the prefix's highest number, zero-padded as it is:
      ``SPEAKER_00, SPEAKER_01`` (pyannote.audio) give ``SPEAKER_02``, ``spk3`` gives
      ``spk4``, ``spk00`` ... ``spk09`` (VoxConverse) give ``spk10``;
    - single letters: the next letter, ``A, B`` give ``C`` (``a, b`` give ``c``);
    - no labels, or names only: ``speaker1`` (the first ``speakerN`` not taken).

    The name returned is never one of ``labels``.
    """
    if like is not None:
        return _like(labels, like)
    taken = set(labels)
    numbers: dict[str, list[str]] = {}
    for label in taken:
        match = _NUMBERED.fullmatch(label)
        if match is not None:
            numbers.setdefault(match[1], []).append(match[2])
    letters = sorted(label for label in taken if len(label) == 1 and label.isalpha())
    candidates = []
    if numbers:
        prefix, digits = max(numbers.items(), key=lambda item: (len(item[1]), item[0]))
        padded = [len(d) for d in digits if d.startswith("0") and len(d) > 1]
        width = max(padded, default=1)
        candidates.append(f"{prefix}{max(map(int, digits)) + 1:0{width}d}")
    following = chr(ord(letters[-1]) + 1) if letters else ""
    if following.isalpha() and len(letters) > max(map(len, numbers.values()), default=0):
        candidates.insert(0, following)
    candidates += (f"speaker{n}" for n in range(1, len(taken) + 2))
    return next(name for name in candidates if name not in taken)


def _like(labels: Iterable[str], like: str) -> str:
    taken = set(labels)
    found = _NUMBERED.fullmatch(like)
    if found is None:
        prefix, width, n = f"{like}_", 1, 2
    else:
        prefix, digits = found.groups()
        width = len(digits)
        numbers = [
            int(m.group(1))
            for name in taken
            if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", name)) is not None
        ]
        n = max(numbers, default=int(digits)) + 1
    while f"{prefix}{n:0{width}d}" in taken:
        n += 1
    return f"{prefix}{n:0{width}d}"
