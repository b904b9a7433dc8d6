"""Start the window: load files, build the waveform in the background, open playback.

The window is shown first: the waveform's pyramid starts building, and the startup objects
are moved out of the garbage collector's way, once it has been painted
(:func:`after_first_paint`). With ``REVIEWER_EXIT_AT_FIRST_PAINT=1`` in the environment the
app prints ``first paint`` on stdout and quits at that moment
(``benchmarks/bench_launch.py`` measures launch to first paint so).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reviewer.app.review import (
    Review,
    review_files,
    review_recovered,
    review_session,
    same_recording,
    start_journal,
)
from reviewer.ui.qt_imports import import_pyqtgraph

DEMO_NOTE = (
    "Demo: the system output is an EXAMPLE written by hand from the reference (shifted "
    "boundaries, a missed short turn, a confused stretch, a false alarm)."
)


EXIT_AT_FIRST_PAINT = "REVIEWER_EXIT_AT_FIRST_PAINT"
"""Environment variable: print ``first paint`` and quit when the window is first painted.

The CPU time used until then (every thread, in ms) goes to stderr after
:data:`FIRST_PAINT_CPU`: a load on the machine slows the wall time, not that.
"""
FIRST_PAINT_CPU = "first paint cpu ms"
FIRST_PAINT_PNG = "REVIEWER_FIRST_PAINT_PNG"
"""Environment variable: a PNG file to save the window to as it is first painted."""


def prepare(*files, start: bool = True, **options) -> Review:
    """Load a recording from its files and start building its waveform (no window yet).

    Arguments as :func:`reviewer.app.review.review_files`; ``start=False`` leaves the
    build to :func:`start_building` (the app starts it once the window is painted).
    """
    return _building(review_files(*files, **options), start)


def prepare_session(path: Path, start: bool = True) -> Review:
    """Load a saved session and start building its waveform."""
    return _building(review_session(path), start)


def prepare_recovered(path: Path, start: bool = True) -> Review:
    """Reopen the edits a crashed session journaled (and keep journaling them)."""
    return _building(review_recovered(path), start)


def _building(review: Review, start: bool) -> Review:
    """Give the review its waveform pyramid's background builder, started or not."""
    if review.audio is not None and review.pyramid is not None:
        import_pyqtgraph()  # before any module imports it plainly
        from reviewer.ui.waveform import PyramidBuilder

        review.builder = PyramidBuilder(review.audio, review.pyramid)
        if start:
            review.builder.start()
    return review


def start_building(window, review: Review) -> None:
    """Start the pyramid's build (unless started) with the window's timeline following it."""
    builder = review.builder
    if builder is None or _started(builder):
        return
    builder.start()
    window.timeline.follow_build(builder)


def complete(window, review: Review) -> None:
    """What a shown window does after its first paint: open playback, build the waveform.

    Opening the audio device (PortAudio, 50 to 100 ms) and reading the whole recording for
    its waveform wait until the window is on screen; then the window emits ``completed``.
    """
    if window.player is None:
        window.attach_player(open_player(review.audio))
    start_building(window, review)
    window.complete()


def _started(builder) -> bool:
    """Whether the build is under way or over (then it filled the pyramid or failed)."""
    return builder.running or builder.pyramid.ready_frames > 0 or builder.error is not None


def after_first_paint(window, then: Callable[[], object]) -> None:
    """Run ``then`` once, at the event loop's next turn after ``window`` is first painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and _inside(watched, window):
                app.removeEventFilter(self)
                QTimer.singleShot(0, then)
                self.deleteLater()
            return False

    app.installEventFilter(FirstPaint(window))


def _inside(widget, window) -> bool:
    """Whether ``widget`` is ``window`` or one of its descendants."""
    while widget is not None:
        if widget is window:
            return True
        widget = widget.parent() if callable(getattr(widget, "parent", None)) else None
    return False


def application():
    """The QApplication (created once), with pyqtgraph's settings."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    pg = import_pyqtgraph()
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_quiet_qt_messages)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("reviewer")
    app.setOrganizationName("reviewer")
    if app.windowIcon().isNull():  # once: the menu entry's id and icon (see reviewer desktop)
        _identify(app)
    if not app.property("reviewer_theme"):  # once: follow the desktop, now and when it changes
        app.setProperty("reviewer_theme", True)
        follow_desktop(app)
        app.styleHints().colorSchemeChanged.connect(lambda scheme: follow_desktop(app, scheme))
    # the timeline's canvas stays dark whatever the theme (the waveform and speaker colours
    # are made for it), so plots draw on dark with light axes
    pg.setConfigOptions(antialias=False, background="#1E1E1E", foreground="#DDDDDD")
    return app


def _identify(app) -> None:
    """Give the application its desktop id and icon, as ``reviewer desktop install`` names them.

    The desktop id is Wayland's app_id (the shell finds the menu entry and its icon by it);
    the icon shows in X11 title bars and task bars. Each PNG is read only when a size is drawn.
    """
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from reviewer.services.desktop import APP_ID, DATA, ICON_SIZES

    app.setDesktopFileName(APP_ID)
    icon = QIcon()
    for size in ICON_SIZES:
        png = DATA / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        icon.addFile(str(png), QSize(size, size))
    app.setWindowIcon(icon)


_NOISE = ("propagateSizeHints",)


def _quiet_qt_messages(mode, context, message: str) -> None:
    """Pass Qt's messages on to stderr, except the offscreen plugin's harmless notices."""
    if not any(noise in message for noise in _NOISE):
        print(message, file=sys.stderr)


def follow_desktop(app, scheme=None) -> bool:
    """Light or dark panels as the desktop's colour scheme says; returns whether dark.

    The Fusion style with the desktop's own palette, or a dark palette when the desktop
    asks for dark (Qt's :meth:`QStyleHints.colorScheme`). When the desktop does not say
    (``Unknown``: plain X11, Xvfb), its palette decides: a dark window colour means dark.
    Fonts are never set here: the desktop's font, ``QT_FONT_DPI`` and ``QT_SCALE_FACTOR``
    reach every widget through Qt.

    Parameters
    ----------
    app
        The QApplication.
    scheme
        A ``Qt.ColorScheme``; by default the desktop's (``app.styleHints().colorScheme()``).
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette

    app.setStyle("Fusion")
    app.setPalette(QPalette())  # the desktop's palette (an empty one resets to it)
    if scheme is None:
        scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Unknown:
        dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    else:
        dark = scheme == Qt.ColorScheme.Dark
    if dark:
        app.setPalette(dark_palette())
    return dark


def dark_palette():
    """The dark palette, matching the timeline's canvas."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2B2B2B",
        QPalette.ColorRole.WindowText: "#E0E0E0",
        QPalette.ColorRole.Base: "#1E1E1E",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#E0E0E0",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#E0E0E0",
        QPalette.ColorRole.Highlight: "#2F6FAF",
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#E0E0E0",
        QPalette.ColorRole.PlaceholderText: "#888888",
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    return palette


def open_player(source):
    """The playback service for ``source``, or None when the service cannot load."""
    if source is None:
        return None
    try:
        from reviewer.services.playback import Player
    except ImportError:
        return None
    return Player(source)


def build_window(review: Review, note: str = "", with_player: bool = True):
    """The main window for a prepared review."""
    from reviewer.ui.main_window import MainWindow

    player = open_player(review.audio) if with_player else None
    window = MainWindow(
        review.editor,
        review.audio,
        review.pyramid,
        player,
        note,
        journal=review.journal,
        session_path=review.session_path,
    )
    if review.builder is not None:
        if _started(review.builder):
            window.timeline.follow_build(review.builder)
        window.destroyed.connect(review.builder.stop)
    for text in review.notes:
        window.status(text)
    if review.view:
        window.restore_view(review.view)
    return window


class Controller:
    """Opens review windows for requests and keeps them until the application quits."""

    def __init__(self) -> None:
        self.windows: list = []
        self.reviews: list[Review] = []

    def open(self, request, parent=None, project: Path | None = None):
        """Open a window for an :class:`~reviewer.ui.opening.OpenRequest`.

        Unreadable input is reported in a message box naming the file and the problem;
        returns the window, or None. ``project``: the corpus project file the recording
        belongs to (its journal says so, for crash recovery).
        """
        from PySide6.QtWidgets import QMessageBox

        from reviewer.io import FormatError
        from reviewer.io.audio import AudioError
        from reviewer.ui.opening import remember

        note = ""
        try:
            if request.demo:
                from reviewer.resources import demo

                files = demo()
                review = prepare(
                    files.audio,
                    files.reference,
                    files.system,
                    transcript=files.transcript,
                    start=False,
                )
                note = DEMO_NOTE
            elif request.session:
                review = prepare_session(Path(request.session), start=False)
            else:
                review = prepare(
                    request.audio,
                    request.reference,
                    request.system,
                    request.uem,
                    request.transcript,
                    request.uri,
                    request.correct,
                    request.speaker_prefix,
                    start=False,
                )
        except (FormatError, AudioError, ValueError, OSError) as error:
            QMessageBox.critical(parent, "Cannot open", str(error))
            return None
        if project is None:
            remember(request)
        return self.show(review, note, project)

    def show(self, review: Review, note: str = "", project: Path | None = None):
        """Show a window for a prepared review, journaling its edits."""
        start_journal(review, project=project)
        window = build_window(review, note, with_player=False)
        window.controller = self
        after_first_paint(window, lambda: complete(window, review))
        window.show()
        self.windows.append(window)
        self.reviews.append(review)
        return window

    def release(self) -> None:
        """Stop every window's background work and delete its Qt objects."""
        for window, review in zip(self.windows, self.reviews, strict=True):
            release(window, review)
        self.windows.clear()
        self.reviews.clear()


class NoDisplay(RuntimeError):
    """The window cannot open: there is no display to open it on."""


def require_display() -> None:
    """Raise :class:`NoDisplay` with advice when Qt would find no screen (Linux)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise NoDisplay(
            "no display to open the window on (DISPLAY is not set): run it on a desktop, "
            "under xvfb-run, or use `reviewer demo --check` / `reviewer render ... --out x.png`"
        )


def run(request=None, review: Review | None = None, note: str = "") -> int:
    """Open the app and run the event loop; returns the exit status.

    A journal left by a crashed session is offered for restoring first; without a request
    the start dialog (demo, recent recordings, Open...) comes up. ``review``: the request
    already loaded (``prepare(..., start=False)``), so that a caller that loaded it to check
    the input does not have it loaded twice (and loaded before Qt: see
    :mod:`reviewer.ui.qt_imports`); ``note``: its window's note (the demo's).
    """
    from reviewer.ui.opening import StartDialog, remember

    require_display()
    app = application()
    controller = Controller()
    recovered = offer_recovery()
    if recovered is not None:  # restored beside what was asked for, not instead of it
        controller.show(recovered)
    if review is not None:
        if request is not None:
            remember(request)
        if recovered is not None and same_recording(recovered, review):
            # one window: the recording asked for, with the edits restored into it
            uri = review.editor.document.uri
            controller.windows[0].status(f"{uri} is open here, with the edits restored")
        else:
            controller.show(review, note)
    elif request is not None:
        controller.open(request)
    elif recovered is None:
        while not controller.windows:  # a recording that does not open: choose again
            start = StartDialog()
            if not start.exec() or start.chosen is None:
                break
            controller.open(start.chosen)
    if not controller.windows:
        return 0
    first = controller.windows[0]
    after_first_paint(first, lambda: _first_painted(app, first))
    status = app.exec()
    controller.release()
    return status


def _first_painted(app, window) -> None:
    """The window is on screen: tidy the startup heap, or quit when measuring the launch.

    With :data:`FIRST_PAINT_PNG` set, the window as first painted is saved there first.
    """
    picture = os.environ.get(FIRST_PAINT_PNG)
    if picture:
        window.grab().save(picture)
    if os.environ.get(EXIT_AT_FIRST_PAINT):
        print("first paint", flush=True)
        print(f"{FIRST_PAINT_CPU} {time.process_time() * 1000:.1f}", file=sys.stderr, flush=True)
        app.exit(0)
        return
    freeze_startup_objects()


def release(window, review: Review | None = None) -> None:
    """Stop background work and delete the window's Qt objects before Python exits.

    PySide6 6.12 with pyqtgraph 0.14 can abort at interpreter exit ("deallocating True or
    False") when drawn items are left to the final garbage collection; deleting them while
    the application still runs avoids it.
    """
    import gc

    from PySide6.QtWidgets import QApplication

    if review is not None and review.builder is not None:
        review.builder.stop()
    if getattr(window, "player", None) is not None:
        window.player.close()
    if hasattr(window, "stop_background"):  # a corpus window's scoring threads
        window.stop_background()
    window.confirm_close = False
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    gc.collect()


def pause_collection() -> None:
    """Hold Python's cyclic garbage collector until the first window is painted.

    Startup allocates modules, Qt wrappers and the recording's turns, few of them in
    cycles, and Python's collector walked them again and again while they were made:
    65 ms of the demo's start, 200 ms of a 10-hour recording's (two full collections). It
    runs again once the window is on screen (:func:`freeze_startup_objects`).
    """
    import gc

    gc.disable()


def freeze_startup_objects() -> None:
    """Move what startup built out of the garbage collector's way, and let it run.

    Startup builds modules, Qt wrappers and the loaded recording. Python's full
    collections walk every object: with pyqtgraph, PySide6 and numpy loaded, one took 40 to
    95 ms and froze the UI now and then (``benchmarks/bench_corpus.py``). Frozen objects
    are skipped. The collector, if :func:`pause_collection` held it, runs again.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.enable()


def run_corpus(project, path: Path) -> int:
    """Hold the project, put back edits a crash left in the journal, open the corpus window."""
    from PySide6.QtWidgets import QMessageBox

    from reviewer.corpus import lock_project, restore_crashed_corrections
    from reviewer.io import FormatError
    from reviewer.ui.corpus_window import CorpusWindow

    require_display()
    lock = lock_project(path)  # noqa: F841 - held until the process ends
    app = application()
    restored, problem = [], None
    try:
        restored = restore_crashed_corrections(project, path)
    except FormatError as error:
        problem = str(error)
    project.save(path)
    controller = Controller()
    window = CorpusWindow(project, path, controller)
    window.show()
    if restored:
        window.statusBar().showMessage(
            "restored edits made before reviewer stopped unexpectedly: "
            + ", ".join(f"{uri} ({edits} edits)" for uri, edits in restored)
        )
    if problem:
        QMessageBox.warning(window, "Edits not restored", problem)
    freeze_startup_objects()
    status = app.exec()
    controller.release()
    release(window)
    return status


def offer_recovery(directory: Path | None = None) -> Review | None:
    """Ask whether to restore the newest crashed session; returns it if the user says yes.

    A journal that cannot be replayed is reported (its file and line) and kept unless the
    user discards it; one with no edit and no problem is deleted.
    """
    from PySide6.QtWidgets import QMessageBox

    from reviewer.io import FormatError
    from reviewer.io.audio import AudioError
    from reviewer.io.journal import JournalBusy, discard_journal, pending_journals

    buttons = QMessageBox.StandardButton
    for info in pending_journals(directory):
        if info.project is not None:
            continue  # restored into its project when the corpus opens
        if info.disposable or (
            info.problem is None and info.session_path is not None and info.unsaved_edits == 0
        ):  # nothing to lose: no edit, or every edit is in the session file it was saved to
            discard_journal(info.path)
            continue
        if info.problem is not None:
            answer = QMessageBox.warning(
                None,
                "Unsaved edits cannot be restored",
                f"reviewer stopped unexpectedly while {info.uri or 'a recording'} was being "
                f"edited, but its journal cannot be replayed:\n\n{info.problem}\n\n"
                "Ignore keeps the journal as it is; Discard deletes it.",
                buttons.Ignore | buttons.Discard,
                buttons.Ignore,
            )
            if answer == buttons.Discard:
                discard_journal(info.path)
            continue
        when = (info.last_edit or info.created).astimezone().strftime("%Y-%m-%d %H:%M")
        count = info.restored if info.restored is not None else info.edits
        saved = (
            f" It was last saved to {info.session_path.name}; the edits since are not in it."
            if info.session_path is not None
            else ""
        )
        answer = QMessageBox.question(
            None,
            "Restore unsaved edits?",
            f"reviewer stopped unexpectedly while {info.uri} was being edited "
            f"({count} edit{'s' if count != 1 else ''}, the last at {when}).{saved}\n\n"
            "Restore those edits?",
            QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Ignore,
        )
        if answer == QMessageBox.StandardButton.Yes:
            try:
                return prepare_recovered(info.path, start=False)
            except (FormatError, AudioError, JournalBusy, OSError) as error:
                QMessageBox.warning(
                    None, "Unsaved edits not restored", f"{error}\n\nThe journal is kept as it is."
                )
                continue
        if answer == QMessageBox.StandardButton.Discard:
            discard_journal(info.path)
    return None


def render(
    path: Path,
    size: tuple[int, int],
    start: float | None,
    end: float | None,
    audio=None,
    reference=None,
    system=None,
    uem=None,
    transcript=None,
) -> None:
    """Draw the review window to a PNG without a display."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = application()
    review = prepare(audio, reference, system, uem, transcript)
    if review.builder is not None:
        review.builder.wait()
    window = build_window(review, with_player=False)
    window.resize(*size)
    window.show()
    app.processEvents()
    if start is not None or end is not None:
        lo = start or 0.0
        hi = end if end is not None else window.timeline.duration
        window.timeline.set_view(lo, hi)
    else:
        window.timeline.fit()
    window.timeline.refresh_waveform()
    for _ in range(3):
        app.processEvents()
    image = window.grab()
    if (image.width(), image.height()) != tuple(size):  # the window would not shrink further
        from PySide6.QtCore import Qt

        image = image.scaled(
            *size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    if not image.save(str(path)):
        raise OSError(f"cannot write {path}")
    release(window, review)
