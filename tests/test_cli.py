"""The ``reviewer`` command as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONFORMANCE, needs_shared
from corpus_material import dev_cases

REVIEWER = Path(sys.executable).parent / "reviewer"


def run(*args: str) -> subprocess.CompletedProcess:
    return run_in(None, *args)


def run_in(folder: Path | None, *args: str) -> subprocess.CompletedProcess:
    """``reviewer ARGS`` run in ``folder`` (default: here)."""
    command = [str(REVIEWER)] if REVIEWER.exists() else [sys.executable, "-m", "reviewer.cli"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=120, cwd=folder
    )


def vox_inputs() -> list[str]:
    """``--ref --hyp --uem`` of the shared VoxConverse dev cases (skips without them)."""
    vox = needs_shared(CONFORMANCE / "voxconverse")
    return [
        "--ref", str(vox / "ref-dev"),
        "--hyp", str(vox / "dev-cases" / "hyp"),
        "--uem", str(vox / "dev-cases" / "uem"),
    ]  # fmt: skip


def test_score_json_shape_and_values():
    cases = dev_cases()  # ../shared's VoxConverse dev cases and md-eval's numbers, or a stand-in
    inputs = ["--ref", str(cases.ref), "--hyp", str(cases.hyp), "--uem", str(cases.uem)]
    result = run("score", *inputs, "--collar", "0.25", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"files", "total"}
    assert len(data["files"]) == len(cases.uris)
    keys = {"scored", "missed", "false_alarm", "confusion", "der", "jer"}
    assert all(set(item) == keys for item in data["files"].values())
    assert set(data["total"]) == keys
    expected = cases.rows_for(0.25, True, False)
    for uri, row in expected.items():
        assert data["files"][uri]["missed"] == pytest.approx(row["missed"], abs=1e-3)
        assert data["files"][uri]["confusion"] == pytest.approx(row["confusion"], abs=1e-3)
    total_error = sum(r["missed"] + r["falarm"] + r["confusion"] for r in expected.values())
    total_scored = sum(r["scored"] for r in expected.values())
    assert data["total"]["der"] == pytest.approx(total_error / total_scored, abs=1e-6)


def test_score_table(tmp_path):
    ref = tmp_path / "ref.rttm"
    ref.write_text(
        "SPEAKER a 1 0 10 <NA> <NA> A <NA> <NA>\nSPEAKER b 1 0 0 <NA> <NA> A <NA> <NA>\n"
    )
    hyp = tmp_path / "hyp.rttm"
    hyp.write_text("SPEAKER a 1 0 5 <NA> <NA> x <NA> <NA>\n")
    result = run("score", "--ref", str(ref), "--hyp", str(hyp))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[0] == "File"
    a = next(line for line in lines if line.startswith("a "))
    assert a.split()[1:] == ["10.000", "5.000", "0.000", "0.000", "50.00", "50.00"]
    b = next(line for line in lines if line.startswith("b "))
    assert b.split()[-2] == "-"  # nothing scored: no DER
    json_result = json.loads(run("score", "--ref", str(ref), "--hyp", str(hyp), "--json").stdout)
    assert json_result["files"]["b"]["der"] is None
    assert json_result["total"]["der"] == 0.5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "SPEAKER a 1 0 1 <NA> <NA> A <NA> <NA>\nSPEAKER a 1 x 1 <NA> <NA> A <NA> <NA>\n",
            "bad.rttm:2: onset 'x' is not a number",
        ),
        ("SPEAKER a 1 0 1 <NA>\n", "bad.rttm:1: SPEAKER line has 6 fields"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, content, message):
    bad = tmp_path / "bad.rttm"
    bad.write_text(content)
    good = tmp_path / "good.rttm"
    good.write_text("SPEAKER a 1 0 1 <NA> <NA> A <NA> <NA>\n")
    result = run("score", "--ref", str(good), "--hyp", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_and_bad_collar(tmp_path):
    result = run("score", "--ref", str(tmp_path / "none.rttm"), "--hyp", str(tmp_path))
    assert result.returncode == 2
    assert "none.rttm: no such file" in result.stderr
    result = run("score", "--ref", "a", "--hyp", "b", "--collar", "-1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_help_says_collar_is_per_side():
    result = run("score", "--help")
    assert "EACH side" in result.stdout
    assert "TOTAL width" in result.stdout


def test_demo_scores_the_example():
    result = run("demo", "--check", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    sample = data["files"]["sample"]
    assert 0.05 < sample["der"] < 0.3
    assert sample["missed"] > 0 and sample["false_alarm"] > 0 and sample["confusion"] > 0


def test_render_writes_a_png_of_the_requested_size(tmp_path):
    from reviewer.resources import demo

    files = demo()
    out = tmp_path / "fig.png"
    result = run(
        "render",
        str(files.audio),
        "--ref",
        str(files.reference),
        "--hyp",
        str(files.system),
        "--start",
        "5",
        "--end",
        "20",
        "--out",
        str(out),
        "--size",
        "1200x700",
    )
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 700)
    colours = {image.pixel(x, y) for x in range(0, 1200, 7) for y in range(0, 700, 7)}
    assert len(colours) > 10  # drawn, not blank


def test_open_bad_audio_exits_2(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    result = run("open", str(bad))
    assert result.returncode == 2
    assert "bad.wav" in result.stderr and "Traceback" not in result.stderr
    result = run("render", str(bad), "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "bad.wav" in result.stderr


def test_breakdown_json_csv_and_plot(tmp_path):
    from test_corpus import RECORDINGS, corpus_material

    corpus = tmp_path / "corpus"
    corpus_material(corpus)  # the VoxConverse dev cases from ../shared, or their stand-in
    args = ["breakdown", "--ref", str(corpus / "ref"), "--hyp", str(corpus / "sys")]
    args += ["--uem", str(corpus / "uem"), "--collar", "0.25"]
    result = run(*args, "--json", "--plot", str(tmp_path / "fig.png"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["files"]) == RECORDINGS
    one = next(iter(data["files"].values()))
    assert {"total", "classes", "speakers", "confusion_matrix"} <= set(one)
    assert set(one["classes"]) == {"overlap", "near_change", "short_turn", "steady", "non_speech"}
    assert {"scored", "missed", "false_alarm", "confusion"} <= set(one["classes"]["steady"])
    total = data["total"]
    error = sum(c["missed"] + c["false_alarm"] + c["confusion"] for c in total["classes"].values())
    score_json = json.loads(run("score", *args[1:], "--json").stdout)
    assert error / total["total"]["scored"] == pytest.approx(score_json["total"]["der"], abs=1e-9)
    assert (tmp_path / "fig.png").stat().st_size > 10_000
    csv_out = run(*args, "--csv").stdout.splitlines()
    assert csv_out[0].startswith("file,class,scored")
    assert len(csv_out) == 1 + (RECORDINGS + 1) * 6  # and the corpus's
    table = run(*args).stdout
    assert "points come from conversation structure" in table


def test_score_json_has_dscore_jer():
    vox = CONFORMANCE / "voxconverse"
    result = run("score", *vox_inputs(), "--json")
    data = json.loads(result.stdout)
    expected = [
        json.loads(line)
        for line in (vox / "dev-cases" / "expected-jer.jsonl").read_text().splitlines()
    ]
    for row in expected:
        got = data["total"] if row["uri"] == "*** OVERALL ***" else data["files"][row["uri"]]
        assert 100 * got["jer"] == pytest.approx(row["jer_percent"], abs=1e-4)


def test_no_display_is_a_clear_message(monkeypatch):
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    command = [str(REVIEWER)] if REVIEWER.exists() else [sys.executable, "-m", "reviewer.cli"]
    result = subprocess.run([*command, "demo"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "no display" in result.stderr and "--check" in result.stderr


def test_convert_between_formats(tmp_path):
    from reviewer.resources import demo

    files = demo()
    vtt = tmp_path / "s.vtt"
    result = run("convert", str(files.transcript), str(vtt))
    assert result.returncode == 0, result.stderr
    assert "<v Diane>Hello?" in vtt.read_text()
    grid = tmp_path / "s.TextGrid"
    assert run("convert", str(vtt), str(grid)).returncode == 0
    rttm = tmp_path / "s.rttm"
    assert run("convert", str(grid), str(rttm)).returncode == 0
    speakers = {line.split()[7] for line in rttm.read_text().splitlines()}
    assert speakers == {"Diane", "Sheila"}
    out = tmp_path / "x.data"
    assert run("convert", str(files.transcript), str(out), "--to", "srt").returncode == 0
    assert "Diane: Hello?" in out.read_text()
    bad = tmp_path / "bad.stm"
    bad.write_text("sample 1 Diane 6.68 abc Hello?\n")
    result = run("convert", str(bad), str(tmp_path / "y.srt"))
    assert result.returncode == 2 and "bad.stm:1" in result.stderr
    assert not (tmp_path / "y.srt").exists()


def test_convert_to_standard_output_writes_no_file_named_dash(tmp_path):
    from reviewer.resources import demo

    files = demo()
    result = run_in(tmp_path, "convert", str(files.transcript), "-", "--to", "srt")
    assert result.returncode == 0, result.stderr
    assert "Diane: Hello?" in result.stdout
    assert "wrote standard output" in result.stderr
    assert not (tmp_path / "-").exists()
    result = run_in(tmp_path, "convert", str(files.transcript), "-", "--to", "textgrid")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('File type = "ooTextFile"')
    assert "reviewer-convert-" not in result.stderr  # warnings name standard output
    result = run_in(tmp_path, "convert", str(files.transcript), "-")
    assert result.returncode == 2 and "--to" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_subcommand_without_a_display_says_so_in_one_line():
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    command = [str(REVIEWER)] if REVIEWER.exists() else [sys.executable, "-m", "reviewer"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("reviewer: error: no display") and "Traceback" not in (
        result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1
