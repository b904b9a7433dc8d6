"""Factorial experiment benchmark (JSON lines), anchors measured in the same run.

- ``remix_speed``: seconds of remix made per second of work (x real time) for a 10-minute,
  4-speaker schedule filled from a 10-minute voice source, after a first small remix has
  paid the one-time imports (reported as ``remix_first_call_imports``); anchor: reading the
  voice source and writing a WAV of the remix's length (the I/O any remix needs).
- ``runner_overhead``: per cell, a run on a one-worker LocalCluster already started and
  warmed (as a user's own cluster is) against calling the same cell function directly in
  this process, in percent; the cluster's start is reported beside it.
- ``runner_overhead_baseline``: the same with the real offline baseline (``baseline``) on
  2 x 2 cells of the built-in demo (espeak-ng voices in 45 s VoxConverse structures): on a
  one-worker LocalCluster, the time between cells arriving once the worker has its models
  (everything the runner adds per cell: scheduling, moving the results, the client's
  writes), against the same cells' time inside the worker; the cell called directly in
  this process after a warm-up call is reported beside it (``direct_cell_ms``: faster
  where torch uses every core, as Dask's workers are started with one thread each, which
  is a choice of workers and threads, not runner overhead). One-time costs are
  reported beside it: ``first_cell_s`` (cluster start, the worker's imports and model
  load, the first cell) and ``worker_model_load_ms`` (the worker's first cell minus its
  fastest).
- ``workers_speedup``: wall time of a 4 x 4 design on 1 and on 2 local workers, each cluster
  started and warmed first (the start reported beside it).
- ``analysis_30x30``: ``analyze`` of a 30 x 30 grid with 1000 bootstrap replicates; anchor:
  the closed-form ANOVA estimate alone.
- ``analysis_incomplete_3x3-2`` and ``analysis_incomplete_10x10-10``: ``analyze`` (4 measures,
  1000 replicates) of grids with cells missing (what a cancelled run leaves), whose bootstrap
  refits every draw with Henderson III; ``before_ms``: the same with REML per draw, as the
  analysis did before (timed on 10 draws per measure and scaled to 1000); anchor: the REML
  point estimate of one measure alone.

The system is the pitch-tracking one of ``tests/factorial_material.py`` (a real program,
started per cell, as a user's command template would be).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from common import emit, timed  # noqa: E402
from factorial_material import command, schedule, tone_source  # noqa: E402

from reviewer.factorial.analysis import analyze  # noqa: E402
from reviewer.factorial.cells_file import CellRow  # noqa: E402
from reviewer.factorial.design import FactorialDesign, Structure, VoiceSource  # noqa: E402
from reviewer.factorial.synthesis import make_remix  # noqa: E402
from reviewer.factorial.variance import (  # noqa: E402
    FactorialCells,
    anova_components,
    reml_components,
)
from reviewer.services.experiment import Experiment, compute_cell  # noqa: E402


def remix_speed(folder: Path) -> None:
    audio, voices = tone_source(folder, "bank", [140, 260, 480, 900], seconds=600, seed=1)
    structure = schedule("talk", 2.0, speakers=4, seconds=600, seed=2)
    started = time.perf_counter()
    make_remix(audio, voices, schedule("warm", 2.0, speakers=4, seconds=10, seed=2))
    emit("remix_first_call_imports", (time.perf_counter() - started) * 1000, "ms",
         note="pyloudnorm imports scipy.signal once per process")  # fmt: skip
    started = time.perf_counter()
    remix = make_remix(audio, voices, structure)
    seconds = time.perf_counter() - started
    length = len(remix.samples) / remix.sample_rate

    def io_only(_):
        samples, rate = sf.read(audio, dtype="float32")
        buffer = io.BytesIO()
        sf.write(
            buffer, np.zeros(len(remix.samples), np.float32), rate, format="WAV", subtype="PCM_16"
        )

    anchor = timed(io_only, 3) / 1000
    emit("remix_speed", length / seconds, "x real time", remix_seconds=round(length, 1),
         anchor="read source + write WAV", anchor_value=round(length / anchor, 1),
         anchor_unit="x real time")  # fmt: skip


def small_design(folder: Path, n: int) -> FactorialDesign:
    voices = tuple(
        VoiceSource(
            f"v{k}", *tone_source(folder, f"v{k}", [150 + 40 * k, 500 + 90 * k], seconds=40, seed=k)
        )  # fmt: skip
        for k in range(n)
    )
    structures = tuple(
        Structure(f"s{k}", schedule(f"s{k}", 0.8 + 0.7 * k, seconds=30, seed=k)) for k in range(n)
    )
    return FactorialDesign(voices, structures)


def runner(folder: Path) -> None:
    """``runner_overhead`` and ``workers_speedup`` on a cluster already running.

    Each cluster is started (``cluster_start_s``, reported beside) and warmed with one cell
    per worker (its imports), as a user's own ``dask scheduler`` and workers would be; the
    4 x 4 design is then timed from its submission to its last cell, so the figures are the
    runner's and the workers', not a cluster's start-up.
    """
    from reviewer.services.keyed_tasks import dask_client

    design = small_design(folder, 4)
    direct_experiment = Experiment(folder / "direct", design, command(shortest=1.0))
    compute_cell(direct_experiment.tasks[0])  # warm-up: this process's first-call imports
    started = time.perf_counter()
    for task in direct_experiment.tasks:
        compute_cell(task)
    direct = (time.perf_counter() - started) / len(direct_experiment.tasks)
    walls, starts = {}, {}
    warm_design = FactorialDesign(design.voices[:1], design.structures[:2])
    for workers in (1, 2):
        started = time.perf_counter()
        with dask_client(workers=workers) as client:  # the runner's own LocalCluster
            starts[workers] = time.perf_counter() - started
            address = client.scheduler.address
            Experiment(folder / f"warm{workers}", warm_design, command(shortest=1.0)).run(
                scheduler=address
            )
            experiment = Experiment(folder / f"w{workers}", design, command(shortest=1.0))
            started = time.perf_counter()
            experiment.run(scheduler=address)
            walls[workers] = time.perf_counter() - started
    per_cell = walls[1] / len(direct_experiment.tasks)
    emit("runner_overhead", 100 * (per_cell - direct) / direct, "%",
         per_cell_ms=round(per_cell * 1000, 1), anchor="the cell called directly",
         anchor_value=round(direct * 1000, 1), anchor_unit="ms",
         cluster_start_s=round(starts[1], 2))  # fmt: skip
    emit("workers_speedup", walls[1] / walls[2], "x", design="4 x 4",
         one_worker_s=round(walls[1], 2), two_workers_s=round(walls[2], 2),
         cores=os.cpu_count(), cluster_start_s=[round(starts[1], 2), round(starts[2], 2)],
         load_average=round(os.getloadavg()[0], 2))  # fmt: skip


def baseline_runner(folder: Path) -> None:
    from reviewer.factorial.voice_bank import voice_sets
    from reviewer.io import read_rttm
    from reviewer.resources import RESOURCES

    bank = RESOURCES / "factorial"
    voices = voice_sets(bank / "voices", folder / "voices")[:2]
    structures = [
        Structure(track.uri or key, track)
        for key, track in sorted(read_rttm(bank / "structures").items())
    ][:2]
    design = FactorialDesign(tuple(voices), tuple(structures))
    direct = Experiment(folder / "baseline-direct", design, "baseline")
    compute_cell(direct.tasks[0])  # warm-up: the models load once per process
    started = time.perf_counter()
    for task in direct.tasks:
        compute_cell(task)
    per_direct = (time.perf_counter() - started) / len(direct.tasks)
    run = Experiment(folder / "baseline-run", design, "baseline")
    times: list[float] = []  # the start, then each cell's arrival
    run.run(workers=1, on_progress=lambda state: times.append(time.perf_counter()))
    wall = times[-1] - times[0]
    steady = (times[-1] - times[1]) / (len(times) - 2)  # between arrivals, models loaded
    records = [json.loads(p.read_text()) for p in (folder / "baseline-run" / "cells").iterdir()]
    on_worker = sorted(record["seconds"] for record in records)  # inside compute_cell
    inside = sum(on_worker[:-1]) / (len(on_worker) - 1)  # a warm cell, inside the worker
    emit("runner_overhead_baseline", 100 * (steady - inside) / inside, "%",
         steady_cell_ms=round(steady * 1000, 1),
         anchor="the same cells' time inside the worker", anchor_value=round(inside * 1000, 1),
         anchor_unit="ms", direct_cell_ms=round(per_direct * 1000, 1),
         direct_note="in this process, torch's threads on every core; Dask starts workers "
         "with OMP_NUM_THREADS=1", cells=len(run.tasks), system="baseline", cell_seconds=45,
         wall_s=round(wall, 2), first_cell_s=round(times[1] - times[0], 2),
         worker_model_load_ms=round((on_worker[-1] - on_worker[0]) * 1000, 1))  # fmt: skip


def analysis() -> None:
    rng = np.random.default_rng(0)
    grid = 30 + rng.normal(0, 3, (30, 1)) + rng.normal(0, 2, (1, 30)) + rng.normal(0, 1, (30, 30))
    rows = [
        CellRow(f"v{i}", f"s{j}", 100.0, 3.0, 2.0, grid[i, j] - 5.0, grid[i, j] / 100)
        for i in range(30)
        for j in range(30)
    ]
    value = timed(lambda _: analyze(rows, replicates=1000), 3)
    anchor = timed(lambda _: anova_components(grid), 20)
    emit("analysis_30x30", value, "ms", replicates=1000, measures=4,
         anchor="ANOVA estimate alone", anchor_value=round(anchor, 3))  # fmt: skip


def incomplete_analysis(size: int, missing: int) -> None:
    rng = np.random.default_rng(0)
    grid = 30 + rng.normal(0, 3, (size, 1)) + rng.normal(0, 2, (1, size))
    grid = grid + rng.normal(0, 1, (size, size))
    gone = set(rng.choice(size * size, missing, replace=False).tolist())
    rows = [
        CellRow(f"v{i}", f"s{j}", 100.0, 3.0, 2.0, grid[i, j] - 5.0, grid[i, j] / 100)
        for i in range(size)
        for j in range(size)
        if i * size + j not in gone
    ]
    value = timed(lambda _: analyze(rows, replicates=1000), 3)
    cells = FactorialCells(
        tuple(r.voices for r in rows), tuple(r.structure for r in rows),
        np.array([r.points("der") for r in rows]),
    )  # fmt: skip
    point = timed(lambda _: reml_components(cells), 3)
    per_draw = timed(lambda _: [reml_draw(cells, rng) for _ in range(10)], 1) / 10
    emit(f"analysis_incomplete_{size}x{size}-{missing}", value, "ms", replicates=1000,
         measures=4, before_ms=round(4 * 1000 * per_draw + 4 * point),
         anchor="REML point estimate of one measure", anchor_value=round(point, 1))  # fmt: skip


def reml_draw(cells: FactorialCells, rng: np.random.Generator) -> None:
    """One bootstrap draw refitted with REML (how incomplete grids were bootstrapped before)."""
    rows = rng.integers(0, len(cells.voice_levels), size=len(cells.voice_levels))
    columns = rng.integers(0, len(cells.structure_levels), size=len(cells.structure_levels))
    by_pair = dict(zip(zip(cells.voices, cells.structures, strict=True), cells.values, strict=True))
    picked = [
        (str(i), str(j), by_pair[(cells.voice_levels[v], cells.structure_levels[s])])
        for i, v in enumerate(rows)
        for j, s in enumerate(columns)
        if (cells.voice_levels[v], cells.structure_levels[s]) in by_pair
    ]
    voices, structures, values = zip(*picked, strict=True)
    try:
        reml_components(FactorialCells(voices, structures, np.array(values)))
    except (np.linalg.LinAlgError, ValueError):
        pass


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-factorial-") as folder:
        remix_speed(Path(folder))
        analysis()
        incomplete_analysis(3, 2)
        incomplete_analysis(10, 10)
        runner(Path(folder))
        baseline_runner(Path(folder))
