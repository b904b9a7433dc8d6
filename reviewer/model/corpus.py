"""A corpus under review: its recordings, their scores, and the project file.

The project file keeps each recording's review status, notes and corrections.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.model.annotation import Track
from reviewer.model.formats import FormatError, read_rttm, read_uem
from reviewer.model.formats.files import numbered_lines, write_text_atomic
from reviewer.model.session import track_from_dict, track_to_dict

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au", ".opus", ".w64")
REFERENCE_FOLDERS = ("ref", "reference", "references", "rttm", "ref-dev", "ref-test")
SYSTEM_FOLDERS = ("sys", "system", "hyp", "hypothesis", "systems")
STATUSES = ("to review", "in progress", "done", "skipped")


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
    uem = _first(folder, ("uem", "uems"))
    audio = {
        p.name.split(".")[0]: p
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in AUDIO_SUFFIXES
    }
    references = _rttm_files(reference)
    systems = _rttm_files(hypothesis) if hypothesis else {}
    uems = _uem_files(uem) if uem else {}
    return [
        CorpusEntry(uri, audio.get(uri), path, systems.get(uri), uems.get(uri))
        for uri, path in sorted(references.items())
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


@dataclass
class ProjectEntry:
    """What the project keeps about one recording."""

    status: str = STATUSES[0]
    note: str = ""
    corrected: Track | None = None


@dataclass
class Project:
    """Review status, notes and corrections of every recording of a corpus."""

    entries: list[CorpusEntry]
    review: dict[str, ProjectEntry] = field(default_factory=dict)

    def entry(self, uri: str) -> ProjectEntry:
        """The review record of a recording (created on first use)."""
        return self.review.setdefault(uri, ProjectEntry())

    def save(self, path: str | Path) -> None:
        """Write the project atomically (paths relative to the project file)."""
        path = Path(path)
        base = path.parent.resolve()

        def rel(p: Path | None):
            if p is None:
                return None
            try:
                return Path(p).resolve().relative_to(base).as_posix()
            except ValueError:
                return str(Path(p).resolve())

        data = {
            "format": "reviewer-project",
            "version": 1,
            "recordings": [
                {
                    "uri": e.uri,
                    "audio": rel(e.audio),
                    "reference": rel(e.reference),
                    "system": rel(e.system),
                    "uem": rel(e.uem),
                    "status": self.entry(e.uri).status,
                    "note": self.entry(e.uri).note,
                    "corrected": track_to_dict(self.entry(e.uri).corrected)
                    if self.entry(e.uri).corrected is not None
                    else None,
                }
                for e in self.entries
            ],
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
        except OSError as error:
            raise FormatError(path, None, f"cannot read: {error.strerror}") from None
        if not isinstance(data, dict) or data.get("format") != "reviewer-project":
            raise FormatError(path, None, "not a reviewer project file")
        base = path.parent
        entries, review = [], {}
        try:
            for i, item in enumerate(data["recordings"]):

                def get(key, item=item):
                    return None if item.get(key) is None else base / item[key]

                uri = item["uri"]
                entries.append(
                    CorpusEntry(uri, get("audio"), get("reference"), get("system"), get("uem"))
                )
                status = item.get("status", STATUSES[0])
                if status not in STATUSES:
                    raise ValueError(f"recordings[{i}]: unknown status {status!r}")
                corrected = item.get("corrected")
                review[uri] = ProjectEntry(
                    status,
                    str(item.get("note", "")),
                    None
                    if corrected is None
                    else track_from_dict(corrected, uri, f"recordings[{i}].corrected"),
                )
        except (KeyError, TypeError, ValueError) as error:
            raise FormatError(path, None, f"malformed project: {error}") from None
        return cls(entries, review)


@dataclass(frozen=True)
class RecordingRow:
    """One line of the recordings table."""

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


def score_entries(
    entries: list[CorpusEntry],
    project: Project | None = None,
    *,
    collar: float = 0.0,
    skip_overlap: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[RecordingRow]:
    """Score every recording with md-eval's DER and the breakdown's structure split.

    A recording's corrections are scored when the project has some. A recording that
    cannot be read gets a row with its ``problem`` instead of stopping the corpus.
    """
    from reviewer.model.metrics.breakdown import breakdown

    rows = []
    for index, entry in enumerate(entries):
        if should_stop is not None and should_stop():
            break
        record = project.entry(entry.uri) if project else ProjectEntry()
        try:
            reference = _track(entry.reference, entry.uri) or Track(uri=entry.uri)
            system = record.corrected or _track(entry.system, entry.uri) or Track(uri=entry.uri)
            uem = read_uem(entry.uem).get(entry.uri) if entry.uem else None
            result = breakdown(reference, system, uem=uem, collar=collar, skip_overlap=skip_overlap)
            extent = reference.extent
            duration = _duration(entry.audio, extent.end / 3_528_000_000 if extent else 0.0)
            t = result.total
            rows.append(
                RecordingRow(
                    entry.uri,
                    duration,
                    len(reference.labels),
                    t.scored,
                    t.missed,
                    t.false_alarm,
                    t.confusion,
                    t.der,
                    result.structure_points,
                    record.status,
                )
            )
        except (FormatError, OSError, ValueError) as error:
            rows.append(
                RecordingRow(
                    entry.uri, 0.0, 0, 0.0, 0.0, 0.0, 0.0, None, 0.0, record.status, str(error)
                )
            )
        if on_progress is not None:
            on_progress(index + 1, len(entries))
    return rows


def _track(path: Path | None, uri: str) -> Track | None:
    if path is None:
        return None
    return read_rttm(path).get(uri)


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
    scored = sum(r.scored for r in rows)
    error = sum(r.missed + r.false_alarm + r.confusion for r in rows)
    return {
        "recordings": len(rows),
        "scored": scored,
        "missed": sum(r.missed for r in rows),
        "false_alarm": sum(r.false_alarm for r in rows),
        "confusion": sum(r.confusion for r in rows),
        "der": error / scored if scored > 0 else None,
    }
