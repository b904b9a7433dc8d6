"""The built-in factorial experiment, and voice sets from folders of single-speaker files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from reviewer.factorial.cells_file import read_cells
from reviewer.factorial.voice_bank import voice_set
from reviewer.model.time import TICKS_PER_SECOND as S


def test_a_voice_set_folder_is_one_voice_source_with_a_turn_per_file(tmp_path):
    folder = tmp_path / "bank" / "pair"
    folder.mkdir(parents=True)
    sf.write(folder / "ann.wav", np.full(16000, 0.1, np.float32), 16000)  # 1 s at 16 kHz
    sf.write(folder / "bob.flac", np.full(8000 * 2, 0.1, np.float32), 8000)  # 2 s at 8 kHz
    source = voice_set(folder, tmp_path / "cache")
    assert source.name == "pair" and source.reference.labels == ("ann", "bob")
    ann, bob = source.reference.turns
    assert (ann.start, ann.end) == (0, 1 * S)
    assert (bob.start, bob.end) == (S + S // 2, 3 * S + S // 2)  # after a 0.5 s gap
    samples, rate = sf.read(source.audio)
    assert rate == 16000 and len(samples) == 16000 * 4  # resampled, gaps after each file
    again = voice_set(folder, tmp_path / "cache")
    assert again.audio.stat().st_mtime_ns == source.audio.stat().st_mtime_ns  # not rewritten


def test_the_demo_runs_with_what_the_install_brings(tmp_path):
    reviewer = Path(sys.executable).parent / "reviewer"
    out = tmp_path / "demo"
    result = subprocess.run(
        [str(reviewer), "factorial", "demo", "--check", "--out", str(out)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "9 cells: 3 voice sources x 3 structures" in result.stdout
    rows = read_cells(out)
    assert len(rows) == 9 and all(0 <= row.der <= 1.5 for row in rows)
    assert {row.structure for row in rows} == {"ioasm_200s", "djqif_280s", "esrit_0s"}


def test_a_voice_set_with_a_file_that_is_not_audio_names_it(tmp_path):
    import pytest

    from reviewer.io.audio import AudioError

    folder = tmp_path / "pair"
    folder.mkdir()
    (folder / "ann.wav").write_text("not audio")
    with pytest.raises(AudioError, match="ann.wav"):
        voice_set(folder, tmp_path / "cache")
