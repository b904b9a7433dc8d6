"""The VoxConverse dev cases the corpus tests score: ``../shared``'s, or a synthetic stand-in.

With ``../shared`` beside the checkout, :func:`dev_cases` gives its real VoxConverse
references, perturbed system outputs, UEMs and md-eval-22's numbers. Without it, the same
layout is built once per test run from reviewer's synthetic meeting generator, and the
expected numbers are reviewer's own md-eval-exact scores of the files as written (the
engine is checked against md-eval-22 itself by the conformance tests and the committed rows
under ``tests/data``), so a clone without ``../shared`` still runs every corpus test.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from conftest import CONFORMANCE

SETTINGS = ((0.0, True, False), (0.0, True, True), (0.25, False, False), (0.25, True, False))
SETTINGS += ((0.25, True, True),)
"""``(collar each side, with UEM, skip overlap)``: the five settings of ``expected.jsonl``."""


@dataclass(frozen=True)
class DevCases:
    """A corpus in ../shared's VoxConverse dev layout.

    Attributes
    ----------
    ref, hyp, uem
        Folders of ``<uri>.rttm`` references, ``<uri>.rttm`` system outputs and
        ``<uri>.uem`` UEMs (some recordings have no system output).
    rows
        ``expected.jsonl``'s rows: ``uri``, ``collar``, ``uem``, ``skip_overlap``, ``scored``,
        ``missed``, ``falarm``, ``confusion`` (seconds) and ``der_percent``.
    synthetic
        True when built here rather than read from ``../shared``.
    """

    ref: Path
    hyp: Path
    uem: Path
    rows: tuple[dict, ...]
    synthetic: bool

    @property
    def uris(self) -> list[str]:
        """The recordings, sorted."""
        return sorted({row["uri"] for row in self.rows})

    def rows_for(self, collar: float, uem: bool, skip_overlap: bool) -> dict[str, dict]:
        """``{uri: row}`` of one setting."""
        return {
            row["uri"]: row
            for row in self.rows
            if (row["collar"], row["uem"], row["skip_overlap"]) == (collar, uem, skip_overlap)
        }


@functools.cache
def dev_cases() -> DevCases:
    """../shared's VoxConverse dev cases, or (without them) a synthetic corpus like them."""
    vox = CONFORMANCE / "voxconverse"
    expected = vox / "dev-cases" / "expected.jsonl"
    if expected.exists():
        rows = tuple(json.loads(x) for x in expected.read_text().splitlines() if x.strip())
        return DevCases(vox / "ref-dev", vox / "dev-cases" / "hyp", vox / "dev-cases" / "uem",
                        rows, synthetic=False)  # fmt: skip
    root = Path(tempfile.mkdtemp(prefix="reviewer-dev-cases-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return _synthetic(root)


def _synthetic(root: Path, recordings: int = 8) -> DevCases:
    """Short meetings of 2 to 5 speakers, a system output for all but the last, UEMs."""
    from reviewer.io import read_rttm, read_uem, write_rttm, write_uem
    from reviewer.metrics import score
    from reviewer.model.annotation import Span, Track
    from reviewer.model.synthetic import meeting, system_output

    folders = {name: root / name for name in ("ref", "hyp", "uem")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    for i in range(recordings):
        uri = f"syn{chr(ord('a') + i)}{chr(ord('a') + 2 * i % 26)}"
        reference = meeting(hours=0.04, turns=50 + 10 * i, speakers=2 + i % 4, seed=i, uri=uri)
        write_rttm(folders["ref"] / f"{uri}.rttm", {uri: reference})
        if i < recordings - 1:
            hypothesis = system_output(reference, seed=100 + i)
            write_rttm(folders["hyp"] / f"{uri}.rttm", {uri: Track(hypothesis.turns, uri=uri)})
        extent = reference.extent
        margin = (extent.end - extent.start) // 20
        write_uem(
            folders["uem"] / f"{uri}.uem",
            {uri: (Span(extent.start + margin, extent.end - margin),)},
        )
    # the expected numbers of the files as written (times as the files hold them)
    references, hypotheses = read_rttm(folders["ref"]), read_rttm(folders["hyp"])
    uems = read_uem(folders["uem"])
    rows = []
    for uri, reference in sorted(references.items()):
        for collar, with_uem, skip in SETTINGS:
            result = score(
                reference,
                hypotheses.get(uri, Track()),
                uem=uems[uri] if with_uem else None,
                collar=collar,
                skip_overlap=skip,
            )
            rows.append(
                {
                    "uri": uri,
                    "collar": collar,
                    "skip_overlap": skip,
                    "uem": with_uem,
                    "scored": result.scored,
                    "missed": result.missed,
                    "falarm": result.false_alarm,
                    "confusion": result.confusion,
                    "der_percent": round(100 * (result.der or 0.0), 2),
                }
            )
    return DevCases(folders["ref"], folders["hyp"], folders["uem"], tuple(rows), synthetic=True)
