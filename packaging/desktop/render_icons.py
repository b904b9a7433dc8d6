"""Render the icon's PNGs from its SVG: ``python packaging/desktop/render_icons.py``.

Writes ``icons/hicolor/<n>x<n>/apps/<id>.png`` for every size of :data:`SIZES`, with Qt's
SVG renderer (PySide6, reviewer's own dependency), offscreen. The output is the same for the
same SVG and Qt, so the committed PNGs can be checked against a new rendering
(``tests/test_desktop.py`` does).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP_ID = "io.github.diarization_reviewer.Reviewer"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int):
    """The SVG drawn on a transparent ``size`` x ``size`` image (a QImage, ARGB32)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def icon_path(root: Path, size: int) -> Path:
    """Where the ``size`` PNG goes below ``root`` (the hicolor theme's layout)."""
    return root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def main(out: Path = HERE) -> list[Path]:
    """Render every size below ``out``; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    written = []
    for size in SIZES:
        path = icon_path(out, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(HERE / f"{APP_ID}.svg", size).save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written.relative_to(HERE) if written.is_relative_to(HERE) else written)
