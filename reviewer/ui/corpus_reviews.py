"""The review windows opened from a corpus window, and their corrections flowing back.

A recording opens with its saved corrections and the project's scoring settings; its edits
are journaled at once (:mod:`reviewer.io.journal`) and put in the project a second after the
last one (:data:`SAVE_DELAY_MS`), when its row is scored again. From a review window the
reviewer steps to the next or previous recording of the table, in the same window's place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from reviewer.corpus import RecordingRow
from reviewer.model.document import CORRECTED

if TYPE_CHECKING:
    from reviewer.ui.corpus_window import CorpusWindow

SAVE_DELAY_MS = 1000


class CorpusReviews:
    """The open review windows of a corpus window's recordings, by uri.

    Parameters
    ----------
    corpus
        The corpus window (its table, its project through ``corpus.review``).
    controller
        Opens review windows (:class:`reviewer.ui.app.Controller`); None opens none.
    """

    def __init__(self, corpus: CorpusWindow, controller=None) -> None:
        self.corpus, self.controller = corpus, controller
        self.windows: dict[str, object] = {}
        self.save_timer = QTimer(corpus)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_DELAY_MS)
        self.save_timer.timeout.connect(corpus.keep_corrections)

    def open(self, uri: str, replacing=None):
        """Open a recording with its saved corrections; edits flow back into the project.

        ``replacing``: a review window to close once the recording is open (next/previous).
        Returns the window, or None.
        """
        if self.controller is None:
            return None
        if uri in self.windows:
            window = self.windows[uri]
            window.raise_()
            window.activateWindow()
            return window
        from reviewer.ui.opening import OpenRequest

        corpus, review = self.corpus, self.corpus.review
        entry = review.project.find(uri)
        request = OpenRequest(
            audio=str(entry.audio) if entry.audio else None,
            reference=str(entry.reference) if entry.reference else None,
            system=str(entry.system) if entry.system else None,
            uem=str(entry.uem) if entry.uem else None,
            uri=uri,
            correct="system",  # as scored in the table: no system output, nothing found
        )
        window = self.controller.open(request, corpus, project=review.path)
        if window is None:
            return None
        corrected = review.project.entry(uri).corrected
        if corrected is not None and CORRECTED in window.editor.document:
            if window.editor.document[CORRECTED].turns != corrected.turns:
                window.restart_from_track(corrected)
            window.editor.history.mark_saved()
        review.opened(uri)
        self._configure(window)
        window.corpus = corpus
        window.confirm_close = False
        window.on_close = lambda: self._closing(uri)
        window.editor.history.stepped.connect(lambda _step: self._edited(uri))
        window.setWindowTitle(f"{window.windowTitle()} \u2014 {review.path.name}")
        self.windows[uri] = window
        corpus.save()
        corpus.refresh_row(uri)
        corpus.select(uri)
        if replacing is not None:
            window.setGeometry(replacing.geometry())
            replacing.close()
        return window

    def uri_of(self, window) -> str | None:
        """The recording a review window shows (None if it is not one of these)."""
        return next((u for u, w in self.windows.items() if w is window), None)

    def advance(self, window, delta: int, status: str | None = None) -> None:
        """Open the next (previous) recording of the table in a review window's place."""
        uri = self.uri_of(window)
        if uri is None:
            return
        corpus = self.corpus
        if status is not None:
            corpus.set_status(status, uri)
        corpus.select(uri)
        target = corpus.step(delta)
        if target is None or target == uri:
            window.status("no more recordings in that direction (table order and filter)")
            return
        self.open(target, replacing=window)

    def configure_all(self) -> None:
        """Score every open recording with the project's settings (after they changed)."""
        for window in self.windows.values():
            self._configure(window)

    def _configure(self, window) -> None:
        editor = window.editor
        editor.configure(editor.live.setup.with_settings(self.corpus.review.project.settings))

    def _edited(self, uri: str) -> None:
        self.corpus.review.edited(uri)
        self.save_timer.start()

    def keep_corrections(self) -> list[RecordingRow] | None:
        """Put the edited corrections in the project; their new rows (None: nothing edited)."""
        self.save_timer.stop()
        review = self.corpus.review
        pending = review.take_edited()
        if not pending:
            return None
        return review.keep_corrections(
            {
                uri: self.windows[uri].editor.document[CORRECTED]
                for uri in pending
                if uri in self.windows and CORRECTED in self.windows[uri].editor.document
            }
        )

    def _closing(self, uri: str) -> bool:
        """A review window closes: keep its edits; True when the project holds them."""
        if uri in self.windows:
            self.corpus.keep_corrections()
            del self.windows[uri]
        return self.corpus.save()

    def close_all(self) -> bool:
        """Close every review window; False if one refused (its edits are kept)."""
        return all(window.close() for window in list(self.windows.values()))
