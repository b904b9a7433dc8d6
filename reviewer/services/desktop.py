"""reviewer on the desktop: its menu entry, icon, metadata and file types, for one user.

:func:`install` copies the freedesktop files of ``packaging/desktop/`` (a checkout) or
``reviewer/_desktop/`` (an installed wheel) under the user's XDG data directory
(``$XDG_DATA_HOME``, by default ``~/.local/share``; no root):

- ``applications/<id>.desktop``: the menu entry, whose ``Exec`` runs *this* installation's
  reviewer (:func:`launcher`: the running ``reviewer`` script, or this interpreter with
  ``-m reviewer``), so an entry installed from a virtualenv works without activating it;
- ``metainfo/<id>.metainfo.xml``: the AppStream metadata software centres show;
- ``icons/hicolor/<n>x<n>/apps/<id>.png`` and ``icons/hicolor/scalable/apps/<id>.svg``;
- ``mime/packages/<id>.xml``: the file types reviewer defines (RTTM, UEM, sessions,
  projects, TextGrid, EAF, CTM);

then runs ``update-mime-database`` and ``update-desktop-database`` on them when they are
installed, so that the file manager knows the types and offers reviewer for them.
:func:`uninstall` removes exactly those files and runs the tools again. Rules: the Desktop
Entry Specification 1.5 (``Exec`` quoting), the XDG Base Directory Specification 0.8, the
Icon Theme Specification (hicolor layout) and shared-mime-info's ``mime/packages``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.io.files import read_bytes, write_bytes_atomic

APP_ID = "io.github.diarization_reviewer.Reviewer"
"""The application's id: desktop file, icon, AppStream component and Wayland app id.

Reverse DNS of the project's (GitHub organisation's) address, hyphens as underscores
(AppStream and D-Bus name rules); the last part is the application's name.
"""

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
"""The sizes of the icon's PNGs, in pixels (square)."""

_PACKAGE = Path(__file__).resolve().parents[1]


def _find_data() -> Path:
    installed = _PACKAGE / "_desktop"
    return installed if installed.is_dir() else _PACKAGE.parent / "packaging" / "desktop"


DATA = _find_data()
"""The folder of the freedesktop files: ``reviewer/_desktop`` installed, else the checkout's."""


@dataclass
class Report:
    """What :func:`install` or :func:`uninstall` did.

    Attributes
    ----------
    data_home
        The XDG data directory it worked in.
    written
        Files written (install) or removed (uninstall), in order.
    commands
        One line per database tool: the command run and its outcome, or why it was not run.
    """

    data_home: Path
    written: list[Path] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """The user's XDG data directory: ``$XDG_DATA_HOME`` if absolute, else ``~/.local/share``.

    A relative ``XDG_DATA_HOME`` is ignored, as the XDG Base Directory Specification says.
    """
    environ = os.environ if environ is None else environ
    value = environ.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    home = environ.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share"


def launcher(argv0: str | None = None) -> tuple[str, ...]:
    """The command that runs this installation's reviewer, absolute.

    The running ``reviewer`` script (``argv0``, by default ``sys.argv[0]``) when that is
    what runs; a frozen bundle's executable; else this interpreter with ``-m reviewer``
    (a virtualenv's interpreter is kept as it is named, not resolved, so that it keeps its
    environment).
    """
    if getattr(sys, "frozen", False):
        return (os.path.abspath(sys.executable),)
    argv0 = sys.argv[0] if argv0 is None else argv0
    script = Path(argv0)
    if script.name in ("reviewer", "reviewer.exe") and script.is_file():
        return (os.path.abspath(script),)
    return (os.path.abspath(sys.executable), "-m", "reviewer")


_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def exec_argument(text: str) -> str:
    r"""One argument of an ``Exec`` key, quoted as the Desktop Entry Specification says.

    An argument with a reserved character (space, quote, ``$``...) goes in double quotes,
    inside which ``"``, `````, ``$`` and ``\`` take a backslash; ``%`` is doubled. The
    result is the key's value before the string escaping of :func:`desktop_value`.

    Raises
    ------
    ValueError
        For text holding a newline or a control character, which no ``Exec`` can hold.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(f"{text!r}: a control character cannot be in a desktop entry's Exec")
    text = text.replace("%", "%%")
    if not text or any(c in _RESERVED for c in text):
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in text)
        return f'"{escaped}"'
    return text


def desktop_value(text: str) -> str:
    """A string value of a desktop entry: backslashes doubled (the spec's string escapes)."""
    return text.replace("\\", "\\\\")


def exec_line(command: Sequence[str], *arguments: str) -> str:
    """The value of an ``Exec`` key running ``command`` with ``arguments`` (field codes as is).

    ``arguments`` are passed through unquoted: they are field codes (``%F``) or plain words.
    """
    quoted = [exec_argument(part) for part in command]
    return desktop_value(" ".join([*quoted, *arguments]))


def desktop_entry(command: Sequence[str], template: str | None = None) -> str:
    """The packaged desktop entry with every ``Exec`` and ``TryExec`` running ``command``.

    The template's ``Exec=reviewer ARGS`` lines become ``Exec=<command> ARGS``;
    ``TryExec`` names the command's program.
    """
    if template is None:
        template = (DATA / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    lines = []
    for line in template.splitlines():
        key, _, value = line.partition("=")
        if key == "Exec":
            program, _, arguments = value.partition(" ")
            if program != "reviewer":
                raise ValueError(f"the desktop entry's template runs {program!r}, not reviewer")
            line = "Exec=" + exec_line(command, *arguments.split())
        elif key == "TryExec":
            line = "TryExec=" + desktop_value(command[0])
        lines.append(line)
    return "\n".join(lines) + "\n"


def targets(home: Path) -> dict[Path, Path]:
    """Where each packaged file goes below the data directory ``home`` (target -> source)."""
    icons = home / "icons" / "hicolor"
    result = {
        home / "applications" / f"{APP_ID}.desktop": DATA / f"{APP_ID}.desktop",
        home / "metainfo" / f"{APP_ID}.metainfo.xml": DATA / f"{APP_ID}.metainfo.xml",
        home / "mime" / "packages" / f"{APP_ID}.xml": DATA / f"{APP_ID}.mime.xml",
        icons / "scalable" / "apps" / f"{APP_ID}.svg": DATA / f"{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        relative = Path("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")
        result[home / relative] = DATA / relative
    return result


def install(
    home: Path | None = None, command: Sequence[str] | None = None, tools: bool = True
) -> Report:
    """Install the menu entry, metadata, icons and file types for this user.

    Parameters
    ----------
    home
        The XDG data directory; by default :func:`data_home`.
    command
        What the menu entry runs; by default :func:`launcher`.
    tools
        Whether to run ``update-mime-database`` and ``update-desktop-database`` after.

    Returns
    -------
    Report
        The files written and the tools run.

    Raises
    ------
    FileNotFoundError
        If a packaged file is missing (an installation without ``reviewer/_desktop``).
    reviewer.io.files.WriteError
        If a file cannot be written, naming it.
    """
    home = data_home() if home is None else Path(home)
    command = tuple(launcher() if command is None else command)
    report = Report(home)
    plan = targets(home)
    missing = [source for source in plan.values() if not source.is_file()]
    if missing:
        raise FileNotFoundError(f"reviewer's desktop files are missing: {missing[0]}")
    for target, source in plan.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".desktop":
            data = desktop_entry(command).encode("utf-8")
        else:
            data = read_bytes(source)
        write_bytes_atomic(target, data)
        report.written.append(target)
    if tools:
        report.commands = update_databases(home)
    return report


def uninstall(home: Path | None = None, tools: bool = True) -> Report:
    """Remove what :func:`install` wrote (and only that), then update the databases.

    Folders are left in place (other applications' files may share them); the tools'
    caches are regenerated without reviewer's types.

    Returns
    -------
    Report
        The files removed (those that were there) and the tools run.
    """
    home = data_home() if home is None else Path(home)
    report = Report(home)
    for target in targets(home):
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        report.written.append(target)
    if tools:
        report.commands = update_databases(home)
    return report


def update_databases(home: Path) -> list[str]:
    """Run ``update-mime-database`` and ``update-desktop-database`` on ``home``'s folders.

    Returns
    -------
    list of str
        One line per tool: ``"update-mime-database DIR"`` when it ran, with ``failed: ...``
        and its first line of error when it did not succeed, or ``"... not found: ..."``.
    """
    lines = []
    for tool, folder in (
        ("update-mime-database", home / "mime"),
        ("update-desktop-database", home / "applications"),
    ):
        program = shutil.which(tool)
        if program is None:
            lines.append(f"{tool} not found: the desktop will see the change at its next scan")
            continue
        if not folder.is_dir():
            continue
        done = subprocess.run([program, str(folder)], capture_output=True, text=True)
        line = f"{tool} {folder}"
        if done.returncode != 0:
            problem = (done.stderr.strip().splitlines() or [f"status {done.returncode}"])[0]
            line += f" failed: {problem}"
        lines.append(line)
    return lines
