"""The scoring on the timeline: what is not scored is shaded exactly where the engine gives no
weight (UEM, collars, skipped overlap), the reference's overlap has a lane, and both follow the
live settings and the reference's edits.

Real widgets offscreen; the expected spans are worked out by hand and, independently, read
from the engine's own elementary intervals.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from qt_helpers import shown_timeline

from reviewer.app.editor import Editor
from reviewer.metrics.engine import elementary_intervals
from reviewer.metrics.incremental import IncrementalScorer
from reviewer.metrics.unscored import COLLAR, OUTSIDE, OVERLAP
from reviewer.model import commands
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Document
from reviewer.model.scoring import ScoringSettings, ScoringSetup
from reviewer.model.time import TICKS_PER_SECOND as S
from reviewer.model.time import from_seconds

UEM = (Span(1 * S, 9 * S),)
REF = Track(
    [
        Turn.from_seconds(2.0, 5.0, "A"),
        Turn.from_seconds(4.0, 7.0, "B"),
        Turn.from_seconds(8.5, 9.5, "C"),
    ]
)
SYS = Track([Turn.from_seconds(1.5, 6.0, "x"), Turn.from_seconds(6.0, 9.2, "y")])
SETTINGS = ScoringSettings(0.25, True)


def spans(*pairs):
    return [Span(from_seconds(a), from_seconds(b)) for a, b in pairs]


@pytest.fixture
def editor():
    document = Document(
        "scoring", {REFERENCE: REF, SYSTEM: SYS, CORRECTED: SYS}, audio=None, uem=UEM
    )
    return Editor(document, setup=ScoringSetup(REFERENCE, CORRECTED, SETTINGS))


@pytest.fixture
def timeline(qtbot, editor):
    return shown_timeline(qtbot, editor)


def engine_unscored(editor: Editor, end: int) -> list[Span]:
    """What the scorer itself does not score over [0, end): its intervals of zero weight."""
    document, setup = editor.document, editor.live.setup
    scorer = IncrementalScorer(
        document[setup.reference],
        document[setup.hypothesis],
        uem=document.uem,
        settings=setup.settings,
    )
    parts = elementary_intervals(*scorer.columns(), scorer.regions)
    bounds, weights = parts.bounds, parts.weights
    pieces = [(0, int(bounds[0]))] + [
        (int(a), int(b)) for a, b, w in zip(bounds[:-1], bounds[1:], weights, strict=True) if w == 0
    ]
    pieces.append((int(bounds[-1]), end))
    merged: list[Span] = []
    for a, b in pieces:
        if b <= a:
            continue
        if merged and merged[-1].end == a:
            merged[-1] = Span(merged[-1].start, b)
        else:
            merged.append(Span(a, b))
    return merged


def merged(shading) -> list[Span]:
    out: list[Span] = []
    for span in shading:
        if out and out[-1].end == span.start:
            out[-1] = Span(out[-1].start, span.end)
        else:
            out.append(span)
    return out


def test_shading_is_the_engines_unscored_region(timeline, editor):
    scoring = timeline.scoring_map
    assert scoring.spans(OUTSIDE) == spans((0, 1), (9, 9.5))
    assert scoring.spans(COLLAR) == spans(
        (1.75, 2.25), (3.75, 4), (5, 5.25), (6.75, 7.25), (8.25, 8.75)
    )
    assert scoring.spans(OVERLAP) == spans((4, 5))
    assert merged(scoring.spans()) == engine_unscored(editor, 9_500 * S // 1000)
    # every shade of every plot draws that same map
    assert timeline._shades and all(shade.map is scoring for shade in timeline._shades)
    # the metrics panel's scored time is the reference speech left unshaded
    scored = 0
    for turn in REF:
        inside = [(max(turn.start, a), min(turn.end, b)) for a, b in _complement(scoring)]
        scored += sum(max(0, b - a) for a, b in inside)
    assert scored / S == pytest.approx(editor.live.score.scored, abs=1e-9)


def _complement(scoring) -> list[tuple[int, int]]:
    """The stretches between the unscored ones (and after the last, up to any time)."""
    inner = np.column_stack([scoring.starts, scoring.ends]).ravel()
    edges = np.concatenate(([0], inner, [10**15]))
    return [(int(a), int(b)) for a, b in zip(edges[0::2], edges[1::2], strict=True)]


def test_the_overlap_lane_and_its_tooltips(timeline):
    scoring, lane = timeline.scoring_map, timeline.scoring_item
    assert list(zip(scoring.overlap_starts, scoring.overlap_ends, strict=True)) == [(4 * S, 5 * S)]
    assert lane.tooltip_at(4.5, 0).startswith("2 reference speakers")
    assert lane.tooltip_at(4.5, 1).startswith("not scored: overlap skipped")
    assert lane.tooltip_at(2.0, 1).startswith("not scored: collar")
    assert lane.tooltip_at(0.5, 1).startswith("not scored: outside the UEM")
    assert lane.tooltip_at(3.0, 1) == "" and lane.tooltip_at(3.0, 0) == ""


def test_shading_follows_the_settings_and_the_reference(timeline, editor, qtbot):
    editor.configure(replace(editor.live.setup, settings=ScoringSettings(0.0, False)))
    qtbot.waitUntil(lambda: not len(timeline.scoring_map.spans(COLLAR)))
    assert timeline.scoring_map.spans() == spans((0, 1), (9, 9.5))
    assert merged(timeline.scoring_map.spans()) == engine_unscored(editor, 9_500 * S // 1000)
    editor.configure(replace(editor.live.setup, settings=SETTINGS))
    qtbot.waitUntil(lambda: len(timeline.scoring_map.spans(OVERLAP)) == 1)
    # a reference edit (through the history, as an unlocked reference is edited)
    editor.history.push(commands.delete(REFERENCE, (REF.turns[1],)))
    qtbot.waitUntil(lambda: not len(timeline.scoring_map.spans(OVERLAP)))
    assert len(timeline.scoring_map.overlap_starts) == 0
    assert merged(timeline.scoring_map.spans()) == engine_unscored(editor, 9_500 * S // 1000)


def test_the_shade_is_drawn_on_the_lanes(timeline, qtbot):
    """Outside the UEM a lane is darker than where it is scored; a collar is hatched."""
    timeline.set_view(0.0, 9.5)
    strip = timeline.lane_area.strip
    plot, item = timeline._lanes[REFERENCE]
    row = item.rows["C"] + 0.5  # no C turn before 8.5 s: bare background
    qtbot.waitUntil(lambda: strip.isVisible())
    image = strip.grab().toImage()

    def brightness(x: float) -> tuple[float, float]:
        """Mean and spread of the lightness in a 7x7 box at ``x`` seconds on the row."""
        point = strip.mapFromScene(plot.vb.mapViewToScene(_point(x, row)))
        values = [
            image.pixelColor(point.x() + dx, point.y() + dy).lightness()
            for dx in range(-3, 4)
            for dy in range(-3, 4)
        ]
        return float(np.mean(values)), float(np.ptp(values))

    scored, outside, collar = brightness(3.0), brightness(0.5), brightness(2.0)
    assert outside[0] < scored[0] - 5  # a dark veil outside the UEM
    assert collar[1] > scored[1] + 20  # a collar is hatched: light lines on the veil


def _point(x: float, y: float):
    import pyqtgraph as pg

    return pg.Point(x, y)


def test_the_overlap_lane_is_drawn_past_the_last_unscored_stretch(qtbot):
    """Without a UEM nothing is unscored after the first turn; the overlap still shows."""
    document = Document("no-uem", {REFERENCE: REF, CORRECTED: SYS}, audio=None)
    timeline = shown_timeline(qtbot, Editor(document))
    assert timeline.scoring_map.spans() == spans((0, 2))
    timeline.set_view(3.0, 9.5)
    strip, plot = timeline.bottom, timeline.scoring_plot
    image = strip.grab().toImage()

    def lightness(x: float) -> int:
        point = strip.mapFromScene(plot.vb.mapViewToScene(_point(x, 0.5)))
        return image.pixelColor(point.x(), point.y()).lightness()

    assert lightness(4.5) > lightness(3.5) + 100  # the overlap bar, on a dark lane


def test_overlaps_narrower_than_a_pixel_still_show_at_a_coarse_zoom(qtbot):
    """An hour's view: 20 ms overlaps are far under a pixel each (found by a tester)."""
    turns = []
    for k in range(12):  # A then B, overlapping by 20 ms, every 5 minutes
        at = 300.0 * k + 10
        turns += [Turn.from_seconds(at, at + 2, "A"), Turn.from_seconds(at + 1.98, at + 4, "B")]
    document = Document("hour", {REFERENCE: Track(turns), CORRECTED: Track(turns)}, audio=None)
    timeline = shown_timeline(qtbot, Editor(document))
    timeline.set_view(0.0, 3600.0)
    timeline.flush()
    strip, plot = timeline.bottom, timeline.scoring_plot
    image = strip.grab().toImage()
    lit = 0
    for k in range(12):
        point = strip.mapFromScene(plot.vb.mapViewToScene(_point(300.0 * k + 11.99, 0.5)))
        lit += (
            max(image.pixelColor(point.x() + dx, point.y()).lightness() for dx in (-1, 0, 1)) > 100
        )
    assert lit == 12
