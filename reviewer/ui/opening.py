"""Opening recordings: the start dialog, the Open dialog and the recent-files list."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.io.audio import AUDIO_SUFFIXES
from reviewer.io.transcripts.registry import TRANSCRIPT_SUFFIXES

AUDIO_FILTER = "Audio (" + " ".join(f"*{suffix}" for suffix in AUDIO_SUFFIXES) + ");;All files (*)"
RECENT_MAX = 12


@dataclass(frozen=True)
class OpenRequest:
    """What to open: files of one recording, a saved session, or the demo."""

    audio: str | None = None
    reference: str | None = None
    system: str | None = None
    uem: str | None = None
    session: str | None = None
    demo: bool = False
    transcript: str | None = None
    uri: str | None = None  # the recording's id, when a corpus knows it
    correct: str | None = None  # the track the corrected one starts from
    speaker_prefix: bool | None = None  # how an SRT/WebVTT transcript's 'Name:' is read

    @property
    def empty(self) -> bool:
        """Whether it names nothing to open (no audio, reference, system, session or demo)."""
        return not (self.demo or self.session or self.audio or self.reference or self.system)

    @property
    def title(self) -> str:
        """How the recent list shows it."""
        if self.demo:
            return "Demo: pyannote.audio's sample"
        if self.session:
            return f"{Path(self.session).name}  (session)"
        names = [Path(p).name for p in (self.audio, self.reference, self.system) if p]
        return "  +  ".join(names)


def classify(paths: list[Path]) -> OpenRequest:
    """Sort dropped files: a session, or audio + reference + system + UEM.

    The first RTTM (by name, one containing "ref" first) is the reference, the next the
    system output.
    """
    sessions = [p for p in paths if p.name.endswith(".reviewer.json")]
    if sessions:
        return OpenRequest(session=str(sessions[0]))
    rttms = sorted(
        (p for p in paths if p.suffix.lower() == ".rttm"),
        key=lambda p: ("ref" not in p.name.lower(), p.name),
    )
    uems = [p for p in paths if p.suffix.lower() == ".uem"]
    texts = [p for p in paths if p.suffix.lower() in TRANSCRIPT_SUFFIXES]
    audio = [p for p in paths if p.suffix.lower() not in (".rttm", ".uem", *TRANSCRIPT_SUFFIXES)]
    return OpenRequest(
        audio=str(audio[0]) if audio else None,
        reference=str(rttms[0]) if rttms else None,
        system=str(rttms[1]) if len(rttms) > 1 else None,
        uem=str(uems[0]) if uems else None,
        transcript=str(texts[0]) if texts else None,
    )


def recent() -> list[OpenRequest]:
    """The recently opened recordings, newest first."""
    try:
        items = json.loads(QSettings().value("recent", "[]"))
        return [OpenRequest(**item) for item in items]
    except (TypeError, ValueError):
        return []


def remember(request: OpenRequest) -> None:
    """Put a request at the top of the recent list."""
    items = [r for r in recent() if r != request]
    items.insert(0, request)
    QSettings().setValue("recent", json.dumps([asdict(r) for r in items[:RECENT_MAX]]))


class OpenDialog(QDialog):
    """Choose the audio, reference, system output and UEM of one recording.

    Open is enabled once an audio file, a reference or a system output is named, and
    accepts only files that exist (the dialog says which does not); Cancel goes back to
    whatever opened the dialog (the start dialog).
    """

    def __init__(self, parent=None, initial: OpenRequest | None = None):
        super().__init__(parent)
        self.setWindowTitle("Open a recording")
        self.resize(720, 220)
        form = QFormLayout(self)
        initial = initial or OpenRequest()
        self.fields: dict[str, QLineEdit] = {}
        rows = (
            ("audio", "Audio", AUDIO_FILTER),
            ("reference", "Reference RTTM", "RTTM (*.rttm);;All files (*)"),
            ("system", "System RTTM", "RTTM (*.rttm);;All files (*)"),
            ("uem", "UEM (optional)", "UEM (*.uem);;All files (*)"),
            (
                "transcript",
                "Transcript (optional)",
                "Transcripts (*.stm *.ctm *.srt *.vtt *.TextGrid *.eaf *.json);;All files (*)",
            ),
        )
        for key, label, pattern in rows:
            edit = QLineEdit(getattr(initial, key) or "")
            browse = QPushButton("Browse...")
            browse.clicked.connect(
                lambda _=False, e=edit, t=label, p=pattern: self._browse(e, t, p)
            )
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(edit, 1)
            line.addWidget(browse)
            form.addRow(label, row)
            self.fields[key] = edit
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #E57373;")
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for edit in self.fields.values():
            edit.textChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        self.open_button.setEnabled(not self.request().empty)
        self.problem.clear()

    def accept(self) -> None:
        """Close with Open if something is named and every named file exists."""
        if self.request().empty:
            self.problem.setText("Name an audio file, a reference or a system output to open.")
            return
        missing = [
            path
            for path in (edit.text().strip() for edit in self.fields.values())
            if path and not Path(path).is_file()
        ]
        if missing:
            self.problem.setText("No such file: " + ", ".join(missing))
            return
        super().accept()

    def _browse(self, edit: QLineEdit, title: str, pattern: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, title, edit.text(), pattern)
        if path:
            edit.setText(path)

    def request(self) -> OpenRequest:
        """The chosen files."""
        values = {key: edit.text().strip() or None for key, edit in self.fields.items()}
        return OpenRequest(**values)


class StartDialog(QDialog):
    """What ``reviewer`` shows first: the demo, recent recordings, Open... and sessions."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("reviewer")
        self.resize(640, 420)
        self.chosen: OpenRequest | None = None
        layout = QVBoxLayout(self)
        title = QLabel(
            "<h2>reviewer</h2>Review and correct speaker diarization; "
            "DER as NIST md-eval-22 computes it, live after every edit."
        )
        title.setWordWrap(True)
        layout.addWidget(title)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Open the demo", self._demo),
            ("Open a recording...", self._open),
            ("Open a session...", self._session),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Recent"))
        self.recent_list = QListWidget()
        for request in recent():
            item = QListWidgetItem(request.title)
            item.setData(Qt.ItemDataRole.UserRole, request)
            item.setToolTip("\n".join(v for v in asdict(request).values() if isinstance(v, str)))
            self.recent_list.addItem(item)
        self.recent_list.itemActivated.connect(self._recent)
        layout.addWidget(self.recent_list, 1)

    def _finish(self, request: OpenRequest | None) -> None:
        """Close with ``request``; nothing (a cancelled or empty choice) keeps it open."""
        if request is not None and not request.empty:
            self.chosen = request
            self.accept()

    def _demo(self) -> None:
        self._finish(OpenRequest(demo=True))

    def _open(self) -> None:
        dialog = OpenDialog(self)
        if dialog.exec():
            self._finish(dialog.request())

    def _session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a session", "", "reviewer sessions (*.reviewer.json)"
        )
        self._finish(OpenRequest(session=path) if path else None)

    def _recent(self, item: QListWidgetItem) -> None:
        self._finish(item.data(Qt.ItemDataRole.UserRole))
