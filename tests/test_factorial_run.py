"""Running a factorial experiment on real Dask clusters, resuming it, and what it attributes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factorial_material import command, schedule, tone_source

from reviewer.factorial.analysis import analyze
from reviewer.factorial.cells_file import read_cells
from reviewer.factorial.design import FactorialDesign, Structure, VoiceSource
from reviewer.services.experiment import Experiment

BIN = Path(sys.executable).parent


def design(folder: Path, pitches=None, structures=(("slow", 4.0), ("fast", 0.6))):
    pitches = pitches or {"va": [150, 400], "vb": [220, 700]}
    voices = tuple(
        VoiceSource(name, *tone_source(folder, name, p, seconds=40, seed=k))
        for k, (name, p) in enumerate(pitches.items())
    )
    shapes = tuple(
        Structure(name, schedule(name, mean, seconds=20, seed=k))
        for k, (name, mean) in enumerate(structures)
    )
    return FactorialDesign(voices, shapes)


def test_a_local_cluster_computes_every_cell_and_a_rerun_computes_none(tmp_path):
    experiment = Experiment(tmp_path / "exp", design(tmp_path), command(shortest=1.0))
    seen = []
    rows = experiment.run(workers=2, on_progress=seen.append)
    assert [(r.voices, r.structure) for r in rows] == [
        ("va", "slow"), ("va", "fast"), ("vb", "slow"), ("vb", "fast")
    ]  # fmt: skip
    assert seen[-1].done == 4 and seen[-1].reused == 0
    assert read_cells(tmp_path / "exp") == rows
    for sub, suffix in (("remixes", ".wav"), ("remixes", ".json"), ("systems", ".rttm")):
        assert (tmp_path / "exp" / sub / f"va__fast{suffix}").exists()
    fast = {r.voices: r.der for r in rows if r.structure == "fast"}
    slow = {r.voices: r.der for r in rows if r.structure == "slow"}
    assert all(fast[v] > slow[v] for v in fast)  # short turns are what this system misses
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "exp" / "cells").iterdir()}
    again = []
    assert (
        Experiment(tmp_path / "exp", design(tmp_path), command(shortest=1.0)).run(
            workers=1, on_progress=again.append
        )
        == rows
    )
    assert again[-1].reused == 4 and len(again) == 1  # nothing computed
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "exp" / "cells").iterdir()} == stamps
    other = Experiment(tmp_path / "exp", design(tmp_path), command(shortest=0.5))
    assert len(other.pending()) == 4  # another system version: every cell again


def test_voices_that_sound_alike_are_attributed_to_voices(tmp_path):
    pitches = {"near": [200, 215], "far": [200, 900], "apart": [300, 700]}
    structures = (("s1", 2.0), ("s2", 2.5), ("s3", 3.0))
    experiment = Experiment(
        tmp_path / "exp", design(tmp_path, pitches, structures), command(band=100.0)
    )
    result = analyze(experiment.run(workers=2), replicates=200)
    shares = result.measures["confusion"].components.shares()
    assert shares["voices"] > 0.8, shares


def test_a_scheduler_and_two_workers_started_as_separate_processes(tmp_path):
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    workers = []
    try:
        from distributed import Client

        client = None
        while client is None:  # the scheduler writes its address when it listens
            if scheduler.poll() is not None:
                pytest.fail("the scheduler exited")
            try:
                address = json.loads(scheduler_file.read_text())["address"]
            except (FileNotFoundError, ValueError, KeyError):
                continue
            client = Client(address, timeout=60)
        for _ in range(2):
            workers.append(
                subprocess.Popen(
                    [
                        str(BIN / "dask"),
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )  # fmt: skip
            )
        client.wait_for_workers(2, timeout=120)
        hosts = {info["id"] for info in client.scheduler_info()["workers"].values()}
        client.close()
        assert len(hosts) == 2
        experiment = Experiment(tmp_path / "exp", design(tmp_path), command(shortest=1.0))
        rows = experiment.run(scheduler=address)
        assert len(rows) == 4 and len(read_cells(tmp_path / "exp")) == 4
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            process.wait(timeout=60)


def test_cells_that_cannot_be_made_are_skipped_with_the_reason(tmp_path):
    shapes = design(tmp_path, {"solo": [300], "pair": [200, 600]})
    assert [(c.name, r) for c, r in shapes.skipped()] == [
        ("solo__slow", "the structure has 2 speakers, the voices only 1"),
        ("solo__fast", "the structure has 2 speakers, the voices only 1"),
    ]
    assert [c.name for c in shapes.cells()] == ["pair__slow", "pair__fast"]


def test_a_killed_run_resumes_with_only_the_missing_cells(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from pathlib import Path\n"
        "from test_factorial_run import design\n"
        "from factorial_material import command\n"
        "from reviewer.services.experiment import Experiment\n"
        "if __name__ == '__main__':\n"
        f"    folder = Path({str(tmp_path)!r})\n"
        "    Experiment(folder / 'exp', design(folder, structures=(('a', 3.0), ('b', 1.0), "
        "('c', 0.7))), command(shortest=1.0)).run(workers=1)\n"
    )
    process = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path)
    cells = tmp_path / "exp" / "cells"
    try:
        while not (cells.exists() and len(list(cells.glob("*.json"))) >= 2):
            assert process.poll() is None, "the run ended before it could be killed"
        process.kill()
    finally:
        process.wait(timeout=60)
    kept = len(list(cells.glob("*.json")))
    assert 2 <= kept < 6
    seen = []
    experiment = Experiment(
        tmp_path / "exp",
        design(tmp_path, structures=(("a", 3.0), ("b", 1.0), ("c", 0.7))),
        command(shortest=1.0),
    )
    rows = experiment.run(workers=1, on_progress=seen.append)
    assert len(rows) == 6
    assert seen[0].reused == kept and seen[-1].done == 6
    assert len(seen) == 1 + (6 - kept)  # one report per computed cell: only the missing ones


def test_the_command_runs_a_corpus_and_resumes(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "ref").mkdir(parents=True)
    for k, (name, pitches) in enumerate({"ra": [150, 400], "rb": [220, 700]}.items()):
        tone_source(corpus, name, pitches, seconds=20, seed=k)
        (corpus / f"{name}.rttm").rename(corpus / "ref" / f"{name}.rttm")
    args = ["factorial", "run", str(corpus), "--system", command(shortest=1.0),
            "--out", str(tmp_path / "exp"), "--workers", "1"]  # fmt: skip
    first = subprocess.run([str(BIN / "reviewer"), *args], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "4 cells" in first.stdout and "4/4" in first.stderr  # the progress bar
    cells = read_cells(tmp_path / "exp")
    assert {(r.voices, r.structure) for r in cells} == {
        ("ra", "ra"), ("ra", "rb"), ("rb", "ra"), ("rb", "rb")
    }  # fmt: skip
    assert {r.extra["diagonal"] for r in cells if r.voices == r.structure} == {"1"}
    design_file = json.loads((tmp_path / "exp" / "design.json").read_text())
    assert design_file["system"] == command(shortest=1.0) and len(design_file["cells"]) == 4
    again = subprocess.run([str(BIN / "reviewer"), *args], capture_output=True, text=True)
    assert again.returncode == 0 and read_cells(tmp_path / "exp") == cells
    bad = subprocess.run(
        [str(BIN / "reviewer"), *args, "--voices", "nope"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "no recording nope" in bad.stderr
