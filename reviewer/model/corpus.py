"""A corpus under review: its recordings, their scores, and the project file.

The project file keeps each recording's review status, notes and corrections.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.model.annotation import Track
from reviewer.model.formats import FormatError, read_rttm, read_uem
from reviewer.model.formats.files import numbered_lines, write_text_atomic
from reviewer.model.metrics.breakdown import CLASSES, NO_ERRORS, ClassErrors, breakdown
from reviewer.model.metrics.der import ZERO, DiarizationScore
from reviewer.model.session import track_from_dict, track_to_dict
from reviewer.model.time import TICKS_PER_SECOND

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au", ".opus", ".w64")
REFERENCE_FOLDERS = ("ref", "reference", "references", "rttm", "ref-dev", "ref-test")
SYSTEM_FOLDERS = ("sys", "system", "hyp", "hypothesis", "systems")
STATUSES = ("to review", "in progress", "done", "skipped")
PROJECT_FORMAT = "reviewer-project"
PROJECT_SUFFIX = ".reviewer-project.json"


@dataclass(frozen=True)
class CorpusEntry:
    """One recording of a corpus: its file id and the paths of what belongs to it."""

    uri: str
    audio: Path | None = None
    reference: Path | None = None
    system: Path | None = None
    uem: Path | None = None


def discover(folder: str | Path, system: str | Path | None = None) -> list[CorpusEntry]:
    """The recordings of a corpus folder, matched by recording id.

    The folder holds audio files (anywhere below it) and reference / system RTTM folders
    (``ref``, ``reference``, ``rttm`` ... and ``sys``, ``hyp``, ``system`` ...), one
    ``<uri>.rttm`` per recording or one RTTM for all; an optional ``uem`` folder or
    ``*.uem`` file. ``system`` overrides where the system output is.

    Raises
    ------
    FormatError
        If the folder does not exist or holds no reference.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FormatError(folder, None, "not a folder")
    reference = _first(folder, REFERENCE_FOLDERS)
    if reference is None:
        raise FormatError(folder, None, "no reference folder (ref/, reference/ or rttm/)")
    hypothesis = Path(system) if system else _first(folder, SYSTEM_FOLDERS)
    files = [p for p in sorted(folder.rglob("*")) if p.suffix.lower() in AUDIO_SUFFIXES]
    audio = {p.name.split(".")[0]: p for p in files}  # "uri.16k.flac"
    audio.update({p.stem: p for p in files})  # the whole stem first: "ES2004a.Mix-Headset.wav"
    return entries_from_files(reference, hypothesis, _first(folder, ("uem", "uems")), audio)


def entries_from_files(
    reference: str | Path,
    system: str | Path | None = None,
    uem: str | Path | None = None,
    audio: dict[str, Path] | None = None,
) -> list[CorpusEntry]:
    """The recordings of a reference folder (or RTTM file), matched by uri with the rest.

    Parameters
    ----------
    reference, system
        A folder of ``<uri>.rttm`` files or one RTTM file holding every recording.
    uem
        A folder of ``<uri>.uem`` files or one UEM file.
    audio
        ``{uri: audio file}``.

    Raises
    ------
    FormatError
        If a path does not exist or a file holding several recordings cannot be read.
    """
    reference = Path(reference)
    if not reference.exists():
        raise FormatError(reference, None, "no such reference folder or file")
    systems = system_files(system)
    uems = {}
    if uem is not None:
        if not Path(uem).exists():
            raise FormatError(uem, None, "no such UEM folder or file")
        uems = _uem_files(Path(uem))
    audio = audio or {}
    return [
        CorpusEntry(uri, audio.get(uri), path, systems.get(uri), uems.get(uri))
        for uri, path in sorted(_rttm_files(reference).items())
    ]


def _first(folder: Path, names: Iterable[str]) -> Path | None:
    for name in names:
        if (folder / name).exists():
            return folder / name
    return None


def _rttm_files(path: Path) -> dict[str, Path]:
    """``{uri: file}`` of an RTTM folder (or one RTTM file holding several recordings)."""
    if path.is_file():
        return dict.fromkeys(read_rttm(path), path)
    return {p.stem: p for p in sorted(path.glob("*.rttm"))}


def _uem_files(path: Path) -> dict[str, Path]:
    if path.is_file():
        return dict.fromkeys(read_uem(path), path)
    return {p.stem: p for p in sorted(path.glob("*.uem"))}


def read_list(path: str | Path) -> list[CorpusEntry]:
    """A list file: one recording per line, ``uri audio reference [system [uem]]``.

    Paths are relative to the list file; ``-`` stands for none; ``#`` starts a comment.

    Raises
    ------
    FormatError
        Naming the line of a malformed entry.
    """
    path = Path(path)
    entries = []
    for number, line in numbered_lines(path):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if not 3 <= len(fields) <= 5:
            raise FormatError(
                path,
                number,
                f"expected 'uri audio reference [system [uem]]', found {len(fields)} fields",
            )
        paths = [None if f == "-" else (path.parent / f) for f in fields[1:]]
        paths += [None] * (4 - len(paths))
        entries.append(CorpusEntry(fields[0], *paths))
    return entries


@dataclass(frozen=True)
class ScoringSettings:
    """How a corpus is scored: md-eval's collar (seconds on EACH side) and overlap rule."""

    collar: float = 0.0
    skip_overlap: bool = False


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
    settings: ScoringSettings = field(default_factory=lambda: ScoringSettings())
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

        def rel(p: Path | None):
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
            "version": 1,
            "settings": {
                "collar": self.settings.collar,
                "skip_overlap": self.settings.skip_overlap,
            },
            "other_system": rel(self.other_system),
            "current": self.current,
            "recordings": [recording(e) for e in self.entries],
        }
        write_text_atomic(path, json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Read a project file.

        Raises
        ------
        FormatError
            Naming the file and the problem (line numbers for invalid JSON).
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise FormatError(path, error.lineno, f"not valid JSON: {error.msg}") from None
        except UnicodeDecodeError:
            raise FormatError(path, None, "not a reviewer project file (not UTF-8)") from None
        except OSError as error:
            raise FormatError(path, None, f"cannot read: {error.strerror}") from None
        if not isinstance(data, dict) or data.get("format") != PROJECT_FORMAT:
            raise FormatError(path, None, "not a reviewer project file")
        base = path.parent

        def resolve(value) -> Path | None:
            return None if value is None else base / value

        entries, review = [], {}
        try:
            for i, item in enumerate(data["recordings"]):
                uri = item["uri"]
                entries.append(
                    CorpusEntry(
                        uri,
                        *(resolve(item.get(k)) for k in ("audio", "reference", "system", "uem")),
                    )
                )
                status = item.get("status", STATUSES[0])
                if status not in STATUSES:
                    raise ValueError(f"recordings[{i}]: unknown status {status!r}")
                corrected = item.get("corrected")
                note = item.get("note") or ""
                if not isinstance(note, str):
                    raise ValueError(f"recordings[{i}].note: not text")
                review[uri] = ProjectEntry(
                    status,
                    note,
                    None
                    if corrected is None
                    else track_from_dict(corrected, uri, f"recordings[{i}].corrected"),
                )
            settings = data.get("settings") or {}
            if not isinstance(settings, dict):
                raise ValueError("settings: not an object")
            scoring = ScoringSettings(
                float(settings.get("collar", 0.0)), bool(settings.get("skip_overlap", False))
            )
            other = data.get("other_system")
            if other is not None and not isinstance(other, str):
                raise ValueError("other_system: not a path")
            current = data.get("current")
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise FormatError(path, None, f"malformed project: {error}") from None
        return cls(
            entries, review, scoring, resolve(other), current if isinstance(current, str) else None
        )


@dataclass(frozen=True)
class RecordingRow:
    """One line of the recordings table: a recording's errors, split by cause.

    ``classes`` holds the errors of each class of
    :data:`~reviewer.model.metrics.breakdown.CLASSES`; ``structure_points`` and
    ``speaker_points`` split the DER (in percent points) into what the conversation's
    structure causes (overlap, speaker changes, short turns) and the rest (steady speech and
    non-speech, where only the voices can be blamed).
    """

    uri: str
    duration: float
    speakers: int
    scored: float
    missed: float
    false_alarm: float
    confusion: float
    der: float | None
    structure_points: float
    status: str = STATUSES[0]
    problem: str | None = None
    classes: dict[str, ClassErrors] = field(default_factory=dict, compare=False)
    corrected: bool = False

    @property
    def error(self) -> float:
        """Missed + false alarm + confusion, in seconds."""
        return self.missed + self.false_alarm + self.confusion

    @property
    def score(self) -> DiarizationScore:
        """The recording's md-eval totals."""
        return DiarizationScore(self.scored, self.missed, self.false_alarm, self.confusion)

    @property
    def speaker_points(self) -> float:
        """DER points (percent) in steady speech and non-speech."""
        return 100 * (self.der or 0.0) - self.structure_points


class TrackCache:
    """RTTM and UEM files read once per scoring pass (one file may hold every recording)."""

    def __init__(self) -> None:
        self._rttm: dict[Path, dict[str, Track]] = {}
        self._uem: dict[Path, dict] = {}

    def track(self, path: Path | None, uri: str) -> Track | None:
        """The turns of ``uri`` in an RTTM file, or None without a file."""
        if path is None:
            return None
        if path not in self._rttm:
            self._rttm[path] = read_rttm(path)
        return self._rttm[path].get(uri)

    def uem(self, path: Path | None, uri: str):
        """The scored regions of ``uri`` in a UEM file, or None."""
        if path is None:
            return None
        if path not in self._uem:
            self._uem[path] = read_uem(path)
        return self._uem[path].get(uri)


def system_files(system: str | Path | None) -> dict[str, Path]:
    """``{uri: RTTM file}`` of a system output folder or single RTTM file.

    Raises
    ------
    FormatError
        If it does not exist.
    """
    if system is None:
        return {}
    system = Path(system)
    if not system.exists():
        raise FormatError(system, None, "no such system output folder or file")
    return _rttm_files(system)


def score_entry(
    entry: CorpusEntry,
    record: ProjectEntry | None = None,
    settings: ScoringSettings = ScoringSettings(),
    *,
    system: Path | None | bool = True,
    cache: TrackCache | None = None,
) -> RecordingRow:
    """Score one recording: md-eval's DER and the breakdown by cause.

    Parameters
    ----------
    entry
        The recording.
    record
        Its review record: its corrections, when it has some, are scored instead of the
        system output.
    system
        True for the entry's own system output; otherwise the RTTM file to score (or None
        for none), and the corrections are not used.
    cache
        Shares the files read across recordings.

    A recording that cannot be read gets a row with its ``problem`` instead of raising.
    """
    cache = cache or TrackCache()
    record = record or ProjectEntry()
    corrected = system is True and record.corrected is not None
    try:
        reference = cache.track(entry.reference, entry.uri) or Track(uri=entry.uri)
        if corrected:
            hypothesis = record.corrected
        else:
            path = entry.system if system is True else system or None
            hypothesis = cache.track(path, entry.uri)
        hypothesis = hypothesis or Track(uri=entry.uri)
        uem = cache.uem(entry.uem, entry.uri)
        result = breakdown(
            reference,
            hypothesis,
            uem=uem,
            collar=settings.collar,
            skip_overlap=settings.skip_overlap,
        )
    except (FormatError, OSError, ValueError) as error:
        return RecordingRow(
            entry.uri, 0.0, 0, 0.0, 0.0, 0.0, 0.0, None, 0.0, record.status, str(error)
        )
    extent = reference.extent
    t = result.total
    return RecordingRow(
        entry.uri,
        _duration(entry.audio, extent.end / TICKS_PER_SECOND if extent else 0.0),
        len(reference.labels),
        t.scored,
        t.missed,
        t.false_alarm,
        t.confusion,
        t.der,
        result.structure_points,
        record.status,
        classes=result.classes,
        corrected=corrected,
    )


def score_entries(
    entries: list[CorpusEntry],
    project: Project | None = None,
    settings: ScoringSettings = ScoringSettings(),
    *,
    system: str | Path | None = None,
    on_row: Callable[[int, int, RecordingRow], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[RecordingRow]:
    """Score every recording (see :func:`score_entry`).

    Parameters
    ----------
    system
        Another system's output (a folder of ``<uri>.rttm`` or one RTTM), scored instead of
        each entry's own system and corrections: the second system of a comparison.
    on_row
        Called with ``(done, total, row)`` after each recording, from the scoring thread.
    should_stop
        Checked before each recording; scoring stops early when it returns True.
    """
    cache = TrackCache()
    others = system_files(system) if system is not None else None
    rows = []
    for index, entry in enumerate(entries):
        if should_stop is not None and should_stop():
            break
        record = project.review.get(entry.uri) if project else None
        which = True if others is None else others.get(entry.uri)
        row = score_entry(entry, record, settings, system=which, cache=cache)
        rows.append(row)
        if on_row is not None:
            on_row(index + 1, len(entries), row)
    return rows


def _duration(audio: Path | None, fallback: float) -> float:
    if audio is None:
        return fallback
    import soundfile

    try:
        info = soundfile.info(str(audio))
    except Exception:  # unreadable audio: the reference's extent still says something
        return fallback
    return info.frames / info.samplerate


def corpus_totals(rows: list[RecordingRow]) -> dict[str, float | None]:
    """Time-weighted totals like md-eval's: errors summed, then divided by scored time."""
    total = sum((row.score for row in rows), ZERO)
    return {"recordings": len(rows), **total.as_dict()}


@dataclass(frozen=True)
class RecordingChange:
    """One recording's DER under two systems (ratios; None when nothing was scored)."""

    uri: str
    der_a: float | None
    der_b: float | None

    @property
    def delta(self) -> float | None:
        """DER of B minus DER of A, in percent points (negative: B is better)."""
        if self.der_a is None or self.der_b is None:
            return None
        return 100 * (self.der_b - self.der_a)


@dataclass(frozen=True)
class ClassChange:
    """One error class over the corpus under two systems."""

    name: str
    a: ClassErrors
    b: ClassErrors
    scored: float

    def points(self, which: str) -> float:
        """The class's share of the corpus DER, in percent points, for ``"a"`` or ``"b"``."""
        errors = getattr(self, which).error
        return 100 * errors / self.scored if self.scored > 0 else 0.0

    @property
    def delta(self) -> float:
        """Points of B minus points of A (negative: B is better here)."""
        return self.points("b") - self.points("a")


@dataclass(frozen=True)
class SystemComparison:
    """Two systems scored on the same recordings: which recordings and classes changed.

    Totals and classes cover the recordings both systems could be scored on; the others are
    listed in ``unscored``.
    """

    recordings: tuple[RecordingChange, ...]
    classes: tuple[ClassChange, ...]
    total_a: DiarizationScore
    total_b: DiarizationScore
    unscored: tuple[str, ...] = ()  # could not be scored under A or B: left out of totals

    def changed(self, threshold: float = 0.5) -> tuple[list[str], list[str]]:
        """The recordings B made better and worse by more than ``threshold`` DER points."""
        better = [r.uri for r in self.recordings if r.delta is not None and r.delta < -threshold]
        worse = [r.uri for r in self.recordings if r.delta is not None and r.delta > threshold]
        return better, worse

    def as_dict(self) -> dict:
        """JSON-ready numbers (DER in percent)."""

        def pct(value):
            return None if value is None else 100 * value

        return {
            "der_a": pct(self.total_a.der),
            "der_b": pct(self.total_b.der),
            "unscored": list(self.unscored),
            "recordings": [
                {"uri": r.uri, "der_a": pct(r.der_a), "der_b": pct(r.der_b), "delta": r.delta}
                for r in self.recordings
            ],
            "classes": [
                {
                    "class": c.name,
                    "points_a": c.points("a"),
                    "points_b": c.points("b"),
                    "rate_a": pct(c.a.rate),
                    "rate_b": pct(c.b.rate),
                    "delta": c.delta,
                }
                for c in self.classes
            ],
        }


def compare_systems(rows_a: list[RecordingRow], rows_b: list[RecordingRow]) -> SystemComparison:
    """Compare two systems' rows of the same recordings (see :func:`score_entries`).

    Recordings are matched by uri; one that could not be scored under either system is
    listed with None. Corpus totals are time-weighted like md-eval's.
    """
    by_uri = {row.uri: row for row in rows_b}
    matched = [(a, by_uri.get(a.uri)) for a in rows_a]
    recordings = tuple(RecordingChange(a.uri, a.der, b.der if b else None) for a, b in matched)
    # totals over the recordings both systems could be scored on, so that they compare
    pairs = [(a, b) for a, b in matched if b is not None and a.problem is None and not b.problem]
    unscored = tuple(a.uri for a, b in matched if (a, b) not in pairs)

    def total(rows) -> DiarizationScore:
        return sum((r.score for r in rows), ZERO)

    def add(rows, name) -> ClassErrors:
        return sum((r.classes[name] for r in rows if name in r.classes), NO_ERRORS)

    side_a, side_b = [a for a, _ in pairs], [b for _, b in pairs]
    total_a, total_b = total(side_a), total(side_b)
    classes = tuple(
        ClassChange(name, add(side_a, name), add(side_b, name), total_a.scored) for name in CLASSES
    )
    return SystemComparison(recordings, classes, total_a, total_b, unscored)


def compare_entries(
    entries: list[CorpusEntry], other: str | Path, settings: ScoringSettings = ScoringSettings()
) -> SystemComparison:
    """Each entry's own system output (A) against another system's output (B)."""
    return compare_systems(
        score_entries(entries, None, settings),
        score_entries(entries, None, settings, system=other),
    )


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`export_corrections` wrote."""

    written: tuple[Path, ...]
    corrected: int
    from_system: int
    skipped: tuple[str, ...]


def export_corrections(
    project: Project,
    target: str | Path,
    *,
    one_file: bool = False,
    fallback: bool = True,
    statuses: tuple[str, ...] | None = None,
) -> ExportSummary:
    """Write every recording's corrected track as RTTM, atomically.

    Parameters
    ----------
    target
        A folder (created; one ``<uri>.rttm`` per recording), or with ``one_file`` an RTTM
        file holding every recording.
    fallback
        Recordings without corrections get their system output (else they are skipped).
    statuses
        Only recordings with one of these review statuses (all by default).

    Raises
    ------
    FormatError
        If a system output cannot be read; nothing is written then.
    """
    from reviewer.model.formats import write_rttm

    target = Path(target)
    cache = TrackCache()
    tracks: dict[str, Track] = {}
    corrected = from_system = 0
    skipped = []
    for entry in project.entries:
        record = project.review.get(entry.uri) or ProjectEntry()
        if statuses is not None and record.status not in statuses:
            skipped.append(entry.uri)
        elif record.corrected is not None:
            tracks[entry.uri] = record.corrected
            corrected += 1
        elif fallback and entry.system is not None:
            tracks[entry.uri] = cache.track(entry.system, entry.uri) or Track(uri=entry.uri)
            from_system += 1
        else:
            skipped.append(entry.uri)
    if one_file:
        write_rttm(target, tracks)
        written = (target,)
    else:
        target.mkdir(parents=True, exist_ok=True)
        written = tuple(target / f"{file_name(uri)}.rttm" for uri in tracks)
        for path, (uri, track) in zip(written, tracks.items(), strict=True):
            write_rttm(path, {uri: track})
    return ExportSummary(written, corrected, from_system, tuple(skipped))


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
    from reviewer.model.document import CORRECTED
    from reviewer.model.journal import discard_journal, pending_journals, recover

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


def file_name(uri: str) -> str:
    """A recording id as a file name: as is, unless it holds a path separator or is a dot."""
    if "/" in uri or "\\" in uri or "\0" in uri or uri in (".", ".."):
        from urllib.parse import quote

        return quote(uri, safe="")
    return uri


class ProjectBusy(RuntimeError):
    """Another reviewer process has the project open."""


def lock_project(path: str | Path) -> int | None:
    """Hold the project for this process (a ``.lock`` file beside it, locked with flock).

    Returns the lock's file descriptor (kept open while the project is open), or None
    where the OS has no ``flock``.

    Raises
    ------
    ProjectBusy
        If another process holds it: two windows saving one project would lose work.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        return None
    lock = Path(path).with_name(Path(path).name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ProjectBusy(f"{path}: open in another reviewer window; close it first") from None
    return fd
