"""The regions of a UEM as read: scored spans that remember their file id and channel."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reviewer.model.annotation import Span


class UemRegions(tuple):
    """The regions of one (file id, channel) in a UEM: a sorted tuple of :class:`Span`.

    Attributes
    ----------
    file_id, channel
        As written in the UEM file.
    path, line
        Where the first of them was read (None for regions built in code).
    """

    file_id: str
    channel: str
    path: Path | None
    line: int | None

    def __new__(
        cls,
        spans: Iterable[Span],
        file_id: str,
        channel: str = "1",
        path: Path | None = None,
        line: int | None = None,
    ):
        """Build regions (sorted) that remember where they were read."""
        regions = super().__new__(cls, sorted(spans))
        regions.file_id, regions.channel, regions.path, regions.line = (
            file_id,
            channel,
            path,
            line,
        )
        return regions

    def __getnewargs__(self):  # pickling and copying keep the attributes
        return (tuple(self), self.file_id, self.channel, self.path, self.line)
