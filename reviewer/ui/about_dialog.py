"""Help > About: reviewer's version and what it runs on, with a Copy button for bug reports.

What it says (:func:`facts`): reviewer's version (``reviewer.__version__``, the one place
it is written), Qt's (the library loaded) and PySide6's, Python's, pyannote.audio's from
its package metadata (nothing of torch is imported) or how to install it, the date of the
lock reviewer was tested with (the ``# Locked on`` line of ``packaging/constraints.txt``, or
of the copy a wheel or the bundle ships: :data:`reviewer.services.dependencies.LOCK_PATH`),
the platform and the licence.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

import reviewer
from reviewer.services import dependencies
from reviewer.services.desktop import APP_ID, DATA

LICENCE = "MIT"
_LOCKED_ON = re.compile(r"#\s*Locked on (\d{4}-\d{2}-\d{2})")


def lock_date(path: Path | None = None) -> str:
    """The lock's date, ``YYYY-MM-DD``, from its ``# Locked on`` line near the top.

    Parameters
    ----------
    path
        The lock; by default the checkout's (:data:`reviewer.services.dependencies.LOCK_PATH`).

    Returns
    -------
    str
        The date; ``"not from a checkout"`` when no lock is found (an installation that
        ships none); ``"unknown (the lock names no date)"`` for a lock without the line.
    """
    path = dependencies.LOCK_PATH if path is None else path
    try:
        with open(path, encoding="utf-8") as lock:
            head = [lock.readline() for _ in range(5)]
    except OSError:
        return "not from a checkout"
    for line in head:
        found = _LOCKED_ON.match(line.strip())
        if found:
            return found.group(1)
    return "unknown (the lock names no date)"


def pyannote_version() -> str:
    """pyannote.audio's installed version (package metadata only), or how to install it."""
    version = dependencies.installed_version("pyannote.audio")
    if version is None:
        return f"not installed ({dependencies.INSTALL_DIARIZE})"
    return version


def facts(lock: Path | None = None) -> list[tuple[str, str]]:
    """What the About dialog lists, in order: ``(label, value)`` pairs."""
    import PySide6
    from PySide6.QtCore import qVersion

    return [
        ("reviewer", reviewer.__version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("pyannote.audio", pyannote_version()),
        ("Dependencies locked on", lock_date(lock)),
        ("Platform", platform.platform()),
        ("Licence", LICENCE),
    ]


def report(pairs: list[tuple[str, str]]) -> str:
    """The facts as plain text, one ``label: value`` a line, for a bug report."""
    return "\n".join(f"{label}: {value}" for label, value in pairs) + "\n"


class AboutDialog(QDialog):
    """reviewer's version and its environment; Copy puts them on the clipboard."""

    def __init__(self, parent: QWidget | None = None, lock: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("About reviewer")
        self.facts = facts(lock)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(QIcon(str(DATA / f"{APP_ID}.svg")).pixmap(64, 64))
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        title = QLabel(
            f"<h2>reviewer {reviewer.__version__}</h2>"
            "Review and correct speaker diarization; the diarization error rate exactly as "
            "NIST md-eval-22 computes it, live after every edit."
        )
        title.setWordWrap(True)
        top.addWidget(title, 1)
        layout.addLayout(top)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in self.facts:
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", shown)
            self.values[label] = shown
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip("Copy these versions, for a bug report")
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.copied = QLabel()
        layout.addWidget(self.copied)
        self.resize(560, self.sizeHint().height())

    def copy(self) -> None:
        """Put :func:`report` of the facts on the clipboard, and say so."""
        QGuiApplication.clipboard().setText(report(self.facts))
        self.copied.setText("Copied: paste it into your bug report.")
