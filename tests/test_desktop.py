"""reviewer on the desktop (issue 18, item 1): the freedesktop files, validated by the standard
validators, and ``reviewer desktop install``/``uninstall`` in a temporary XDG data home, checked
through ``xdg-mime`` as a desktop would ask."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.services import desktop
from reviewer.services.desktop import APP_ID, DATA

ENTRY = DATA / f"{APP_ID}.desktop"
METAINFO = DATA / f"{APP_ID}.metainfo.xml"
MIME_XML = DATA / f"{APP_ID}.mime.xml"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path


def entry_keys(text: str, group: str = "Desktop Entry") -> dict[str, str]:
    keys, current = {}, None
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif current == group and "=" in line:
            key, _, value = line.partition("=")
            keys[key] = value
    return keys


def defined_types() -> set[str]:
    root = ET.parse(MIME_XML).getroot()
    return {node.get("type") for node in root.iter(f"{MIME_NS}mime-type")}


def validate_entry(path: Path) -> None:
    done = subprocess.run(
        [tool("desktop-file-validate"), str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "", done.stdout  # no error, warning or hint


def test_the_desktop_entry_validates():
    validate_entry(ENTRY)
    keys = entry_keys(ENTRY.read_text())
    assert keys["Icon"] == APP_ID and keys["Exec"] == "reviewer open-file %F"


def test_an_installed_entry_validates_with_any_launcher_path(tmp_path):
    # a virtualenv in a folder with a space, a quote and a dollar: quoted as the spec says
    command = ("/home/ann/my venv's $HOME/bin/python", "-m", "reviewer")
    entry = tmp_path / f"{APP_ID}.desktop"
    entry.write_text(desktop.desktop_entry(command))
    validate_entry(entry)
    keys = entry_keys(entry.read_text())
    assert keys["Exec"] == ('"/home/ann/my venv\'s \\\\$HOME/bin/python" -m reviewer open-file %F')
    assert keys["TryExec"] == "/home/ann/my venv's $HOME/bin/python"
    assert entry_keys(entry.read_text(), "Desktop Action demo")["Exec"].endswith(" demo")


def test_exec_arguments_are_quoted_only_when_they_must_be():
    assert desktop.exec_argument("/usr/bin/reviewer") == "/usr/bin/reviewer"
    assert desktop.exec_argument("/a b/reviewer") == '"/a b/reviewer"'
    assert desktop.exec_argument('/a"b`c$d\\e') == '"/a\\"b\\`c\\$d\\\\e"'
    assert desktop.exec_argument("/100%/x") == "/100%%/x"
    with pytest.raises(ValueError, match="control character"):
        desktop.exec_argument("/a\nb")


def test_the_metainfo_validates_pedantically():
    done = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", "--pedantic", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    problems = [line for line in done.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert problems == []
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "MIT"
    assert root.find("content_rating").get("type") == "oars-1.1"


def test_the_metainfo_screenshots_are_in_the_repository():
    root = ET.parse(METAINFO).getroot()
    images = [node for node in root.iter("image")]
    assert len(images) >= 2
    for image in images:
        local = DATA / "screenshots" / Path(image.text).name
        assert image.text.endswith(f"packaging/desktop/screenshots/{local.name}")
        assert local.is_file(), local
        from PySide6.QtGui import QImage

        picture = QImage(str(local))
        assert (picture.width(), picture.height()) == (
            int(image.get("width")),
            int(image.get("height")),
        )


def test_the_entry_names_defined_types_and_reuses_shared_mime_infos():
    ours = defined_types()
    system = Path("/usr/share/mime/types")
    if not system.is_file():
        pytest.skip("shared-mime-info is not installed")
    known = set(system.read_text().split())
    assert ours.isdisjoint(known), "a type shared-mime-info defines is defined again"
    named = set(filter(None, entry_keys(ENTRY.read_text())["MimeType"].split(";")))
    assert ours <= named
    assert named - ours <= known, f"neither ours nor shared-mime-info's: {named - ours - known}"
    assert {"application/x-subrip", "text/vtt", "audio/x-wav", "audio/flac"} <= named
    assert "audio/x-stm" not in named  # *.stm is Scream Tracker's there, not NIST STM


def test_icons_are_the_svg_rendered_at_every_size(tmp_path, qapp):
    sys.path.insert(0, str(DATA))
    try:
        import render_icons
    finally:
        sys.path.remove(str(DATA))
    from PySide6.QtGui import QImage

    assert render_icons.APP_ID == APP_ID and render_icons.SIZES == desktop.ICON_SIZES
    rendered = render_icons.main(tmp_path)
    assert len(rendered) == len(desktop.ICON_SIZES)
    for size, path in zip(desktop.ICON_SIZES, rendered, strict=True):
        committed = QImage(str(render_icons.icon_path(DATA, size)))
        assert (committed.width(), committed.height()) == (size, size)
        assert committed == QImage(str(path)), f"{size}x{size}: run render_icons.py again"


def xdg_env(home: Path, desktop: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(home),
        "XDG_DATA_DIRS": "/usr/share",
        "XDG_CONFIG_HOME": str(home.parent / "config"),
    }
    env.pop("XDG_CURRENT_DESKTOP", None)
    if desktop:
        env["XDG_CURRENT_DESKTOP"] = desktop
    return env


def default_app(home: Path, mime_type: str) -> str:
    """``xdg-mime query default TYPE`` (its generic mode: mimeapps.list, then the
    desktop database's mimeinfo.cache)."""
    done = subprocess.run(
        [tool("xdg-mime"), "query", "default", mime_type],
        capture_output=True,
        text=True,
        env=xdg_env(home),
    )
    return done.stdout.strip()


def filetype(home: Path, path: Path) -> str | None:
    """``xdg-mime query filetype PATH`` as a GNOME desktop answers it, through GIO, which
    reads the shared-mime-info database (the generic mode asks ``file``, which does not);
    None without GIO's ``gio`` (libglib2.0-bin)."""
    if shutil.which("gio") is None:
        return None
    done = subprocess.run(
        [tool("xdg-mime"), "query", "filetype", str(path)],
        capture_output=True,
        text=True,
        env=xdg_env(home, "GNOME"),
    )
    return done.stdout.strip()


def test_install_and_uninstall_in_a_temporary_data_home(tmp_path, capsys):
    tool("update-mime-database")
    tool("update-desktop-database")
    home = tmp_path / "data"
    (tmp_path / "x.rttm").write_text("SPEAKER x 1 0.000 1.000 <NA> <NA> S1 <NA> <NA>\n")
    (tmp_path / "talk.reviewer.json").write_text('{"format": "reviewer-session"}\n')
    (tmp_path / "corpus.reviewer-project.json").write_text('{"format": "reviewer-project"}\n')
    (tmp_path / "x.uem").write_text("x 1 0.000 1.000\n")
    types = {
        "x.rttm": "text/x-rttm",
        "x.uem": "text/x-uem",
        "talk.reviewer.json": "application/x-reviewer-session",
        "corpus.reviewer-project.json": "application/x-reviewer-project",
    }
    gio = shutil.which("gio") is not None
    assert default_app(home, "text/x-rttm") == ""
    if gio:
        assert filetype(home, tmp_path / "x.rttm") == "text/plain"

    assert main(["desktop", "install", "--data-home", str(home)]) == 0
    said = capsys.readouterr().out
    written = desktop.targets(home)
    assert len(written) == 4 + len(desktop.ICON_SIZES)
    for target, source in written.items():
        assert f"wrote {target}" in said
        if target.suffix == ".desktop":
            keys = entry_keys(target.read_text())
            assert keys["Exec"] == desktop.exec_line(desktop.launcher(), "open-file", "%F")
        else:
            assert target.read_bytes() == source.read_bytes(), target
    assert f"ran update-mime-database {home / 'mime'}" in said
    assert f"ran update-desktop-database {home / 'applications'}" in said
    validate_entry(home / "applications" / f"{APP_ID}.desktop")
    assert (home / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()

    for name, mime_type in types.items():
        assert default_app(home, mime_type) == f"{APP_ID}.desktop"
        if gio:
            assert filetype(home, tmp_path / name) == mime_type

    assert main(["desktop", "uninstall", "--data-home", str(home)]) == 0
    said = capsys.readouterr().out
    for target in written:
        assert not target.exists() and f"removed {target}" in said
    left = {p.relative_to(home) for p in home.rglob("*") if p.is_file()}
    # what is left is the databases the tools keep, rebuilt without reviewer
    assert all(p.parts[0] == "mime" or p == Path("applications/mimeinfo.cache") for p in left)
    assert not any(p.parts[:2] == ("mime", "packages") for p in left)
    assert APP_ID not in (home / "applications" / "mimeinfo.cache").read_text()
    assert default_app(home, "text/x-rttm") == ""
    if gio:
        assert filetype(home, tmp_path / "x.rttm") == "text/plain"

    assert main(["desktop", "uninstall", "--data-home", str(home)]) == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_the_data_home_follows_xdg():
    assert desktop.data_home({"XDG_DATA_HOME": "/x/data", "HOME": "/h"}) == Path("/x/data")
    # a relative XDG_DATA_HOME is ignored, as the XDG Base Directory Specification says
    assert desktop.data_home({"XDG_DATA_HOME": "rel", "HOME": "/h"}) == Path("/h/.local/share")
    assert desktop.data_home({"HOME": "/h"}) == Path("/h/.local/share")


def test_the_launcher_runs_this_installation(tmp_path):
    script = tmp_path / "bin" / "reviewer"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    assert desktop.launcher(str(script)) == (str(script),)
    fallback = desktop.launcher("/usr/lib/python3/dist-packages/pytest/__main__.py")
    assert fallback == (os.path.abspath(sys.executable), "-m", "reviewer")
    done = subprocess.run([*fallback, "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.strip().startswith("reviewer ")
