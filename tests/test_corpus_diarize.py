"""``reviewer corpus CORPUS --diarize SYSTEM --out DIR``: every recording on Dask, resumably."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from factorial_material import command, tone_source

from reviewer.corpus import discover
from reviewer.services.corpus_diarization import CorpusDiarization

REVIEWER = Path(sys.executable).parent / "reviewer"
PITCHES = {"ra": [150, 400], "rb": [220, 700], "rc": [180, 520]}


def reviewer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REVIEWER), *args], capture_output=True, text=True, timeout=300)


def corpus(folder: Path) -> Path:
    """Three tone recordings with their references in ref/."""
    (folder / "ref").mkdir(parents=True)
    for k, (name, pitches) in enumerate(PITCHES.items()):
        tone_source(folder, name, pitches, seconds=20, seed=k)
        (folder / f"{name}.rttm").rename(folder / "ref" / f"{name}.rttm")
    return folder


def test_a_local_cluster_diarizes_every_recording_and_a_rerun_none(tmp_path):
    entries = discover(corpus(tmp_path / "corpus"))
    out = tmp_path / "out"
    seen = []
    outputs = CorpusDiarization(entries, command(), out).run(workers=2, on_progress=seen.append)
    assert sorted(outputs) == ["ra", "rb", "rc"]
    assert all(path == out / f"{uri}.rttm" and path.stat().st_size for uri, path in outputs.items())
    assert seen[0].done == 0 and seen[-1].done == 3 and seen[-1].reused == 0
    assert {state.last for state in seen[1:]} == {"ra", "rb", "rc"}
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*.rttm")}
    again = []
    assert CorpusDiarization(entries, command(), out).run(workers=1, on_progress=again.append)
    assert len(again) == 1 and again[0].reused == 3  # nothing ran again
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.rttm")} == stamps
    other = CorpusDiarization(entries, command(band=50.0), out)
    assert len(other.pending()) == 3  # another system: every recording again
    tone_source(tmp_path / "corpus", "rb", [230, 700], seconds=20, seed=1)  # new audio
    assert [t.uri for t in CorpusDiarization(entries, command(), out).pending()] == ["rb"]


def test_the_command_diarizes_then_scores_as_sys_would_and_resumes(tmp_path):
    source = corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    args = ["corpus", str(source), "--diarize", command(), "--out", str(out), "--workers", "2",
            "--table"]  # fmt: skip
    first = reviewer(*args)
    assert first.returncode == 0, first.stderr
    assert "3/3" in first.stderr and "3 recordings diarized" in first.stderr  # the progress bar
    assert sorted(p.name for p in out.glob("*.rttm")) == ["ra.rttm", "rb.rttm", "rc.rttm"]
    direct = reviewer("corpus", str(source), "--sys", str(out), "--table",
                      "--project", str(tmp_path / "other.reviewer-project.json"))  # fmt: skip
    assert direct.returncode == 0, direct.stderr
    assert first.stdout == direct.stdout and "ra" in first.stdout
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*.rttm")}
    again = reviewer(*args)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.rttm")} == stamps
    missing = reviewer("corpus", str(source), "--diarize", command(), "--table")
    assert missing.returncode == 2 and "--out" in missing.stderr
