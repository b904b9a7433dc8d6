"""``reviewer corpus`` without a window and ``reviewer compare``, as a user runs them."""

from __future__ import annotations

import json
import shutil

import pytest
from test_cli import run
from test_corpus import RECORDINGS, corpus_material, md_eval_rows

from reviewer.corpus import Project, corpus_totals, discover, score_entries
from reviewer.io import read_rttm
from reviewer.model.scoring import ScoringSettings


@pytest.fixture(scope="module")
def vox(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    corpus_material(root)  # the VoxConverse dev cases from ../shared, or their stand-in
    other = root / "other"  # system B: A with its first 20 recordings perfect
    shutil.copytree(root / "sys", other)
    for path in sorted(other.glob("*.rttm"))[:20]:
        shutil.copy(root / "ref" / path.name, path)
    return root


def test_table_matches_md_eval_and_keeps_settings(vox):
    result = run("corpus", str(vox), "--table", "--collar", "0.25")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 + RECORDINGS + 2  # header and rule, recordings, rule and total
    assert lines[0].split()[:4] == ["recording", "dur", "s", "spk"]
    overall = lines[-1].split()[4]  # *** OVERALL *** duration DER ...
    rows = score_entries(discover(vox), settings=ScoringSettings(collar=0.25))
    assert overall == f"{100 * corpus_totals(rows).score.der:.2f}"
    result = run("corpus", str(vox), "--table", "--compare", str(vox / "other"))
    assert "B is better on" in result.stdout and "worse on 0 recordings" in result.stdout
    project = Project.load(vox / "review.reviewer-project.json")
    assert project.settings.collar == 0.25  # kept from the first run
    assert project.other_system.name == "other"
    expected = md_eval_rows(0.25)
    error = sum(r["missed"] + r["falarm"] + r["confusion"] for r in expected)
    assert overall == f"{100 * error / sum(r['scored'] for r in expected):.2f}"


def test_export_every_correction(vox, tmp_path):
    path = vox / "review.reviewer-project.json"
    run("corpus", str(vox), "--table")
    project = Project.load(path)
    uri = project.entries[0].uri
    project.entry(uri).corrected = read_rttm(project.entries[0].reference)[uri]
    project.save(path)
    result = run("corpus", str(path), "--export", str(tmp_path / "all.rttm"))
    assert result.returncode == 0, result.stderr
    systems = sum(e.system is not None for e in project.entries[1:])  # 215 of VoxConverse's
    assert f"1 corrected recordings, {systems} as the system output" in result.stdout
    exported = read_rttm(tmp_path / "all.rttm")
    assert len(exported) == 1 + systems
    assert exported[uri].turns == project.entry(uri).corrected.turns
    result = run("corpus", str(path), "--export", str(tmp_path / "folder"))
    assert len(list((tmp_path / "folder").glob("*.rttm"))) == 1 + systems


def test_compare_two_systems(vox, tmp_path):
    args = ["compare", "--ref", str(vox / "ref"), "--a", str(vox / "sys")]
    args += ["--b", str(vox / "other"), "--uem", str(vox / "uem"), "--collar", "0.25"]
    result = run(*args, "--json", "--plot", str(tmp_path / "fig.png"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["recordings"]) == RECORDINGS
    improved = [r for r in data["recordings"] if r["delta"] < 0]
    assert 0 < len(improved) <= 20 and all(r["der_b"] == 0 for r in improved)
    assert data["der_b"] < data["der_a"]
    assert sum(c["points_a"] for c in data["classes"]) == pytest.approx(data["der_a"])
    assert (tmp_path / "fig.png").stat().st_size > 10_000
    text = run(*args).stdout
    assert "most improved by B" in text and "overlap" in text


def test_bad_input_is_one_line(tmp_path):
    result = run("corpus", str(tmp_path / "missing"), "--table")
    assert result.returncode == 2
    assert "missing: no such corpus folder" in result.stderr
    result = run("compare", "--ref", str(tmp_path), "--a", str(tmp_path / "nope"), "--b", "x")
    assert result.returncode == 2 and "nope: no such system output" in result.stderr
    result = run("corpus", "--table")
    assert result.returncode == 2 and "--protocol" in result.stderr


def test_a_recording_that_cannot_be_read_is_named_after_the_table(tmp_path):
    for name in ("ref", "sys"):
        (tmp_path / name).mkdir()
    good = "SPEAKER a 1 0.00 2.00 <NA> <NA> A <NA> <NA>\n"
    (tmp_path / "ref" / "a.rttm").write_text(good)
    (tmp_path / "sys" / "a.rttm").write_text(good)
    (tmp_path / "ref" / "b.rttm").write_text(good.replace(" a ", " b "))
    (tmp_path / "sys" / "b.rttm").write_text("SPEAKER b 1 x 2.00 <NA> <NA> A <NA> <NA>\n")
    result = run("corpus", str(tmp_path), "--table")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("b "))
    assert row.split()[1:] == ["-"] * 8 + ["problem", "(below)"]
    assert lines[-1].startswith("b  problem: ") and "b.rttm:1:" in lines[-1]
    rule = lines[1]  # as wide as the table
    assert set(rule) == {"-", " "} and len(rule) < len(lines[-1])
    assert max(len(line) for line in lines[:-1]) == len(rule)  # the message does not widen it
