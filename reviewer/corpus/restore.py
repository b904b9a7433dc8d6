"""Putting back into a project the corrections a crashed review left in the crash journal.

Every edit of a recording opened from a project is journaled (:mod:`reviewer.io.journal`),
its header naming the project; the project itself is saved a second after the last edit.
Edits made in between survive a crash here.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.corpus.project import Project
from reviewer.io import FormatError
from reviewer.io.journal import discard_journal, pending_journals, recover
from reviewer.model.document import CORRECTED


def restore_crashed_corrections(
    project: Project, path: str | Path, directory: str | Path | None = None
) -> list[tuple[str, int]]:
    """Put the corrections journaled by a crashed review of this project back into it.

    Journals of recordings opened from the project (their header names it) are replayed,
    oldest first; the project is saved, and only then are the journals deleted.

    Returns
    -------
    list
        ``(uri, edits)`` of each recording whose corrections changed.

    Raises
    ------
    FormatError
        For a journal of this project that cannot be replayed (it is left in place).
    """
    target = Path(path).resolve()
    known = {entry.uri for entry in project.entries}
    restored, used = [], []
    for info in reversed(pending_journals(directory)):
        if info.project is None or info.project.resolve() != target:
            continue
        if info.uri not in known:
            raise FormatError(info.path, None, f"edits of {info.uri!r}, not in {target.name}")
        if info.problem is not None:
            raise FormatError(info.path, None, f"cannot restore the edits: {info.problem}")
        if info.edits == 0:
            used.append(info.path)
            continue
        _, document, _ = recover(info.path)
        record = project.entry(info.uri)
        kept = record.corrected.turns if record.corrected is not None else None
        if CORRECTED in document and document[CORRECTED].turns != kept:
            record.corrected = document[CORRECTED]
            restored.append((info.uri, info.edits))
        used.append(info.path)
    if restored:
        project.save(target)
    for journal in used:
        discard_journal(journal)
    return restored
