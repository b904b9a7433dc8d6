"""The main window: timeline, metrics, menus built from the key table, status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from reviewer.app import actions, saving
from reviewer.app.editor import Editor
from reviewer.model.annotation import Span
from reviewer.model.commands import EditError
from reviewer.model.document import REFERENCE, SYSTEM
from reviewer.model.time import TICKS_PER_SECOND
from reviewer.ui.corpus_steps import CorpusSteps
from reviewer.ui.deferred import Deferred
from reviewer.ui.field_keys import FieldKeys
from reviewer.ui.in_view_guard import InViewGuard, describe
from reviewer.ui.keymap import KEYMAP
from reviewer.ui.lock_banner import LockBanner, TrackLocks
from reviewer.ui.playback_control import PlaybackControl
from reviewer.ui.side_panels import DOCK_WIDTH, SidePanels
from reviewer.ui.speaker_dialogs import SpeakerDialogs
from reviewer.ui.timeline import TimelineView

MENUS = ("File", "Edit", "Navigate", "View", "Playback", "Tracks", "Corpus", "Help")


class MainWindow(QMainWindow):
    """One recording under review.

    The app shows it first and then finishes it (:func:`reviewer.ui.app.after_first_paint`:
    playback opened, the waveform's pyramid building), and then emits :attr:`completed`.

    Parameters
    ----------
    editor
        The review state.
    audio, pyramid
        The audio source and its peak pyramid, or None.
    player
        The playback service, or None when playback is unavailable.
    note
        A sentence shown under the metrics (e.g. that the system output is an example).
    journal
        The crash journal recording every edit, closed when the window closes cleanly.
    session_path
        Where the session was loaded from or last saved.
    """

    completed = Signal()
    """What was left for after the first paint is done (playback opened, waveform building)."""

    def __init__(
        self,
        editor: Editor,
        audio=None,
        pyramid=None,
        player=None,
        note: str = "",
        journal=None,
        session_path: Path | None = None,
    ):
        super().__init__()
        self.editor = editor
        self.journal = journal
        self.session_path = session_path
        self.save_state = saving.SaveState(editor)
        self.controller = None
        self.audio = audio
        self.playback = PlaybackControl(editor, audio, player, self)
        self._handlers = (
            self,
            self.playback,
            SpeakerDialogs(editor, self),
            TrackLocks(self),
            CorpusSteps(self),
        )
        self.confirm_close = True
        self.corpus = None  # the corpus window this recording was opened from, if any
        self.on_close = None  # called before closing; True when it kept every edit
        self.setWindowTitle(f"reviewer \u2014 {editor.document.uri}[*]")
        self.resize(1500, 900)
        self.setAcceptDrops(True)

        self.timeline = TimelineView(editor, audio, pyramid)
        self.timeline.errors_item.describe = self._cause_at
        self.timeline.message.connect(self.status)
        self.in_view = InViewGuard(editor, self.timeline, self.status)
        self.lock_banner = LockBanner(editor)
        self.lock_banner.lock_button.clicked.connect(
            lambda: self.status("locked: only the corrected track is edited")
        )
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.lock_banner)
        column.addWidget(self.timeline, 1)
        self.setCentralWidget(central)
        dock = SidePanels(editor, note, self.jump_to, self)
        self.side_tabs, self.metrics, self.breakdown = dock.tabs, dock.metrics, dock.breakdown
        self.attribution, self.transcript_panel = dock.attribution, dock.transcript
        if self.attribution is not None:
            self.attribution.updated.connect(self._attribution_changed)
            self._attribution_changed()
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.position_label = QLabel()
        self.statusBar().addPermanentWidget(self.position_label)

        self.menus = {name: self.menuBar().addMenu(f"&{name}") for name in MENUS}
        self.actions: dict[str, QAction] = {}
        self._build_actions()
        self.field_keys = FieldKeys(
            self,
            self.timeline,
            (k for b in KEYMAP if b.group in ("File", "Help") for k in b.keys if len(k) > 1),
        )
        editor.history.stepped.connect(self._history_changed)
        editor.history.stepped.connect(self._edited)
        editor.history.saved.connect(self._history_changed)
        self.save_state.changed.connect(self._history_changed)
        self.position_refresh = Deferred(self._show_position, self)
        editor.changed.connect(self.position_refresh.request)
        self._selection_said = editor.selected  # the selected turn the status bar spoke of
        editor.changed.connect(self._selection_changed)
        self._history_changed()
        self._show_position()

        self.playback.message.connect(self.status)
        self.playback.speed_changed.connect(self.position_refresh.request)
        if player is not None:
            self.attach_player(player)

    def attach_player(self, player) -> None:
        """Give the window its playback service (the app opens it after the first paint).

        An unavailable one is kept (it says why) and its reason goes to the status bar.
        """
        self.playback.player = player
        if player is not None and not player.available:
            self.status(player.reason)

    def complete(self) -> None:
        """Say the window is complete: what was left for after its first paint is done."""
        self.completed.emit()

    # --- actions --------------------------------------------------------------------------

    def _build_actions(self) -> None:
        for binding in KEYMAP:
            action = QAction(binding.label, self)
            action.setShortcuts([QKeySequence(key) for key in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, b=binding.action: self.trigger(b))
            self.addAction(action)
            self.menus[binding.group].addAction(action)
            self.actions[binding.action] = action
        for source in (SYSTEM, REFERENCE):
            if source in self.editor.document:
                action = QAction(f"Start the corrected track over from the {source}", self)
                action.triggered.connect(lambda _=False, s=source: self.restart_corrected(s))
                self.menus["Tracks"].addAction(action)

    def restart_from_track(self, track) -> None:
        """Make the corrected track equal to ``track`` (saved corrections), undoably."""
        actions.replace_corrected(self.editor, track, "Restore saved corrections")

    def restart_corrected(self, source: str) -> None:
        """Replace the corrected track by a copy of another (one undoable edit)."""
        actions.replace_corrected(
            self.editor, self.editor.document[source], f"Start over from the {source}"
        )
        self.status(f"the corrected track is now a copy of the {source}")

    @property
    def player(self):
        """The playback service, or None."""
        return self.playback.player

    def trigger(self, name: str) -> None:
        """Run an action by its id in the key table; errors go to the status bar.

        An edit whose subject is out of view does not edit: see :class:`InViewGuard`.
        """
        handler = next(
            (h for h in (getattr(t, f"do_{name}", None) for t in self._handlers) if h), None
        )
        if self.in_view.intercepts(name):
            return
        try:
            if handler is not None:
                handler()
            elif name.startswith("speaker_"):
                speaker = actions.speaker_for_digit(self.editor, int(name.split("_")[1]))
                actions.assign_speaker(self.editor, speaker)
            else:
                self._edit_action(name)
        except (EditError, KeyError) as error:
            self.status(str(error).strip("'"))
        except ValueError as error:  # e.g. a format that cannot hold what is exported
            self.status(str(error))
            QMessageBox.warning(self, "Cannot do that", str(error))
        except OSError as error:
            name = f"{error.filename}: " if error.filename else ""
            self.status(f"could not write {name}{error.strerror or error}")
            QMessageBox.warning(self, "Could not write", f"{name}{error.strerror or error}")

    def _edit_action(self, name: str) -> None:
        if name in actions.NUDGES:
            self.playback.nudged(actions.nudge(self.editor, *actions.NUDGES[name]))
            return
        actions.EDITS[name](self.editor)
        if name in ("next_turn", "previous_turn") and self.editor.selected is not None:
            self.timeline.ensure_visible(self.editor.selected.end)

    def do_undo(self) -> None:
        """Undo the last edit."""
        if self.editor.history.undo() is None:
            self.status("nothing to undo")

    def do_redo(self) -> None:
        """Redo the last undone edit."""
        if self.editor.history.redo() is None:
            self.status("nothing to redo")

    def do_next_error(self) -> None:
        """Select the next error region and play it."""
        span = actions.next_error(self.editor)
        self._show_and_play(span)

    def do_previous_error(self) -> None:
        """Select the previous error region and play it."""
        span = actions.next_error(self.editor, backwards=True)
        self._show_and_play(span)

    def do_largest_error(self) -> None:
        """Select and play the errors from the largest down, one per press."""
        self._largest_rank = getattr(self, "_largest_rank", -1) + 1
        span, count = actions.largest_error(self.editor, self._largest_rank)
        self._largest_rank %= count
        self.jump_to(span)
        self.status(f"error {self._largest_rank + 1} of {count} by size")

    def jump_to(self, span: Span) -> None:
        """Select a region and the edited track's turn there, bring it into view, play it."""
        actions.focus_on(self.editor, span)
        self._show_and_play(span)

    def _show_and_play(self, span: Span) -> None:
        x0, x1 = self.timeline.view_range()
        if not (x0 * TICKS_PER_SECOND <= span.start and span.end <= x1 * TICKS_PER_SECOND):
            self.timeline.zoom_to(
                Span(max(0, span.start - TICKS_PER_SECOND), span.end + TICKS_PER_SECOND)
            )
        self.playback.play(span.start, span.end)

    def do_cursor_left(self) -> None:
        """Move the cursor left by a tenth of the view."""
        x0, x1 = self.timeline.view_range()
        actions.move_cursor(self.editor, x1 - x0, -0.1)

    def do_cursor_right(self) -> None:
        """Move the cursor right by a tenth of the view."""
        x0, x1 = self.timeline.view_range()
        actions.move_cursor(self.editor, x1 - x0, 0.1)

    def do_next_track(self) -> None:
        """Edit the next track."""
        name = actions.next_track(self.editor)
        locked = " (locked: Tracks > Unlock to edit it)" if self.editor.is_locked(name) else ""
        self.status(f"editing {name}{locked}")

    def do_zoom_in(self) -> None:
        """Zoom in around the cursor."""
        self.timeline.zoom(0.5)

    def do_zoom_out(self) -> None:
        """Zoom out around the cursor."""
        self.timeline.zoom(2.0)

    def do_zoom_fit(self) -> None:
        """Show the whole recording."""
        self.timeline.fit()

    def do_zoom_selection(self) -> None:
        """Zoom to the selected turn, or to the time selection when no turn is selected."""
        span = self.editor.selected.span if self.editor.selected else self.editor.selection
        if span is None:
            raise EditError("nothing selected to zoom to")
        self.timeline.zoom_to(span)

    def do_toggle_spectrogram(self) -> None:
        """Show or hide the spectrogram."""
        visible = not self.timeline.spectrogram_plot.isVisible() if self.audio else True
        self.timeline.show_spectrogram(visible)

    def proposed_path(self, suffix: str) -> str:
        """Where a Save or Export dialog starts: ``<uri><suffix>`` beside the audio.

        Beside the saved session when there is no audio, else in the current folder. The
        suffix (``.corrected.rttm``, ``.reviewer.json``) keeps the name apart from the
        reference's and the system output's own (``<uri>.rttm``), which an export would
        otherwise overwrite.
        """
        document = self.editor.document
        anchor = document.audio or self.session_path
        folder = Path(anchor).resolve().parent if anchor is not None else Path.cwd()
        return str(folder / f"{document.uri}{suffix}")

    def do_export_rttm(self, path: str | None = None) -> None:
        """Export the corrected track as RTTM (atomic write)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export RTTM", self.proposed_path(".corrected.rttm"), "RTTM (*.rttm)"
            )
            if not path:
                return
        name = saving.export_rttm(self.editor, self.save_state, path)
        self.status(f"exported {name} to {path}")

    def do_diarize(self) -> None:
        """Run a diarization pipeline and add its output as new tracks, scored live."""
        from reviewer.ui.diarize_dialog import DiarizeDialog

        if self.editor.document.audio is None:
            raise EditError("diarization needs the recording's audio")
        dialog = DiarizeDialog(self.editor.document.audio, self)
        if dialog.exec() and dialog.finished_with is not None:
            self.add_diarization(dialog.finished_with)

    def add_diarization(self, result) -> None:
        """Add a pipeline's output (and its exclusive version) as tracks; score the first."""
        added = [
            self.editor.add_track(name, track, score=not i)
            for i, (name, track) in enumerate(
                (
                    (result.system, result.diarization),
                    (f"{result.system}-exclusive", result.exclusive),
                )
            )
            if track is not None
        ]
        self.status(
            f"diarized on {result.device} in {result.seconds:.1f} s: "
            f"{len(result.diarization.labels)} speakers; scoring {added[0]}"
        )

    def do_shortcuts(self) -> None:
        """Show every key binding."""
        from reviewer.ui.shortcuts import ShortcutSheet

        ShortcutSheet(self).exec()

    def do_about(self) -> None:
        """Show reviewer's version and what it runs on, with Copy for bug reports."""
        from reviewer.ui.about_dialog import AboutDialog

        AboutDialog(self).exec()

    def do_quit(self) -> None:
        """Close the window (asking about unsaved changes)."""
        self.close()

    def do_open(self, request=None) -> None:
        """Open another recording in a new window (the Open dialog, prefilled if given)."""
        from reviewer.ui.opening import OpenDialog

        dialog = OpenDialog(self, request)
        if not dialog.exec():
            return
        if self.controller is None:
            raise EditError("this window cannot open others")
        self.controller.open(dialog.request(), self)

    def do_save_session(self, path: str | None = None) -> None:
        """Save the session: audio path, tracks, settings and view (atomic write)."""
        from reviewer.io.session import SESSION_SUFFIX

        if path is None and self.session_path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Save session",
                self.proposed_path(SESSION_SUFFIX),
                f"reviewer sessions (*{SESSION_SUFFIX})",
            )
            if not path:
                return
        x0, x1 = self.timeline.view_range()
        view = {"start": x0, "end": x1, "active_track": self.editor.active_track}
        target = path or self.session_path
        self.session_path = saving.save_session(self.editor, target, view, self.journal)
        self.status(f"saved {self.session_path}")

    def _attribution_changed(self) -> None:
        item = self.timeline.transcript_item
        if item is None or self.attribution is None:
            return
        item.set_speakers(self.attribution.speakers, self.attribution.wrong_utterances())
        self.metrics.show_wder(self.attribution.errors)

    def do_export_transcript(self, path: str | None = None) -> None:
        """Export the transcript with the corrected speakers (STM, SRT, VTT, TextGrid, ...)."""
        if self.editor.document.transcript is None or self.attribution is None:
            raise EditError("this recording has no transcript")
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export transcript",
                self.proposed_path(".corrected.stm"),
                "Transcripts (*.stm *.srt *.vtt *.TextGrid *.eaf *.txt *.ctm *.json)",
            )
            if not path:
                return
        self.status(str(saving.export_transcript(self.editor, self.attribution, path)))

    def _cause_at(self, ticks: int) -> str | None:
        result = self.breakdown.result
        return result.errors.class_at(ticks) if result and result.errors else None

    def restore_view(self, view: dict) -> None:
        """Show what a saved session showed: the time range and the edited track."""
        if view.get("active_track") in self.editor.document:
            self.editor.set_active_track(view["active_track"])
        if isinstance(view.get("start"), (int, float)) and isinstance(
            view.get("end"), (int, float)
        ):
            self.timeline.set_view(float(view["start"]), float(view["end"]))

    # --- feedback -------------------------------------------------------------------------

    def status(self, text: str) -> None:
        """Show a message in the status bar."""
        self.statusBar().showMessage(text, 8000)

    def _edited(self, step) -> None:
        """An edit, undo or redo happened: what the status bar said before it is stale.

        An undo or redo that changes a part of the recording out of view brings it in.
        """
        self.statusBar().clearMessage()
        span = step.command.span
        if step.kind != "do" and span is not None:
            x0, x1 = self.timeline.view_range()
            if not (span.start / TICKS_PER_SECOND <= x1 and x0 <= span.end / TICKS_PER_SECOND):
                self.timeline.ensure_visible(span.start)

    def _selection_changed(self) -> None:
        """Another turn is selected: advice about the previous selection is stale."""
        if self.editor.selected != self._selection_said:
            self._selection_said = self.editor.selected
            self.statusBar().clearMessage()

    def _history_changed(self) -> None:
        history = self.editor.history
        undo, redo = self.actions["undo"], self.actions["redo"]
        undo.setText(f"Undo {history.undo_name}" if history.undo_name else "Undo")
        redo.setText(f"Redo {history.redo_name}" if history.redo_name else "Redo")
        undo.setEnabled(history.undo_name is not None)
        redo.setEnabled(history.redo_name is not None)
        self.setWindowModified(not self.is_saved)

    @property
    def is_saved(self) -> bool:
        """Whether every edit is in a saved session or an exported RTTM."""
        return self.save_state.is_saved

    def _show_position(self) -> None:
        """The permanent status: cursor, edited track (and its lock), the selected turn now."""
        from reviewer.ui.time_axis import clock

        editor = self.editor
        track = editor.active_track
        text = f"{clock(editor.cursor / TICKS_PER_SECOND)}   editing {track}"
        if editor.is_locked(track):
            text += " (locked)"
        turn = editor.selected
        if turn is not None:
            text += f"   {describe(turn)}"
        text += f"   {self.playback.speed:g}x"
        self.position_label.setText(text)

    def closeEvent(self, event) -> None:  # noqa: N802
        """Ask before losing unsaved edits (a corpus keeps them in its project)."""
        if self.on_close is not None:
            if self.on_close():
                self._closed_cleanly()
                event.accept()
                return
            answer = QMessageBox.warning(
                self,
                "Corrections not saved",
                "The corpus project could not be saved (see the corpus window's status bar). "
                "Close anyway? The edits stay in the crash journal and come back the next "
                "time the corpus opens.",
                QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Close:
                event.accept()  # the journal is kept: nothing is lost
            else:
                event.ignore()
            return
        if self.is_saved or not self.confirm_close:
            self._closed_cleanly()
            event.accept()
            return
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            "The corrected track has edits that were not exported or saved. Export the "
            "corrected RTTM before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            event.ignore()
            return
        if answer == QMessageBox.StandardButton.Save:
            self.do_export_rttm()
            if not self.is_saved:
                event.ignore()
                return
        self._closed_cleanly()
        event.accept()

    def _closed_cleanly(self) -> None:
        """Nothing left to recover: the journal goes."""
        if self.journal is not None:
            self.journal.close()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        """Accept dropped files."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        """Open dropped files: audio and RTTM/UEM."""
        from reviewer.ui.opening import classify

        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls()]
        request = classify(paths)
        event.acceptProposedAction()
        if request.session and self.controller is not None:
            self.controller.open(request, self)
        else:
            self.do_open(request)
