"""Readers and writers of the files diarization people exchange."""

from reviewer.model.formats.errors import FormatError, FormatWarning
from reviewer.model.formats.rttm import read_rttm, write_rttm
from reviewer.model.formats.uem import read_uem, write_uem

__all__ = ["FormatError", "FormatWarning", "read_rttm", "read_uem", "write_rttm", "write_uem"]
