"""What a reference RTTM says beside its speaker turns: regions not to evaluate or score.

NIST reference RTTMs (RT-0x meetings, many LDC corpora) carry more than ``SPEAKER`` lines.
md-eval-22 uses some of them when it scores speaker diarization (md-eval-22.pl lines
138-156 and 1910-1914, default ``-z``/``-Z`` settings):

- ``NOSCORE`` marks a region that is neither evaluated nor scored: it is taken out of the
  UEM before speakers are mapped;
- ``NON-LEX`` (laughter, breath, cough, lip smack, sneeze) marks a region that is not
  scored, widened by up to 0.5 s until the nearest word or speaker boundary;
- ``LEXEME`` lines bound that widening;
- with no UEM, the evaluated extent runs from the earliest to the latest of the ``SPEAKER``,
  ``SEGMENT``, ``SU``, ``EDIT``, ``FILLER``, ``IP``, ``CB``, ``A/P``, ``LEXEME`` and
  ``NON-LEX`` lines, not only the speaker turns (``uem_from_rttm``, line 2245).

:class:`Exclusions` holds these spans as read; :mod:`reviewer.metrics.zones` turns
them into md-eval's zones.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.model.annotation import Span


@dataclass(frozen=True, slots=True)
class Exclusions:
    """The scoring marks of one recording's reference, in ticks, in file order.

    Attributes
    ----------
    no_score
        ``NOSCORE`` lines: not evaluated (out of the UEM before mapping) nor scored.
    non_lexical
        ``NON-LEX`` lines: not scored, widened by up to 0.5 s.
    lexemes
        ``LEXEME`` lines (words), which stop the widening of ``NON-LEX`` zones.
    extent
        From the earliest start to the latest end of the lines other than ``SPEAKER`` that
        md-eval counts in a recording's default extent, or None when there are none.
    """

    no_score: tuple[Span, ...] = ()
    non_lexical: tuple[Span, ...] = ()
    lexemes: tuple[Span, ...] = ()
    extent: Span | None = None

    def __bool__(self) -> bool:
        """Whether there is anything that changes scoring."""
        return bool(self.no_score or self.non_lexical or self.extent is not None)


NO_EXCLUSIONS = Exclusions()
