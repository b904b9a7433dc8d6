"""``reviewer factorial analyze`` on a cells.csv, and what its reader refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reviewer.factorial.analysis import analyze
from reviewer.factorial.cells_file import CellRow, read_cells, write_cells
from reviewer.io import FormatError

REVIEWER = Path(sys.executable).parent / "reviewer"


def reviewer(*args: str) -> subprocess.CompletedProcess:
    command = [str(REVIEWER)] if REVIEWER.exists() else [sys.executable, "-m", "reviewer.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


def structure_only_rows(seed: int = 0) -> list[CellRow]:
    """An artificial system whose confusion depends only on the structure (4 x 5 grid)."""
    rng = np.random.default_rng(seed)
    structure_effect = rng.normal(0, 3, 5)  # points
    rows = []
    for i in range(4):
        for j in range(5):
            scored = 600.0
            confusion = scored * (10 + structure_effect[j] + rng.normal(0, 0.1)) / 100
            missed, false_alarm = 6.0, 3.0
            der = (missed + false_alarm + confusion) / scored
            extra = {"voices_gender": "mixed" if i % 2 else "same"}
            rows.append(
                CellRow(f"v{i}", f"s{j}", scored, missed, false_alarm, confusion, der, extra)
            )
    return rows


def test_written_cells_read_back_identically(tmp_path):
    rows = structure_only_rows()
    rows[0] = CellRow(
        "a, with comma", 's "quoted"', 1.0, 0.0, 0.0, 0.0, 0.0, {"voices_gender": "x,y"}
    )
    write_cells(tmp_path / "cells.csv", rows)
    assert read_cells(tmp_path) == rows


def test_a_system_that_errs_on_structure_only_is_attributed_to_structure(tmp_path):
    result = analyze(structure_only_rows(), replicates=200)
    shares = result.der.components.shares()
    assert shares["structure"] > 0.98 and shares["voices"] < 0.01
    assert result.measures["missed"].components.total == pytest.approx(0.0, abs=1e-9)


def test_analyze_prints_the_json_the_issue_asks_for(tmp_path):
    write_cells(tmp_path / "cells.csv", structure_only_rows())
    result = reviewer("factorial", "analyze", str(tmp_path), "--json", "--replicates", "100")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["cells"] == 20 and data["voices"] == 4 and data["structures"] == 5
    assert set(data["variance"]) == set(data["share"]) == {"voices", "structure", "residual"}
    assert sum(data["share"].values()) == pytest.approx(1.0)
    low, high = data["ci"]["share"]["structure"]
    assert low <= data["share"]["structure"] <= high
    assert set(data["measures"]) == {"der", "missed", "false_alarm", "confusion"}
    table = reviewer("factorial", "analyze", str(tmp_path / "cells.csv"), "--replicates", "50")
    assert (
        table.returncode == 0 and "structure" in table.stdout and "4 voice sources" in table.stdout
    )
    csv_out = reviewer("factorial", "analyze", str(tmp_path), "--csv", "--replicates", "50")
    assert csv_out.stdout.splitlines()[0].startswith("measure,component,variance")
    assert len(csv_out.stdout.splitlines()) == 1 + 4 * 3


HEADER = "voices,structure,scored,missed,false_alarm,confusion,der\n"


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("voices,structure,der\n", ":1", "header must start with"),
        (HEADER + "a,b,1,0,0,x,0\n", ":2", "confusion 'x' is not a number"),
        (HEADER + "a,b,1,0,0,0,0\na,b,1,0,0,0,0\n", ":3", "already on line 2"),
        (HEADER + "a,b,-1,0,0,0,0\n", ":2", "must be a finite number >= 0"),
        (HEADER + "a,b,1,0\n", ":2", "4 fields"),
        (HEADER + "", "", "header only"),
    ],
)  # fmt: skip
def test_bad_cells_files_are_named_with_line_and_problem(tmp_path, text, where, problem):
    path = tmp_path / "cells.csv"
    path.write_text(text)
    with pytest.raises(FormatError, match=problem) as caught:
        read_cells(path)
    assert str(caught.value).startswith(f"{path}{where}")
    result = reviewer("factorial", "analyze", str(path))
    assert result.returncode == 2 and f"{path}{where}" in result.stderr


def test_an_incomplete_grid_of_exact_values_is_analysed_with_a_note(tmp_path):
    """Cells of a deterministic system on a design with skipped cells (found by a tester)."""
    text = HEADER + (
        "recA,recA,57.014,2.483,0.619,0.003,0.05446030799452767\n"
        "recA,recC,53.709,1.052,0.643,0.006,0.03167066972015863\n"
        "recB,recA,57.014,2.483,0.619,0.009,0.05456554530466201\n"
        "recB,recB,55.633,0.009,0.676,0.021,0.012690309708266677\n"
        "recB,recC,53.709,1.052,0.643,0.006,0.03167066972015863\n"
        "recC,recA,57.014,2.483,0.619,0.009,0.05456554530466201\n"
        "recC,recC,53.709,1.062,0.603,0.006,0.031112104116628497\n"
    )
    (tmp_path / "cells.csv").write_text(text)
    (tmp_path / "attrs.csv").write_text("recording,lang\nrecA,en\nrecB,fr\nrecC,en\n")
    result = reviewer(
        "factorial", "analyze", str(tmp_path), "--replicates", "100",
        "--attributes", str(tmp_path / "attrs.csv"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "reml" in result.stdout and "need a complete grid (2 cells are missing)" in result.stdout
