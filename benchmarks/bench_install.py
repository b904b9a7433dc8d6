"""Install benchmark: sizes and start-up of the bundle, the light venv and the full venv.

Given installs already made (the light venv: ``pip install -c packaging/constraints.txt
'.[test]'``; the bundle: ``packaging/build``), it reports, as JSON lines:

- each install's size on disk (``du`` of the venv's site-packages, of the bundle's folder);
- start-up, the median of ``--repeat`` fresh processes: ``reviewer --version`` and
  ``reviewer demo --check`` from the bundle, the light venv and this (full) venv;
- the anchor, in the same run: ``python -c pass``.

The bundle runs with a bare environment (``env -i PATH=/usr/bin:/bin``, an empty home,
offscreen Qt), as on a machine without Python.

Run: ``.venv/bin/python benchmarks/bench_install.py --light VENV --bundle dist/reviewer``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from common import emit, timed

ROOT = Path(__file__).resolve().parents[1]


def megabytes(path: Path) -> float:
    """Disk use of a folder in MB (``du -sk``)."""
    return int(subprocess.check_output(["du", "-sk", str(path)]).split()[0]) / 1024


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--light", type=Path, required=True, help="the light venv")
    parser.add_argument("--bundle", type=Path, required=True, help="the bundle's folder")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    full = Path(sys.prefix)
    home = Path(tempfile.mkdtemp())
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    venv_env = {**bare, "XDG_CACHE_HOME": str(home / "cache")}

    emit("size: full venv site-packages", megabytes(site_packages(full)), "MB")
    emit("size: light venv site-packages", megabytes(site_packages(args.light)), "MB")
    emit("size: bundle", megabytes(args.bundle), "MB")

    def run(command: list[str], env: dict[str, str]):
        return lambda _: subprocess.run(command, env=env, capture_output=True, check=True)

    anchor = run([sys.executable, "-c", "pass"], venv_env)
    emit("anchor: python -c pass", timed(anchor, args.repeat))
    installs = {
        "bundle": ([str(args.bundle / "reviewer")], bare),
        "light venv": ([str(args.light / "bin" / "reviewer")], venv_env),
        "full venv": ([str(full / "bin" / "reviewer")], venv_env),
    }
    for what in (["--version"], ["demo", "--check"]):
        for name, (command, env) in installs.items():
            run([*command, *what], env)(0)  # warm: bytecode and the file cache
            emit(f"start: {name} {' '.join(what)}", timed(run([*command, *what], env), args.repeat))


if __name__ == "__main__":
    main()
