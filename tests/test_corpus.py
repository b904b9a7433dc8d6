"""Corpora: discovering recordings, scoring them all, and the project file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from corpus_material import DevCases, dev_cases

from reviewer.corpus import (
    Project,
    compare_systems,
    corpus_totals,
    discover,
    export_corrections,
    read_list,
    score_entries,
)
from reviewer.io import FormatError, read_rttm
from reviewer.model.annotation import Track, Turn
from reviewer.model.scoring import ScoringSettings
from reviewer.model.time import TICKS_PER_SECOND as S


def corpus_material(root: Path) -> DevCases:
    """Copy the VoxConverse dev cases (or their synthetic stand-in, see
    :mod:`corpus_material`) to ``root``: ``ref/``, ``sys/`` and ``uem/``; returns them."""
    cases = dev_cases()
    shutil.copytree(cases.ref, root / "ref")
    shutil.copytree(cases.hyp, root / "sys")
    shutil.copytree(cases.uem, root / "uem")
    return cases


RECORDINGS = len(dev_cases().uris)
"""How many recordings the corpus of :func:`corpus_material` has (216 from ../shared)."""


def md_eval_rows(collar: float) -> list[dict]:
    """md-eval-22's numbers of the dev cases with their UEMs, overlap scored."""
    return list(dev_cases().rows_for(collar, True, False).values())


@pytest.fixture(scope="module")
def voxconverse(tmp_path_factory):
    """The corpus of :func:`corpus_material`, with silent FLAC audio of matching length for
    its first 12 recordings (tiny on disk)."""
    root = tmp_path_factory.mktemp("vox")
    corpus_material(root)
    (root / "audio").mkdir()
    for uri in sorted(read_rttm(root / "ref"))[:12]:
        track = read_rttm(root / "ref" / f"{uri}.rttm")[uri]
        seconds = track.extent.end / S + 1
        sf.write(root / "audio" / f"{uri}.flac", np.zeros(int(seconds * 8000), np.int16), 8000)
    return root


def test_discover_and_score_the_voxconverse_dev_cases(voxconverse):
    entries = discover(voxconverse)
    assert len(entries) == RECORDINGS
    assert entries[0].reference.name == f"{entries[0].uri}.rttm"
    assert sum(e.audio is not None for e in entries) == min(12, RECORDINGS)
    progress = []
    rows = score_entries(
        entries, settings=ScoringSettings(collar=0.25), on_row=lambda i, n, row: progress.append(i)
    )
    assert progress[-1] == RECORDINGS and len(rows) == RECORDINGS
    assert all(r.problem is None for r in rows)
    with_audio = next(r for r in rows if r.uri == entries[0].uri)
    assert with_audio.duration > 0
    by_uri = {r["uri"]: r for r in md_eval_rows(0.25)}
    for row in rows:
        assert row.score.missed == pytest.approx(by_uri[row.uri]["missed"], abs=1e-3)
    totals = corpus_totals(rows)
    error = sum(r["missed"] + r["falarm"] + r["confusion"] for r in by_uri.values())
    assert totals.score.der == pytest.approx(error / sum(r["scored"] for r in by_uri.values()))
    assert totals.recordings == RECORDINGS and totals.problems == 0


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
    assert row.score.missed == 5.0 and row.der == 1.0
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
    from reviewer.corpus import CorpusEntry

    rows = score_entries([CorpusEntry("b", reference=broken), CorpusEntry("g", reference=good)])
    assert "b.rttm:1" in rows[0].problem
    assert rows[1].problem is None
    assert Track([Turn(0, S, "A")]).extent.end == S


def test_rows_split_der_into_structure_and_speakers(voxconverse):
    rows = score_entries(discover(voxconverse)[:20])
    for row in rows:
        assert set(row.classes) == {"overlap", "near_change", "short_turn", "steady", "non_speech"}
        error = sum(c.error for c in row.classes.values())
        score = row.score
        assert error == pytest.approx(score.missed + score.false_alarm + score.confusion, abs=1e-6)
        if row.der is not None:
            # both splits come from the classes, the DER from md-eval's totals
            assert row.structure_points + row.speaker_points == pytest.approx(100 * row.der)
            steady = row.classes["steady"].error + row.classes["non_speech"].error
            assert row.speaker_points == pytest.approx(100 * steady / score.scored)
            overlap = row.classes["overlap"].error
            assert row.structure_points >= 100 * overlap / score.scored - 1e-9
    assert any(r.structure_points and r.speaker_points for r in rows)  # neither split is empty


def test_compare_two_systems(voxconverse, tmp_path):
    entries = discover(voxconverse)[:30]
    cut = min(10, len(entries) // 2)
    # system B: the references themselves for the first recordings, A's output otherwise
    other = tmp_path / "other"
    other.mkdir()
    for i, entry in enumerate(entries):
        source = entry.reference if i < cut else entry.system
        if source is not None:  # (a recording without a system output has none in B either)
            shutil.copy(source, other / f"{entry.uri}.rttm")
    rows_a = score_entries(entries)
    rows_b = score_entries(entries, system=other)
    comparison = compare_systems(rows_a, rows_b)
    better, worse = comparison.changed()
    assert set(better) == {e.uri for e in entries[:cut] if rows_a[entries.index(e)].der > 0.005}
    assert worse == [] and better
    assert all(r.delta == 0 for r in comparison.recordings[cut:])
    assert comparison.total_b.error < comparison.total_a.error
    assert sum(c.points("a") for c in comparison.classes) == pytest.approx(
        100 * comparison.total_a.der
    )
    assert all(c.delta <= 1e-9 for c in comparison.classes)
    data = comparison.as_dict()
    assert data["recordings"][0]["delta"] == pytest.approx(-100 * rows_a[0].der)
    with pytest.raises(FormatError, match="no such system"):
        score_entries(entries, system=tmp_path / "missing")


def test_export_writes_corrections_canonically_and_system_outputs_as_they_are(tmp_path):
    (tmp_path / "ref").mkdir()
    (tmp_path / "sys").mkdir()
    line = "SPEAKER {} 1 {} 1.000 <NA> <NA> A <NA> <NA>\n"
    for uri in ("r1", "r2"):
        text = line.format(uri, "0.000") + line.format(uri, "1.000")  # touching pieces of A
        (tmp_path / "ref" / f"{uri}.rttm").write_text(text)
        (tmp_path / "sys" / f"{uri}.rttm").write_text(text)
    project = Project(discover(tmp_path))
    project.entry("r1").corrected = Track([Turn(0, 1 * S, "A"), Turn(1 * S, 2 * S, "A")], uri="r1")
    export_corrections(project, tmp_path / "all.rttm", one_file=True)
    exported = read_rttm(tmp_path / "all.rttm")
    assert exported["r1"].turns == (Turn(0, 2 * S, "A"),)  # one line per stretch
    assert len(exported["r2"].turns) == 2  # the system output, line for line


def test_export_corrections_to_a_folder_or_one_rttm(voxconverse, tmp_path):
    entries = discover(voxconverse)[:5]
    project = Project(entries)
    first, second = entries[0].uri, entries[1].uri
    project.entry(first).corrected = read_rttm(entries[0].reference)[first]
    project.entry(first).status = "done"
    summary = export_corrections(project, tmp_path / "out")
    assert summary.corrected == 1 and summary.from_system == 4
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{e.uri}.rttm" for e in entries
    )
    exported = read_rttm(tmp_path / "out")
    assert exported[first].turns == project.entry(first).corrected.turns
    assert exported[second].turns == read_rttm(entries[1].system)[second].turns
    summary = export_corrections(project, tmp_path / "done.rttm", one_file=True, statuses=("done",))
    assert list(read_rttm(tmp_path / "done.rttm")) == [first]
    assert len(summary.skipped) == 4
    summary = export_corrections(project, tmp_path / "only.rttm", one_file=True, fallback=False)
    assert summary.corrected == 1 and summary.from_system == 0


def test_project_keeps_settings_comparison_and_where_the_reviewer_was(voxconverse, tmp_path):
    project = Project(discover(voxconverse)[:3])
    project.settings = ScoringSettings(collar=0.25, skip_overlap=True)
    project.other_system = voxconverse / "ref"
    project.current = project.entries[2].uri
    path = tmp_path / "p.reviewer-project.json"
    project.save(path)
    loaded = Project.load(path)
    assert loaded.settings == project.settings
    assert loaded.other_system.resolve() == (voxconverse / "ref").resolve()
    assert loaded.current == project.entries[2].uri
    assert loaded.find(project.current).uri == project.current


def test_comparison_totals_leave_out_what_one_system_cannot_score(voxconverse, tmp_path):
    entries = discover(voxconverse)[:10]
    other = tmp_path / "other"
    shutil.copytree(voxconverse / "sys", other)
    (other / f"{entries[3].uri}.rttm").write_text("SPEAKER x 1 nope\n")
    rows_a = score_entries(entries)
    comparison = compare_systems(rows_a, score_entries(entries, system=other))
    assert comparison.unscored == (entries[3].uri,)
    kept = [r for r in rows_a if r.uri != entries[3].uri]
    assert comparison.total_a.scored == pytest.approx(sum(r.score.scored for r in kept))
    assert comparison.total_a.der == comparison.total_b.der
    assert sum(c.points("b") for c in comparison.classes) == pytest.approx(
        100 * comparison.total_b.der
    )


def test_a_project_moves_with_its_corpus_and_is_held_by_one_process(voxconverse, tmp_path):
    from reviewer.corpus import ProjectBusy, lock_project

    corpus = tmp_path / "a" / "data"
    shutil.copytree(voxconverse / "ref", corpus / "ref")
    path = tmp_path / "a" / "projects" / "p.reviewer-project.json"
    path.parent.mkdir()
    Project(discover(corpus)).save(path)
    assert '"reference": "../data/ref/' in path.read_text()
    (tmp_path / "a").rename(tmp_path / "b")
    path = tmp_path / "b" / "projects" / "p.reviewer-project.json"
    assert Project.load(path).entries[0].reference.exists()
    lock = lock_project(path)
    assert path.with_name(path.name + ".lock").exists()  # beside the project
    try:
        import subprocess
        import sys

        code = f"from reviewer.corpus import lock_project; lock_project({str(path)!r})"
        child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert "open in another reviewer window" in child.stderr
        assert ProjectBusy.__name__ in child.stderr
    finally:
        lock.release()
    lock_project(path).release()  # free again once released


def test_malformed_project_fields_are_named(tmp_path):
    path = tmp_path / "p.reviewer-project.json"
    good = {"format": "reviewer-project", "version": 1, "recordings": []}
    for field, value, message in (
        ("settings", [1], "settings"),
        ("other_system", 5, "other_system"),
        ("recordings", [{"uri": "a", "note": 3}], "note"),
    ):
        path.write_text(json.dumps({**good, field: value}))
        with pytest.raises(FormatError, match=message):
            Project.load(path)
    path.write_text(json.dumps({**good, "recordings": [{"uri": "a", "note": None}]}))
    assert Project.load(path).entry("a").note == ""


def full_project(tmp_path) -> tuple[Project, object]:
    """A project with every field the app writes, saved; and its path."""
    from reviewer.corpus import CorpusEntry, ProjectEntry

    corpus = tmp_path / "corpus"
    (corpus / "ref").mkdir(parents=True)
    entries = [
        CorpusEntry("a", corpus / "a.wav", corpus / "ref" / "a.rttm", corpus / "a.sys.rttm"),
        CorpusEntry("b.dotted", None, corpus / "ref" / "all.rttm", None, corpus / "b.uem"),
        CorpusEntry("c", None, corpus / "ref" / "all.rttm"),
    ]
    corrected = Track([Turn(0, S, "A"), Turn(S, 2 * S, "B")], uri="a", channel="1")
    review = {
        "a": ProjectEntry("done", 'two speakers\n"quoted" é', corrected),
        "b.dotted": ProjectEntry("skipped"),
    }
    project = Project(entries, review, ScoringSettings(0.25, True), corpus / "other", "b.dotted")
    path = tmp_path / "projects" / "p.reviewer-project.json"
    path.parent.mkdir()
    project.save(path)
    return project, path


def test_everything_a_project_file_holds_loads_unchanged(tmp_path):
    project, path = full_project(tmp_path)
    loaded = Project.load(path)
    assert [e.uri for e in loaded.entries] == ["a", "b.dotted", "c"]
    assert loaded.entries[0].system.resolve() == project.entries[0].system.resolve()
    assert loaded.entries[1].uem.resolve() == project.entries[1].uem.resolve()
    assert loaded.entries[2].audio is None
    assert loaded.entry("a").corrected.turns == project.entry("a").corrected.turns
    assert loaded.entry("a").note == project.entry("a").note
    assert loaded.entry("b.dotted").status == "skipped"
    assert loaded.settings == ScoringSettings(0.25, True)
    assert loaded.current == "b.dotted"
    again = path.with_name("again.reviewer-project.json")
    loaded.save(again)
    assert again.read_bytes() == path.read_bytes()
    # What the first project files held (no settings, comparison or current) still loads.
    data = json.loads(path.read_text(encoding="utf-8"))
    for name in ("settings", "other_system", "current"):
        del data[name]
    path.write_text(json.dumps(data))
    assert Project.load(path).settings == ScoringSettings()


def test_skip_overlap_as_a_string_is_refused_naming_file_and_field(tmp_path):
    _, path = full_project(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["settings"]["skip_overlap"] = "false"  # read as True before
    path.write_text(json.dumps(data, indent=1))
    before = path.read_bytes()
    with pytest.raises(FormatError) as caught:
        Project.load(path)
    assert str(caught.value) == (
        f'{path}: settings.skip_overlap: expected true or false, got the string "false"'
    )
    assert path.read_bytes() == before


MISSING = object()
RECORDING = ("recordings", 0)
CORRECTED_TRACK = (*RECORDING, "corrected")

# (where in the file, bad value or MISSING, the error's field path and problem)
BAD_PROJECT_FIELDS = [
    (("format",), "reviewer-session", "^format: not a reviewer project file"),
    (("version",), MISSING, "^version: missing"),
    (("version",), "1", '^version: expected a whole number, got the string "1"'),
    (("version",), 0, "^version: expected a whole number of at least 1, got the number 0"),
    (("colour",), 1, r"^colour: unknown field \(the fields here are current, format"),
    (("settings",), None, "^settings: expected an object, got null"),
    (("settings", "collar"), "0.25", "^settings.collar: expected a number of at least 0, got th"),
    (
        ("settings", "collar"),
        -1,
        "^settings.collar: expected a number of at least 0, got the number -1",
    ),
    (("settings", "collar"), False, "^settings.collar: expected a number of at least 0, got fal"),
    (("settings", "skip_overlap"), 1, "^settings.skip_overlap: expected true or false, got the n"),
    (("settings", "skip_overlap"), None, "^settings.skip_overlap: expected true or false, got nu"),
    (("settings", "skip"), True, "^settings.skip: unknown field"),
    (("other_system",), "", "^other_system: expected a non-empty string or null, got the str"),
    (("current",), 3, "^current: expected a non-empty string or null, got the number 3"),
    (("recordings",), MISSING, "^recordings: missing"),
    (("recordings",), {}, "^recordings: expected a list, got an object"),
    (RECORDING, "a", r"^recordings\[0\]: expected an object, got the string"),
    ((*RECORDING, "uri"), MISSING, r"^recordings\[0\].uri: missing"),
    ((*RECORDING, "uri"), 5, r"^recordings\[0\].uri: expected a non-empty string, got the n"),
    ((*RECORDING, "uri"), "", r"^recordings\[0\].uri: expected a non-empty string, got an emp"),
    ((*RECORDING, "audio"), 5, r"^recordings\[0\].audio: expected a non-empty string or null"),
    ((*RECORDING, "reference"), "", r"^recordings\[0\].reference: expected a non-empty string"),
    ((*RECORDING, "system"), ["a"], r"^recordings\[0\].system: expected a non-empty string or"),
    ((*RECORDING, "uem"), True, r"^recordings\[0\].uem: expected a non-empty string or null, g"),
    ((*RECORDING, "status"), "Done", r'^recordings\[0\].status: expected one of "to review", "in'),
    ((*RECORDING, "status"), None, r"^recordings\[0\].status: expected one of .*got null"),
    ((*RECORDING, "note"), 3, r"^recordings\[0\].note: expected a string or null, got the numb"),
    ((*RECORDING, "colour"), 3, r"^recordings\[0\].colour: unknown field"),
    (CORRECTED_TRACK, [], r"^recordings\[0\].corrected: expected an object, got an empty list"),
    ((*CORRECTED_TRACK, "channel"), 1, r"^recordings\[0\].corrected.channel: expected a non-em"),
    (
        (*CORRECTED_TRACK, "turns", 0, 1),
        "1",
        r'^recordings\[0\].corrected.turns\[0\]\[1\] \(end\): expected a time in ticks .*"1"',
    ),
    (
        (*CORRECTED_TRACK, "turns", 1, 0),
        3 * S,
        r"^recordings\[0\].corrected.turns\[1\]: ends \(7056000000\) before it starts",
    ),
]


@pytest.mark.parametrize(("where", "value", "message"), BAD_PROJECT_FIELDS)
def test_every_project_field_is_type_checked(tmp_path, where, value, message):
    import re

    _, path = full_project(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    *parents, last = where
    target = data
    for part in parents:
        target = target[part]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    path.write_text(json.dumps(data, indent=1))
    before = path.read_bytes()
    with pytest.raises(FormatError) as caught:
        Project.load(path)
    assert caught.value.path == path
    assert re.search(message, caught.value.problem), caught.value.problem
    assert path.read_bytes() == before


def test_project_numbers_must_be_finite_and_keys_unique(tmp_path):
    _, path = full_project(tmp_path)
    text = path.read_text(encoding="utf-8")
    for bad in ("NaN", "Infinity", "1e999"):
        path.write_text(text.replace('"collar": 0.25', f'"collar": {bad}'))
        with pytest.raises(FormatError, match="settings.collar: expected a finite number"):
            Project.load(path)
    path.write_text(text.replace('"current": "b.dotted"', '"current": "a", "current": "c"'))
    with pytest.raises(FormatError, match='duplicate key "current"'):
        Project.load(path)


def test_a_project_of_a_newer_reviewer_is_refused_saying_so(tmp_path):
    _, path = full_project(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["version"] = 2
    data["labels"] = ["a field of version 2"]
    path.write_text(json.dumps(data))
    with pytest.raises(FormatError) as caught:
        Project.load(path)
    assert caught.value.problem == (
        "version: this project file was written by a newer reviewer (version 2); this "
        "reviewer reads project files up to version 1: update reviewer to open it"
    )


def test_a_recording_listed_twice_keeps_one_review_record(tmp_path):
    from reviewer.corpus import CorpusEntry

    path = tmp_path / "p.reviewer-project.json"
    entry = CorpusEntry("a", None, tmp_path / "a.rttm")
    project = Project([entry, entry])  # a list file naming it twice
    project.entry("a").note = "checked"
    project.save(path)
    assert Project.load(path).entry("a").note == "checked"  # as written: it loads
    data = json.loads(path.read_text(encoding="utf-8"))
    data["recordings"][1]["note"] = "another note"  # one of them would be silently dropped
    path.write_text(json.dumps(data))
    with pytest.raises(FormatError, match=r"recordings\[1\]: a second review record of 'a' "):
        Project.load(path)


def test_dotted_recording_ids_find_their_audio(tmp_path):
    (tmp_path / "ref").mkdir()
    (tmp_path / "audio").mkdir()
    uri = "ES2004a.Mix-Headset"
    (tmp_path / "ref" / f"{uri}.rttm").write_text(f"SPEAKER {uri} 1 0 5 <NA> <NA> A <NA> <NA>\n")
    sf.write(tmp_path / "audio" / f"{uri}.wav", np.zeros(8000 * 6, np.int16), 8000)
    (entry,) = discover(tmp_path)
    assert entry.uri == uri and entry.audio.name == f"{uri}.wav"
