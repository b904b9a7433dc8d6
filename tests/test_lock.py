"""The environment is the locked one, and a broken torch pair is reported, never raised.

The broken pair is made real: a copy of the installed torchaudio whose native library does not
load, declared as version 2.11.1, placed ahead of site-packages on ``PYTHONPATH`` of a child
process. The dynamic loader then fails as it does for PyPI's torchaudio 2.11.1 next to
torch 2.11.0.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from reviewer.services.dependencies import (
    LOCK_PATH,
    LockError,
    Pin,
    import_failure_message,
    installed_version,
    lock_drift,
    read_lock,
    requirement_problems,
)

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_the_lock_is_where_the_readme_installs_from():
    assert LOCK_PATH == ROOT / "packaging" / "constraints.txt"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -c packaging/constraints.txt -e '.[test]'" in readme
    header = LOCK_PATH.read_text(encoding="utf-8").splitlines()[:2]
    assert "uv pip compile pyproject.toml --extra test" in header[1]


def test_the_installed_versions_are_the_locked_ones():
    pins = read_lock()
    for name in ("torch", "torchaudio", "pyside6", "pyannote-audio", "pytest", "numpy"):
        assert name in pins, f"{name} is missing from the lock"
    differences = lock_drift(pins)
    assert not differences, (
        "the installed versions differ from packaging/constraints.txt; reinstall through "
        "the lock (README) or regenerate it and run the suite:\n  " + "\n  ".join(differences)
    )


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"].values()  # diarize (the torch stack), test, bundle
    texts = project["dependencies"] + [text for extra in extras for text in extra]
    return [Requirement(text) for text in texts]


def test_the_lock_satisfies_pyproject():
    """A requirement added to or bumped in pyproject.toml without regenerating the lock fails."""
    pins = read_lock()
    outside = []
    for requirement in pyproject_requirements():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            outside.append(f"{requirement}: not in the lock")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            outside.append(f"{requirement}: the lock has {pin.version} (line {pin.line})")
    assert not outside, "regenerate packaging/constraints.txt:\n  " + "\n  ".join(outside)


def test_pyproject_excludes_the_broken_torch_pair():
    by_name = {canonicalize_name(r.name): r for r in pyproject_requirements()}
    torch, torchaudio = by_name["torch"], by_name["torchaudio"]
    assert torch.specifier.contains("2.11.0")
    assert torchaudio.specifier.contains("2.11.0")
    assert not torchaudio.specifier.contains("2.11.1")


def test_the_lock_reader_honours_markers_and_names_bad_lines(tmp_path):
    lock = tmp_path / "constraints.txt"
    lock.write_text(
        "# header\n"
        "alpha==1.0\n"
        "    # via reviewer\n"
        "beta==2.0 ; python_full_version < '3.0'\n"
        "beta==3.0 ; python_full_version >= '3.0'\n"
        "gamma==1.2 # a comment\n",
        encoding="utf-8",
    )
    pins = read_lock(lock)
    assert pins == {
        "alpha": Pin("alpha", "1.0", 2),
        "beta": Pin("beta", "3.0", 5),
        "gamma": Pin("gamma", "1.2", 6),
    }
    assert read_lock(lock, {"python_full_version": "2.7.18"})["beta"].version == "2.0"
    for text, problem in (
        ("alpha==1.0\nbeta>=2\n", "line 2: 'beta>=2' is not an exact pin"),
        ("alpha==1.*\n", "line 1: 'alpha==1.*' is not an exact pin"),
        ("alpha==1.0\n!!\n", "line 2: not a requirement"),
        ("Alpha==1.0\nalpha==2.0\n", "line 2: alpha is pinned again (first on line 1)"),
    ):
        lock.write_text(text, encoding="utf-8")
        with pytest.raises(LockError) as raised:
            read_lock(lock)
        assert str(raised.value) == f"{lock}, {problem}" or problem in str(raised.value)
        assert str(lock) in str(raised.value)


def test_drift_names_every_difference():
    installed = installed_version("pytest")
    pins = {
        "pytest": Pin("pytest", "0.0.1", 7),
        "numpy": Pin("numpy", installed_version("numpy"), 8),
        "not-a-package-reviewer-needs": Pin("not-a-package-reviewer-needs", "1.0", 9),
    }
    assert lock_drift(pins) == [
        f"pytest: {installed} installed, 0.0.1 locked (line 7)",
        "not-a-package-reviewer-needs: not installed, 1.0 locked (line 9)",
    ]


def test_a_local_version_label_matches_its_release():
    torch = installed_version("torch")
    assert lock_drift({"torch": Pin("torch", torch.split("+")[0], 1)}) == []


# ------------------------------------------------------------ a broken torchaudio, for real


@pytest.fixture(scope="module")
def broken_torchaudio(tmp_path_factory) -> Path:
    """A folder to put first on PYTHONPATH: torchaudio "2.11.1" whose library does not load."""
    spec = importlib.util.find_spec("torchaudio")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    site = tmp_path_factory.mktemp("broken-site")
    copy = site / "torchaudio"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    libraries = list((copy / "lib").glob("libtorchaudio*.so"))
    assert libraries, "torchaudio ships its native library in torchaudio/lib"
    for library in libraries:
        library.write_bytes(b"not an ELF file: built against another torch\n")
    info = next(package.parent.glob("torchaudio-*.dist-info"))
    copied_info = site / "torchaudio-2.11.1.dist-info"
    shutil.copytree(info, copied_info)
    metadata = copied_info / "METADATA"
    lines = metadata.read_text(encoding="utf-8").splitlines()
    metadata.write_text(
        "\n".join("Version: 2.11.1" if line.startswith("Version:") else line for line in lines)
        + "\n",
        encoding="utf-8",
    )
    return site


def child_env(site: Path, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        HF_HUB_OFFLINE="1",
        PYANNOTE_METRICS_ENABLED="0",
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def test_reviewer_diarize_reports_a_broken_pair_without_a_traceback(broken_torchaudio, tmp_path):
    from reviewer.resources import demo

    torch = installed_version("torch")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            "diarize",
            str(demo().audio),
            "--out",
            str(tmp_path / "out.rttm"),
        ],
        env=child_env(broken_torchaudio, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == "loading: 0 %"
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith("reviewer: error: Automatic diarization is unavailable")
    assert f"torch {torch}, torchaudio 2.11.1, pyannote.audio 4.0.7" in message
    assert "torchaudio 2.11.1 is installed; reviewer needs torchaudio" in message
    pins = read_lock()
    assert f"torch {pins['torch'].version}, torchaudio {pins['torchaudio'].version}" in message
    assert "pip install -c packaging/constraints.txt" in message
    assert len(done.stderr.strip().splitlines()) == 2
    assert not (tmp_path / "out.rttm").exists()


DIALOG_SCRIPT = r"""
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
dialog = DiarizeDialog(files.audio, window)
at_open = dialog.step.text()
dialog.start()
assert dialog.job.wait(600), "the job did not finish"
dialog._poll()
after = dialog.step.text()
editor = window.editor
before = editor.live.score.der
editor.select(editor.document[CORRECTED].turns[0])
window.actions["delete"].trigger()
print(json.dumps({
    "at_open": at_open, "after": after, "accepted": dialog.finished_with is not None,
    "error": type(dialog.job.error).__name__, "der_before": before,
    "der_after": editor.live.score.der, "torch_loaded": "torch" in sys.modules,
}))
"""


def test_the_diarize_dialog_warns_and_reports_and_the_app_keeps_working(
    broken_torchaudio, tmp_path
):
    done = subprocess.run(
        [sys.executable, "-c", DIALOG_SCRIPT],
        env=child_env(broken_torchaudio, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["at_open"].startswith("Warning: torchaudio 2.11.1 is installed; reviewer needs")
    assert "pip install -c packaging/constraints.txt" in result["at_open"]
    assert result["error"] == "DiarizationError"
    assert not result["accepted"]
    assert result["after"].startswith("Automatic diarization is unavailable")
    assert "torchaudio 2.11.1" in result["after"]
    assert "Traceback" not in done.stderr
    assert result["der_after"] != result["der_before"]  # editing and live scoring still work


def test_the_message_for_a_missing_package_names_the_versions():
    message = import_failure_message(ModuleNotFoundError("No module named 'torchaudio'"))
    assert "ModuleNotFoundError: No module named 'torchaudio'" in message
    assert f"torch {installed_version('torch')}" in message
    assert requirement_problems() == []  # this environment is a supported one
