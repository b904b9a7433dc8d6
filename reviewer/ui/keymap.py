"""Every key binding of the app, in one table.

Conventions follow the tools reviewers already use: Space plays (Audacity), Shift+Space
plays the selection and Enter splits (ELAN, Praat), Alt+Left/Right moves between turns
(ELAN, Praat, Audacity labels), Shift/Ctrl+Left/Right nudge start/end (pyannote's
annotation recipes), Backspace/Delete delete (ELAN), Ctrl+Shift+A merges with the next
(ELAN), Ctrl+=/Ctrl+- and Ctrl+1/Ctrl+3 zoom (ELAN, Audacity), Ctrl+F fits the recording and
Ctrl+E zooms to the selection (Audacity), Ctrl+Z / Ctrl+Shift+Z undo and redo.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.model.review_status import STATUSES


@dataclass(frozen=True)
class Binding:
    """One action: its id, its label in menus and the shortcut sheet, its keys, its group."""

    action: str
    label: str
    keys: tuple[str, ...]
    group: str


KEYMAP: tuple[Binding, ...] = (
    # Playback
    Binding("play_pause", "Play / pause from the cursor", ("Space",), "Playback"),
    Binding("play_selection", "Play the selection", ("Shift+Space",), "Playback"),
    Binding("play_turn", "Play the selected turn", ("T",), "Playback"),
    Binding("play_boundary", "Play around the last moved boundary", ("B",), "Playback"),
    Binding("speed_down", "Slower playback (down to 0.5x)", ("Ctrl+Down",), "Playback"),
    Binding("speed_up", "Faster playback (up to 2x)", ("Ctrl+Up",), "Playback"),
    Binding("toggle_replay", "Replay the boundary after each nudge (on/off)", ("R",), "Playback"),
    # Navigation
    Binding("next_turn", "Next turn", ("Alt+Right", "Down"), "Navigate"),
    Binding("previous_turn", "Previous turn", ("Alt+Left", "Up"), "Navigate"),
    Binding("next_error", "Next error", ("E",), "Navigate"),
    Binding("previous_error", "Previous error", ("Shift+E",), "Navigate"),
    Binding("largest_error", "Next error, largest first", ("L",), "Navigate"),
    Binding("cursor_left", "Move the cursor left (10% of the view)", ("Left",), "Navigate"),
    Binding("cursor_right", "Move the cursor right (10% of the view)", ("Right",), "Navigate"),
    Binding("next_track", "Edit the next track", ("Tab",), "Navigate"),
    Binding(
        "toggle_lock",
        "Unlock the edited track for editing (reference, system), or lock it again...",
        ("Ctrl+Shift+L",),
        "Tracks",
    ),
    Binding("zoom_in", "Zoom in", ("Ctrl+=", "Ctrl+1", "Ctrl++"), "View"),
    Binding("zoom_out", "Zoom out", ("Ctrl+-", "Ctrl+3"), "View"),
    Binding("zoom_fit", "Show the whole recording", ("Ctrl+F",), "View"),
    Binding("zoom_selection", "Zoom to the selected turn (or the selection)", ("Ctrl+E",), "View"),
    Binding("toggle_spectrogram", "Show / hide the spectrogram", ("Ctrl+G",), "View"),
    # Editing
    Binding("nudge_start_left", "Move start 10 ms earlier", ("Shift+Left",), "Edit"),
    Binding("nudge_start_right", "Move start 10 ms later", ("Shift+Right",), "Edit"),
    Binding("nudge_end_left", "Move end 10 ms earlier", ("Ctrl+Left",), "Edit"),
    Binding("nudge_end_right", "Move end 10 ms later", ("Ctrl+Right",), "Edit"),
    Binding("nudge_start_left_big", "Move start 100 ms earlier", ("Shift+Alt+Left",), "Edit"),
    Binding("nudge_start_right_big", "Move start 100 ms later", ("Shift+Alt+Right",), "Edit"),
    Binding("nudge_end_left_big", "Move end 100 ms earlier", ("Ctrl+Alt+Left",), "Edit"),
    Binding("nudge_end_right_big", "Move end 100 ms later", ("Ctrl+Alt+Right",), "Edit"),
    Binding("set_start", "Set start at the cursor", ("[",), "Edit"),
    Binding("set_end", "Set end at the cursor", ("]",), "Edit"),
    Binding("split", "Split the turn at the cursor", ("Return", "Enter"), "Edit"),
    Binding("merge_next", "Merge with the next turn of the speaker", ("Ctrl+Shift+A", "M"), "Edit"),
    Binding("delete", "Delete the selected turn", ("Delete", "Backspace"), "Edit"),
    Binding("create", "Create a turn from the selection", ("N", "Insert"), "Edit"),
    Binding("snap", "Snap boundaries to the nearest quiet point", ("K",), "Edit"),
    Binding("speaker_typed", "Give the turn to a speaker by name...", ("S",), "Edit"),
    Binding("rename_speaker", "Rename or merge a speaker everywhere...", ("Ctrl+R",), "Edit"),
    Binding("undo", "Undo", ("Ctrl+Z",), "Edit"),
    Binding("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Edit"),
    # File and help
    Binding("open", "Open audio and annotations...", ("Ctrl+O",), "File"),
    Binding("save_session", "Save the session", ("Ctrl+S",), "File"),
    Binding("export_rttm", "Export the corrected track as RTTM...", ("Ctrl+Shift+E",), "File"),
    Binding(
        "export_transcript",
        "Export the transcript with corrected speakers...",
        ("Ctrl+Shift+T",),
        "File",
    ),
    Binding("diarize", "Diarize with pyannote.audio...", ("Ctrl+D",), "File"),
    # Corpus (a recording opened from a corpus table)
    Binding("next_recording", "Next recording of the corpus", ("Alt+PgDown",), "Corpus"),
    Binding("previous_recording", "Previous recording of the corpus", ("Alt+PgUp",), "Corpus"),
    Binding(
        "done_next",
        "Mark this recording done and open the next",
        ("Ctrl+Return", "Ctrl+Enter"),
        "Corpus",
    ),
    Binding("show_corpus", "Show the corpus table", ("Ctrl+Shift+O",), "Corpus"),
    Binding("quit", "Quit", ("Ctrl+Q",), "File"),
    Binding("shortcuts", "Keyboard shortcuts", ("F1", "?"), "Help"),
    Binding("about", "About reviewer", (), "Help"),
) + tuple(
    Binding(f"speaker_{n}", f"Give the turn to speaker {n} (n+1: a new speaker)", (str(n),), "Edit")
    for n in range(1, 10)
)

BY_ACTION = {binding.action: binding for binding in KEYMAP}

#: What the mouse does in the review window (and the keys of a form field), ``(gesture,
#: what it does)``: listed on the F1 sheet beside the key table.
GESTURES: tuple[tuple[str, str], ...] = (
    ("Click", "Put the cursor; on a turn, select it"),
    ("Drag", "Select a time range; on a boundary of the edited track, move it (one undo step)"),
    ("Wheel", "Zoom in time (every plot shares one time axis)"),
    ("Right or middle drag", "Pan, within the recording"),
    ("Wheel over the speaker names, Shift+Wheel", "Scroll the lanes (many speakers)"),
    ("Click a group's title", "Fold or unfold its lanes"),
    ("Hover a speaker name", "Its full name, when shortened"),
    ("Escape in a field", "Back to the timeline (keys typed in a field stay in it)"),
)

#: The keys of the corpus window (the recordings table).
CORPUS_KEYMAP: tuple[Binding, ...] = (
    (
        Binding("open_recording", "Open the recording", ("Return", "Enter"), "Review"),
        Binding("next_recording", "Next recording", ("Ctrl+Down", "Alt+PgDown"), "Review"),
        Binding("previous_recording", "Previous recording", ("Ctrl+Up", "Alt+PgUp"), "Review"),
        Binding("edit_note", "Write a note on the recording", ("F2",), "Review"),
        Binding("find", "Filter recordings by name", ("Ctrl+F",), "Review"),
    )
    + tuple(
        Binding(
            f"status_{n}",
            f"Mark the recording \u2018{status}\u2019",
            (f"Alt+{n}",),
            "Review",
        )
        for n, status in enumerate(STATUSES, start=1)
    )
    + (
        Binding("export_folder", "Export corrections to a folder...", ("Ctrl+Shift+E",), "File"),
        Binding("export_file", "Export corrections to one RTTM...", ("Ctrl+Alt+E",), "File"),
        Binding("compare", "Compare with another system...", ("Ctrl+Shift+C",), "File"),
        Binding("rescore", "Score the corpus again", ("F5",), "File"),
        Binding("quit", "Quit", ("Ctrl+Q",), "File"),
        Binding("shortcuts", "Keyboard shortcuts", ("F1",), "Help"),
        Binding("about", "About reviewer", (), "Help"),
    )
)


#: The keys of the Experiment window (:mod:`reviewer.ui.experiment_window`). Its buttons, tabs
#: and labels carry no mnemonics of their own, so that every key here is the only one.
EXPERIMENT_KEYMAP: tuple[Binding, ...] = (
    Binding("run", "Run an experiment from a corpus...", ("Alt+R",), "Experiment"),
    Binding("cancel_run", "Cancel the run (the finished cells are kept)", ("Alt+C",), "Experiment"),
    Binding("compare", "Compare with another system's experiment...", ("Alt+W",), "Experiment"),
    Binding("grid", "Go to the grid (Enter opens a cell)", ("Ctrl+G",), "View"),
    Binding("measure", "Choose the measure the grid shows", ("Alt+M",), "View"),
    Binding("variance_tab", "Show the variance shares", ("Alt+V",), "View"),
    Binding("effects_tab", "Show the effects", ("Alt+E",), "View"),
    Binding("comparison_tab", "Show the comparison of two systems", ("Alt+O",), "View"),
    Binding("close", "Close the window", ("Ctrl+W",), "Experiment"),
)


def check_unique(keymap: tuple[Binding, ...] = KEYMAP) -> None:
    """Raise if two bindings of a key table share a key."""
    seen: dict[str, str] = {}
    for binding in keymap:
        for key in binding.keys:
            if key in seen:
                raise ValueError(f"{key} is bound to both {seen[key]} and {binding.action}")
            seen[key] = binding.action
