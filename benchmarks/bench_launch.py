"""Launch benchmark: from starting the process to the first painted window (JSON lines).

Each case is a fresh process, started ``--repeat`` times; the value is the median time
from ``Popen`` to the line the process prints when its window is first painted (reviewer
prints ``first paint`` and quits when ``REVIEWER_EXIT_AT_FIRST_PAINT=1``, see
``reviewer/ui/app.py``). Cases:

- anchors, in the same run: ``python -c pass`` (the interpreter alone), and a bare PySide6
  window (``QApplication`` and an empty ``QWidget``, launch to first paint);
- ``reviewer demo``;
- ``reviewer open`` of the synthetic 10-hour, 10,000-turn recording (``material.py``).

Qt draws on the offscreen platform unless ``--display`` is given (then it uses
``$DISPLAY``). Each process gets an empty home and state directory (no crash journal to
offer, no recent files) and ALSA's null device; bytecode is written and used as on an
installed machine (``PYTHONDONTWRITEBYTECODE`` is dropped: the warm-up launch writes it).
The import time of the window's modules (``import reviewer.ui.main_window`` in a fresh
process) is reported as well, and each case's CPU time, which a loaded machine does not
inflate as it does wall time: to its exit, and to its first paint (all threads; reviewer
says it on stderr, see ``reviewer.ui.app.FIRST_PAINT_CPU``).

``--tree DIR`` runs the reviewer cases from another checkout's ``reviewer`` package (on
``PYTHONPATH``; e.g. ``git archive REV reviewer resources | tar -x -C DIR``), so that code
before a change is measured against the same anchors; ``--label`` names it in the output.

Run: ``.venv/bin/python benchmarks/bench_launch.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import material
from common import emit

BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.resize(1600, 900)
class First(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched is window:
            print("first paint", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
first = First()
app.installEventFilter(first)
window.show()
app.exec()
"""

IMPORT_WINDOW = "import reviewer.ui.main_window"
CPU = "first paint cpu ms"  # reviewer.ui.app.FIRST_PAINT_CPU (not imported: --tree)


def environment(display: bool) -> dict[str, str]:
    """A clean environment: its own home, state and config, the null sound device."""
    home = Path(tempfile.mkdtemp(prefix="reviewer-launch-"))
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYANNOTE_METRICS_ENABLED="0",
        REVIEWER_EXIT_AT_FIRST_PAINT="1",
    )
    if not display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules load from bytecode
    return env


def launch(
    command: list[str], env: dict[str, str], until: str | None
) -> tuple[float, float, float | None]:
    """Seconds from starting ``command`` to its line ``until`` (or exit), CPU to exit and paint.

    The CPU seconds (user and system, to its exit; and to its first paint when the process
    says so on stderr) are what a loaded machine does not inflate.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=env.get("PYTHONPATH"),  # -m puts the working directory first on sys.path
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    took = None
    if until is not None:
        for line in process.stdout:
            if line.strip() == until:
                took = time.perf_counter() - start
                break
        else:
            said = process.stderr.read()[-3000:]
            raise RuntimeError(f"{command} ended without printing {until!r}:\n{said}")
    process.stdout.close()
    said = process.stderr.read()
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if took is None:
        took = time.perf_counter() - start
    painted = next(
        (float(line.split()[-1]) / 1000 for line in said.splitlines() if line.startswith(CPU)),
        None,
    )
    return took, usage.ru_utime + usage.ru_stime, painted


def median_of(
    command: list[str], env: dict[str, str], until: str | None, repeat: int
) -> tuple[float, float, float | None]:
    """Median wall, CPU and CPU-to-paint seconds of ``repeat`` launches (after a warm-up)."""
    launch(command, env, until)
    runs = [launch(command, env, until) for _ in range(repeat)]
    painted = [r[2] for r in runs if r[2] is not None]
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        statistics.median(painted) if painted else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--display", action="store_true", help="use $DISPLAY, not offscreen")
    parser.add_argument("--tree", type=Path, help="run the reviewer cases from this checkout")
    parser.add_argument("--label", default="", help="a name for --tree in the output")
    args = parser.parse_args()
    env = environment(args.display)
    tree = dict(env, PYTHONPATH=str(args.tree.resolve())) if args.tree else env
    label = {"tree": args.label or str(args.tree)} if args.tree else {}
    python = sys.executable
    reviewer = [python, "-m", "reviewer.cli"]
    files = material.recording(10, 10_000)
    nothing, nothing_cpu, _ = median_of([python, "-c", "pass"], env, None, args.repeat)
    bare, bare_cpu, _ = median_of([python, "-c", BARE_WINDOW], env, "first paint", args.repeat)
    anchors = {
        "anchor": "python -c pass; bare PySide6 window to first paint (same run)",
        "anchor_value": round(nothing * 1000, 1),
        "bare_window_ms": round(bare * 1000, 1),
        "bare_window_cpu_ms": round(bare_cpu * 1000, 1),
    }
    imports, imports_cpu, _ = median_of([python, "-c", IMPORT_WINDOW], tree, None, args.repeat)
    emit(
        "import_window_modules",
        (imports - nothing) * 1000,
        cpu_ms=round((imports_cpu - nothing_cpu) * 1000, 1),
        **label,
        **anchors,
    )
    cases = {
        "launch_to_first_paint_demo": [*reviewer, "demo"],
        "launch_to_first_paint_10h_10000_turns": [
            *reviewer,
            "open",
            str(files.audio),
            "--ref",
            str(files.reference),
            "--hyp",
            str(files.system),
        ],
    }
    for name, command in cases.items():
        took, cpu, painted = median_of(command, tree, "first paint", args.repeat)
        emit(
            name,
            took * 1000,
            target_ms=1000,
            cpu_ms_to_first_paint=None if painted is None else round(painted * 1000, 1),
            cpu_ms_to_exit=round(cpu * 1000, 1),
            **label,
            repeat=args.repeat,
            load_average=round(os.getloadavg()[0], 2),
            **anchors,
        )


if __name__ == "__main__":
    main()
