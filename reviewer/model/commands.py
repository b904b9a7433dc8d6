"""Edit commands: every change to a track is one, with do, undo and a name.

Every edit of a track is an :class:`EditTurns`: some turns out, some turns in; an edit of
the transcript is an :class:`EditText`. Both satisfy :class:`~reviewer.model.history.Command`.
The functions below build the edits a reviewer makes (move a boundary, split, merge,
delete, insert, relabel, rename a speaker); they are plain functions of the current track,
testable without Qt. Every edit keeps a track well-formed (no overlapping turns of one
speaker, no turn shorter than 1 ms): the rule is :mod:`reviewer.model.wellformed`, applied
when an edit is done (:meth:`EditTurns.bound`), whichever way it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.document import Change, Document
from reviewer.model.time import format_seconds
from reviewer.model.transcript import Utterance, utterance_from_json, utterance_to_json
from reviewer.model.wellformed import MIN_TURN, settle


class EditError(ValueError):
    """An edit that cannot be made (a turn would end before it starts, ...)."""


@dataclass(frozen=True)
class EditTurns:
    """Replace some turns of a track by others.

    Attributes
    ----------
    name
        What the user did, for the Edit menu ("Move start", "Split turn", ...).
    track
        The track edited.
    removed, added
        The turns taken out and put in.
    merge_key
        Consecutive commands with the same key, each editing a turn the previous one added,
        merge into one undo step (repeated nudges, the moves of one drag), also when one
        of them pushed or took in a neighbour (:mod:`reviewer.model.wellformed`).
    """

    name: str
    track: str
    removed: tuple[Turn, ...]
    added: tuple[Turn, ...]
    merge_key: str | None = None

    @property
    def span(self) -> Span | None:
        """The time range the edit changes (None for an edit that changes nothing)."""
        return Change(self.track, self.removed, self.added).span

    def bound(self, document: Document) -> EditTurns:
        """The edit as it applies to ``document`` now: settled by the well-formedness rule.

        A moved boundary pushes the next turn of its speaker along and a turn put over turns
        of its speaker absorbs them (:func:`reviewer.model.wellformed.settle`); the result
        removes and adds exactly the turns that change, so its undo restores the track.

        Raises
        ------
        EditError
            If the edit inserts a turn shorter than 1 ms (a move or a split that would leave
            one is refused when it is made: :func:`split`, :func:`nudge`).
        KeyError
            If a removed turn is not in the track.
        """
        track = document[self.track]
        if not self.removed and len(self.added) == 1 and self.added[0].duration < MIN_TURN:
            raise EditError(_too_short(self.added[0].duration))  # an insert: rule 3
        removed, added = settle(track, self.removed, self.added)
        if (removed, added) == (self.removed, self.added):
            return self
        return replace(self, removed=removed, added=added)

    def do(self, document: Document) -> Change:
        """Apply the edit (as :meth:`bound` settled it)."""
        return document.apply(self.track, self.removed, self.added)

    def undo(self, document: Document) -> Change:
        """Revert the edit."""
        return document.apply(self.track, self.added, self.removed)

    def merged(self, following: object) -> EditTurns | None:
        """One command doing this and then ``following``, or None if they do not merge."""
        if (
            not isinstance(following, EditTurns)
            or self.merge_key is None
            or following.merge_key != self.merge_key
            or following.track != self.track
            or set(following.removed).isdisjoint(self.added)
        ):
            return None
        later = set(following.removed)
        kept = [turn for turn in self.added if turn not in later]
        also = tuple(turn for turn in following.removed if turn not in set(self.added))
        removed, added = _cancel(self.removed + also, (*kept, *following.added))
        return EditTurns(self.name, self.track, removed, added, self.merge_key)

    def to_json(self) -> dict:
        """A JSON-ready dict (times in ticks), for the journal and sessions."""
        return {
            "name": self.name,
            "track": self.track,
            "removed": [[t.start, t.end, t.speaker] for t in self.removed],
            "added": [[t.start, t.end, t.speaker] for t in self.added],
            "merge_key": self.merge_key,
        }

    @classmethod
    def from_json(cls, data: dict) -> EditTurns:
        """Inverse of :meth:`to_json`."""
        return cls(
            data["name"],
            data["track"],
            tuple(Turn(*item) for item in data["removed"]),
            tuple(Turn(*item) for item in data["added"]),
            data.get("merge_key"),
        )


@dataclass(frozen=True)
class EditText:
    """Change the text (or speaker label) of one transcript utterance."""

    name: str
    old: Utterance
    new: Utterance
    track: str = "transcript"
    merge_key: str | None = None

    @property
    def span(self) -> Span | None:
        """The time range of the utterance edited."""
        return Span(min(self.old.start, self.new.start), max(self.old.end, self.new.end))

    def bound(self, document: Document) -> EditText:
        """The edit itself: a text edit needs no settling."""
        return self

    def do(self, document: Document) -> Change:
        """Apply the edit."""
        document.replace_utterance(self.old, self.new)
        return Change(self.track, (), ())

    def undo(self, document: Document) -> Change:
        """Revert the edit."""
        document.replace_utterance(self.new, self.old)
        return Change(self.track, (), ())

    def merged(self, following: object) -> None:
        """Text edits never merge."""
        return None

    def to_json(self) -> dict:
        """A JSON-ready dict, for the journal."""
        return {
            "type": "text",
            "name": self.name,
            "old": utterance_to_json(self.old),
            "new": utterance_to_json(self.new),
        }

    @classmethod
    def from_json(cls, data: dict) -> EditText:
        """Inverse of :meth:`to_json`."""
        return cls(
            data["name"],
            utterance_from_json(data["old"], "command.old"),
            utterance_from_json(data["new"], "command.new"),
        )


def edit_text(utterance: Utterance, text: str) -> EditText:
    """Replace an utterance's text (its words keep their times, not their spelling)."""
    new = Utterance(utterance.start, utterance.end, text, utterance.speaker)
    return EditText("Edit text", utterance, new)


def _cancel(removed: tuple[Turn, ...], added: tuple[Turn, ...]):
    """Drop turns that are both removed and added (a move back to where it was)."""
    common = set(removed) & set(added)
    return (
        tuple(t for t in removed if t not in common),
        tuple(t for t in added if t not in common),
    )


def _turn(start: int, end: int, speaker: str) -> Turn:
    """A turn an edit makes: it starts at 0 or later and lasts at least 1 ms (``MIN_TURN``)."""
    if start < 0:
        raise EditError("a turn cannot start before 0")
    if end - start < MIN_TURN:
        raise EditError(_too_short(end - start))
    return Turn(start, end, speaker)


def _too_short(duration: int) -> str:
    if duration < 0:
        return "a turn cannot end before it starts"
    return (
        f"a turn must last at least 1 ms; this one would last {format_seconds(duration)} s "
        "(Delete removes a turn)"
    )


def set_start(track_name: str, turn: Turn, start: int, merge_key: str | None = None):
    """Move a turn's start to ``start`` (ticks)."""
    return _move("Move start", track_name, turn, start, turn.end, merge_key)


def set_end(track_name: str, turn: Turn, end: int, merge_key: str | None = None):
    """Move a turn's end to ``end`` (ticks)."""
    return _move("Move end", track_name, turn, turn.start, end, merge_key)


def move(track_name: str, turn: Turn, start: int, end: int, name: str = "Move boundaries"):
    """Move both boundaries of a turn (to ``start`` and ``end``, ticks)."""
    return _move(name, track_name, turn, start, end, None)


def nudge(track_name: str, turn: Turn, edge: str, delta: int) -> EditTurns:
    """Move a turn's ``"start"`` or ``"end"`` by ``delta`` ticks; repeated nudges merge."""
    if edge == "start":
        return _move("Nudge start", track_name, turn, turn.start + delta, turn.end, "nudge-start")
    return _move("Nudge end", track_name, turn, turn.start, turn.end + delta, "nudge-end")


def _move(name: str, track_name: str, turn: Turn, start: int, end: int, merge_key: str | None):
    new = _turn(start, end, turn.speaker)
    return EditTurns(name, track_name, (turn,), (new,), merge_key)


def split(track_name: str, turn: Turn, at: int) -> EditTurns:
    """Split a turn in two at ``at``; each piece must last at least 1 ms (``MIN_TURN``)."""
    if not turn.start < at < turn.end:
        raise EditError("the split point must fall inside the turn")
    if min(at - turn.start, turn.end - at) < MIN_TURN:
        edge = "start" if at - turn.start < MIN_TURN else "end"
        raise EditError(
            f"the cursor is less than 1 ms from the turn's {edge}: splitting there would "
            "leave a piece shorter than 1 ms"
        )
    left = Turn(turn.start, at, turn.speaker)
    right = Turn(at, turn.end, turn.speaker)
    return EditTurns("Split turn", track_name, (turn,), (left, right))


def merge_with_next(track: Track, track_name: str, turn: Turn) -> EditTurns:
    """Merge a turn with the next one of the same speaker (the merged turn spans both)."""
    following = [t for t in track.turns[track.index(turn) + 1 :] if t.speaker == turn.speaker]
    if not following:
        raise EditError(f"{turn.speaker} has no later turn to merge with")
    other = following[0]
    merged = Turn(turn.start, max(turn.end, other.end), turn.speaker)
    return EditTurns("Merge turns", track_name, (turn, other), (merged,))


def delete(track_name: str, turns: tuple[Turn, ...]) -> EditTurns:
    """Delete turns."""
    return EditTurns("Delete turn" if len(turns) == 1 else "Delete turns", track_name, turns, ())


def insert(track_name: str, turn: Turn) -> EditTurns:
    """Insert a new turn (one shorter than 1 ms is refused when it is done: ``bound``)."""
    if turn.start < 0:
        raise EditError("a turn cannot start before 0")
    return EditTurns("Insert turn", track_name, (), (turn,))


def _check_name(speaker: str) -> None:
    if not speaker or any(c.isspace() for c in speaker):
        raise EditError("a speaker name must be non-empty and have no spaces (RTTM field)")


def set_speaker(track_name: str, turn: Turn, speaker: str) -> EditTurns:
    """Give a turn to another speaker."""
    _check_name(speaker)
    new = Turn(turn.start, turn.end, speaker)
    return EditTurns(f"Set speaker to {speaker}", track_name, (turn,), (new,))


def rename_speaker(track: Track, track_name: str, old: str, new: str) -> EditTurns:
    """Rename a speaker everywhere in a track; renaming onto an existing name merges them."""
    _check_name(new)
    removed = tuple(t for t in track.turns if t.speaker == old)
    if not removed:
        raise EditError(f"no speaker {old!r} in this track")
    added = tuple(Turn(t.start, t.end, new) for t in removed)
    verb = "Merge" if new in track.labels else "Rename"
    return EditTurns(
        f"{verb} speaker {old} into {new}" if verb == "Merge" else f"Rename speaker {old} to {new}",
        track_name,
        removed,
        added,
    )
