"""Where a recording of a corpus stands in its review."""

from __future__ import annotations

STATUSES = ("to review", "in progress", "done", "skipped")
"""A recording's review statuses, in the order of the corpus window's keys (Alt+1 ... )."""
