"""The project file: what a review of a corpus keeps, and reading and writing it.

The project file (``*.reviewer-project.json``, UTF-8 JSON, a byte order mark allowed)
keeps each recording's review status, notes and corrections, the scoring settings, a second
system to compare with, and the recording last reviewed. Every field is type-checked when
it is read; a field the format does not have is refused, as is a missing one not marked
optional, and nothing is converted:

- ``format``: ``"reviewer-project"``; ``version``: a whole number, 1 (a newer version is
  refused: the file was written by a newer reviewer);
- ``settings`` (optional): an object with any of ``collar`` (a finite number >= 0, seconds
  on each side; 0 when absent) and ``skip_overlap`` (true or false; false when absent);
- ``other_system``, ``current`` (optional): a non-empty string (a path; the recording last
  reviewed, which need not be listed) or null;
- ``recordings``: a list of objects with a ``uri`` (a non-empty string) and, each optional,
  ``audio``, ``reference``, ``system``, ``uem`` (a non-empty string, a path relative to the
  project file, or null), ``status`` (one of :data:`STATUSES`; "to review" when absent),
  ``note`` (a string, or null for none) and ``corrected`` (null or a track as in session
  files: ``{"channel": ..., "turns": [[start, end, speaker], ...]}``). A recording listed
  twice (a list file may name it twice) must carry the same review record both times.

The optional fields are those the first project files (``settings``, ``other_system``,
``current``) or hand-written ones may lack; they were read so before reading became strict.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.corpus.entries import CorpusEntry
from reviewer.io import FormatError
from reviewer.io import validation as check
from reviewer.io.files import write_text_atomic
from reviewer.io.session import track_from_dict, track_to_dict
from reviewer.model.annotation import Track
from reviewer.model.review_status import STATUSES  # re-exported: the corpus's statuses
from reviewer.model.scoring import ScoringSettings

PROJECT_FORMAT = "reviewer-project"
PROJECT_VERSION = 1
"""The project version this reviewer writes, and the newest it reads."""
PROJECT_SUFFIX = ".reviewer-project.json"


@dataclass
class ProjectEntry:
    """What the project keeps about one recording."""

    status: str = STATUSES[0]
    note: str = ""
    corrected: Track | None = None


@dataclass
class Project:
    """Review status, notes and corrections of every recording of a corpus.

    Attributes
    ----------
    entries
        The recordings.
    review
        Each recording's review record, by uri.
    settings
        How the corpus is scored.
    other_system
        A second system's output to compare with (folder or RTTM), or None.
    current
        The recording the reviewer was last on, so that a reopened project continues there.
    """

    entries: list[CorpusEntry]
    review: dict[str, ProjectEntry] = field(default_factory=dict)
    settings: ScoringSettings = field(default_factory=ScoringSettings)
    other_system: Path | None = None
    current: str | None = None

    def entry(self, uri: str) -> ProjectEntry:
        """The review record of a recording (created on first use)."""
        return self.review.setdefault(uri, ProjectEntry())

    def find(self, uri: str) -> CorpusEntry:
        """The recording named ``uri``.

        Raises
        ------
        KeyError
            If the corpus has no such recording.
        """
        for entry in self.entries:
            if entry.uri == uri:
                return entry
        raise KeyError(uri)

    def save(self, path: str | Path) -> None:
        """Write the project atomically (paths relative to the project file)."""
        path = Path(path)
        base = path.parent.resolve()

        def rel(p: Path | None) -> str | None:
            if p is None:
                return None
            try:  # relative, ".." included, so that moving corpus and project together works
                return Path(os.path.relpath(Path(p).resolve(), base)).as_posix()
            except ValueError:  # another drive (Windows)
                return str(Path(p).resolve())

        def recording(e: CorpusEntry) -> dict:
            record = self.review.get(e.uri) or ProjectEntry()
            return {
                "uri": e.uri,
                "audio": rel(e.audio),
                "reference": rel(e.reference),
                "system": rel(e.system),
                "uem": rel(e.uem),
                "status": record.status,
                "note": record.note,
                "corrected": None if record.corrected is None else track_to_dict(record.corrected),
            }

        data = {
            "format": PROJECT_FORMAT,
            "version": PROJECT_VERSION,
            "settings": self.settings.to_json(),
            "other_system": rel(self.other_system),
            "current": self.current,
            "recordings": [recording(e) for e in self.entries],
        }
        write_text_atomic(path, json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Read a project file, type-checking every field (see the module notes).

        Paths are taken relative to the project file. Nothing is converted or defaulted
        but what the format says is optional.

        Raises
        ------
        FormatError
            Naming the file and the problem: the line for invalid JSON, else the field's
            path (``settings.skip_overlap: expected true or false, got the string
            "false"``); a newer ``version`` is refused (written by a newer reviewer).
        """
        path = Path(path)
        data = check.read_json(path)
        try:
            return _project_from_dict(data, path.parent)
        except ValueError as error:
            raise FormatError(path, None, str(error)) from None


_RECORDING_PATHS = ("audio", "reference", "system", "uem")


def _project_from_dict(data: object, base: Path) -> Project:
    """The project a decoded project file holds, paths relative to ``base``.

    Raises
    ------
    ValueError
        A :class:`~reviewer.io.validation.FieldError` naming the field at fault.
    """
    check.header(data, "reviewer project file", PROJECT_FORMAT, PROJECT_VERSION, "project")
    required, optional = (
        ("format", "version", "recordings"),
        ("settings", "other_system", "current"),
    )
    data = check.obj(data, "", required, optional)

    def resolve(value: str | None) -> Path | None:
        return None if value is None else base / value

    settings = check.obj(data.get("settings", {}), "settings", (), ("collar", "skip_overlap"))
    scoring = ScoringSettings(
        check.number(settings.get("collar", 0.0), "settings.collar", minimum=0),
        check.boolean(settings.get("skip_overlap", False), "settings.skip_overlap"),
    )
    other = check.optional_text(data.get("other_system"), "other_system")
    current = check.optional_text(data.get("current"), "current")
    entries: list[CorpusEntry] = []
    review: dict[str, ProjectEntry] = {}
    first: dict[str, int] = {}
    for i, item in enumerate(check.array(data["recordings"], "recordings")):
        where = check.index("recordings", i)
        check.obj(item, where, ("uri",), (*_RECORDING_PATHS, "status", "note", "corrected"))
        uri = check.text(item["uri"], f"{where}.uri", empty=False)
        paths = [check.optional_text(item.get(k), f"{where}.{k}") for k in _RECORDING_PATHS]
        status = check.choice(item.get("status", STATUSES[0]), f"{where}.status", STATUSES)
        note = check.optional_text(item.get("note"), f"{where}.note", empty=True) or ""
        corrected = item.get("corrected")
        if corrected is not None:
            corrected = track_from_dict(corrected, uri, f"{where}.corrected")
        record = ProjectEntry(status, note, corrected)
        if uri in review and not _same_record(review[uri], record):
            raise check.FieldError(
                where,
                f"a second review record of {uri!r} (recordings[{first[uri]}]) with another "
                "status, note or correction: keep one",
            )
        first.setdefault(uri, i)
        entries.append(CorpusEntry(uri, *(resolve(p) for p in paths)))
        review[uri] = record
    return Project(entries, review, scoring, resolve(other), current)


def _same_record(a: ProjectEntry, b: ProjectEntry) -> bool:
    """Whether two review records are what the project writes twice for one recording."""
    if (a.status, a.note) != (b.status, b.note):
        return False
    if a.corrected is None or b.corrected is None:
        return a.corrected is b.corrected
    return (a.corrected.channel, a.corrected.turns) == (b.corrected.channel, b.corrected.turns)
