"""Corpora: discovering recordings, scoring them all, and the project file."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import soundfile as sf
from conftest import CONFORMANCE, needs_shared

from reviewer.model.annotation import Track, Turn
from reviewer.model.corpus import (
    Project,
    corpus_totals,
    discover,
    read_list,
    score_entries,
)
from reviewer.model.formats import FormatError, read_rttm
from reviewer.model.time import TICKS_PER_SECOND as S


@pytest.fixture(scope="module")
def voxconverse(tmp_path_factory):
    """The shared VoxConverse dev references and system outputs, with silent FLAC audio of
    matching length (tiny on disk)."""
    vox = needs_shared(CONFORMANCE / "voxconverse")
    root = tmp_path_factory.mktemp("vox")
    shutil.copytree(vox / "ref-dev", root / "ref")
    shutil.copytree(vox / "dev-cases" / "hyp", root / "sys")
    shutil.copytree(vox / "dev-cases" / "uem", root / "uem")
    (root / "audio").mkdir()
    for uri in sorted(read_rttm(root / "ref"))[:12]:
        track = read_rttm(root / "ref" / f"{uri}.rttm")[uri]
        seconds = track.extent.end / S + 1
        sf.write(root / "audio" / f"{uri}.flac", np.zeros(int(seconds * 8000), np.int16), 8000)
    return root


def test_discover_and_score_the_voxconverse_dev_cases(voxconverse):
    entries = discover(voxconverse)
    assert len(entries) == 216
    assert entries[0].reference.name == f"{entries[0].uri}.rttm"
    assert sum(e.audio is not None for e in entries) == 12
    progress = []
    rows = score_entries(entries, collar=0.25, on_progress=lambda i, n: progress.append(i))
    assert progress[-1] == 216 and len(rows) == 216
    assert all(r.problem is None for r in rows)
    expected = [
        json.loads(line)
        for line in (CONFORMANCE / "voxconverse" / "dev-cases" / "expected.jsonl")
        .read_text()
        .splitlines()
    ]
    by_uri = {
        r["uri"]: r for r in expected if r["collar"] == 0.25 and r["uem"] and not r["skip_overlap"]
    }
    for row in rows:
        assert row.missed == pytest.approx(by_uri[row.uri]["missed"], abs=1e-3)
    totals = corpus_totals(rows)
    error = sum(r["missed"] + r["falarm"] + r["confusion"] for r in by_uri.values())
    assert totals["der"] == pytest.approx(error / sum(r["scored"] for r in by_uri.values()))
    with_audio = next(r for r in rows if r.uri == entries[0].uri)
    assert with_audio.duration > 0


def test_project_keeps_status_notes_and_corrections(voxconverse, tmp_path):
    entries = discover(voxconverse)[:3]
    project = Project(entries)
    first = entries[0].uri
    project.entry(first).status = "done"
    project.entry(first).note = "speaker 2 is two people"
    project.entry(first).corrected = read_rttm(voxconverse / "ref" / f"{first}.rttm")[first]
    path = voxconverse / "review.reviewer-project.json"
    project.save(path)
    loaded = Project.load(path)
    assert [e.uri for e in loaded.entries] == [e.uri for e in entries]
    assert loaded.entries[0].reference == entries[0].reference.resolve()
    assert loaded.entry(first).status == "done"
    assert loaded.entry(first).note == "speaker 2 is two people"
    rows = score_entries(loaded.entries, loaded)
    assert rows[0].der == 0  # the correction equals the reference
    assert rows[0].status == "done"


def test_list_file_and_bad_input(tmp_path):
    ref = tmp_path / "a.rttm"
    ref.write_text("SPEAKER a 1 0 5 <NA> <NA> A <NA> <NA>\n")
    listing = tmp_path / "corpus.txt"
    listing.write_text("# uri audio reference system\na - a.rttm -\n")
    (entry,) = read_list(listing)
    assert entry.reference == tmp_path / "a.rttm" and entry.system is None
    (row,) = score_entries([entry])
    assert row.missed == 5.0 and row.der == 1.0
    listing.write_text("a a.wav\n")
    with pytest.raises(FormatError, match="corpus.txt:1"):
        read_list(listing)
    with pytest.raises(FormatError, match="no reference folder"):
        discover(tmp_path)
    bad = tmp_path / "p.json"
    bad.write_text("{\n  nope")
    with pytest.raises(FormatError, match="p.json:2"):
        Project.load(bad)


def test_an_unreadable_recording_does_not_stop_the_corpus(tmp_path):
    good = tmp_path / "g.rttm"
    good.write_text("SPEAKER g 1 0 5 <NA> <NA> A <NA> <NA>\n")
    broken = tmp_path / "b.rttm"
    broken.write_text("SPEAKER b 1 x 5 <NA> <NA> A <NA> <NA>\n")
    from reviewer.model.corpus import CorpusEntry

    rows = score_entries([CorpusEntry("b", reference=broken), CorpusEntry("g", reference=good)])
    assert "b.rttm:1" in rows[0].problem
    assert rows[1].problem is None
    assert Track([Turn(0, S, "A")]).extent.end == S
