"""``cells.csv``: one row per scored cell of a factorial experiment.

The columns, in this order, then any others::

    voices,structure,scored,missed,false_alarm,confusion,der

``scored``, ``missed``, ``false_alarm`` and ``confusion`` are seconds and ``der`` a ratio, as
``reviewer score --json`` prints them. Columns after these are kept as text:
``reviewer factorial run`` adds ``diagonal`` (1 for a recording's own voices in its own
structure, the resynthesis control, else 0) and the error time of every breakdown class
(:mod:`reviewer.metrics.breakdown`, as ``reviewer breakdown --json`` gives them), in seconds:
``overlap_error``, ``near_change_error``, ``short_turn_error``, ``steady_error`` and
``non_speech_error`` (empty for cells computed before these columns existed). A file
written anywhere else in this shape can be analysed, so results computed on another cluster
or by another tool are welcome.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reviewer.factorial.variance import FactorialCells
from reviewer.io.files import write_text_atomic
from reviewer.metrics.numbers import percent, points
from reviewer.model.annotation import Track
from reviewer.model.errors import FormatError

CELL_COLUMNS = ("voices", "structure", "scored", "missed", "false_alarm", "confusion", "der")
"""The leading columns of ``cells.csv``, in order."""

MEASURES = ("der", "missed", "false_alarm", "confusion")
"""What can be analysed, each in DER points (percent of the scored speaker time)."""

ATTRIBUTES_FILE = "attributes.csv"
"""The attributes an experiment folder keeps (``factorial run --attributes`` copies them)."""

_SECONDS = ("scored", "missed", "false_alarm", "confusion")


@dataclass(frozen=True)
class CellRow:
    """One scored cell.

    Attributes
    ----------
    voices, structure
        The voice source's and the structure source's names.
    scored, missed, false_alarm, confusion
        Seconds, as md-eval counts them (``SCORED SPEAKER TIME`` and its error times).
    der
        The diarization error rate, a ratio.
    extra
        The other columns, ``{name: text}``.
    """

    voices: str
    structure: str
    scored: float
    missed: float
    false_alarm: float
    confusion: float
    der: float
    extra: dict[str, str] = field(default_factory=dict)

    def points(self, measure: str) -> float:
        """``measure`` in DER points: the DER in percent, or an error's share of scored time.

        Raises
        ------
        KeyError
            For a measure not in :data:`MEASURES`.
        """
        if measure == "der":
            value = percent(self.der)
        elif measure in MEASURES:
            value = points(getattr(self, measure), self.scored)
        else:
            raise KeyError(f"no measure {measure!r}: choose from {', '.join(MEASURES)}")
        return math.nan if value is None else value


def read_cells(path: str | Path) -> list[CellRow]:
    """Read ``cells.csv`` (a file, or an experiment folder holding one).

    Raises
    ------
    FormatError
        Naming the file and line: a missing leading column, a number that is not one, a
        negative time, a cell that appears twice, or no cell at all.
    FileNotFoundError
        If there is no such file.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "cells.csv"
    header, records = _table(path)
    if header is None:
        raise FormatError(path, None, "the file is empty: no header, no cell")
    if tuple(header[: len(CELL_COLUMNS)]) != CELL_COLUMNS:
        raise FormatError(
            path,
            1,
            f"the header must start with {','.join(CELL_COLUMNS)}, not {','.join(header)}",
        )
    rows: list[CellRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, fields in records:
        row = _row(path, line, fields)
        pair = (row.voices, row.structure)
        if pair in seen:
            raise FormatError(
                path,
                line,
                f"cell ({row.voices}, {row.structure}) was already on line {seen[pair]}",
            )
        seen[pair] = line
        rows.append(row)
    if not rows:
        raise FormatError(path, None, "no cell: the file has a header only")
    return rows


def _row(path: Path, line: int, fields: dict[str, str]) -> CellRow:
    numbers: dict[str, float] = {}
    for name in (*_SECONDS, "der"):
        text = fields[name].strip()
        try:
            value = float(text)
        except ValueError:
            raise FormatError(path, line, f"{name} {text!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise FormatError(path, line, f"{name} {text!r} must be a finite number >= 0")
        numbers[name] = value
    voices, structure = fields["voices"].strip(), fields["structure"].strip()
    if not voices or not structure:
        raise FormatError(path, line, "a cell needs both its voices and its structure")
    extra = {k: v for k, v in fields.items() if k not in CELL_COLUMNS}
    return CellRow(voices, structure, extra=extra, **numbers)


def write_cells(path: str | Path, rows: Iterable[CellRow]) -> None:
    """Write ``cells.csv`` atomically; extra columns in the order they first appear."""
    rows = list(rows)
    extra = list(dict.fromkeys(name for row in rows for name in row.extra))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow((*CELL_COLUMNS, *extra))
    for row in rows:
        numbers = [repr(float(getattr(row, name))) for name in (*_SECONDS, "der")]
        writer.writerow(
            [row.voices, row.structure, *numbers, *(row.extra.get(n, "") for n in extra)]
        )
    write_text_atomic(Path(path), text.getvalue())


def factorial_cells(rows: list[CellRow], measure: str = "der") -> FactorialCells:
    """The cells' ``measure`` in DER points, for the variance analysis.

    Cells with no scored time have no measure: they are left out here, and
    :func:`unscored_cells` names them so that the report can say so.
    """
    kept = [row for row in rows if row.scored > 0]
    return FactorialCells(
        tuple(row.voices for row in kept),
        tuple(row.structure for row in kept),
        np.array([row.points(measure) for row in kept]),
    )


def unscored_cells(rows: list[CellRow]) -> list[tuple[str, str]]:
    """The (voices, structure) of the cells with no scored time (left out of the analysis)."""
    return [(row.voices, row.structure) for row in rows if row.scored <= 0]


def read_attributes(path: str | Path) -> dict[str, dict[str, str]]:
    """Read ``attrs.csv``: one row per recording, its first column the recording's id.

    The header names the columns (the first ``recording`` or ``uri``, then one per
    attribute: ``gender``, ``language``, ...); values are kept as text.

    Raises
    ------
    FormatError
        Naming the file and line: no attribute column, a row of another length, a
        recording twice, an empty recording id.
    """
    path = Path(path)
    header, records = _table(path)
    if header is None or len(header) < 2 or header[0] not in ("recording", "uri"):
        raise FormatError(
            path, 1, "the header must be recording (or uri) and one column per attribute"
        )
    result: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    for line, fields in records:
        recording = fields.pop(header[0]).strip()
        if not recording:
            raise FormatError(path, line, "no recording id")
        if recording in result:
            raise FormatError(path, line, f"{recording} was already on line {lines[recording]}")
        lines[recording] = line
        result[recording] = {k: v.strip() for k, v in fields.items()}
    return result


def experiment_attributes(path: str | Path) -> Path | None:
    """The attributes file an experiment folder keeps (``attributes.csv``), or None."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    kept = folder / ATTRIBUTES_FILE
    return kept if kept.is_file() else None


def experiment_failures(path: str | Path) -> str | None:
    """What an experiment folder says of the cells its system failed on, or None.

    A failed cell keeps its log in ``failed/<cell>.log`` until a run computes it (see
    :mod:`reviewer.services.experiment`); such a cell is in no row of ``cells.csv``, so an
    analysis of the folder would otherwise not know a voice set or structure lost cells.
    """
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    failed = sorted(log.stem for log in (folder / "failed").glob("*.log"))
    if not failed:
        return None
    return (
        f"the system failed on {len(failed)} cell{'s' if len(failed) > 1 else ''}, not in "
        f"this analysis: {', '.join(failed)} (logs in {folder / 'failed'}; run again to retry)"
    )


def experiment_structures(folder: str | Path) -> dict[str, Track] | None:
    """The structures an experiment folder keeps (``structures/*.rttm``), or None.

    Raises
    ------
    FormatError
        For a malformed structure file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        folder = folder.parent
    if not (folder / "structures").is_dir():
        return None
    from reviewer.io import read_rttm

    return {track.uri or key: track for key, track in read_rttm(folder / "structures").items()}


def _table(path: Path) -> tuple[list[str] | None, list[tuple[int, dict[str, str]]]]:
    """A CSV file's header (names stripped; None when empty) and its rows with their lines.

    Blank lines are skipped; a row with another number of fields than the header is refused.

    Raises
    ------
    FormatError
        Naming the file and line of a row of the wrong length.
    """
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        first = next(reader, None)
        if first is None:
            return None, []
        header = [name.strip() for name in first]
        records = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                raise FormatError(
                    path,
                    reader.line_num,
                    f"{len(values)} fields where the header has {len(header)}",
                )
            records.append((reader.line_num, dict(zip(header, values, strict=True))))
    return header, records
