"""The shortcut sheet (F1 or ?): every key of the key table, by group."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from reviewer.ui.keymap import GESTURES, KEYMAP, Binding

DIGITS = tuple(f"speaker_{n}" for n in range(1, 10))
"""The digit keys' actions, listed as one row of the sheet (:data:`DIGITS_ROW`)."""

DIGITS_ROW = ("1 \u2026 9", "Give the turn to speaker n (sorted); n+1 makes a new one")


def shortcut_html(keymap: tuple[Binding, ...] = KEYMAP) -> str:
    """A key table as HTML (the review window's, with its mouse gestures, by default).

    Every binding is a row with all its keys, in the table's order by group; the nine digit
    bindings are one row (:data:`DIGITS_ROW`).
    """
    groups: dict[str, list[str]] = {}
    for binding in keymap:
        if binding.action in DIGITS[1:]:
            continue
        keys = ", ".join(binding.keys)
        label = binding.label
        if binding.action == DIGITS[0]:
            keys, label = DIGITS_ROW
        groups.setdefault(binding.group, []).append(
            f"<tr><td><b>{keys}</b></td><td>{label}</td></tr>"
        )
    parts = []
    for group, rows in groups.items():
        parts.append(f"<h3>{group}</h3><table cellspacing=4>{''.join(rows)}</table>")
    if keymap is not KEYMAP:
        return "".join(parts)
    rows = "".join(f"<tr><td><b>{what}</b></td><td>{does}</td></tr>" for what, does in GESTURES)
    parts.append(f"<h3>Mouse and fields</h3><table cellspacing=4>{rows}</table>")
    return "".join(parts)


class ShortcutSheet(QDialog):
    """A dialog listing every key."""

    def __init__(self, parent=None, keymap: tuple[Binding, ...] = KEYMAP):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(620, 720)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setHtml(shortcut_html(keymap))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
