"""The standalone bundle (``packaging/build``, PyInstaller) runs with no Python environment.

It is built from a real light venv of this checkout (the session's ``light_venv``), then its
executable runs with a bare environment (``env -i PATH=/usr/bin:/bin``, an empty home,
offscreen Qt): ``demo --check`` prints the scores this venv prints, ``render`` writes a PNG
that shows something. Sizes and start-up times are measured by
``benchmarks/bench_install.py``, not here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(light_venv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [str(ROOT / "packaging" / "build"), "--python", str(light_venv / "bin" / "python"),
         "--out", str(out)],
        check=True, timeout=3600,
    )  # fmt: skip
    return out / "reviewer"


def bare(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    """The bundled executable, with no Python (nor anything else) from this environment."""
    return subprocess.run(
        ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", "QT_QPA_PLATFORM=offscreen",
         str(bundle / "reviewer"), *args],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def scores(output: str) -> list[str]:
    """The table's rows (what follows the file paths, which differ between installs)."""
    return [line for line in output.splitlines() if line.startswith(("sample", "***"))]


def test_the_bundle_has_no_torch_and_its_resources(bundle):
    internal = bundle / "_internal"
    assert (bundle / "reviewer").is_file()
    assert not (internal / "torch").exists() and not (internal / "pyannote").exists()
    assert (internal / "reviewer" / "_resources" / "demo" / "sample.wav").is_file()
    plugins = {path.name for path in internal.rglob("libq*.so") if path.parent.name == "platforms"}
    assert {"libqoffscreen.so", "libqxcb.so"} <= plugins


def test_demo_check_scores_as_the_venv_does(bundle, tmp_path):
    done = bare(bundle, tmp_path, "demo", "--check")
    assert done.returncode == 0, done.stderr
    venv = subprocess.run(
        [sys.executable, "-m", "reviewer", "demo", "--check"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert scores(done.stdout) and scores(done.stdout) == scores(venv.stdout)
    version = bare(bundle, tmp_path, "--version")
    assert version.returncode == 0 and "0." in version.stdout + version.stderr


def test_render_writes_a_picture(bundle, tmp_path):
    from PySide6.QtGui import QImage

    demo = ROOT / "resources" / "demo"
    png = tmp_path / "x.png"
    done = bare(
        bundle, tmp_path, "render", str(demo / "sample.wav"), "--ref", str(demo / "sample.rttm"),
        "--hyp", str(demo / "sample.system.rttm"), "--start", "5", "--end", "20",
        "--size", "800x500", "--out", str(png),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = QImage(str(png))
    assert (image.width(), image.height()) == (800, 500)
    colours = {image.pixel(x, y) for x in range(0, 800, 7) for y in range(0, 500, 7)}
    assert len(colours) > 20  # waveform, lanes, text: not a blank picture
