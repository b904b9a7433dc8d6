"""Corpora: which recordings, the project file that keeps their review, scores, comparisons.

- :mod:`~reviewer.corpus.entries`: discovering recordings (folders, list files);
- :mod:`~reviewer.corpus.project`: the project file (status, notes, corrections, settings);
- :mod:`~reviewer.corpus.lock`: one reviewer process per project;
- :mod:`~reviewer.corpus.scoring`: a row of scores per recording, and corpus totals;
- :mod:`~reviewer.corpus.comparison`: two systems on the same recordings;
- :mod:`~reviewer.corpus.export`: every correction as RTTM;
- :mod:`~reviewer.corpus.restore`: corrections a crash left in the journal, back in the project;
- :mod:`~reviewer.corpus.protocols`: corpora from pyannote.database protocols.

Qt-free; the corpus window's orchestration is :mod:`reviewer.app.corpus_review`.
"""

from reviewer.corpus.comparison import (
    ClassChange,
    RecordingChange,
    SystemComparison,
    compare_entries,
    compare_systems,
)
from reviewer.corpus.entries import (
    CorpusEntry,
    discover,
    entries_from_files,
    read_list,
    system_files,
)
from reviewer.corpus.export import ExportSummary, export_corrections, file_name
from reviewer.corpus.lock import ProjectBusy, lock_project
from reviewer.corpus.project import (
    PROJECT_SUFFIX,
    STATUSES,
    Project,
    ProjectEntry,
)
from reviewer.corpus.restore import restore_crashed_corrections
from reviewer.corpus.scoring import (
    CorpusTotals,
    RecordingRow,
    TrackCache,
    corpus_totals,
    score_entries,
    score_entry,
)
from reviewer.model.scoring import ScoringSettings

__all__ = [
    "PROJECT_SUFFIX",
    "STATUSES",
    "ClassChange",
    "CorpusEntry",
    "CorpusTotals",
    "ExportSummary",
    "Project",
    "ProjectBusy",
    "ProjectEntry",
    "RecordingChange",
    "RecordingRow",
    "ScoringSettings",
    "SystemComparison",
    "TrackCache",
    "compare_entries",
    "compare_systems",
    "corpus_totals",
    "discover",
    "entries_from_files",
    "export_corrections",
    "file_name",
    "lock_project",
    "read_list",
    "restore_crashed_corrections",
    "score_entries",
    "score_entry",
    "system_files",
]
