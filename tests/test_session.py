"""Session files: round trip, relative audio paths, and clear errors for malformed files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reviewer.io.session import (
    SESSION_SUFFIX,
    Session,
    load_session,
    save_session,
)
from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Document
from reviewer.model.errors import FormatError
from reviewer.model.scoring import ScoringSettings, ScoringSetup
from reviewer.model.time import TICKS_PER_SECOND as S


def make_session(audio: Path | None) -> Session:
    reference = Track([Turn(0, 2 * S, "A"), Turn(2 * S, 5 * S + 1, "B"), Turn(7 * S, 7 * S, "A")])
    system = Track([Turn(S // 3, 4 * S, "spk_0"), Turn(4 * S, 9 * S, "spk_é")], channel="2")
    return Session(
        uri="meeting-01",
        tracks={REFERENCE: reference, SYSTEM: system, CORRECTED: system, "empty": Track()},
        audio=audio,
        uem=(Span(0, 5 * S), Span(6 * S, 10 * S)),
        settings=ScoringSetup(REFERENCE, CORRECTED, ScoringSettings(0.25, True)),
        view={"start": 1.5, "end": 8.0, "active_track": CORRECTED},
    )


def test_round_trip_keeps_every_field(tmp_path):
    audio = tmp_path / "audio" / "meeting-01.wav"
    audio.parent.mkdir()
    audio.write_bytes(b"RIFF")
    session = make_session(audio)
    path = tmp_path / ("meeting-01" + SESSION_SUFFIX)
    save_session(path, session)
    loaded = load_session(path)
    assert loaded.uri == session.uri
    assert loaded.tracks.keys() == session.tracks.keys()
    for name, track in session.tracks.items():
        assert loaded.tracks[name].turns == track.turns
        assert loaded.tracks[name].channel == track.channel
        assert loaded.tracks[name].uri == "meeting-01"
    assert loaded.uem == session.uem
    assert loaded.settings == session.settings
    assert loaded.view == session.view
    assert loaded.audio == audio
    assert SESSION_SUFFIX == ".reviewer.json"
    # to_document/from_document agree with the session
    again = Session.from_document(loaded.to_document(), loaded.settings, loaded.view)
    assert again == loaded


def test_file_has_header_ticks_and_one_turn_per_line(tmp_path):
    path = tmp_path / "s.reviewer.json"
    save_session(path, make_session(None))
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["format"] == "reviewer-session"
    assert data["version"] == 1
    assert data["ticks_per_second"] == S
    assert data["audio"] is None
    assert data["tracks"][REFERENCE]["turns"][1] == [2 * S, 5 * S + 1, "B"]
    lines = [line.strip().rstrip(",") for line in text.splitlines()]
    assert f'[{2 * S}, {5 * S + 1}, "B"]' in lines  # one turn per line, readable and diffable
    assert "spk_é" in text  # UTF-8, not escaped
    assert [p.name for p in tmp_path.iterdir()] == ["s.reviewer.json"]  # no temp file left


def test_audio_path_is_relative_to_the_session_file(tmp_path):
    project = tmp_path / "project"
    (project / "sessions").mkdir(parents=True)
    (project / "audio").mkdir()
    audio = project / "audio" / "a.wav"
    audio.write_bytes(b"RIFF")
    path = project / "sessions" / "a.reviewer.json"
    save_session(path, make_session(audio))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["audio"] == "../audio/a.wav"
    assert data["audio_absolute"] == str(audio)

    # The whole project moves: the relative path still finds the audio.
    moved = tmp_path / "moved"
    project.rename(moved)
    assert load_session(moved / "sessions" / "a.reviewer.json").audio == moved / "audio" / "a.wav"

    # The session file alone moves: the absolute path is used when the relative one is gone.
    moved_audio = moved / "audio" / "a.wav"
    save_session(moved / "sessions" / "a.reviewer.json", make_session(moved_audio))
    alone = tmp_path / "elsewhere" / "deeper"
    alone.mkdir(parents=True)
    (moved / "sessions" / "a.reviewer.json").rename(alone / "a.reviewer.json")
    assert load_session(alone / "a.reviewer.json").audio == moved_audio


def test_relative_audio_in_session_is_taken_from_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.wav").write_bytes(b"")
    save_session(tmp_path / "s.reviewer.json", make_session(Path("x.wav")))
    assert json.loads((tmp_path / "s.reviewer.json").read_text())["audio"] == "x.wav"
    assert load_session(tmp_path / "s.reviewer.json").audio == tmp_path / "x.wav"


def test_settings_must_be_plain_json_and_a_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "s.reviewer.json"
    save_session(path, make_session(None))
    before = path.read_bytes()
    # scoring settings that no file could hold cannot even be made
    for collar in (float("nan"), float("inf"), -0.1, "0.25", True):
        with pytest.raises((TypeError, ValueError), match="collar must be"):
            ScoringSettings(collar=collar)
    # a view that is not plain JSON is refused on save, and the old file kept
    for view in ({"start": float("nan")}, {"when": object()}, {1: "int key"}):
        session = make_session(None)
        session.view = view
        with pytest.raises((TypeError, ValueError)):
            save_session(path, session)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.reviewer.json"]


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "bad.reviewer.json"
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def good(tmp_path: Path) -> dict:
    path = tmp_path / "good.reviewer.json"
    save_session(path, make_session(None))
    return json.loads(path.read_text(encoding="utf-8"))


def test_bad_json_names_the_line(tmp_path):
    path = tmp_path / "s.reviewer.json"
    save_session(path, make_session(None))
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"B"]' in line)
    lines[index] = lines[index].replace('"B"]', '"B" "C"]')  # a hand edit gone wrong
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        load_session(path)
    assert caught.value.path == path
    assert caught.value.line == index + 1
    assert "not valid JSON" in caught.value.problem
    assert str(path) in str(caught.value)


def test_bad_json_line_number_is_exact(tmp_path):
    path = write(tmp_path, '{\n  "format": "reviewer-session",\n  "version": 1,,\n}')
    with pytest.raises(FormatError, match=r":3: not valid JSON") as caught:
        load_session(path)
    assert caught.value.line == 3


def test_not_an_object_duplicate_keys_and_unreadable(tmp_path):
    with pytest.raises(FormatError, match="not a reviewer session .*got a list of 2 items"):
        load_session(write(tmp_path, "[1, 2]"))
    with pytest.raises(FormatError, match='duplicate key "uri"'):
        load_session(write(tmp_path, '{"uri": "a", "uri": "b"}'))
    with pytest.raises(FormatError, match="cannot read"):
        load_session(tmp_path / "missing.reviewer.json")
    (tmp_path / "latin1.reviewer.json").write_bytes(b'{"uri": "\xe9"}')
    with pytest.raises(FormatError, match="UTF-8"):
        load_session(tmp_path / "latin1.reviewer.json")


def test_document_round_trip(tmp_path):
    document = Document(
        "rec", {REFERENCE: Track([Turn(0, S, "A")])}, audio=None, uem=(Span(0, 2 * S),)
    )
    save_session(tmp_path / "d.reviewer.json", Session.from_document(document))
    restored = load_session(tmp_path / "d.reviewer.json").to_document()
    assert restored.tracks == document.tracks
    assert restored.uem == document.uem


def test_session_keeps_the_transcript(tmp_path):
    from reviewer.io.session import Session, load_session, save_session
    from reviewer.model.annotation import Track, Turn
    from reviewer.model.transcript import Transcript, Utterance, Word

    transcript = Transcript(
        [Utterance(0, 10, "hi there", "A", (Word(0, 4, "hi"), Word(5, 10, "there")))], "u"
    )
    session = Session("u", {"reference": Track([Turn(0, 10, "A")])}, transcript=transcript)
    save_session(tmp_path / "s.reviewer.json", session)
    loaded = load_session(tmp_path / "s.reviewer.json")
    assert loaded.transcript == transcript
    assert loaded.transcript.utterances[0].words[1].text == "there"


def test_skip_overlap_as_a_string_is_refused_naming_file_and_field(tmp_path):
    data = good(tmp_path)
    data["settings"]["skip_overlap"] = "false"  # read as True before
    path = write(tmp_path, data)
    before = path.read_bytes()
    with pytest.raises(FormatError) as caught:
        load_session(path)
    assert str(caught.value) == (
        f'{path}: settings.skip_overlap: expected true or false, got the string "false"'
    )
    assert caught.value.path == path and caught.value.line is None
    assert path.read_bytes() == before  # a refused file is left as it was


MISSING = object()
TURN = ("tracks", REFERENCE, "turns", 0)
UTTERANCE = ("transcript", 0)
WORD = ("transcript", 0, 4, 0)

# (where in the file, bad value or MISSING, the error's field path and problem)
BAD_SESSION_FIELDS = [
    (("format",), MISSING, r'^format: not a reviewer session \(expected "reviewer-session", it'),
    (("format",), "rttm", r'^format: not a reviewer session .*got the string "rttm"'),
    (("version",), MISSING, "^version: missing"),
    (("version",), "1", '^version: expected a whole number, got the string "1"'),
    (("version",), 1.0, "^version: expected a whole number, got the number 1.0"),
    (("version",), True, "^version: expected a whole number, got true"),
    (("version",), 0, "^version: expected a whole number of at least 1, got the number 0"),
    (("ticks_per_second",), 1000, "^ticks_per_second: expected 3528000000, got the number 1000"),
    (("ticks_per_second",), "3528000000", "^ticks_per_second: expected a whole number, got the"),
    (("uri",), MISSING, "^uri: missing"),
    (("uri",), 3, "^uri: expected a non-empty string, got the number 3"),
    (("uri",), "", "^uri: expected a non-empty string, got an empty one"),
    (("colour",), "red", r"^colour: unknown field \(the fields here are audio, audio_absolute"),
    (("audio",), MISSING, "^audio: missing"),
    (("audio",), 7, "^audio: expected a non-empty string or null, got the number 7"),
    (("audio",), "", '^audio: expected a non-empty string or null, got the string ""'),
    (("audio_absolute",), "/a.wav", "^audio_absolute: given without audio"),
    (("uem",), MISSING, "^uem: missing"),
    (("uem",), {"a": 1}, "^uem: expected null or a list, got an object"),
    (("uem", 0), [5, 1], r"^uem\[0\]: ends \(1\) before it starts \(5\)"),
    (("reference_marks",), [], "^reference_marks: expected an object, got an empty list"),
    (("reference_marks", "extent"), MISSING, "^reference_marks.extent: missing"),
    (("reference_marks", "lexemes"), {}, "^reference_marks.lexemes: expected a list, got an obj"),
    (("reference_marks", "no_score", 0), [5, 1], r"^reference_marks.no_score\[0\]: ends \(1\)"),
    (("reference_marks", "colour"), 1, r"^reference_marks.colour: unknown field"),
    (("uem", 0), [0, 1, 2], r"^uem\[0\]: expected \[start, end\], got a list of 3 items"),
    (("uem", 0, 0), 0.5, r"^uem\[0\]\[0\] \(start\): expected a time in ticks .*number 0.5"),
    (("uem", 0, 0), -1, r"^uem\[0\]\[0\] \(start\): expected a time in ticks .*number -1"),
    (("uem", 0, 1), 2**63, r"^uem\[0\]\[1\] \(end\): expected a time in ticks"),
    (("uem", 0, 1), True, r"^uem\[0\]\[1\] \(end\): expected a time in ticks .*got true"),
    (("tracks",), [], "^tracks: expected an object, got an empty list"),
    (("tracks", ""), {"channel": "1", "turns": []}, r'^tracks\[""\]: a track name is empty'),
    (("tracks", SYSTEM, "channel"), MISSING, r'^tracks\["system"\]\.channel: missing'),
    (("tracks", SYSTEM, "channel"), 1, r'^tracks\["system"\]\.channel: expected a non-empty'),
    (("tracks", SYSTEM, "colour"), 1, r'^tracks\["system"\]\.colour: unknown field'),
    (("tracks", SYSTEM, "turns"), None, r'^tracks\["system"\]\.turns: expected a list, got null'),
    (TURN, [1, 2], r'^tracks\["reference"\]\.turns\[0\]: expected \[start, end, speaker\]'),
    ((*TURN, 0), 0.5, r"turns\[0\]\[0\] \(start\): expected a time in ticks .*number 0.5"),
    ((*TURN, 0), "0", r'turns\[0\]\[0\] \(start\): expected a time .*got the string "0"'),
    ((*TURN, 0), 3 * S, r'^tracks\["reference"\]\.turns\[0\]: ends \(7056000000\) before it'),
    ((*TURN, 2), "", r"turns\[0\]\[2\] \(speaker\): expected a non-empty string, got an empty"),
    ((*TURN, 2), 5, r"turns\[0\]\[2\] \(speaker\): expected a non-empty string, got the number"),
    (("settings",), MISSING, "^settings: missing"),
    (("settings",), [], "^settings: expected an object, got an empty list"),
    (("settings", "skip_overlap"), "false", "^settings.skip_overlap: expected true or false, got"),
    (("settings", "skip_overlap"), 0, "^settings.skip_overlap: .* got the number 0"),
    (("settings", "skip_overlap"), None, "^settings.skip_overlap: .* got null"),
    (
        ("settings", "collar"),
        "0.25",
        "^settings.collar: expected a number of at least 0, got the s",
    ),
    (
        ("settings", "collar"),
        -0.1,
        "^settings.collar: expected a number of at least 0, got the number -0.1",
    ),
    (("settings", "collar"), True, "^settings.collar: expected a number of at least 0, got true"),
    (("settings", "reference"), "", "^settings.reference: expected a non-empty string, got an"),
    (("settings", "hypothesis"), None, "^settings.hypothesis: expected a non-empty string, got"),
    (("settings", "skip_overlaps"), True, r"^settings.skip_overlaps: unknown field \(the fields"),
    (("view",), [], "^view: expected an object, got an empty list"),
    (("view", "start"), "1.5", '^view.start: expected a number, got the string "1.5"'),
    (("view", "end"), None, "^view.end: expected a number, got null"),
    (("view", "active_track"), 3, "^view.active_track: expected a non-empty string, got the n"),
    (("view", "zoom"), 2, "^view.zoom: unknown field"),
    (("transcript",), 5, "^transcript: expected a list, got the number 5"),
    (UTTERANCE, [0, 10, "A", "hi"], r"^transcript\[0\]: expected \[start, end, speaker, text, w"),
    ((*UTTERANCE, 1), -3, r"^transcript\[0\]\[1\] \(end\): expected a time in ticks"),
    ((*UTTERANCE, 0), 11, r"^transcript\[0\]: ends \(10\) before it starts \(11\)"),
    ((*UTTERANCE, 2), 3, r"^transcript\[0\]\[2\] \(speaker\): expected a string, got the numb"),
    ((*UTTERANCE, 3), None, r"^transcript\[0\]\[3\] \(text\): expected a string, got null"),
    ((*UTTERANCE, 4), "hi", r"^transcript\[0\]\[4\] \(words\): expected a list, got the str"),
    (WORD, [0, 4], r"^transcript\[0\]\[4\]\[0\]: expected \[start, end, text\], got a list of 2"),
    ((*WORD, 0), "0", r'^transcript\[0\]\[4\]\[0\]\[0\] \(start\): expected a time .*"0"'),
    ((*WORD, 1), 3.5, r"^transcript\[0\]\[4\]\[0\]\[1\] \(end\): expected a time .*number 3.5"),
    ((*WORD, 2), 5, r"^transcript\[0\]\[4\]\[0\]\[2\] \(text\): expected a string, got the n"),
]


def full_session() -> Session:
    from reviewer.model.exclusions import Exclusions
    from reviewer.model.transcript import Transcript, Utterance, Word

    session = make_session(None)
    words = (Word(0, 4, "hi"), Word(5, 10, "there"))
    session.transcript = Transcript([Utterance(0, 10, "hi there", "A", words)], "meeting-01")
    session.exclusions = Exclusions((Span(0, 5),), (Span(6, 8),), (Span(1, 2),), Span(0, 9))
    return session


def test_reference_marks_round_trip(tmp_path):
    session = full_session()
    save_session(tmp_path / "s.reviewer.json", session)
    loaded = load_session(tmp_path / "s.reviewer.json")
    assert loaded.exclusions == session.exclusions
    assert loaded.to_document().exclusions == session.exclusions


@pytest.mark.parametrize(("where", "value", "message"), BAD_SESSION_FIELDS)
def test_every_field_is_type_checked(tmp_path, where, value, message):
    save_session(tmp_path / "good.reviewer.json", full_session())
    data = json.loads((tmp_path / "good.reviewer.json").read_text(encoding="utf-8"))
    *parents, last = where
    target = data
    for part in parents:
        target = target[part]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    path = write(tmp_path, data)
    before = path.read_bytes()
    with pytest.raises(FormatError) as caught:
        load_session(path)
    assert caught.value.path == path
    assert re.search(message, caught.value.problem), caught.value.problem
    assert str(caught.value).startswith(f"{path}: ")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("field", "text"),
    [("collar", "NaN"), ("collar", "Infinity"), ("collar", "1e999"), ("skip_overlap", "-Infinity")],
)
def test_numbers_must_be_finite(tmp_path, field, text):
    save_session(tmp_path / "good.reviewer.json", make_session(None))
    source = (tmp_path / "good.reviewer.json").read_text(encoding="utf-8")
    value = json.dumps(make_session(None).settings.to_json()[field])
    path = write(tmp_path, source.replace(f'"{field}": {value}', f'"{field}": {text}'))
    with pytest.raises(FormatError, match=rf": settings\.{field}: expected "):
        load_session(path)


def test_a_newer_version_is_refused_saying_so(tmp_path):
    data = good(tmp_path)
    data["version"] = 2
    data["new_field"] = {"from": "the future"}  # refused for its version, not this field
    path = write(tmp_path, data)
    with pytest.raises(FormatError) as caught:
        load_session(path)
    assert caught.value.problem == (
        "version: this session file was written by a newer reviewer (version 2); this "
        "reviewer reads session files up to version 1: update reviewer to open it"
    )


def test_everything_the_app_writes_loads_unchanged(tmp_path):
    from reviewer.io.session import SETTINGS, VIEW

    # What the window saves: the live scoring setup and the view (which may start before 0).
    setup = ScoringSetup(SYSTEM, CORRECTED, ScoringSettings(collar=0.5, skip_overlap=True))
    assert set(setup.to_json()) == set(SETTINGS)  # a new setting needs a check
    assert set(VIEW) == {"start", "end", "active_track"}
    audio = tmp_path / "audio" / "meeting-01.wav"
    audio.parent.mkdir()
    audio.write_bytes(b"RIFF")
    session = full_session()
    session.tracks = {name: track.with_uri(session.uri) for name, track in session.tracks.items()}
    session.audio = audio
    session.settings = setup
    session.view = {"start": -0.75, "end": 12.0, "active_track": CORRECTED}
    first = tmp_path / "one.reviewer.json"
    save_session(first, session)
    loaded = load_session(first)
    assert loaded == session
    second = tmp_path / "two.reviewer.json"
    save_session(second, loaded)
    assert second.read_bytes() == first.read_bytes()
    # A default setup and an empty view too (Session.from_document without them).
    save_session(first, Session.from_document(session.to_document(), ScoringSetup()))
    assert load_session(first).settings == ScoringSetup()
    # and no settings at all: an empty object, read back as None (the app's default then)
    save_session(first, Session.from_document(session.to_document()))
    assert json.loads(first.read_text(encoding="utf-8"))["settings"] == {}
    assert load_session(first).settings is None
    assert load_session(first).view == {}


def test_a_byte_order_mark_is_allowed(tmp_path):
    save_session(tmp_path / "s.reviewer.json", make_session(None))
    data = (tmp_path / "s.reviewer.json").read_bytes()
    (tmp_path / "s.reviewer.json").write_bytes(b"\xef\xbb\xbf" + data)
    assert load_session(tmp_path / "s.reviewer.json").uri == "meeting-01"


def test_save_refuses_settings_the_reader_would_refuse(tmp_path):
    path = tmp_path / "s.reviewer.json"
    save_session(path, make_session(None))
    before = path.read_bytes()
    # settings the reader would refuse cannot be made: a string flag, an unknown field
    with pytest.raises(TypeError, match="skip_overlap must be True or False"):
        ScoringSettings(skip_overlap="false")
    with pytest.raises(TypeError, match="colour"):
        ScoringSettings(colour="red")
    for view, message in (
        ({"start": "0"}, "view.start: expected a number"),
        ({"zoom": 2}, "view.zoom: unknown field"),
    ):
        session = make_session(None)
        session.view = view
        with pytest.raises(ValueError, match=message):
            save_session(path, session)
    assert path.read_bytes() == before
