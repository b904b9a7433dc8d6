"""The fixes the diagnosis names, as one undoable command each, and the diagnosis kept current.

:class:`Fixes` follows the editor's live score: after every edit (or new settings) it says
it is out of date, and diagnoses again (:func:`~reviewer.metrics.diagnosis.diagnose`, with
the live score's tracks, UEM, collar, skip-overlap and scoring marks) only when read, so a
hidden panel costs nothing. :func:`fix_command` turns a fix into the edit that applies it to
the corrected track; after it the live DER is the one the fix promised.
"""

from __future__ import annotations

from reviewer.app.editor import Editor
from reviewer.metrics.diagnosis import Diagnosis, Fix, diagnose
from reviewer.model import commands
from reviewer.model.commands import EditError, EditTurns
from reviewer.model.document import CORRECTED
from reviewer.model.events import event


def fix_command(editor: Editor, fix: Fix) -> EditTurns:
    """The edit applying ``fix`` to the corrected track.

    A split becomes Ctrl+R's "merge speaker" (every turn of the extra speaker to the main
    one); a merge becomes one relabelling of the turns it names, to the new speaker.

    Raises
    ------
    EditError
        If the scored system track is not the corrected one (fixes never edit the reference
        or the system output), or the turns changed since the diagnosis.
    """
    setup = editor.live.setup
    if setup.hypothesis != CORRECTED:
        raise EditError(f"fixes edit the corrected track, and {setup.hypothesis} is the one scored")
    track = editor.document[CORRECTED]
    if fix.kind == "split":
        current = {turn for turn in track.turns if turn.speaker == fix.system}
    else:
        current = set(track.turns) & set(fix.turns)
    if current != set(fix.turns) or editor.live.score != fix.before:
        raise EditError("the track changed since this fix was computed")
    if fix.kind == "split":
        return commands.rename_speaker(track, CORRECTED, fix.system, fix.target)
    return EditTurns(
        f"Move {len(fix.turns)} turns of {fix.reference} from {fix.system} to {fix.target}",
        CORRECTED,
        fix.turns,
        fix.relabelled(),
    )


def apply_fix(editor: Editor, fix: Fix) -> None:
    """Apply ``fix`` as one undoable edit (see :func:`fix_command`)."""
    editor.push(fix_command(editor, fix))


class Fixes:
    """The diagnosis of the editor's scored pair, computed on first read after a change.

    Parameters
    ----------
    editor
        Whose live score (tracks and settings) is diagnosed.

    Events
    ------
    updated()
        The diagnosis is out of date (read :attr:`diagnosis` again).
    """

    updated = event(description="the diagnosis is out of date (read it again)")

    def __init__(self, editor: Editor):
        self.editor = editor
        self._diagnosis: Diagnosis | None = None
        self._stale = True
        editor.live.updated.connect(self._changed, priority=5)

    def _changed(self) -> None:
        self._stale = True
        self.updated.emit()

    @property
    def diagnosis(self) -> Diagnosis | None:
        """The current diagnosis, or None without both scored tracks."""
        if self._stale:
            live = self.editor.live
            setup, document = live.setup, live.document
            self._diagnosis = None
            if live.available:
                self._diagnosis = diagnose(
                    document[setup.reference],
                    document[setup.hypothesis],
                    uem=document.uem,
                    settings=setup.settings,
                    exclusions=document.exclusions_of(setup.reference),
                )
            self._stale = False
        return self._diagnosis

    @property
    def editable(self) -> bool:
        """Whether fixes can be applied (the corrected track is the one scored)."""
        return self.editor.live.setup.hypothesis == CORRECTED

    def apply(self, fix: Fix) -> None:
        """Apply ``fix`` (see :func:`fix_command`)."""
        apply_fix(self.editor, fix)
