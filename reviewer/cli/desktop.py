"""``reviewer desktop install|uninstall`` and ``reviewer open-file``: reviewer on the desktop."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands) -> None:
    """Add ``desktop`` and ``open-file`` to the subcommands."""
    desktop = commands.add_parser(
        "desktop",
        help="add reviewer to this user's application menu and file types (or remove it)",
        description="Install (or uninstall) reviewer's menu entry, icon, AppStream metadata "
        "and file types (RTTM, UEM, sessions, projects, transcripts) under $XDG_DATA_HOME "
        "(default ~/.local/share), for this user only, then update the MIME and desktop "
        "databases. The menu entry runs this installation of reviewer.",
    )
    actions = desktop.add_subparsers(title="actions", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="install the menu entry and file types")
    uninstall = actions.add_parser("uninstall", help="remove what install wrote")
    for parser, run in ((install, run_install), (uninstall, run_uninstall)):
        parser.add_argument(
            "--data-home",
            metavar="DIR",
            help="the XDG data directory to use (default: $XDG_DATA_HOME or ~/.local/share)",
        )
        parser.set_defaults(run=run)

    open_file = commands.add_parser(
        "open-file",
        help="open files as a file manager hands them over (asks for what is missing)",
        description="Open any file reviewer knows: audio (asks for its reference and system "
        "output), an RTTM or a transcript (asks for its audio), a session, or a corpus "
        "project. The desktop entry runs this.",
    )
    open_file.add_argument("files", metavar="FILE", nargs="+")
    open_file.set_defaults(run=run_open_file)


def run_install(args: argparse.Namespace) -> int:
    """``reviewer desktop install``: write the files and say what was written."""
    from reviewer.services import desktop

    report = desktop.install(Path(args.data_home) if args.data_home else None)
    _print(report, "wrote")
    print(f"menu entry runs: {' '.join(desktop.launcher())}")
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    """``reviewer desktop uninstall``: remove what install wrote."""
    from reviewer.services import desktop

    report = desktop.uninstall(Path(args.data_home) if args.data_home else None)
    _print(report, "removed")
    if not report.written:
        print(f"nothing to remove: reviewer is not installed in {report.data_home}")
    return 0


def _print(report, verb: str) -> None:
    for path in report.written:
        print(f"{verb} {path}")
    for line in report.commands:
        print(f"ran {line}" if " not found" not in line else line)


def run_open_file(args: argparse.Namespace) -> int:
    """``reviewer open-file``: open (or ask about) files from the file manager."""
    from reviewer.ui.open_file import run

    return run(args.files)
