"""Corpora from pyannote.database protocols: a protocol's subset, materialised as files.

A protocol (``Database.Task.Protocol``) and a subset name the recordings; their references
(``annotation``) and evaluation maps (``annotated``) are written as RTTM and UEM files, so
the corpus keeps working when the ``database.yml`` changes. pyannote.database is imported
only when a protocol is opened.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from reviewer.corpus.entries import CorpusEntry, system_files
from reviewer.corpus.export import file_name
from reviewer.io import FormatError, write_rttm, write_uem
from reviewer.model.annotation import Span, Track, merge_spans, spans_from_timeline

SUBSETS = ("train", "development", "test")
_ALIASES = {"dev": "development", "trn": "train", "tst": "test"}
_LEGACY = {"train": "trn", "development": "dev", "test": "tst"}
_LISTED = 10


def entries_from_protocol(
    name: str,
    subset: str,
    folder: str | Path,
    *,
    database: str | Path | None = None,
    system: str | Path | None = None,
) -> list[CorpusEntry]:
    """The recordings of a pyannote.database protocol's subset, as a corpus.

    Every file of the subset is read first; only then are its reference written to
    ``folder/ref/<uri>.rttm`` and its annotated regions to ``folder/uem/<uri>.uem`` (each
    atomically). Audio is looked up with pyannote.database's ``FileFinder`` when the
    configuration has a ``Databases:`` entry for the recording's database.

    Parameters
    ----------
    name
        The protocol, ``Database.Task.Protocol`` (e.g. ``"MyDB.SpeakerDiarization.Small"``).
    subset
        ``"train"``, ``"development"`` or ``"test"`` (``"dev"``, ``"trn"``, ``"tst"`` too).
    folder
        Where to write the references and evaluation maps (created if missing).
    database
        A ``database.yml`` to load. Without it, the files pyannote.database loads by
        default: ``~/.pyannote/database.yml``, ``./database.yml`` and those listed in
        ``PYANNOTE_DATABASE_CONFIG`` (separated by ``;``).
    system
        System RTTM output: a folder of ``<uri>.rttm`` or one RTTM file, matched by uri.

    Returns
    -------
    list of CorpusEntry
        In the subset's order. A recording without ``annotation`` has no reference, one
        without ``annotated`` (or with an empty one) no UEM, one whose audio cannot be
        found no audio.

    Raises
    ------
    FormatError
        If a configuration file does not load, the system output or ``folder`` is unusable,
        or a file of the subset cannot be read (naming the configuration file when there is
        one).
    ValueError
        If pyannote.database is not installed, or the protocol or subset is unknown or empty.
    """
    canonical = _subset(subset)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FormatError(folder, None, "not a folder")
    systems = system_files(system)
    registry_class, finder_class = _import_pyannote()
    configs = [Path(database)] if database is not None else default_configs()
    registry = registry_class()
    for config in configs:
        _load(registry, config)
    protocol = _protocol(registry, name, configs, finder_class)
    files = _read(protocol, name, canonical, configs)
    if not files:
        _fail(configs, f"the {canonical} subset of {name} holds no file")

    try:
        return _write(files, folder, systems)
    except OSError as error:
        raise FormatError(folder, None, f"cannot write: {error.strerror or error}") from None


def _write(files: list[_File], folder: Path, systems: dict[str, Path]) -> list[CorpusEntry]:
    (folder / "ref").mkdir(parents=True, exist_ok=True)
    (folder / "uem").mkdir(parents=True, exist_ok=True)
    entries = []
    for uri, reference, regions, audio in files:
        rttm = uem = None
        if reference is not None:
            rttm = folder / "ref" / f"{file_name(uri)}.rttm"
            write_rttm(rttm, {uri: reference})
        if regions:
            uem = folder / "uem" / f"{file_name(uri)}.uem"
            write_uem(uem, {uri: regions})
        entries.append(CorpusEntry(uri, audio, rttm, systems.get(uri), uem))
    return entries


def default_configs() -> list[Path]:
    """The ``database.yml`` files pyannote.database loads by default, those that exist."""
    candidates = [Path("~/.pyannote/database.yml").expanduser(), Path.cwd() / "database.yml"]
    candidates += [
        Path(p).expanduser() for p in os.environ.get("PYANNOTE_DATABASE_CONFIG", "").split(";") if p
    ]
    return [p for p in candidates if p.is_file()]


def _subset(subset: str) -> str:
    canonical = _ALIASES.get(subset.strip().lower(), subset.strip().lower())
    if canonical not in SUBSETS:
        raise ValueError(f"unknown subset {subset!r}: expected train, development (or dev) or test")
    return canonical


def _import_pyannote() -> tuple[type, type]:
    """``Registry`` and ``FileFinder``, imported only now (importing loads default configs)."""
    try:
        from pyannote.database.file_finder import FileFinder
        from pyannote.database.registry import Registry
    except ImportError as error:
        if (error.name or "").startswith("pyannote.database") or error.name == "pyannote":
            raise ValueError(
                "opening a pyannote.database protocol needs pyannote.database "
                "(pip install pyannote.database)"
            ) from None
        raise ValueError(f"pyannote.database cannot be imported: {error}") from None
    except Exception as error:  # its import loads the default database.yml files
        where = ", ".join(map(str, default_configs())) or "its default configuration"
        raise ValueError(f"pyannote.database failed to load {where}: {error}") from None
    return Registry, FileFinder


def _load(registry: Any, config: Path) -> None:
    try:
        registry.load_database(config)
    except OSError as error:
        raise FormatError(config, None, f"cannot read: {error.strerror or error}") from None
    except Exception as error:  # YAML syntax, or a structure pyannote.database rejects
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise FormatError(
            config, line, f"not a valid pyannote.database configuration: {problem}"
        ) from None


def _available(registry: Any) -> list[str]:
    """Every protocol of the registry (databases without usable protocols skipped)."""
    names = []
    for database_name in list(registry.databases):
        try:
            database = registry.get_database(database_name)
            for task in database.get_tasks():
                names += [f"{database_name}.{task}.{p}" for p in database.get_protocols(task)]
        except Exception:  # a database whose protocols were all ignored
            continue
    return sorted(names)


def _protocol(registry: Any, name: str, configs: list[Path], finder_class: type) -> Any:
    available = _available(registry)
    if name not in available:
        _fail(configs, _unknown(name, available, configs))
    preprocessors = {"audio": finder_class(registry=registry)} if registry.sources else {}
    try:
        return registry.get_protocol(name, preprocessors=preprocessors)
    except Exception as error:
        _fail(configs, f"cannot open protocol {name}: {error}")


def _unknown(name: str, available: list[str], configs: list[Path]) -> str:
    if not available:
        if configs:
            return f"unknown protocol {name!r}: no protocol in {', '.join(map(str, configs))}"
        return (
            f"unknown protocol {name!r}: no database.yml found (looked for "
            "~/.pyannote/database.yml, ./database.yml and PYANNOTE_DATABASE_CONFIG)"
        )
    message = f"unknown protocol {name!r}"
    if name.count(".") != 2:
        message += " (expected Database.Task.Protocol)"
    close = difflib.get_close_matches(name, available, n=3)
    if close:
        message += f" (did you mean {' or '.join(close)}?)"
    shown = ", ".join(available[:_LISTED])
    more = f" and {len(available) - _LISTED} more" if len(available) > _LISTED else ""
    return f"{message}; available protocols: {shown}{more}"


def _subsets_of(protocol: Any) -> list[str]:
    from pyannote.database.protocol.protocol import Protocol

    kind = type(protocol)
    return [
        subset
        for subset in SUBSETS
        if any(
            getattr(kind, f"{n}_iter", None) not in (None, getattr(Protocol, f"{n}_iter", None))
            for n in (subset, _LEGACY[subset])
        )
    ]


_File = tuple[str, Track | None, tuple[Span, ...], Path | None]


def _read(protocol: Any, name: str, subset: str, configs: list[Path]) -> list[_File]:
    """Read every file of the subset (nothing is written before all are read)."""
    files: list[_File] = []
    seen: set[str] = set()
    try:
        for file in getattr(protocol, subset)():
            uri = str(file["uri"]).strip()
            if not uri or uri in seen:
                continue
            seen.add(uri)
            annotation = file["annotation"] if "annotation" in file else None
            annotated = file["annotated"] if "annotated" in file else None
            reference = None
            if annotation is not None:
                reference = Track.from_annotation(annotation).with_uri(uri)
            regions = merge_spans(spans_from_timeline(annotated)) if annotated else ()
            files.append((uri, reference, regions, _audio(file)))
    except NotImplementedError:
        subsets = _subsets_of(protocol)
        has = ", ".join(subsets) if subsets else "none"
        _fail(configs, f"protocol {name} has no {subset} subset (it has: {has})")
    except (FormatError, KeyboardInterrupt):
        raise
    except Exception as error:  # missing list / RTTM / UEM files, malformed ones ...
        _fail(configs, f"cannot read the {subset} subset of {name}: {error}")
    return files


def _audio(file: Any) -> Path | None:
    try:
        audio = file["audio"]
    except Exception:  # none, not found, found several times: the corpus works without audio
        return None
    return Path(audio) if isinstance(audio, (str, os.PathLike)) else None


def _fail(configs: Iterable[Path], message: str) -> NoReturn:
    """Raise a FormatError naming the configuration file when there is one, else ValueError."""
    configs = list(configs)
    if len(configs) == 1:
        raise FormatError(configs[0], None, message)
    raise ValueError(message)
