"""A corpus under review: its recordings, their scores, and the project file.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.io import FormatError, read_rttm, read_uem
from reviewer.io import validation as check
from reviewer.io.files import numbered_lines, write_text_atomic
from reviewer.io.rttm import RttmContents, read_rttm_contents
from reviewer.io.session import track_from_dict, track_to_dict
from reviewer.metrics.breakdown import CLASSES, NO_ERRORS, ClassErrors, breakdown
from reviewer.metrics.der import ZERO, DiarizationScore
from reviewer.metrics.pairing import lookup_uem
from reviewer.model.annotation import Track
from reviewer.model.exclusions import Exclusions
from reviewer.model.time import TICKS_PER_SECOND

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au", ".opus", ".w64")
REFERENCE_FOLDERS = ("ref", "reference", "references", "rttm", "ref-dev", "ref-test")
SYSTEM_FOLDERS = ("sys", "system", "hyp", "hypothesis", "systems")
STATUSES = ("to review", "in progress", "done", "skipped")
PROJECT_FORMAT = "reviewer-project"
PROJECT_VERSION = 1
"""The project version this reviewer writes, and the newest it reads."""
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
            "version": PROJECT_VERSION,
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


@dataclass(frozen=True)
class RecordingRow:
    """One line of the recordings table: a recording's errors, split by cause.

    ``classes`` holds the errors of each class of
    :data:`~reviewer.metrics.breakdown.CLASSES`; ``structure_points`` and
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
        self._rttm: dict[Path, RttmContents] = {}
        self._uem: dict[Path, dict] = {}

    def _contents(self, path: Path) -> RttmContents:
        if path not in self._rttm:
            self._rttm[path] = read_rttm_contents(path)
        return self._rttm[path]

    def track(self, path: Path | None, uri: str) -> Track | None:
        """The turns of ``uri`` in an RTTM file, or None without a file."""
        if path is None:
            return None
        return self._contents(path).tracks.get(uri)

    def exclusions(self, path: Path | None, uri: str) -> Exclusions | None:
        """The scoring marks (``NOSCORE``, ``NON-LEX``...) of ``uri`` in an RTTM file."""
        if path is None:
            return None
        return self._contents(path).exclusions.get(uri)

    def uem(self, path: Path | None, uri: str, channel: str | None = None):
        """The scored regions of ``uri`` in a UEM file (md-eval's id matching), or None."""
        if path is None:
            return None
        if path not in self._uem:
            self._uem[path] = read_uem(path)
        return lookup_uem(self._uem[path], uri, channel)


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
        uem = cache.uem(entry.uem, entry.uri, reference.channel)
        result = breakdown(
            reference,
            hypothesis,
            uem=uem,
            collar=settings.collar,
            skip_overlap=settings.skip_overlap,
            exclusions=cache.exclusions(entry.reference, entry.uri),
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
    from reviewer.io import write_rttm

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
    from reviewer.io.journal import discard_journal, pending_journals, recover
    from reviewer.model.document import CORRECTED

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
