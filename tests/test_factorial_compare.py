"""Two systems on one design (which is more sensitive to structure), and the --plot figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from factorial_material import command
from test_factorial_cli import structure_only_rows
from test_factorial_run import design

from reviewer.factorial.cells_file import read_cells, write_cells
from reviewer.factorial.comparison import compare_systems
from reviewer.reports import factorial_figure_size
from reviewer.services.experiment import Experiment

REVIEWER = Path(sys.executable).parent / "reviewer"

# four voice sets the pitch system with a 100 Hz band confuses (both pitches round alike),
# four it tells apart (so that few bootstrap draws hold only one kind: 2 / 2**8); five
# structures from fast (short turns) to slow
PITCHES = {
    "near": [210, 240], "close": [310, 340], "tight": [410, 440], "alike": [510, 540],
    "far": [200, 900], "apart": [300, 700], "wide": [250, 600], "spread": [350, 800],
}  # fmt: skip
PACES = (("s05", 0.5), ("s08", 0.8), ("s12", 1.2), ("s20", 2.0), ("s40", 4.0))


def reviewer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REVIEWER), *args], capture_output=True, text=True, timeout=300)


def image(path: Path) -> np.ndarray:
    import matplotlib.image

    return matplotlib.image.imread(path)


def assert_drawn(path: Path, panels: int) -> None:
    """The PNG has the figure's size and is not blank (many colours, far from uniform)."""
    pixels = image(path)
    width, height = factorial_figure_size(panels)
    assert pixels.shape[:2] == (height, width)
    colours = np.unique(pixels[..., :3].reshape(-1, 3), axis=0)
    assert len(colours) > 200 and pixels[..., :3].std() > 0.1


@pytest.fixture(scope="module")
def two_systems(tmp_path_factory):
    """The same 8 x 5 design run by a system that drops turns under 1 s (A) and by one
    that cannot tell pitches within 100 Hz apart (B)."""
    folder = tmp_path_factory.mktemp("compare")
    shared = design(folder, PITCHES, PACES)
    for name, system in (("short", command(shortest=1.0)), ("band", command(band=100.0))):
        Experiment(folder / name, shared, system).run(workers=2)
    return folder / "short", folder / "band"


def test_the_system_that_errs_on_short_turns_is_more_sensitive_to_structure(two_systems):
    short, band = two_systems
    comparison = compare_systems(read_cells(short), read_cells(band), ("short", "band"), 1000)
    difference = comparison.difference("der", "structure")
    assert difference.interval.low > 0, difference  # excludes 0, on A's side
    assert difference.a > 80 and difference.b < 20, difference
    assert comparison.more_sensitive_to_structure() == "short"
    voices = comparison.difference("der", "voices")
    assert voices.interval.high < 0  # and B's DER is the voices'


def test_analyze_two_experiments_prints_both_and_the_paired_difference(two_systems, tmp_path):
    short, band = two_systems
    result = reviewer(
        "factorial", "analyze", str(short), str(band), "--json", "--replicates", "300",
        "--plot", str(tmp_path / "both.png"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["systems"] == {"a": "short", "b": "band"}
    assert data["more_sensitive_to_structure"] == "short"
    structure = data["difference"]["der"]["structure_share"]
    assert structure["ci"][0] > 0 and structure["difference"] > 60
    assert data["a"]["cells"] == data["b"]["cells"] == 40
    assert set(data["difference"]) == {"der", "missed", "false_alarm", "confusion"}
    assert_drawn(tmp_path / "both.png", 4)
    table = reviewer("factorial", "analyze", str(short), str(band), "--replicates", "100")
    assert table.returncode == 0, table.stderr
    assert "short is more sensitive to structure than band" in table.stdout
    assert "A = short, B = band" in table.stdout and "structure share" in table.stdout


def test_experiments_of_different_designs_are_refused_naming_the_cells(two_systems, tmp_path):
    short, band = two_systems
    rows = [r for r in read_cells(band) if (r.voices, r.structure) != ("far", "s12")]
    write_cells(tmp_path / "cells.csv", rows)
    with pytest.raises(ValueError, match="only short has far x s12"):
        compare_systems(read_cells(short), rows, ("short", "band"), 100)
    result = reviewer("factorial", "analyze", str(short), str(tmp_path / "cells.csv"))
    assert result.returncode == 2 and "far x s12" in result.stderr


def test_the_figure_of_one_experiment_has_its_grid_shares_and_effects(tmp_path):
    write_cells(tmp_path / "cells.csv", structure_only_rows())
    (tmp_path / "attrs.csv").write_text(
        "recording,group\n"
        + "".join(f"v{i},{'mixed' if i % 2 else 'same'}\n" for i in range(4))
        + "".join(f"s{j},{'fast' if j % 2 else 'slow'}\n" for j in range(5))
    )
    plain = reviewer(
        "factorial", "analyze", str(tmp_path), "--replicates", "100", "--plot",
        str(tmp_path / "plain.png"),
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert_drawn(tmp_path / "plain.png", 2)  # no effects: grid and shares
    with_effects = reviewer(
        "factorial", "analyze", str(tmp_path), "--replicates", "100", "--plot",
        str(tmp_path / "fig.png"), "--attributes", str(tmp_path / "attrs.csv"),
    )  # fmt: skip
    assert with_effects.returncode == 0, with_effects.stderr
    assert_drawn(tmp_path / "fig.png", 3)  # and a forest plot of the group's effects
