"""ELAN EAF, read and written with the ``pympi`` library (``pympi-ling``).

Each independent tier (one without a parent tier) is a speaker and each of its annotations
one utterance, empty ones included; dependent tiers (translations, glosses, words) are
skipped, and the tier ``unknown`` holds the utterances without speaker. Times are whole
milliseconds. The recording's file id is read from the first linked media file's name.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import pympi

from reviewer.model.formats.files import write_text_atomic
from reviewer.model.formats.transcripts.common import (
    TICKS_PER_MILLISECOND,
    by_tier,
    check_span,
    element_error,
    library_error,
    read_text,
    speaker_from_name,
)
from reviewer.model.time import to_milliseconds
from reviewer.model.transcript import Transcript, Utterance

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def read_eaf(path: str | Path) -> Transcript:
    """Read the annotations of an EAF file's independent tiers.

    Raises
    ------
    FormatError
        If pympi cannot read the file (with the line of an XML error), or naming the tier
        of an annotation that has no time or ends before it starts.
    """
    path = Path(path)
    read_text(path)  # a clear error for a missing or unreadable file
    try:
        document = pympi.Elan.Eaf(str(path), suppress_version_warning=True)
    except Exception as error:  # pympi raises bare Exception, KeyError, ValueError...
        raise library_error(path, "EAF file", error) from None
    utterances = []
    for tier in document.get_tier_names():
        aligned, referring, attributes, _ = document.tiers[tier]
        if attributes.get("PARENT_REF") or referring:
            continue
        for start, end, value in document.get_annotation_data_for_tier(tier):
            element = f"tier {tier!r}, annotation {value[:30]!r}"
            if start is None or end is None:
                raise element_error(path, element, "is not aligned to a time")
            start, end = check_span(
                path, None, element, start * TICKS_PER_MILLISECOND, end * TICKS_PER_MILLISECOND
            )
            utterances.append(Utterance(start, end, value.strip(), speaker_from_name(tier)))
    return Transcript(utterances, uri=_media_uri(document))


def _media_uri(document: pympi.Elan.Eaf) -> str | None:
    for descriptor in document.media_descriptors:
        url = descriptor.get("RELATIVE_MEDIA_URL") or descriptor.get("MEDIA_URL")
        if url:
            return PurePosixPath(urlparse(url).path).stem or None
    return None


def write_eaf(path: str | Path, transcript: Transcript) -> None:
    """Write a transcript to an EAF file atomically, one tier per speaker.

    Raises
    ------
    ValueError
        If an utterance lasts less than a millisecond, or overlaps another one of its
        speaker.
    """
    tiers = by_tier(transcript, "an EAF file")
    document = pympi.Elan.Eaf(author="reviewer")
    document.remove_tier("default")
    for name, utterances in tiers.items():
        document.add_tier(name, part=name)
        for utterance in utterances:
            start, end = to_milliseconds(utterance.start), to_milliseconds(utterance.end)
            if end <= start:
                raise ValueError(
                    f"an EAF file cannot hold the utterance of {name} at {start} ms: "
                    "it lasts less than a millisecond"
                )
            document.add_annotation(name, start, end, utterance.text)
    write_text_atomic(path, _XML_DECLARATION + pympi.Elan.to_string(document) + "\n")
