"""The installed environment against the one reviewer was tested with.

Two references say what "tested with" means:

- **the lock**, ``packaging/constraints.txt`` in a checkout: every package of the environment
  the README installs (runtime and every extra, transitive ones included) as ``name==version``,
  possibly followed by an environment marker (``; python_full_version < '3.11'``), written by
  ``uv pip compile`` (the exact command is at its top). :func:`read_lock` reads it and
  :func:`lock_drift` names every installed version that differs from it;
- **reviewer's own requirements** (the ranges in ``pyproject.toml``, as installed in the
  package metadata), which also exclude known-broken releases such as torchaudio 2.11.1 with
  torch 2.11.0. :func:`requirement_problems` checks the installed versions against them
  without importing anything.

:func:`import_failure_message` turns a failed import of the diarization stack (torch,
torchaudio, pyannote.audio) into a message for the user that names the installed versions and
how to get the tested ones back, instead of a traceback.

The stack is optional: ``pip install reviewer`` is the review app without torch (the light
install) and ``pip install 'reviewer[diarize]'`` adds it. :func:`require_diarize` is the one
check, before anything heavy is imported, that a model-based feature can run; when the extra
is missing it raises :class:`MissingExtra`, whose message is one sentence naming the command
to run (:func:`missing_extra_message`, also what :func:`import_failure_message` says then).
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def _find_lock() -> Path:
    checkout = Path(__file__).resolve().parents[2] / "packaging" / "constraints.txt"
    shipped = Path(__file__).resolve().parents[1] / "_lock" / "constraints.txt"
    return shipped if not checkout.exists() and shipped.exists() else checkout


#: The lock: the checkout's, or the copy a wheel or the bundle ships (``reviewer/_lock/``).
LOCK_PATH = _find_lock()

#: The packages automatic diarization imports, in the order they load.
DIARIZATION_STACK = ("torch", "torchaudio", "pyannote.audio")

#: The modules the ``diarize`` extra brings (import names): pyannote pipelines need the
#: first three, the offline baseline torch, Silero VAD, Resemblyzer and scikit-learn.
DIARIZE_MODULES = (*DIARIZATION_STACK, "silero_vad", "resemblyzer", "sklearn")

#: The command that installs the ``diarize`` extra.
INSTALL_DIARIZE = "pip install 'reviewer[diarize]'"


class MissingExtra(ValueError):
    """A feature needs the ``diarize`` extra, which is not installed.

    A ``ValueError`` (a request this installation cannot serve), so the command line reports
    it as one ``reviewer: error:`` line with exit status 2; the message is one sentence that
    ends with the command to run (:data:`INSTALL_DIARIZE`).
    """


class LockError(ValueError):
    """A line of the lock that is not ``name==version [; marker]``."""


@dataclass(frozen=True)
class Pin:
    """One package of the lock.

    Attributes
    ----------
    name
        The canonical distribution name (PEP 503: lower case, runs of ``-_.`` as ``-``).
    version
        The exact version the lock pins.
    line
        Its line number in the lock (1-based).
    """

    name: str
    version: str
    line: int


def read_lock(
    path: Path | str = LOCK_PATH, environment: Mapping[str, str] | None = None
) -> dict[str, Pin]:
    """The pins of a lock that apply to an environment.

    Parameters
    ----------
    path
        A constraints file as ``uv pip compile`` or ``pip-compile`` writes it: one
        ``name==version`` per line, optionally followed by ``; marker``; comments (``#``) and
        blank lines are skipped.
    environment
        PEP 508 marker variables; by default those of the running interpreter. Pins whose
        marker is false for it are left out.

    Returns
    -------
    dict
        Canonical name -> :class:`Pin`.

    Raises
    ------
    OSError
        If the file cannot be read.
    LockError
        Naming the file and line, for a line that is not a single exact pin, or a package
        pinned twice for the same environment.
    """
    path = Path(path)
    env = {key: str(value) for key, value in default_environment().items()}
    env.update(environment or {})
    pins: dict[str, Pin] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise LockError(f"{path}, line {number}: not a requirement ({error})") from None
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            raise LockError(f"{path}, line {number}: {line!r} is not an exact pin (name==version)")
        if requirement.marker is not None and not requirement.marker.evaluate(env):
            continue
        name = canonicalize_name(requirement.name)
        if name in pins:
            raise LockError(
                f"{path}, line {number}: {name} is pinned again (first on line {pins[name].line})"
            )
        pins[name] = Pin(name, specifiers[0].version, number)
    return pins


def installed_version(name: str) -> str | None:
    """The installed version of a distribution, or None if it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def same_release(installed: str, pinned: str) -> bool:
    """Whether an installed version is the pinned one.

    A local label (``2.11.0+cpu``) matches its public version, as ``==2.11.0`` does in pip
    (PEP 440, "Version matching").
    """
    try:
        return Version(installed).public == Version(pinned).public
    except InvalidVersion:
        return installed == pinned


def lock_drift(pins: Mapping[str, Pin] | None = None) -> list[str]:
    """Every locked package whose installed version is not the locked one.

    Parameters
    ----------
    pins
        The lock's pins for this interpreter; by default :func:`read_lock` of
        :data:`LOCK_PATH`.

    Returns
    -------
    list of str
        One line per difference, in the lock's order, e.g.
        ``"torchaudio: 2.11.1 installed, 2.11.0 locked (line 412)"`` or
        ``"pytest: not installed, 9.2.0 locked (line 300)"``; empty when all match.
    """
    pins = read_lock() if pins is None else pins
    differences = []
    for pin in sorted(pins.values(), key=lambda pin: pin.line):
        installed = installed_version(pin.name)
        if installed is None:
            differences.append(f"{pin.name}: not installed, {pin.version} locked (line {pin.line})")
        elif not same_release(installed, pin.version):
            differences.append(
                f"{pin.name}: {installed} installed, {pin.version} locked (line {pin.line})"
            )
    return differences


def requirements_of(package: str = "reviewer", extras: Iterable[str] = ()) -> list[Requirement]:
    """A distribution's declared requirements that apply here, with the given extras.

    Returns an empty list when the distribution is not installed (running from a bare source
    tree).
    """
    try:
        declared = metadata.requires(package) or []
    except metadata.PackageNotFoundError:
        return []
    env = {key: str(value) for key, value in default_environment().items()}
    wanted = [""] + list(extras)
    chosen = []
    for text in declared:
        requirement = Requirement(text)
        if requirement.marker is None or any(
            requirement.marker.evaluate({**env, "extra": extra}) for extra in wanted
        ):
            chosen.append(requirement)
    return chosen


def requirement_problems(names: Iterable[str] = DIARIZATION_STACK) -> list[str]:
    """Installed versions of ``names`` that reviewer's requirements exclude.

    Reads only package metadata (milliseconds), so a window can warn before anything is
    imported.

    Returns
    -------
    list of str
        e.g. ``"torchaudio 2.11.1 is installed; reviewer needs torchaudio!=2.11.1,==2.11.*"``
        or ``"torch is not installed; reviewer needs torch==2.11.*"``.
    """
    wanted = {canonicalize_name(name) for name in names}
    problems = []
    for requirement in requirements_of(extras=("diarize",)):
        name = canonicalize_name(requirement.name)
        if name not in wanted:
            continue
        installed = installed_version(requirement.name)
        if installed is None:
            problems.append(f"{requirement.name} is not installed; reviewer needs {requirement}")
        elif not requirement.specifier.contains(installed, prereleases=True):
            problems.append(
                f"{requirement.name} {installed} is installed; reviewer needs {requirement}"
            )
    return problems


def stack_versions(names: Iterable[str] = DIARIZATION_STACK) -> str:
    """The installed versions, e.g. ``"torch 2.11.0, torchaudio 2.11.1, pyannote.audio 4.0.7"``."""
    return ", ".join(f"{name} {installed_version(name) or '(not installed)'}" for name in names)


def reinstall_advice(names: Iterable[str] = DIARIZATION_STACK) -> str:
    """How to get back the tested versions of ``names``.

    In a checkout with a lock, the README's install through the lock (naming the locked
    versions); otherwise a pip command with reviewer's own ranges.
    """
    wanted = {canonicalize_name(name): name for name in names}
    try:
        pins = read_lock()
    except (OSError, LockError):
        pins = {}
    locked = [f"{name} {pins[key].version}" for key, name in wanted.items() if key in pins]
    if locked:
        return (
            f"The tested versions are {', '.join(locked)}: reinstall them through the lock, "
            "from the checkout: .venv/bin/pip install -c packaging/constraints.txt "
            "-e '.[diarize,test]'"
        )
    ranges = [
        f"'{requirement}'"
        for requirement in requirements_of(extras=("diarize",))
        if canonicalize_name(requirement.name) in wanted
    ]
    if not ranges:
        return "Install pyannote.audio 4.0.7 with torch and torchaudio 2.11.0."
    return "Install versions reviewer supports: pip install " + " ".join(ranges)


def missing_modules(modules: Iterable[str] = DIARIZE_MODULES) -> list[str]:
    """Those of ``modules`` that cannot be found, without importing them (milliseconds).

    A module whose lookup itself fails (a blocked or broken parent package) counts as missing.
    """
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def missing_extra_message(feature: str, missing: Iterable[str]) -> str:
    """The one sentence for a feature whose extra is missing, ending with the command.

    e.g. ``"Automatic diarization needs reviewer's diarize extra (torch, pyannote.audio are
    not installed): pip install 'reviewer[diarize]'"``.
    """
    names = ", ".join(missing)
    verb = "is" if "," not in names else "are"
    return (
        f"{feature} needs reviewer's diarize extra ({names} {verb} not installed): "
        f"{INSTALL_DIARIZE}"
    )


def require_diarize(
    feature: str = "Automatic diarization", modules: Iterable[str] = DIARIZATION_STACK
) -> None:
    """Check, without importing anything, that ``modules`` of the ``diarize`` extra are here.

    Parameters
    ----------
    feature
        What needs them, as the message's subject ("The offline baseline").
    modules
        Import names; by default the pyannote pipelines' :data:`DIARIZATION_STACK`.

    Raises
    ------
    MissingExtra
        Naming the missing modules and the command that installs them.
    """
    missing = missing_modules(modules)
    if missing:
        raise MissingExtra(missing_extra_message(feature, missing))


def import_failure_message(error: BaseException) -> str:
    """A user's message for a failed import of torch, torchaudio or pyannote.audio.

    When the packages are simply not installed (the light install), the one sentence of
    :func:`missing_extra_message`. Otherwise (a broken install) it names the exception
    (first line only: loader errors can be long), the installed versions of the three
    packages, the versions reviewer's requirements exclude, and how to reinstall the tested
    ones. The rest of reviewer does not need these packages.
    """
    missing = missing_modules(DIARIZATION_STACK)
    if missing:
        return missing_extra_message("Automatic diarization", missing)
    first_line = (str(error).strip().splitlines() or [""])[0]
    if len(first_line) > 300:
        first_line = first_line[:297] + "..."
    problems = requirement_problems()
    mismatch = (" " + "; ".join(problems) + ".") if problems else ""
    return (
        "Automatic diarization is unavailable: torch, torchaudio and pyannote.audio could "
        f"not be loaded ({type(error).__name__}: {first_line}). Installed: "
        f"{stack_versions()}.{mismatch} {reinstall_advice()}. Everything else in reviewer "
        "works without them."
    )
