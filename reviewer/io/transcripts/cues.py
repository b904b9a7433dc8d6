"""Subtitle cues to utterances: voice tags, dialogue dashes and ``Name:`` speaker prefixes.

SRT and WebVTT mark a cue's speaker in three ways, read here for both:

- a voice tag, ``<v Ana>bom dia</v>`` (WebVTT, section 4.2.2; also met in SRT files): always
  read, the name as written but for runs of ASCII blanks, one space (a no-break space is
  part of the name: ``Ana Maria`` and ``Ana``+U+00A0+``Maria`` are two speakers). A cue with
  the voices of several speakers gives one utterance per speaker.
- a dialogue cue, whose lines start with a dash (``- Ana: bom dia`` / ``- Bruno: oi``), the
  subtitle convention for two speakers sharing a cue: each dash line is one speaker's turn.
- a ``Name:`` prefix (``Ana: bom dia``; WhisperX writes ``[SPEAKER_00]: ...``). Plain text
  has colons too (Whisper writes ``The agenda for today: budget and hiring.``), so with
  ``speaker_prefix=None`` a prefix is taken for a speaker only when the file as a whole uses
  them so (the rule below); ``True`` takes the prefix of every cue's first line and dash
  line (any name of up to 64 characters without ``:``, ``<``, ``>``), and of a later line
  when it is name-like (a wrapped sentence, ``and the reason is: money``, is not a speaker
  change); ``False`` none.

The conservative rule (``speaker_prefix=None``)
-----------------------------------------------
A *turn* is a cue's first line, a dash line of a dialogue cue, or a later line starting
with a name-like prefix. A name is *name-like* (:func:`name_like`) when it has at most three
words and 32 characters, a letter, and each word starts with a letter or digit that is not
lower case (``Ana``, ``Dr. Silva``, ``SPEAKER_00``, ``Speaker 2``; not ``The agenda for
today`` nor ``Here's the thing``). The file's prefixes are speakers when all hold:

1. at least two turns start with a name-like prefix, and at least half of the turns that
   have text do (most cues are prefixed);
2. one name starts two turns or more (names recur);
3. the names are few: at most two, or at most one for every two prefixed turns.

Otherwise only the dialogue cues whose dash lines each start with a different name-like
prefix (``- Ana: bom dia`` / ``- Bruno: oi``) are read as spoken by those names, and the
other prefixes stay text, with a warning saying how to ask for them
(``--speaker-prefix yes``). Whenever the rule reads prefixes as speakers (two cues
``WARNING: High voltage.`` and ``WARNING: Keep out.`` pass it), a warning names the
speakers so read, their number of cues, and how to keep the prefixes as text
(``--speaker-prefix no``): a speaker is never taken from the text unsaid.

A subtitle does not say who speaks when inside a cue, so each speaker of a cue with several
is given the cue's whole span (their utterances overlap) and this is reported: no time is
invented by splitting the cue. Text is never dropped: a dash or prefix that is not read as
a speaker mark stays in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewer.io.files import one_line
from reviewer.model.errors import warn
from reviewer.model.transcript import Utterance

SpeakerPrefix = bool | None
"""How ``Name: text`` prefixes are read: True always, False never, None by the rule of
the rule below."""

MAX_NAME_WORDS = 3
"""Most words in a name the conservative rule takes for a speaker (``Ana Maria Silva``)."""

MAX_NAME_LENGTH = 32
"""Most characters in a name the conservative rule takes for a speaker."""

_PREFIX = re.compile(r"^\s*([^\s:<>][^:<>\n]{0,63}?)\s*:(?:\s+|$)")
_DASH = re.compile(r"^\s*[-\u2010\u2013\u2014]\s*")
_VOICE = re.compile(r"<v(?:\.[^\s.>]*)*(?:[ \t\n\f]+([^>]*))?>|</v\s*>")  # unambiguous: linear
_NAME_PUNCTUATION = frozenset("_.'\u2019-")


@dataclass(frozen=True)
class Cue:
    """One subtitle cue, as the SRT and WebVTT readers hand it over.

    Attributes
    ----------
    name
        Its place in the file, for messages (``"cue 3"``, ``"cue 3 (intro)"``).
    line
        The line of its timing line.
    start, end
        Its span in ticks.
    text
        Its text, lines joined by line breaks, tags and character references as written.
    """

    name: str
    line: int
    start: int
    end: int
    text: str


@dataclass
class _Line:
    text: str
    raw: str
    dash: bool = False


@dataclass
class _Turn:
    speaker: str | None
    text: str


def name_like(name: str) -> bool:
    """Whether ``name`` looks like a speaker's name to the conservative rule.

    At most :data:`MAX_NAME_WORDS` words and :data:`MAX_NAME_LENGTH` characters, at least
    one letter, each word starting with a letter or digit that is not lower case, and
    made of letters, digits and ``_ . ' -``: ``Ana``, ``Dr. Silva``, ``SPEAKER_00``,
    ``Speaker 2``, but not ``The agenda for today`` nor ``Here's the thing``.
    """
    words = name.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or len(name) > MAX_NAME_LENGTH:
        return False
    if not any(c.isalpha() for c in name):
        return False
    for word in words:
        if not word[0].isalnum() or word[0].islower():
            return False
        for c in word:
            if not (c.isalnum() or c in _NAME_PUNCTUATION or unicodedata.category(c)[0] == "M"):
                return False
    return True


def split_prefix(text: str, strict: bool) -> tuple[str, str] | None:
    """``(name, rest)`` if ``text`` starts with a ``Name:`` prefix, else None.

    The name is at most 64 characters without ``:``, ``<`` or ``>``, followed by a colon
    and a blank (or the end); square brackets around it go (``[SPEAKER_00]: hi``). With
    ``strict``, the name must also be :func:`name_like`.
    """
    match = _PREFIX.match(text)
    if match is None:
        return None
    name = match.group(1).strip()
    if len(name) > 2 and name.startswith("[") and name.endswith("]"):
        name = name[1:-1].strip()
    if not name or (strict and not name_like(name)):
        return None
    return name, text[match.end() :]


def writable_prefix(speaker: str) -> bool:
    """Whether ``speaker: text`` is read back as spoken by ``speaker`` (prefixes on)."""
    found = split_prefix(f"{speaker}: x", strict=False)
    return found is not None and found[0] == speaker and _DASH.match(speaker) is None


def _prefixes_are_speakers(cues: Sequence[Sequence[_Line]]) -> bool:
    """Whether this file's ``Name:`` prefixes mark speakers, by the conservative rule.

    A turn is a cue's first line, a dash line of a dialogue cue, or a later line starting
    with a name-like prefix. Prefixes are speakers when all of:

    - at least two turns start with a :func:`name_like` prefix, and at least half of the
      turns that have text do ("most cues prefixed");
    - one name starts two turns or more ("names recur");
    - there are few names: at most two, or at most one for every two prefixed turns.

    A Whisper transcript (``The agenda for today: budget``, ``Here's the thing: we are
    late``) fails the first; a diarized subtitle file (``Ana: ...``, ``Bruno: ...``,
    ``Ana: ...``) passes.
    """
    names: Counter[str] = Counter()
    turns = 0
    for lines in cues:
        for index, line in enumerate(lines):
            found = split_prefix(line.text, strict=True)
            starts_turn = index == 0 or line.dash
            if starts_turn and line.text.strip():
                turns += 1
            if found is not None:
                names[found[0]] += 1
                turns += not starts_turn
    prefixed = sum(names.values())
    return (
        prefixed >= 2
        and 2 * prefixed >= turns
        and max(names.values()) >= 2
        and len(names) <= max(2, prefixed // 2)
    )


def cue_utterances(
    path: Path,
    cues: Sequence[Cue],
    speaker_prefix: SpeakerPrefix,
    clean: Callable[[str], str],
) -> list[Utterance]:
    """The utterances of subtitle cues, speakers read as the module docstring says.

    Parameters
    ----------
    path
        The file, for the warnings.
    cues
        Its cues, in file order.
    speaker_prefix
        True, False or None: see :data:`SpeakerPrefix`.
    clean
        Turns a piece of cue text as written into its words as shown (tags and character
        references resolved), keeping line breaks.

    Returns
    -------
    list of Utterance
        One per cue, or one per speaker of a cue with several (each spanning the cue).

    Warns
    -----
    FormatWarning
        Once for the cues holding several speakers, and once when the file has
        ``Name:`` prefixes that ``speaker_prefix=None`` does not read as speakers.
    """
    voiced: dict[int, list[_Turn]] = {}
    lined: dict[int, list[_Line]] = {}
    for index, cue in enumerate(cues):
        turns = _voice_turns(cue.text, clean)
        if turns is not None:
            voiced[index] = turns
        else:
            lined[index] = _lines(clean(cue.text))
    accepted = speaker_prefix is True or (
        speaker_prefix is None and _prefixes_are_speakers(list(lined.values()))
    )
    utterances: list[Utterance] = []
    shared: list[tuple[Cue, list[str | None]]] = []
    candidates: list[tuple[Cue, str]] = []
    taken: list[tuple[Cue, list[str]]] = []  # speakers the rule read from prefixes, by cue
    for index, cue in enumerate(cues):
        if index in voiced:
            turns = voiced[index]
        else:
            lines = lined[index]
            prefixes_on = speaker_prefix is not False and (accepted or _named_dialogue(lines))
            turns = _turns(lines, prefixes_on, strict=speaker_prefix is not True)
            named = [t.speaker for t in turns if t.speaker]
            if speaker_prefix is None and named:
                taken.append((cue, named))
            if speaker_prefix is None and not prefixes_on:
                found = next(
                    (f for line in lines if (f := split_prefix(line.text, strict=True))), None
                )
                if found is not None:
                    candidates.append((cue, found[0]))
        turns = _merged(turns)
        if len(turns) > 1:
            shared.append((cue, [t.speaker for t in turns]))
        utterances.extend(Utterance(cue.start, cue.end, t.text, t.speaker) for t in turns)
    if taken:
        _warn_taken(path, taken, accepted)
    if shared:
        _warn_shared(path, shared)
    if candidates:
        _warn_candidates(path, candidates)
    return utterances


# -- one cue ------------------------------------------------------------------------------------


def _voice_turns(text: str, clean: Callable[[str], str]) -> list[_Turn] | None:
    """The cue's turns by voice tag, or None if it has no named voice."""
    matches = list(_VOICE.finditer(text))
    if not any(m.group(1) and m.group(1).strip() for m in matches):
        return None
    turns: list[_Turn] = []
    speaker: str | None = None
    position = 0
    for match in matches:
        turns.append(_Turn(speaker, text[position : match.start()]))
        position = match.end()
        opening = not match.group(0).startswith("</")
        # WebVTT collapses ASCII blanks in an annotation; a no-break space is the name's
        name = one_line(match.group(1) or "")
        speaker = name if opening and name.strip() else None
    turns.append(_Turn(speaker, text[position:]))
    return [_Turn(t.speaker, one_line(clean(t.text))) for t in turns]


def _lines(text: str) -> list[_Line]:
    """The cue's lines, the dashes of a dialogue cue taken off and marked."""
    lines = [line for line in text.split("\n") if line.strip()]
    dashes = [_DASH.match(line) for line in lines]
    if len(lines) >= 2 and dashes[0] and any(dashes[1:]):
        return [
            _Line(line[dash.end() :], line, True) if dash else _Line(line, line)
            for line, dash in zip(lines, dashes, strict=True)
        ]
    return [_Line(line, line) for line in lines]


def _named_dialogue(lines: list[_Line]) -> bool:
    """A dialogue cue whose every dash line names a different speaker (``- Ana: ...``)."""
    turns = [line for line in lines if line.dash]
    if len(turns) < 2:
        return False
    names = [split_prefix(line.text, strict=True) for line in turns]
    return all(names) and len({n[0] for n in names if n}) == len(names)


def _turns(lines: list[_Line], prefixes_on: bool, strict: bool) -> list[_Turn]:
    """The cue's turns: split at dash lines and speaker prefixes when those are read."""
    if not lines:
        return [_Turn(None, "")]
    if not prefixes_on:
        return [_Turn(None, one_line(" ".join(line.raw for line in lines)))]
    turns: list[_Turn] = []
    for index, line in enumerate(lines):
        starts_turn = index == 0 or line.dash
        # a later line starts a turn only with a name-like prefix: a wrapped sentence
        # ("and the reason is: money") is not a speaker change
        found = split_prefix(line.text, strict=strict or not starts_turn)
        if found is not None:
            turns.append(_Turn(found[0], found[1]))
        elif starts_turn:
            turns.append(_Turn(None, line.text))
        else:
            turns[-1].text += " " + line.text
    return [_Turn(t.speaker, one_line(t.text)) for t in turns]


def _merged(turns: list[_Turn]) -> list[_Turn]:
    """One turn per speaker (in order of first turn); empty unattributed turns go."""
    by_speaker: dict[str | None, _Turn] = {}
    for turn in turns:
        if turn.speaker is None and not turn.text:
            continue
        if turn.speaker in by_speaker:
            kept = by_speaker[turn.speaker]
            kept.text = f"{kept.text} {turn.text}".strip()
        else:
            by_speaker[turn.speaker] = _Turn(turn.speaker, turn.text)
    return list(by_speaker.values()) or [_Turn(None, "")]


# -- reports ------------------------------------------------------------------------------------


def _warn_shared(path: Path, shared: list[tuple[Cue, list[str | None]]]) -> None:
    cue, speakers = shared[0]
    who = ", ".join(s if s else "no speaker" for s in speakers)
    others = f" and {len(shared) - 1} other cues" if len(shared) > 1 else ""
    warn(
        path,
        cue.line,
        f"{cue.name} ({who}){others} {'holds' if len(shared) == 1 else 'hold'} several "
        "speakers: each speaker's words are read "
        "as an utterance spanning the whole cue, so they overlap (a cue does not say who "
        "speaks when)",
    )


def _warn_taken(path: Path, taken: list[tuple[Cue, list[str]]], accepted: bool) -> None:
    cue = taken[0][0]
    cues_of: Counter[str] = Counter()
    for _, names in taken:
        cues_of.update(list(dict.fromkeys(names)))  # once a cue, in order: ties by first
    shown = ", ".join(
        f"{name!r} ({count} cue{'s' if count > 1 else ''})"
        for name, count in cues_of.most_common(5)
    ) + (f" and {len(cues_of) - 5} more" if len(cues_of) > 5 else "")
    why = (
        "the file uses them throughout (the same few names starting most cues)"
        if accepted
        else "each is a dialogue cue ('- Name: ...' lines, a different name on each)"
    )
    warn(
        path,
        cue.line,
        f"'Name:' prefixes read as speakers {shown}, because {why}; if they are part of the "
        "text, read it with --speaker-prefix no",
    )


def _warn_candidates(path: Path, candidates: list[tuple[Cue, str]]) -> None:
    cue, name = candidates[0]
    count = f"{len(candidates)} cues start" if len(candidates) > 1 else "1 cue starts"
    warn(
        path,
        cue.line,
        f"{count} like a speaker prefix ({cue.name}: {name!r}), but the file does not use "
        "prefixes as speaker marks throughout (names recurring in most cues), so they are "
        "read as text; ask for speaker prefixes (--speaker-prefix yes) to read them as "
        "speakers",
    )
