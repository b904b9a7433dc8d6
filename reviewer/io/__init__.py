"""Readers and writers of the files diarization people exchange."""

from reviewer.io.rttm import read_rttm, write_rttm
from reviewer.io.uem import read_uem, write_uem
from reviewer.model.errors import FormatError, FormatWarning

__all__ = ["FormatError", "FormatWarning", "read_rttm", "read_uem", "write_rttm", "write_uem"]
