"""The keys of a recording opened from a corpus: the next, the previous, done, the table."""

from __future__ import annotations

NOT_FROM_A_CORPUS = "not opened from a corpus: `reviewer corpus FOLDER` opens one"


class CorpusSteps:
    """The ``do_*`` handlers of the key table's Corpus group, for one review window.

    Parameters
    ----------
    window
        The review window; its ``corpus`` is the corpus window it was opened from, or None
        (the keys then say so in its status bar).
    """

    def __init__(self, window):
        self.window = window

    def do_next_recording(self) -> None:
        """Open the next recording of the corpus in place of this one."""
        self._step(1)

    def do_previous_recording(self) -> None:
        """Open the previous recording of the corpus in place of this one."""
        self._step(-1)

    def do_done_next(self) -> None:
        """Mark this recording done and open the next one."""
        self._step(1, status="done")

    def do_show_corpus(self) -> None:
        """Bring the corpus table forward, on this recording."""
        if self.window.corpus is None:
            self.window.status(NOT_FROM_A_CORPUS)
            return
        self.window.corpus.show_recording(self.window)

    def _step(self, delta: int, status: str | None = None) -> None:
        if self.window.corpus is None:
            self.window.status(NOT_FROM_A_CORPUS)
            return
        self.window.corpus.advance(self.window, delta, status)
