"""The fixes the Why? tab offers: each speaker split or merge, the DER it leads to, apply.

A list of :class:`~reviewer.metrics.diagnosis.Fix` (largest recovery first): clicking one
shows its first turn, double-clicking it (or the button) applies it as one undoable edit of
the corrected track (:mod:`reviewer.app.fixes`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.app.fixes import Fixes
from reviewer.metrics.diagnosis import MIN_POINTS, MIN_SHARE, Fix
from reviewer.metrics.numbers import format_percent, format_points
from reviewer.model.annotation import Span
from reviewer.model.commands import EditError

RULE = (
    f"A second speaker holding at least {100 * MIN_SHARE:.0f} % of a speaker's time; listed "
    f"when the fix recovers {MIN_POINTS:g} DER points or more."
)


class FixList(QWidget):
    """The fixes of a :class:`~reviewer.app.fixes.Fixes`, shown when :meth:`refresh` is called.

    Parameters
    ----------
    fixes
        The live diagnosis and what applies its fixes.
    go
        Shows a time range (the first turn of a clicked fix).
    """

    def __init__(self, fixes: Fixes, go: Callable[[Span], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.fixes = fixes
        self.go = go
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Fixes: speaker splits and merges, by DER recovered"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #999999;")
        layout.addWidget(self.note)
        self.items = QListWidget()
        self.items.setWordWrap(True)
        self.items.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.items.setMaximumHeight(150)
        self.items.setSpacing(2)
        self.items.setAlternatingRowColors(True)
        self.items.itemClicked.connect(self._clicked)
        self.items.itemDoubleClicked.connect(lambda item: self._apply(self.fix_of(item)))
        layout.addWidget(self.items)
        self.apply_button = QPushButton("Apply the selected fix")
        self.apply_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.apply_button.clicked.connect(self.apply_selected)
        layout.addWidget(self.apply_button)

    def refresh(self) -> None:
        """List the current fixes (this computes the diagnosis if it is out of date)."""
        diagnosis = self.fixes.diagnosis
        editable = self.fixes.editable
        how = (
            " Double-click a fix to apply it (one undoable edit)."
            if editable
            else " Fixes edit the corrected track: score it to apply them."
        )
        self.note.setText(RULE + how)
        self.items.clear()
        fixes = diagnosis.fixes if diagnosis is not None else ()
        for fix in fixes:
            item = QListWidgetItem(
                f"{fix.describe()}.\n    DER {format_percent(fix.before.der)} \u2192 "
                f"{format_percent(fix.after.der)}  (recovers {format_points(fix.recovered)} pt)"
            )
            item.setData(Qt.ItemDataRole.UserRole, fix)
            self.items.addItem(item)
        if not fixes:
            item = QListWidgetItem("No speaker split or merge to fix.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.items.addItem(item)
        self.apply_button.setEnabled(editable and bool(fixes))

    @staticmethod
    def fix_of(item: QListWidgetItem | None) -> Fix | None:
        """The fix a list item shows, if any."""
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _clicked(self, item: QListWidgetItem) -> None:
        fix = self.fix_of(item)
        if fix is not None and fix.turns:
            self.go(fix.turns[0].span)

    def apply_selected(self) -> None:
        """Apply the fix selected in the list (the first one when none is)."""
        self._apply(self.fix_of(self.items.currentItem() or self.items.item(0)))

    def _apply(self, fix: Fix | None) -> None:
        if fix is not None:
            self.apply(fix)

    def apply(self, fix: Fix) -> None:
        """Apply ``fix`` as one undoable edit; say why not when it cannot be."""
        try:
            self.fixes.apply(fix)
        except EditError as error:
            self.note.setText(f"Not applied: {error}.")
