"""Importing PySide6 and pyqtgraph for a fast start (``benchmarks/bench_launch.py``).

Three costs of the plain ``import pyqtgraph`` that reviewer does not need, each avoided
here and each watched by ``tests/test_launch_qt.py`` (which fails if an upgrade of
PySide6 or pyqtgraph changes what the way round relies on):

- **CUDA Python.** pyqtgraph's ``RawImageWidget`` tries ``cuda.bindings.runtime``
  (installed with PyTorch's CUDA wheels): 0.15 to 0.3 s for GPU image upload reviewer
  never uses. Hidden during the import only, it falls back as on a machine without it.
- **Every Qt class at once.** ``pyqtgraph.Qt`` keeps its own mirror of ``QtCore``,
  ``QtGui`` and ``QtWidgets`` and fills it by reading every name of PySide6's modules
  (``pyqtgraph/Qt/__init__.py``, ``_copy_attrs``), which makes PySide6 build each of the
  thousand classes and their enums it otherwise builds on first use (PySide6 >= 6.8
  loads types lazily): 0.2 to 0.3 s. Here the mirrors are :class:`LazyMirror` modules that
  take a name from PySide6 when it is first asked for, and keep it: the same objects, as
  they would have been copied, built only when used.
- **PySide6's module scan.** Once PySide6 is imported, every ``import`` statement
  passes a module PySide6 has not seen to ``shibokensupport.feature``, which reads its
  source to see whether it says ``PySide6`` (for the opt-in ``from __feature__ import
  snake_case``): a few ms per module, 0.1 s over a start. Modules imported before
  PySide6 are given the entry PySide6 gives a module that uses it, 0, "no feature", at
  once (:func:`mark_loaded_modules`): they see Qt's own names whatever another module
  selects (-1, "ignore this module", would let them see that module's selection), and a
  module that asks for a feature still gets it (its ``from __feature__ import`` sets its
  own entry). reviewer selects no feature.

The launch imports the Qt-free work (numpy, files, scoring) before Qt, so that most
modules are loaded by the time PySide6 is.
"""

from __future__ import annotations

import sys
import types

_MIRRORS = ("QtCore", "QtGui", "QtWidgets")
_FILLER = "_copy_attrs"  # pyqtgraph.Qt's function that copies every name into a mirror
NO_FEATURES = 0
"""PySide6's feature select id of a module that uses Qt's own names (no ``__feature__``)."""


class LazyMirror(types.ModuleType):
    """A stand-in for one of ``pyqtgraph.Qt``'s mirror modules, filled on first use.

    While ``pyqtgraph.Qt`` fills its mirrors (``_copy_attrs``: "copy each name the mirror
    lacks"), every name answers as present, so nothing is copied and no Qt class is built;
    afterwards a name is looked up in the PySide6 module at its first use and kept. Names
    pyqtgraph sets on a mirror (its Qt5-style shims) stay on the mirror, as before.
    """

    def __init__(self, name: str, source: types.ModuleType) -> None:
        super().__init__(name)
        self.__path__: list[str] = []  # a package, as pyqtgraph's mirrors are
        self._source = source

    def __getattr__(self, name: str):
        frame = sys._getframe(1)
        if frame.f_code.co_name == _FILLER and frame.f_globals.get("__name__") == "pyqtgraph.Qt":
            return None  # "present": left to the lookup below at first use
        value = getattr(self._source, name)
        setattr(self, name, value)
        return value


def import_pyqtgraph():
    """pyqtgraph, imported without CUDA Python and without building every Qt class.

    Returns the module; the second call returns it at once. When pyqtgraph was imported
    already (a module imported it directly), it is returned as it is.
    """
    if "pyqtgraph" in sys.modules:
        return sys.modules["pyqtgraph"]
    import_qt()
    added = []
    for name in _MIRRORS:
        full = f"pyqtgraph.Qt.{name}"
        if full not in sys.modules:
            sys.modules[full] = LazyMirror(full, sys.modules[f"PySide6.{name}"])
            added.append(full)
    hide = "cuda" not in sys.modules
    if hide:
        sys.modules["cuda"] = None  # type: ignore[assignment]  # "import cuda" fails at once
    try:
        import pyqtgraph
    except BaseException:
        for full in added:
            sys.modules.pop(full, None)
        raise
    finally:
        if hide and sys.modules.get("cuda", 0) is None:
            del sys.modules["cuda"]
    return pyqtgraph


def import_qt() -> None:
    """Import PySide6's QtCore, QtGui and QtWidgets, then mark the modules loaded before."""
    first = "PySide6.QtCore" not in sys.modules
    import PySide6.QtCore
    import PySide6.QtGui
    import PySide6.QtWidgets  # noqa: F401 - imported for the mirrors

    if first:
        mark_loaded_modules()


def feature_table() -> dict | None:
    """PySide6's table of modules' feature select ids, or None if this PySide6 has none."""
    feature = sys.modules.get("shibokensupport.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    return table if isinstance(table, dict) else None


def mark_loaded_modules() -> int:
    """Give every module loaded so far PySide6's "no feature" entry; returns how many.

    Modules PySide6 has an entry for keep it. Without the table (another PySide6), nothing
    is done and 0 is returned.
    """
    table = feature_table()
    if table is None:
        return 0
    marked = 0
    for name in list(sys.modules):
        if name not in table:
            table[name] = NO_FEATURES
            marked += 1
    return marked
