"""The light install (``pip install reviewer``, no ``diarize`` extra) runs the review app.

The cheap test runs the main venv's reviewer in child processes where torch, torchaudio,
pyannote.audio, Silero VAD and Resemblyzer cannot be imported (``tests/without_diarize``, a
meta-path finder in a ``sitecustomize``): the demo, scoring and the review window work, and
every model-based feature says in one sentence which command installs the extra. The slow one
builds a real light venv through the lock and runs part of the suite in it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKER = ROOT / "tests" / "without_diarize"
INSTALL = "pip install 'reviewer[diarize]'"


def without_diarize(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BLOCKER), env.get("PYTHONPATH")]))
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def reviewer(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        env=without_diarize(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_blocker_hides_the_extra(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import torch"], env=without_diarize(tmp_path),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and "No module named 'torch'" in done.stderr


def test_demo_and_score_work_without_the_extra(tmp_path):
    demo = reviewer(tmp_path, "demo", "--check")
    assert demo.returncode == 0, demo.stderr
    assert "12.20" in demo.stdout  # the example's DER, as in the full install
    files = ROOT / "resources" / "demo"
    scored = reviewer(
        tmp_path, "score", "--ref", str(files / "sample.rttm"),
        "--hyp", str(files / "sample.system.rttm"), "--json",
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    assert round(100 * json.loads(scored.stdout)["total"]["der"], 2) == 12.20


@pytest.mark.parametrize(
    "args, feature",
    [
        (["diarize", "{audio}"], "Automatic diarization"),
        (["diarize", "{audio}", "--pipeline", "baseline"], "The offline baseline"),
        (["factorial", "demo", "--check", "--out", "{out}"], "The offline baseline"),
        (["corpus", "{corpus}", "--diarize", "baseline", "--out", "{out}"], "The offline baseline"),
    ],
)
def test_model_features_say_which_command_installs_the_extra(tmp_path, args, feature):
    audio = ROOT / "resources" / "demo" / "sample.wav"
    corpus = tmp_path / "corpus"
    (corpus / "ref").mkdir(parents=True)
    (corpus / "sample.wav").symlink_to(audio)
    (corpus / "ref" / "sample.rttm").symlink_to(audio.with_suffix(".rttm"))
    filled = [a.format(audio=audio, out=tmp_path / "out", corpus=corpus) for a in args]
    done = reviewer(tmp_path, *filled)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith(f"reviewer: error: {feature} needs reviewer's diarize extra (")
    assert lines[-1].endswith(f"not installed): {INSTALL}")
    assert "torch" in lines[-1]
    assert len([line for line in lines if "error" in line]) == 1


WINDOW_SCRIPT = r"""
import json, sys
from reviewer.model.document import CORRECTED
from reviewer.resources import demo
from reviewer.ui.app import application, build_window, prepare
from reviewer.ui.diarize_dialog import DiarizeDialog

application()
files = demo()
window = build_window(prepare(files.audio, files.reference, files.system), with_player=False)
window.confirm_close = False
window.show()
application().processEvents()
dialog = DiarizeDialog(files.audio, window)
editor = window.editor
before = editor.live.score.der
editor.select(editor.document[CORRECTED].turns[0])
window.actions["delete"].trigger()
print(json.dumps({
    "visible": window.isVisible(), "message": dialog.step.text(),
    "can_start": dialog.start_button.isEnabled(), "der_before": before,
    "der_after": editor.live.score.der, "torch_loaded": "torch" in sys.modules,
}))
"""


def test_the_review_window_opens_and_the_diarize_dialog_says_why_not(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", WINDOW_SCRIPT], env=without_diarize(tmp_path),
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["visible"]
    assert result["message"].startswith("Automatic diarization needs reviewer's diarize extra")
    assert result["message"].endswith(INSTALL)
    assert not result["can_start"]
    assert result["der_after"] != result["der_before"]  # editing and live scoring work
    assert not result["torch_loaded"]


#: A representative part of the suite for the light venv: the command line, formats,
#: editing, the review window, transcripts, the corpus, the factorial analysis.
LIGHT_SUITE = [
    "tests/test_cli.py", "tests/test_rttm.py", "tests/test_editing.py", "tests/test_window.py",
    "tests/test_transcript_open.py", "tests/test_corpus_cli.py", "tests/test_factorial_cli.py",
    "tests/test_restore.py",
]  # fmt: skip


@pytest.mark.slow
def test_a_real_light_install_has_no_torch_and_passes_the_suite(light_venv):
    python = str(light_venv / "bin" / "python")
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    names = {item["name"].lower() for item in json.loads(listed.stdout)}
    assert "reviewer" in names and "pyside6" in names and "pyinstaller" in names
    assert not names & {"torch", "torchaudio", "pyannote.audio", "pyannote-audio", "silero-vad"}
    # -P: the installed wheel, not the checkout's reviewer/, is imported
    where = subprocess.run(
        [python, "-P", "-c", "import reviewer.resources as r; print(r.__file__); "
         "print(r.RESOURCES); print(r.demo().audio.stat().st_size)"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    module, resources, size = where.stdout.split("\n")[:3]
    assert str(light_venv) in module and resources.endswith("reviewer/_resources")
    assert int(size) > 900_000  # the demo's audio came with the wheel
    env = {**os.environ, "PYTHONSAFEPATH": "1", "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    suite = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not diarize and not slow",
         *LIGHT_SUITE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert " passed" in suite.stdout.strip().splitlines()[-1]
