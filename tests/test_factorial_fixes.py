"""What a fresh tester found in the factorial experiment (issue 17), each fixed and checked.

One folder is one experiment (another design is refused, more voices extend it); editing the
system's script reruns its cells; a system that fails on some cells fails those only; an
incomplete grid is analysed at once, its bootstrap drawn with Henderson III estimates.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from factorial_material import SYSTEM, command
from test_corpus_diarize import corpus
from test_factorial_run import design

from reviewer.factorial.analysis import analyze
from reviewer.factorial.bootstrap import component_intervals
from reviewer.factorial.cells_file import experiment_failures, read_cells
from reviewer.factorial.variance import FactorialCells, anova_estimates, henderson_estimates
from reviewer.services.experiment import DesignConflict, Experiment
from reviewer.services.systems import system_from_spec

REVIEWER = Path(sys.executable).parent / "reviewer"


def reviewer(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REVIEWER), *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_a_folder_holds_one_experiment_another_is_refused_more_voices_extend_it(tmp_path):
    folder = tmp_path / "exp"
    first = Experiment(folder, design(tmp_path), command(shortest=1.0)).run(workers=2)
    before = (folder / "cells.csv").read_text()
    design_before = (folder / "design.json").read_text()
    with pytest.raises(DesignConflict, match="system .*shortest 1.0.*not.*shortest 0.5"):
        Experiment(folder, design(tmp_path), command(shortest=0.5)).run(workers=1)
    fewer = design(tmp_path, pitches={"va": [150, 400]})
    with pytest.raises(DesignConflict, match="voice sources vb"):
        Experiment(folder, fewer, command(shortest=1.0)).run(workers=1)
    assert (folder / "cells.csv").read_text() == before  # nothing lost
    assert (folder / "design.json").read_text() == design_before
    more = design(tmp_path, {"va": [150, 400], "vb": [220, 700], "vc": [180, 520]})
    extended = Experiment(folder, more, command(shortest=1.0))
    assert len(extended.pending()) == 2
    rows = extended.run(workers=1)
    assert len(rows) == 6 and all(row in rows for row in first)
    assert len(read_cells(folder)) == 6
    other = Experiment(folder, design(tmp_path), command(shortest=0.5))
    removed = other.replace()
    assert folder / "cells.csv" in removed and not (folder / "cells").exists()
    assert len(other.run(workers=1)) == 4


def test_the_command_refuses_another_design_in_one_line_and_replace_says_what_it_removes(
    tmp_path,
):
    source = corpus(tmp_path / "corpus")
    out = tmp_path / "exp"
    args = ["factorial", "run", str(source), "--voices", "ra,rb", "--structures", "ra,rb",
            "--out", str(out), "--workers", "1"]  # fmt: skip
    assert reviewer(*args, "--system", command(shortest=1.0)).returncode == 0
    refused = reviewer(*args, "--system", command(shortest=0.5))
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "holds another experiment" in refused.stderr and "--replace" in refused.stderr
    assert len(read_cells(out)) == 4
    replaced = reviewer(*args, "--system", command(shortest=0.5), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert f"removed {out / 'cells.csv'}" in replaced.stderr
    assert json.loads((out / "design.json").read_text())["system"] == command(shortest=0.5)


def test_editing_the_systems_script_reruns_its_cells_and_rerun_recomputes_all(tmp_path):
    script = tmp_path / "mysys.py"
    shutil.copyfile(SYSTEM, script)
    system = command(shortest=1.0, script=script)
    identity = system_from_spec(system).identity
    Experiment(tmp_path / "exp", design(tmp_path), system).run(workers=2)
    assert Experiment(tmp_path / "exp", design(tmp_path), system).pending() == []
    script.write_text(script.read_text() + "\n# a new version\n")
    assert system_from_spec(system).identity != identity
    assert len(Experiment(tmp_path / "exp", design(tmp_path), system).pending()) == 4
    Experiment(tmp_path / "exp", design(tmp_path), system).run(workers=2)
    seen = []
    Experiment(tmp_path / "exp", design(tmp_path), system).run(
        workers=2, on_progress=seen.append, rerun=True
    )
    assert seen[0].reused == 0 and seen[-1].done == 4  # every cell computed again


def test_a_file_given_as_an_options_value_is_part_of_the_systems_identity(tmp_path):
    """``--cfg=cfg.txt``: a retester changed cfg.txt and all the cells were reused."""
    config = tmp_path / "cfg.txt"
    config.write_text("1.0\n")
    system = f"python {SYSTEM} {{audio}} {{rttm}} --cfg={config}"
    before = system_from_spec(system).identity
    config.write_text("0.2\n")
    assert system_from_spec(system).identity != before


def test_a_pyannote_pipelines_identity_covers_its_checkpoint(tmp_path):
    pytest.importorskip("pyannote.audio")
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    (pipeline / "config.yaml").write_text("pipeline:\n  params:\n    segmentation: seg.bin\n")
    (pipeline / "seg.bin").write_bytes(b"weights 1")
    before = system_from_spec(str(pipeline)).identity
    (pipeline / "seg.bin").write_bytes(b"weights 2")
    assert system_from_spec(str(pipeline)).identity != before


def test_a_system_failing_on_some_cells_fails_those_only_and_a_rerun_retries_them(tmp_path):
    system = command(shortest=1.0, fail_on="vb__")
    experiment = Experiment(tmp_path / "exp", design(tmp_path), system)
    said = []
    rows = experiment.run(workers=2, on_failure=said.append)
    assert sorted((r.voices, r.structure) for r in rows) == [("va", "fast"), ("va", "slow")]
    assert sorted(f.payload.cell.name for f in experiment.failures) == ["vb__fast", "vb__slow"]
    for failure in said:
        assert "\n" not in failure.message and failure.message.endswith("model exploded")
        log = experiment.failure_log(failure.payload.cell.name).read_text()
        assert "loading the model" in log  # the whole stderr is kept
    assert len(read_cells(tmp_path / "exp")) == 2
    assert [t.cell.name for t in experiment.pending()] == ["vb__slow", "vb__fast"]
    said_later = experiment_failures(tmp_path / "exp")  # what analyze adds to its notes
    assert said_later is not None and "failed on 2 cells" in said_later
    assert "vb__fast, vb__slow" in said_later  # a retester saw them vanish once the run ended


def test_the_commands_report_a_failing_system_in_one_line_and_exit_1(tmp_path):
    source = corpus(tmp_path / "corpus")
    run = reviewer("factorial", "run", str(source), "--voices", "ra,rb", "--structures",
                   "ra,rb", "--out", str(tmp_path / "exp"), "--workers", "1",
                   "--system", command(shortest=1.0, fail_on="rb__"))  # fmt: skip
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if "failed: " in line]
    assert len(lines) == 2 and all("model exploded (log: " in line for line in lines)
    assert "2 cells failed and were not kept: rb__ra, rb__rb" in run.stderr
    assert len(read_cells(tmp_path / "exp")) == 2
    diarized = reviewer("corpus", str(source), "--diarize", command(fail_on="rc"),
                        "--out", str(tmp_path / "out"), "--workers", "1")  # fmt: skip
    assert diarized.returncode == 1 and "Traceback" not in diarized.stderr
    assert "reviewer: rc failed: " in diarized.stderr and "1 recordings failed" in diarized.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.rttm")) == ["ra.rttm", "rb.rttm"]


def _grid(rows: int, columns: int, missing: int, seed: int = 0) -> FactorialCells:
    rng = np.random.default_rng(seed)
    values = (
        rng.normal(0, 3, (rows, 1))
        + rng.normal(0, 2, (1, columns))
        + rng.normal(0, 1, (rows, columns))
    )
    keep = np.ones(rows * columns, bool)
    keep[rng.choice(rows * columns, missing, replace=False)] = False
    voices, structures = np.meshgrid(range(rows), range(columns), indexing="ij")
    return FactorialCells(
        tuple(f"v{k}" for k in voices.ravel()[keep]),
        tuple(f"s{k}" for k in structures.ravel()[keep]),
        values.ravel()[keep],
    )


def test_henderson_iii_is_the_anova_estimate_on_a_complete_grid():
    cells = _grid(4, 5, 0)
    grid = cells.grid()
    voices, structures = np.meshgrid(range(4), range(5), indexing="ij")
    ours = henderson_estimates(voices.ravel(), structures.ravel(), grid.ravel())
    assert np.allclose(ours, [float(x[0]) for x in anova_estimates(grid[None])])


def test_an_incomplete_grid_gets_intervals_from_its_fitted_draws_without_failing():
    small = _grid(3, 3, 2)
    result = analyze(_rows(small), replicates=10)
    assert np.isfinite(result.der.components.total)
    large = _grid(10, 10, 10)
    intervals = component_intervals(large, replicates=1000)
    for name in ("voices", "structure", "residual"):
        interval = intervals["variance"][name]
        assert np.isfinite(interval.low) and interval.low <= interval.high
    assert intervals["variance"]["voices"].replicates >= 990
    notes = analyze(_rows(_grid(4, 4, 3)), replicates=200).notes
    assert any("Henderson III" in note for note in notes)
    assert any("residual's interval is biased downwards" in note for note in notes)


def _rows(cells: FactorialCells):
    from reviewer.factorial.cells_file import CellRow

    return [
        CellRow(v, s, 100.0, max(y + 20, 0.0), 0.0, 0.0, max(y + 20, 0.0) / 100)
        for v, s, y in zip(cells.voices, cells.structures, cells.values, strict=True)
    ]


def test_a_partial_grid_is_analysed_on_the_command_line_with_a_progress_bar(tmp_path):
    from reviewer.factorial.cells_file import write_cells

    write_cells(tmp_path / "cells.csv", _rows(_grid(10, 10, 10)))
    result = reviewer("factorial", "analyze", str(tmp_path / "cells.csv"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["bootstrap"]["replicates"] == 1000
    assert "4000/4000" in result.stderr  # the bar: 1000 draws of each of 4 measures


def test_cells_carry_the_breakdown_classes_and_run_keeps_the_attributes(tmp_path):
    from reviewer.io import read_rttm
    from reviewer.metrics.breakdown import breakdown
    from reviewer.model.annotation import Span
    from reviewer.model.time import frames_to_ticks

    source = corpus(tmp_path / "corpus")
    attributes = tmp_path / "attrs.csv"
    attributes.write_text("recording,pitch\nra,low\nrb,high\nrc,high\n")
    out = tmp_path / "exp"
    run = reviewer("factorial", "run", str(source), "--voices", "ra,rb", "--structures",
                   "ra,rb", "--out", str(out), "--workers", "1", "--attributes",
                   str(attributes), "--system", command(shortest=1.0))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (out / "attributes.csv").read_text() == attributes.read_text()
    row = next(r for r in read_cells(out) if (r.voices, r.structure) == ("rb", "ra"))

    frames = sf.info(out / "remixes" / "rb__ra.wav").frames
    reference = next(iter(read_rttm(out / "remixes" / "rb__ra.rttm").values()))
    system = next(iter(read_rttm(out / "systems" / "rb__ra.rttm").values()))
    extent = Span(0, frames_to_ticks(frames, 16000))
    classes = breakdown(reference, system, uem=[extent]).classes
    for name, errors in classes.items():
        assert float(row.extra[f"{name}_error"]) == pytest.approx(errors.error, abs=1e-9)
    assert sum(float(row.extra[f"{n}_error"]) for n in classes) == pytest.approx(
        row.missed + row.false_alarm + row.confusion, abs=1e-6
    )
    analysed = reviewer("factorial", "analyze", str(out), "--json", "--replicates", "20")
    assert analysed.returncode == 0, analysed.stderr  # the kept attributes are read
    effects = json.loads(analysed.stdout)["effects"]
    assert any("pitch" in json.dumps(effect) for effect in effects)


def test_a_measure_that_does_not_vary_has_undefined_shares_left_out_of_a_minus_b():
    from reviewer.factorial.cells_file import CellRow
    from reviewer.factorial.comparison import compare_systems
    from reviewer.reports import factorial_comparison_rows, factorial_variance_rows

    cells = _grid(3, 3, 0)
    rows = _rows(cells)  # false alarm and confusion are 0 in every cell
    result = analyze(rows, replicates=50)
    variance = [r for r in factorial_variance_rows(result) if r[0] == "False alarm"]
    assert variance and all(r[4] == "undefined (no variance)" for r in variance)
    false_alarm = result.as_dict()["measures"]["false_alarm"]
    assert false_alarm["no_variance"] is True
    assert false_alarm["share"] == {"voices": None, "structure": None, "residual": None}
    assert set(false_alarm["ci"]["share"].values()) == {None}  # JSON says null, not 0
    assert not result.der.components.no_variance
    other = [CellRow(r.voices, r.structure, r.scored, r.missed * 0.5, 0.0, 0.0, r.der * 0.5)
             for r in rows]  # fmt: skip
    comparison = compare_systems(rows, other, ("A", "B"), replicates=50)
    lines = [r for r in factorial_comparison_rows(comparison) if "share" in r[1]]
    false_alarm = lines[6:9]  # DER, missed, false alarm, confusion: 3 shares each
    assert all(r[6] == "left out" for r in false_alarm)
    assert all(r[6] != "left out" for r in lines[:3])


def test_an_attribute_with_a_level_per_voice_source_is_flagged_as_confounded():
    rows = _rows(_grid(3, 3, 0))
    attributes = {f"v{k}": {"speaker": f"spk{k}", "gender": "f" if k else "m"} for k in range(3)}
    attributes |= {f"s{k}": {"speaker": "any", "gender": "f"} for k in range(3)}
    notes = analyze(rows, replicates=50, attributes=attributes).notes
    assert any("attribute speaker has as many levels" in note for note in notes)
    assert not any("attribute gender has as many levels" in note for note in notes)
    # a level held by one voice source only (a retester's "narrow" = one recording) is said
    assert any(note.startswith("attribute gender: level m (v0) held by one voice source")
               for note in notes)  # fmt: skip
    assert not any("warning: " in note for note in notes)  # printed after "note: " already


def test_remix_warns_when_the_voices_rttm_is_of_another_recording(tmp_path):
    from factorial_material import schedule, tone_source

    from reviewer.io import write_rttm

    audio, track = tone_source(tmp_path, "talk", [200, 600], seconds=20)
    write_rttm(tmp_path / "other.rttm", [track.with_uri("meeting7")])
    write_rttm(tmp_path / "structure.rttm", [schedule("s", 3.0, seconds=10)])
    args = ["factorial", "remix", "--structure", str(tmp_path / "structure.rttm"),
            "--out", str(tmp_path / "out.wav"), "--voices", str(audio)]  # fmt: skip
    warned = reviewer(*args, str(tmp_path / "other.rttm"))
    assert warned.returncode == 0, warned.stderr
    assert "warning" in warned.stderr and "'meeting7', not 'talk'" in warned.stderr
    quiet = reviewer(*args, str(tmp_path / "talk.rttm"))
    assert quiet.returncode == 0 and "warning" not in quiet.stderr
