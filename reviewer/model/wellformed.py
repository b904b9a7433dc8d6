"""One voice per speaker at a time: the rule that keeps an edited track well-formed.

A track is *well-formed* when no two turns of one speaker overlap and every turn an edit
makes lasts at least :data:`MIN_TURN` (1 ms). Two turns of one speaker may *touch* (one ends
where the other starts): a split makes two such pieces, so that either can be given to
another speaker. Turns of *different* speakers may overlap: that is overlapped speech.

Every edit keeps a well-formed track well-formed, whichever way it is made (a key, a drag
in the timeline, a dialog, a fix offered by the diagnosis), because every
:class:`~reviewer.model.commands.EditTurns` is settled against the track by :func:`settle`
when it is done, and the settled turns are what the history records, journals and undoes
(undo restores exactly the turns the edit took out). The rules:

1. **A moved boundary pushes the next turn of its speaker along.** Moving a turn's start
   or end outwards (a nudge, ``[`` or ``]``, a drag, a snap to a quiet point) into the
   nearest turn of the same speaker moves that turn's facing edge with it: the two then
   touch where the reviewer put the boundary, and the speaker's speech is covered as if
   they had been merged. This is Praat's shared boundary between two intervals of a tier
   and ELAN's "bulldozer" mode, and it is what moves a split point after ``Enter`` (nudge
   the left piece's end or the right piece's start). A pushed turn that would be left
   shorter than 1 ms is taken in instead (rule 2), so a held key or a drag never stalls.
   Moving an edge inwards leaves the neighbour where it is, so a pause can be opened
   between two pieces.
2. **A turn put over turns of its speaker absorbs them.** A turn created over a selection,
   a turn given to a speaker who already speaks there (a digit key, ``S``), a speaker merged
   into another, a merge with the next turn: the new turn and every turn of its speaker it
   overlaps become one turn spanning them all. md-eval-22 counts a speaker once wherever
   their turns overlap (``create_speaker_segs``: a speaker is active while their count of
   open turns is positive, with the warning "speaker ... speaking more than once") and
   refuses an RTTM file whose turns of one speaker overlap ("FATAL ERROR: RTTM file has
   overlapping SPEAKER tokens", ``get_rttm_file``), so the merged turn scores the same and
   can be exported.
3. **No edit makes a turn shorter than 1 ms** (:data:`MIN_TURN`): a split closer than 1 ms
   to a boundary, a move or a nudge that would leave less, or a created turn that short is
   refused. RTTM files are written with millisecond times
   (:func:`reviewer.io.rttm.format_rttm`), so a shorter turn would not survive an export
   (one sample, 62.5 µs at 16 kHz, is finer than the file keeps); Delete removes a turn.

Turns already in a loaded file are left as they are until an edit touches them (rule 2 then
absorbs the same-speaker turns an edited turn overlaps). The RTTM export is canonical: each
speaker's turns that overlap or touch are written as one line (``format_rttm(...,
canonical=True)``), which md-eval scores the same way as the pieces.

The functions here are pure and refuse nothing: :mod:`reviewer.model.commands` refuses the
edits rule 3 forbids, with an ``EditError`` that says why.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from operator import attrgetter

from reviewer.model.annotation import Track, Turn
from reviewer.model.time import TICKS_PER_SECOND

MIN_TURN = TICKS_PER_SECOND // 1000
"""The shortest turn an edit may make: 1 ms in ticks (RTTM's time resolution as written)."""

_START = attrgetter("start")
_FEW = 8  # an edit removing more turns than this is settled against a copy without them


def overlap(a: Turn, b: Turn) -> bool:
    """Whether two turns share more than an instant.

    Touching turns (``a.end == b.start``) do not overlap; a zero-length turn strictly inside
    another does.
    """
    return a.start < b.end and b.start < a.end


def is_well_formed(track: Track) -> bool:
    """Whether no two turns of one speaker in ``track`` overlap (see :func:`overlap`)."""
    last: dict[str, Turn] = {}
    for turn in track.turns:  # sorted by start: compare with the speaker's furthest-reaching
        previous = last.get(turn.speaker)
        if previous is not None and overlap(previous, turn):
            return False
        if previous is None or turn.end >= previous.end:
            last[turn.speaker] = turn
    return True


def settle(
    track: Track, removed: Iterable[Turn], added: Iterable[Turn]
) -> tuple[tuple[Turn, ...], tuple[Turn, ...]]:
    """The turns an edit really takes out of ``track`` and puts in, under rules 1 and 2.

    Parameters
    ----------
    track
        The track before the edit.
    removed, added
        What the edit asks to take out and put in.

    Returns
    -------
    tuple
        ``(removed, added)``: ``removed`` plus the turns of the same speaker that a moved
        edge pushed (rule 1) or an added turn absorbed (rule 2), and ``added`` plus the
        pushed turns as shortened, with overlapping pieces of one speaker merged. An edit
        already settled comes back unchanged (settling is idempotent), so a journaled edit
        replays as it was.

    Raises
    ------
    KeyError
        If a removed turn is not in the track.
    """
    removed, added = tuple(removed), tuple(added)
    if len(removed) > _FEW:  # a whole speaker or track: scan what remains
        turns, gone = track.edited(removed, ()).turns, set()
    else:  # one turn or a few: skip them in place (a held key at 10 h stays cheap)
        for turn in removed:
            track.index(turn)
        turns, gone = track.turns, set(removed)
    if len(removed) == 1 and len(added) == 1 and removed[0].speaker == added[0].speaker:
        pushed, shortened = _give_way(turns, gone, removed[0], added[0])
        removed, added = removed + tuple(pushed), added + tuple(shortened)
        gone.update(pushed)
    absorbed, added = _absorb(turns, gone, added)
    return removed + absorbed, added


def _give_way(
    turns: tuple[Turn, ...], gone: set[Turn], old: Turn, new: Turn
) -> tuple[list[Turn], list[Turn]]:
    """The turns of ``old``'s speaker that ``new`` (``old`` moved) pushes, and what they become.

    ``turns`` are the track's turns, those in ``gone`` left out. An edge moved outwards
    over the nearest turn of the speaker beyond it moves that turn's facing edge along
    (rule 1). A turn that would be left shorter than :data:`MIN_TURN`, and turns that
    overlap ``old`` already, are left to rule 2 (absorbed); zero-length turns are passed
    over.
    """
    out: list[Turn] = []
    into: list[Turn] = []
    if new.end > old.end:
        i = bisect_left(turns, old.end, key=_START)
        while i < len(turns) and turns[i].start < new.end:
            turn = turns[i]
            i += 1
            if turn.speaker == old.speaker and turn.end > turn.start and turn not in gone:
                if turn.end - new.end >= MIN_TURN:  # else rule 2 takes it in
                    out.append(turn)
                    into.append(Turn(new.end, turn.end, turn.speaker))
                break
    if new.start < old.start:
        i = bisect_left(turns, old.start, key=_START)
        while i > 0:
            i -= 1
            turn = turns[i]
            if turn.speaker != old.speaker or turn in gone:
                continue
            if not turn.start < turn.end <= old.start:
                continue
            if turn.end > new.start and new.start - turn.start >= MIN_TURN:
                out.append(turn)  # else rule 2 takes it in
                into.append(Turn(turn.start, new.start, turn.speaker))
            break
    return out, into


def _absorb(
    turns: tuple[Turn, ...], gone: set[Turn], added: tuple[Turn, ...]
) -> tuple[tuple[Turn, ...], tuple[Turn, ...]]:
    """Merge the added turns with the turns of their speaker they overlap (rule 2).

    Returns the turns of ``turns`` (but not of ``gone``) absorbed and the added turns as
    merged (the very added turns, in their order, when nothing overlaps).
    """
    absorbed: list[Turn] = []
    taken = set(gone)
    pieces = _union(added)
    while True:
        hits = list(dict.fromkeys(t for p in pieces for t in _overlapping(turns, p, taken)))
        if not hits:
            break
        absorbed += hits
        taken.update(hits)
        pieces = _union(pieces + hits)
    if not absorbed and len(pieces) == len(added):
        return (), added
    return tuple(absorbed), tuple(pieces)


def _union(turns: Iterable[Turn]) -> list[Turn]:
    """Turns with each speaker's overlapping ones merged (touching ones stay apart)."""
    merged: dict[str, list[Turn]] = {}
    for turn in sorted(turns):
        pieces = merged.setdefault(turn.speaker, [])
        if pieces and overlap(pieces[-1], turn):
            last = pieces[-1]
            pieces[-1] = Turn(last.start, max(last.end, turn.end), turn.speaker)
        elif not pieces or pieces[-1] != turn:
            pieces.append(turn)
    return sorted(piece for pieces in merged.values() for piece in pieces)


def _overlapping(turns: tuple[Turn, ...], piece: Turn, taken: set[Turn]) -> list[Turn]:
    """The turns of ``piece``'s speaker that overlap it (those in ``taken`` excepted).

    Scans back from the last turn starting before ``piece`` ends and stops at the first
    turn of the speaker (not of zero length) that ends before ``piece`` starts: in a
    well-formed track no earlier turn of the speaker reaches further.
    """
    hits = []
    for turn in reversed(turns[: bisect_left(turns, piece.end, key=_START)]):
        if turn.speaker != piece.speaker or turn in taken:
            continue
        if overlap(turn, piece):
            hits.append(turn)
        elif turn.start < turn.end <= piece.start:
            break
    return hits
