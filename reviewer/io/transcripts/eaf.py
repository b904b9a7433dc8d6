"""ELAN EAF: read with the standard XML parser by the EAF 3.0 format, written with ``pympi``.

``pympi-ling`` (1.71) is not used for reading: it reads only from a path (so the file cannot
be decoded as every other format is), raises a bare ``KeyError`` for a document without
``xsi:noNamespaceSchemaLocation`` or an ``IndexError`` for an annotation without value, and
leaves media offsets, participants and dependent tiers to the caller anyway.

Honoured
    UTF-8, UTF-16 with a byte order mark, or the 8-bit encoding an XML declaration names.
    Each independent tier (one without ``PARENT_REF``) is a speaker: its ``PARTICIPANT``,
    or its ``TIER_ID`` when it names none (``unknown`` holds utterances without speaker);
    each of its annotations is an utterance, empty ones included. Times are whole
    milliseconds. The recording's file id is the name of the media file (the first audio
    one, else the first). That media's ``TIME_ORIGIN`` (ELAN's media offset: annotation
    time 0 is that far into the media file) is added to every time, so that utterances
    fall where they are heard in the recording.
Read, with a warning
    A media offset applied as just said; an annotation boundary whose time slot is not
    aligned (no ``TIME_VALUE``), placed evenly between the aligned time slots around it in
    ``TIME_ORDER``; several independent tiers of one participant (read
    as one speaker); dependent tiers (translations, glosses, words: symbolic or time
    subdivisions, associations), whose annotations are not read; a file without any
    annotation.
Refused
    A document that is not well-formed XML (with the line), not an ``ANNOTATION_DOCUMENT``,
    ``TIME_UNITS`` other than milliseconds, a time that is not a whole number, an
    annotation referring to a missing time slot, or ending before it starts, or (after the
    media offset) before time 0.
Written, with a warning on the written file
    Word times; a speaker name with blanks at its ends, or ``unknown`` (the tier of no
    speaker), written changed, with a number added if it would be another speaker's.
    Refused, naming the file: an utterance under a millisecond, two overlapping utterances
    of one speaker.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse
from xml.etree import ElementTree

import pympi

from reviewer.io.files import read_text, write_text_atomic
from reviewer.io.transcripts.common import (
    TICKS_PER_MILLISECOND,
    Losses,
    Written,
    and_more,
    cannot_write,
    check_span,
    check_time,
    empty_warning,
    speaker_from_name,
    speaker_tiers,
)
from reviewer.model.errors import FormatError, warn
from reviewer.model.time import format_seconds, to_milliseconds
from reviewer.model.transcript import Transcript, Utterance

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_MILLISECONDS = re.compile(r"-?[0-9]{1,15}")


@dataclass(frozen=True)
class _Slot:
    time: int | None  # ms; None when unaligned and no aligned slot follows
    aligned: bool


def read_eaf(path: str | Path) -> Transcript:
    """Read the annotations of an EAF file's independent tiers.

    Raises
    ------
    FormatError
        Naming the line of an XML error, or the element (``time slot 'ts3'``, ``tier 'A',
        annotation 'a12'``) and the problem.
    """
    path = Path(path)
    text = read_text(path, xml=True)
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise FormatError(path, error.position[0], f"not a valid EAF file: {error}") from None
    if root.tag != "ANNOTATION_DOCUMENT":
        raise FormatError(path, None, f"<{root.tag}>: not an EAF file (ANNOTATION_DOCUMENT)")
    header = root.find("HEADER")
    units = header.get("TIME_UNITS", "milliseconds") if header is not None else "milliseconds"
    if units != "milliseconds":
        raise FormatError(
            path, None, f"HEADER: TIME_UNITS {units!r} is not read (ELAN writes milliseconds)"
        )
    media = _media(header)
    origin = _origin(path, media)
    slots = _slots(path, root)
    types = {
        t.get("LINGUISTIC_TYPE_ID"): t.get("CONSTRAINTS") for t in root.iter("LINGUISTIC_TYPE")
    }
    utterances: list[Utterance] = []
    unaligned: list[str] = []
    tiers_of: dict[str, list[str]] = defaultdict(list)
    for index, tier in enumerate(root.findall("TIER"), start=1):
        name = tier.get("TIER_ID")
        if name is None:
            raise FormatError(path, None, f"tier {index}: has no TIER_ID")
        annotations = tier.findall("ANNOTATION")
        parent = tier.get("PARENT_REF")
        if parent:
            if annotations:
                kind = types.get(tier.get("LINGUISTIC_TYPE_REF")) or "dependent"
                warn(
                    path,
                    None,
                    f"dependent tier ({kind.replace('_', ' ')} of {parent!r}): its "
                    f"{len(annotations)} annotations are not read",
                    place=f"tier {name!r}",
                )
            continue
        speaker = speaker_from_name((tier.get("PARTICIPANT") or "").strip() or name)
        if annotations:
            tiers_of[speaker or ""].append(name)
        for annotation in annotations:
            utterance = _utterance(path, name, speaker, annotation, slots, origin, unaligned)
            if utterance is not None:
                utterances.append(utterance)
    _report(path, origin, media, unaligned, tiers_of)
    return empty_warning(path, Transcript(utterances, uri=_media_uri(media)))


def _media(header: ElementTree.Element | None) -> ElementTree.Element | None:
    """The media descriptor of the recording: the first audio one, else the first."""
    if header is None:
        return None
    descriptors = header.findall("MEDIA_DESCRIPTOR")
    audio = [d for d in descriptors if (d.get("MIME_TYPE") or "").startswith("audio")]
    found = audio or descriptors
    return found[0] if found else None


def _origin(path: Path, media: ElementTree.Element | None) -> int:
    """The media's ``TIME_ORIGIN`` in milliseconds (0 when absent)."""
    value = media.get("TIME_ORIGIN") if media is not None else None
    if value is None or not value.strip():
        return 0
    if not _MILLISECONDS.fullmatch(value.strip()):
        raise FormatError(
            path, None, f"MEDIA_DESCRIPTOR: TIME_ORIGIN {value[:30]!r} is not whole milliseconds"
        )
    return int(value)


def _slots(path: Path, root: ElementTree.Element) -> dict[str, _Slot]:
    """The time slots by id; an unaligned one placed evenly between its aligned neighbours."""
    order = root.find("TIME_ORDER")
    listed: list[tuple[str, int | None]] = []
    seen = set()
    for index, slot in enumerate(order.findall("TIME_SLOT") if order is not None else ()):
        slot_id = slot.get("TIME_SLOT_ID")
        if slot_id is None:
            raise FormatError(path, None, f"TIME_ORDER: time slot {index + 1} has no id")
        if slot_id in seen:
            raise FormatError(path, None, f"time slot {slot_id!r}: defined twice")
        seen.add(slot_id)
        value = slot.get("TIME_VALUE")
        if value is not None and not _MILLISECONDS.fullmatch(value.strip()):
            raise FormatError(
                path, None, f"time slot {slot_id!r}: TIME_VALUE {value[:30]!r} is not whole ms"
            )
        listed.append((slot_id, int(value) if value is not None else None))
    slots: dict[str, _Slot] = {}
    low, low_index = 0, -1
    pending: list[tuple[int, str]] = []
    for index, (slot_id, time) in enumerate(listed):
        if time is None:
            pending.append((index, slot_id))
            continue
        high = max(time, low)
        for at, waiting in pending:
            proposed = low + (high - low) * (at - low_index) // (index - low_index)
            slots[waiting] = _Slot(proposed, False)
        pending = []
        slots[slot_id] = _Slot(time, True)
        low, low_index = time, index
    for _, waiting in pending:
        slots[waiting] = _Slot(None, False)
    return slots


def _utterance(
    path: Path,
    tier: str,
    speaker: str | None,
    annotation: ElementTree.Element,
    slots: dict[str, _Slot],
    origin: int,
    unaligned: list[str],
) -> Utterance | None:
    aligned = annotation.find("ALIGNABLE_ANNOTATION")
    if aligned is None:
        element = f"tier {tier!r}"
        warn(path, None, "a reference annotation in an independent tier is not read", element)
        return None
    element = f"tier {tier!r}, annotation {aligned.get('ANNOTATION_ID')!r}"
    times = []
    for attribute in ("TIME_SLOT_REF1", "TIME_SLOT_REF2"):
        ref = aligned.get(attribute)
        if ref not in slots:
            raise FormatError(
                path, None, f"{element}: {attribute} {ref!r} is not a time slot of TIME_ORDER"
            )
        slot = slots[ref]
        if slot.time is None:
            raise FormatError(
                path, None, f"{element}: time slot {ref!r} is not aligned, nor any slot after it"
            )
        if not slot.aligned and unaligned[-1:] != [element]:
            unaligned.append(element)
        time = slot.time
        times.append(check_time(path, None, element, (time + origin) * TICKS_PER_MILLISECOND))
    start, end = check_span(path, None, element, *times)
    value = aligned.findtext("ANNOTATION_VALUE") or ""
    return Utterance(start, end, value.strip(), speaker)


def _report(
    path: Path,
    origin: int,
    media: ElementTree.Element | None,
    unaligned: list[str],
    tiers_of: dict[str, list[str]],
) -> None:
    if origin and media is not None:
        warn(
            path,
            None,
            f"the media {_media_name(media)!r} has TIME_ORIGIN {origin} ms (ELAN's media "
            f"offset): every time is moved by {format_seconds(origin * TICKS_PER_MILLISECOND)} "
            "s to where it is heard in that media file",
            place="MEDIA_DESCRIPTOR",
        )
    if unaligned:
        warn(
            path,
            None,
            f"a boundary is not aligned to a time{and_more(unaligned)}: placed evenly between "
            "the aligned time slots around it in TIME_ORDER",
            place=unaligned[0],
        )
    for speaker, tiers in tiers_of.items():
        if len(tiers) > 1:
            warn(
                path,
                None,
                f"independent tiers {', '.join(map(repr, tiers))} all belong to "
                f"{speaker or 'no participant'!r}: read as one speaker",
                place=f"tier {tiers[1]!r}",
            )


def _media_name(media: ElementTree.Element) -> str:
    return media.get("RELATIVE_MEDIA_URL") or media.get("MEDIA_URL") or "?"


def _media_uri(media: ElementTree.Element | None) -> str | None:
    if media is None:
        return None
    for url in (media.get("RELATIVE_MEDIA_URL"), media.get("MEDIA_URL")):
        if url:
            try:
                path = urlparse(url).path
            except ValueError:  # not a URL ("file://[A]/x.wav"): read it as a path
                path = url
            return PurePosixPath(path.replace("\\", "/")).stem or None
    return None


def write_eaf(path: str | Path, transcript: Transcript) -> Written:
    """Write a transcript to an EAF file atomically, one tier per speaker.

    Utterances without speaker go to the tier ``unknown``; a speaker name with blanks at
    its ends (which the reader drops) or named ``unknown`` is written changed, never
    merged with another. Word times, which EAF tiers written here do not hold, are reported
    with a :class:`~reviewer.io.FormatWarning` on ``path`` once it is written.

    Raises
    ------
    FormatError
        Naming ``path``, if an utterance lasts less than a millisecond, or overlaps another
        one of its speaker; nothing is written then.
    """
    path = Path(path)
    losses = Losses()
    tiers = speaker_tiers(
        path, transcript, losses, "an EAF file", "a participant is read without blanks at its ends"
    )
    document = pympi.Elan.Eaf(author="reviewer")
    document.remove_tier("default")
    for name, utterances in tiers.items():
        document.add_tier(name, part=name)
        for utterance in utterances:
            start, end = to_milliseconds(utterance.start), to_milliseconds(utterance.end)
            if end <= start:
                raise cannot_write(
                    path,
                    f"an EAF file cannot hold the utterance of {name} at {start} ms: "
                    "it lasts less than a millisecond",
                )
            document.add_annotation(name, start, end, utterance.text)
    write_text_atomic(path, _XML_DECLARATION + pympi.Elan.to_string(document) + "\n")
    return losses.written(path, transcript, len(transcript), "annotation", len(transcript.speakers))
