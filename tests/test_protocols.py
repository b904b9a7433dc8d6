"""Corpora from pyannote.database protocols, built offline from custom database.yml files."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import soundfile as sf
from test_corpus import corpus_material

from reviewer.corpus import CorpusEntry, corpus_totals, score_entries
from reviewer.corpus.protocols import entries_from_protocol
from reviewer.io import FormatError, read_rttm, read_uem
from reviewer.model.annotation import Span, Track
from reviewer.model.time import TICKS_PER_SECOND as S

# pyannote.database warns when it crops a reference to the annotated regions
pytestmark = pytest.mark.filterwarnings("ignore:Existing precomputed key:UserWarning")

PROTOCOL = "MyDB.SpeakerDiarization.Small"

RTTM = """\
SPEAKER a 1 0.500 1.250 <NA> <NA> alice <NA> <NA>
SPEAKER a 1 1.000 2.000 <NA> <NA> bob <NA> <NA>
SPEAKER a 1 3.000 9.000 <NA> <NA> bob <NA> <NA>
SPEAKER b 1 0.100 2.345 <NA> <NA> carol <NA> <NA>
SPEAKER c 1 1.000 1.000 <NA> <NA> dave <NA> <NA>
SPEAKER d 1 0.000 4.000 <NA> <NA> erin <NA> <NA>
"""

UEM = "a 1 0.000 5.000\nb 1 0.000 3.000\nc 1 0.000 2.500\n"


def write_database(root, protocol_entries: str, databases: str = "") -> None:
    (root / "database.yml").write_text(
        f"{databases}Protocols:\n  MyDB:\n    SpeakerDiarization:\n      Small:\n"
        f"        scope: file\n{protocol_entries}"
    )


def subset(name: str, lst: str, annotation: str = "all.rttm", annotated: str = "all.uem") -> str:
    text = f"        {name}:\n          uri: {lst}\n"
    if annotation:
        text += f"          annotation: {annotation}\n"
    if annotated:
        text += f"          annotated: {annotated}\n"
    return text


@pytest.fixture
def mydb(tmp_path):
    """A custom protocol with train (d), development (a, b, c) and test (a) subsets, and
    audio for a and b only."""
    root = tmp_path / "mydb"
    root.mkdir()
    (root / "all.rttm").write_text(RTTM)
    (root / "all.uem").write_text(UEM)
    (root / "train.lst").write_text("d\n")
    (root / "dev.lst").write_text("a\nb\nc\n")
    (root / "test.lst").write_text("a\n")
    (root / "audio").mkdir()
    for uri in "ab":
        sf.write(root / "audio" / f"{uri}.wav", np.zeros(16000 * 6, np.int16), 16000)
    write_database(
        root,
        subset("train", "train.lst")
        + subset("development", "dev.lst")
        + subset("test", "test.lst", annotation=""),
        databases="Databases:\n  MyDB: audio/{uri}.wav\n",
    )
    return root


def pyannote_files(database, subset_name):
    from pyannote.database.registry import Registry

    registry = Registry()
    registry.load_database(database)
    protocol = registry.get_protocol(PROTOCOL)
    return {f["uri"]: f for f in getattr(protocol, subset_name)()}


def test_a_custom_protocol_becomes_a_corpus(mydb, tmp_path):
    out = tmp_path / "corpus"
    system = tmp_path / "sys.rttm"
    system.write_text("SPEAKER a 1 0.0 1.0 <NA> <NA> x <NA> <NA>\n")
    entries = entries_from_protocol(
        PROTOCOL, "dev", out, database=mydb / "database.yml", system=system
    )
    assert [e.uri for e in entries] == ["a", "b", "c"]
    assert entries[0] == CorpusEntry(
        "a", mydb / "audio" / "a.wav", out / "ref" / "a.rttm", system, out / "uem" / "a.uem"
    )
    assert entries[1].audio == mydb / "audio" / "b.wav" and entries[1].system is None
    assert entries[2].audio is None  # no c.wav: no audio, no failure
    files = pyannote_files(mydb / "database.yml", "development")
    for entry in entries:
        written = read_rttm(entry.reference)
        assert list(written) == [entry.uri]
        assert written[entry.uri] == Track.from_annotation(files[entry.uri]["annotation"])
    assert read_uem(out / "uem" / "a.uem") == {"a": (Span(0, 5 * S),)}
    assert read_uem(out / "uem" / "c.uem") == {"c": (Span(0, 5 * S // 2),)}
    # pyannote.database crops the reference to the annotated regions ("annotated")
    a = read_rttm(out / "ref" / "a.rttm")["a"]
    assert a.extent == Span(S // 2, 5 * S)


def test_subsets_without_annotation_or_annotated(mydb, tmp_path):
    train = entries_from_protocol(PROTOCOL, "train", tmp_path / "t", database=mydb / "database.yml")
    assert train[0].uem is None  # d is not in the UEM: the empty timeline means no UEM
    assert read_rttm(train[0].reference)["d"].extent == Span(0, 4 * S)
    test = entries_from_protocol(PROTOCOL, "test", tmp_path / "u", database=mydb / "database.yml")
    assert test[0].reference is None and test[0].uem == tmp_path / "u" / "uem" / "a.uem"


def test_default_configurations_are_loaded(mydb, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)
    monkeypatch.setenv("PYANNOTE_DATABASE_CONFIG", str(mydb / "database.yml"))
    entries = entries_from_protocol(PROTOCOL, "Development", tmp_path / "out")
    assert [e.uri for e in entries] == ["a", "b", "c"]


def test_a_protocol_over_voxconverse_scores_like_its_rttm_files(tmp_path):
    vox = tmp_path / "material"
    corpus_material(vox)  # the VoxConverse dev cases from ../shared, or their stand-in
    uris = sorted(p.stem for p in (vox / "ref").glob("*.rttm"))[:20]
    root = tmp_path / "vox"
    root.mkdir()
    (root / "dev.lst").write_text("".join(f"{uri}\n" for uri in uris))
    uem = "".join((vox / "uem" / f"{uri}.uem").read_text() for uri in uris)
    (root / "dev.uem").write_text(uem)  # one UEM for all, one RTTM per uri via {uri}
    write_database(root, subset("development", "dev.lst", f"{vox}/ref/{{uri}}.rttm", "dev.uem"))
    hyp = vox / "sys"
    entries = entries_from_protocol(
        "MyDB.SpeakerDiarization.Small",
        "dev",
        tmp_path / "out",
        database=root / "database.yml",
        system=hyp,
    )
    assert [e.uri for e in entries] == uris
    originals = [
        CorpusEntry(
            u,
            None,
            vox / "ref" / f"{u}.rttm",
            hyp / f"{u}.rttm" if (hyp / f"{u}.rttm").exists() else None,
            vox / "uem" / f"{u}.uem",
        )
        for u in uris
    ]
    assert [e.system for e in entries] == [e.system for e in originals]
    rows = score_entries(entries)
    expected = score_entries(originals)
    assert all(r.problem is None for r in rows + expected)
    assert [r.der for r in rows] == pytest.approx([r.der for r in expected], abs=1e-9)
    assert corpus_totals(rows).score.der == pytest.approx(
        corpus_totals(expected).score.der, abs=1e-9
    )


def test_an_unknown_protocol_lists_the_available_ones(mydb, tmp_path):
    with pytest.raises(FormatError) as error:
        entries_from_protocol(
            "MyDB.SpeakerDiarization.Smal", "dev", tmp_path, database=mydb / "database.yml"
        )
    message = str(error.value)
    assert "unknown protocol 'MyDB.SpeakerDiarization.Smal'" in message
    assert f"did you mean {PROTOCOL}" in message and f"available protocols: {PROTOCOL}" in message
    assert str(mydb / "database.yml") in message
    with pytest.raises(ValueError, match=r"expected Database\.Task\.Protocol"):
        entries_from_protocol("Small", "dev", tmp_path, database=mydb / "database.yml")


def test_no_configuration_at_all(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYANNOTE_DATABASE_CONFIG", raising=False)
    with pytest.raises(ValueError, match="unknown protocol .* no database.yml found"):
        entries_from_protocol(PROTOCOL, "dev", tmp_path / "out")
    empty = tmp_path / "empty.yml"
    empty.write_text("Databases:\n  MyDB: audio/{uri}.wav\n")
    with pytest.raises(FormatError, match="unknown protocol .* no protocol in"):
        entries_from_protocol(PROTOCOL, "dev", tmp_path / "out", database=empty)


def test_an_unknown_or_missing_subset_is_named(mydb, tmp_path):
    with pytest.raises(ValueError, match="unknown subset 'validation'"):
        entries_from_protocol(PROTOCOL, "validation", tmp_path, database=mydb / "database.yml")
    write_database(mydb, subset("test", "test.lst") + subset("development", "empty.lst"))
    (mydb / "empty.lst").write_text("")
    with pytest.raises(FormatError, match=r"has no train subset \(it has: development, test\)"):
        entries_from_protocol(PROTOCOL, "train", tmp_path, database=mydb / "database.yml")
    with pytest.raises(FormatError, match="development subset of .* holds no file"):
        entries_from_protocol(PROTOCOL, "dev", tmp_path, database=mydb / "database.yml")


def test_a_broken_database_yml_is_named(tmp_path):
    broken = tmp_path / "database.yml"
    broken.write_text("Protocols:\n  MyDB: [oops\n")
    with pytest.raises(FormatError) as error:
        entries_from_protocol(PROTOCOL, "dev", tmp_path / "out", database=broken)
    assert error.value.path == broken and error.value.line is not None
    assert "not a valid pyannote.database configuration" in str(error.value)
    broken.write_text("")
    with pytest.raises(FormatError, match="not a valid pyannote.database configuration"):
        entries_from_protocol(PROTOCOL, "dev", tmp_path / "out", database=broken)
    with pytest.raises(FormatError, match="cannot read"):
        entries_from_protocol(PROTOCOL, "dev", tmp_path / "out", database=tmp_path / "none.yml")
    assert not (tmp_path / "out").exists()


def test_nothing_is_written_unless_every_file_is_read(mydb, tmp_path):
    (mydb / "dev.lst").write_text("a\nb\nc\nmissing\n")
    write_database(mydb, subset("development", "dev.lst", "refs/{uri}.rttm", ""))
    (mydb / "refs").mkdir()
    for uri in "abc":
        (mydb / "refs" / f"{uri}.rttm").write_text(
            "".join(line + "\n" for line in RTTM.splitlines() if line.split()[1] == uri)
        )
    out = tmp_path / "out"
    with pytest.raises(FormatError, match="cannot read the development subset.*missing.rttm"):
        entries_from_protocol(PROTOCOL, "dev", out, database=mydb / "database.yml")
    assert not out.exists()
    (mydb / "dev.lst").write_text("a\nb\nc\n")
    assert len(entries_from_protocol(PROTOCOL, "dev", out, database=mydb / "database.yml")) == 3


def test_without_pyannote_database(monkeypatch, tmp_path):
    for module in (
        "pyannote.database",
        "pyannote.database.registry",
        "pyannote.database.file_finder",
    ):
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ValueError, match=r"needs pyannote\.database"):
        entries_from_protocol(PROTOCOL, "dev", tmp_path, database=tmp_path / "database.yml")


def test_a_uri_with_a_slash_stays_inside_the_folder(mydb, tmp_path):
    (mydb / "dev.lst").write_text("set1/a\n")
    (mydb / "all.rttm").write_text("SPEAKER set1/a 1 0.0 1.0 <NA> <NA> s <NA> <NA>\n")
    entries = entries_from_protocol(
        PROTOCOL, "dev", tmp_path / "out", database=mydb / "database.yml"
    )
    assert entries[0].uri == "set1/a"
    assert entries[0].reference == tmp_path / "out" / "ref" / "set1%2Fa.rttm"
    assert list(read_rttm(entries[0].reference)) == ["set1/a"]


def test_the_corpus_command_opens_a_protocol(mydb, tmp_path):
    from test_cli import run

    from reviewer.corpus import Project

    folder = tmp_path / "review"
    args = ["corpus", str(folder), "--protocol", PROTOCOL, "--subset", "dev"]
    result = run(*args, "--database", str(mydb / "database.yml"), "--table", "--collar", "0.25")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()  # a header and its rule, then the recordings
    assert [line.split()[0] for line in lines[2:5]] == ["a", "b", "c"]
    project = Project.load(folder / "review.reviewer-project.json")
    assert [e.uri for e in project.entries] == ["a", "b", "c"]
    assert project.settings.collar == 0.25
    assert project.entries[0].audio.name == "a.wav"
    assert project.entries[0].reference.parent == (folder / "ref").resolve()
    other = ["corpus", str(tmp_path / "other"), "--database", str(mydb / "database.yml")]
    result = run(*other, "--protocol", "MyDB.SpeakerDiarization.Nope", "--table")
    assert result.returncode == 2 and "unknown protocol" in result.stderr
