"""Session files: round trip, relative audio paths, and clear errors for malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.model.annotation import Span, Track, Turn
from reviewer.model.document import CORRECTED, REFERENCE, SYSTEM, Document
from reviewer.model.formats.errors import FormatError
from reviewer.model.session import (
    SESSION_SUFFIX,
    Session,
    load_session,
    save_session,
)
from reviewer.model.time import TICKS_PER_SECOND as S


def make_session(audio: Path | None) -> Session:
    reference = Track([Turn(0, 2 * S, "A"), Turn(2 * S, 5 * S + 1, "B"), Turn(7 * S, 7 * S, "A")])
    system = Track([Turn(S // 3, 4 * S, "spk_0"), Turn(4 * S, 9 * S, "spk_é")], channel="2")
    return Session(
        uri="meeting-01",
        tracks={REFERENCE: reference, SYSTEM: system, CORRECTED: system, "empty": Track()},
        audio=audio,
        uem=(Span(0, 5 * S), Span(6 * S, 10 * S)),
        settings={"collar": 0.25, "skip_overlap": True, "scoring": [[REFERENCE, CORRECTED]]},
        view={"start": 1.5, "end": 8.0, "selected": CORRECTED, "zoom": None},
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
    for settings in ({"collar": float("nan")}, {"when": object()}, {1: "int key"}):
        session = make_session(None)
        session.settings = settings
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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="rttm"), "not a reviewer session"),
        (lambda d: d.pop("format"), "not a reviewer session"),
        (lambda d: d.update(version=2), "unknown session version 2 .*newer"),
        (lambda d: d.update(version="1"), "version '1' is not a whole number"),
        (lambda d: d.update(ticks_per_second=1000), "ticks_per_second is 1000"),
        (lambda d: d.pop("tracks"), "missing key 'tracks'"),
        (lambda d: d.pop("uri"), "missing key 'uri'"),
        (lambda d: d.pop("settings"), "missing key 'settings'"),
        (lambda d: d.update(colour="red"), "unknown key 'colour'"),
        (lambda d: d.update(uri=3), "uri 3 is not a string"),
        (lambda d: d.update(view=[]), "view is not an object"),
        (lambda d: d["tracks"]["system"].pop("channel"), r'tracks\["system"\]: needs keys'),
        (
            lambda d: d["tracks"]["system"]["turns"][1].__setitem__(1, 0),
            r'tracks\["system"\].turns\[1\]: the turn ends \(0\) before it starts',
        ),
        (
            lambda d: d["tracks"]["reference"]["turns"][0].__setitem__(0, 0.5),
            r"turns\[0\] start 0.5 is not a whole number of ticks",
        ),
        (
            lambda d: d["tracks"]["reference"]["turns"][0].__setitem__(0, -1),
            r"turns\[0\] start -1 is negative",
        ),
        (
            lambda d: d["tracks"]["reference"]["turns"].append([1, 2]),
            r"a turn is \[start, end, speaker\]",
        ),
        (
            lambda d: d["tracks"]["reference"]["turns"].append([1, 2, ""]),
            "speaker '' is not a non-empty string",
        ),
        (lambda d: d.update(uem=[[5, 1]]), r"uem\[0\]: the region ends before it starts"),
        (lambda d: d.update(uem={"a": 1}), "uem is neither null nor a list"),
        (lambda d: d.update(audio=7), "audio 7 is not a path"),
    ],
)
def test_malformed_content_is_a_format_error(tmp_path, change, message):
    data = good(tmp_path)
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(FormatError, match=message) as caught:
        load_session(path)
    assert caught.value.path == path


def test_not_an_object_duplicate_keys_and_unreadable(tmp_path):
    with pytest.raises(FormatError, match="not a JSON object"):
        load_session(write(tmp_path, "[1, 2]"))
    with pytest.raises(FormatError, match="duplicate key 'uri'"):
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
    from reviewer.model.annotation import Track, Turn
    from reviewer.model.session import Session, load_session, save_session
    from reviewer.model.transcript import Transcript, Utterance, Word

    transcript = Transcript(
        [Utterance(0, 10, "hi there", "A", (Word(0, 4, "hi"), Word(5, 10, "there")))], "u"
    )
    session = Session("u", {"reference": Track([Turn(0, 10, "A")])}, transcript=transcript)
    save_session(tmp_path / "s.reviewer.json", session)
    loaded = load_session(tmp_path / "s.reviewer.json")
    assert loaded.transcript == transcript
    assert loaded.transcript.utterances[0].words[1].text == "there"
