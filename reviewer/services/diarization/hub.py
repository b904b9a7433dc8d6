"""Loading a pipeline from a folder, a yaml file or the Hugging Face hub, and why it failed.

:func:`load_pipeline` takes what the user typed: a local folder holding a ``config.yaml``, the
path of such a yaml file, or a Hugging Face model id (``owner/name``). Everything a user can
get wrong here -- a missing local pipeline, no network or offline mode, a gated model, a
missing or rejected token, a server error -- is raised as a :class:`DiarizationError` whose
message says what to do (:func:`_hub_error` reads the exception chain that huggingface_hub
raised). ``HF_HUB_OFFLINE`` is honoured as it is at the time of the load, not only as it was
when huggingface_hub was imported.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reviewer.services.diarization.failures import error_chain, is_out_of_memory
from reviewer.services.diarization.values import DEFAULT_PIPELINE, DiarizationError

TOKEN_URL = "https://hf.co/settings/tokens"
"""Where a Hugging Face access token is created."""

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def _looks_like_path(spec: str) -> bool:
    """Whether ``spec`` is clearly meant as a local path rather than a hub id."""
    return (
        spec.startswith(("/", ".", "~"))
        or "\\" in spec
        or spec.count("/") > 1
        or spec.lower().endswith((".yaml", ".yml"))
        or bool(re.match(r"[A-Za-z]:", spec))
    )


def load_pipeline(pipeline_class: Any, spec: str, token: str | None) -> Any:
    """Load a pipeline from a folder, a yaml file or the Hugging Face hub."""
    spec = str(spec).strip()
    if not spec:
        raise DiarizationError("No diarization pipeline given.")
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "config.yaml").is_file():
            raise DiarizationError(
                f"The pipeline folder {path} has no config.yaml: it is not a pyannote pipeline."
            )
        return _load_local(pipeline_class, path, token)
    if path.is_file():
        return _load_local(pipeline_class, path, token)
    if _looks_like_path(spec) or not _HUB_ID.fullmatch(spec):
        if _looks_like_path(spec):
            raise DiarizationError(
                f"Pipeline not found: {path} does not exist (expected a folder with a "
                f"config.yaml, or a config.yaml file)."
            )
        raise DiarizationError(
            f"Pipeline {spec!r} is neither an existing folder or config.yaml nor a Hugging "
            f"Face model id such as {DEFAULT_PIPELINE}."
        )
    try:
        with _offline_from_environment():
            pipeline = pipeline_class.from_pretrained(spec, token=token)
    except Exception as error:
        raise _hub_error(error, spec, token) from error
    if pipeline is None:
        raise DiarizationError(f"Could not download the pipeline {spec} from Hugging Face.")
    return pipeline


def _load_local(pipeline_class: Any, path: Path, token: str | None) -> Any:
    try:
        with _offline_from_environment():
            pipeline = pipeline_class.from_pretrained(path, token=token)
    except Exception as error:
        if _is_hub_error(error):  # the local config refers to models on the hub
            raise _hub_error(error, str(path), token, local=path) from error
        if is_out_of_memory(error):
            raise DiarizationError(f"Out of memory while loading the pipeline {path}.") from error
        raise DiarizationError(
            f"Could not load the pipeline {path}: {type(error).__name__}: {error}"
        ) from error
    if pipeline is None:
        raise DiarizationError(f"Could not load the pipeline {path}.")
    return pipeline


_offline_lock = threading.Lock()
_offline_users = 0  # loads currently relying on the offline switch set below


@contextlib.contextmanager
def _offline_from_environment() -> Iterator[None]:
    """Honour ``HF_HUB_OFFLINE`` as it is now, not as it was when huggingface_hub was imported.

    huggingface_hub reads the variable once, at import; a caller (or a test) that sets it
    later expects no network access. Only ever switches offline mode on, and back off when
    the last load that switched it on is done.
    """
    global _offline_users
    try:
        from huggingface_hub import constants
    except ImportError:
        yield
        return
    with _offline_lock:
        if not _env_offline() or (constants.HF_HUB_OFFLINE and _offline_users == 0):
            switched = False
        else:
            constants.HF_HUB_OFFLINE = True
            _offline_users += 1
            switched = True
    try:
        yield
    finally:
        if switched:
            with _offline_lock:
                _offline_users -= 1
                if _offline_users == 0:
                    constants.HF_HUB_OFFLINE = False


def _is_hub_error(error: BaseException) -> bool:
    return any(type(e).__module__.startswith("huggingface_hub") for e in error_chain(error))


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _offline() -> bool:
    """Whether Hugging Face offline mode is on (by the variable now, or since import)."""
    if _env_offline():
        return True
    try:
        from huggingface_hub import constants
    except ImportError:
        return False
    return bool(constants.HF_HUB_OFFLINE)


def _env_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def _hub_error(
    error: BaseException, spec: str, token: str | None, local: Path | None = None
) -> DiarizationError:
    """A user-facing explanation of a failure to get something from the Hugging Face hub.

    ``spec`` is the pipeline asked for; ``local`` is set when it is a local pipeline whose
    config refers to a model on the hub.
    """
    chain = list(error_chain(error))
    names = {type(e).__name__ for e in chain}
    status = next((s for s in map(_status, chain) if s is not None), None)
    repo_id = next(filter(None, (getattr(e, "repo_id", None) for e in chain)), None)
    repo = repo_id or (spec if local is None else "")
    if local is None:
        what = f"the pipeline {spec}" if repo in ("", spec) else f"the model {repo}"
    else:
        what = f"the model {repo}" if repo else "a model"
        what += f" that the pipeline {local} uses"
    page = f"https://hf.co/{repo}" if repo else "its Hugging Face page"
    if token is None:
        token_hint = (
            f" No Hugging Face token was given: create one at {TOKEN_URL} and enter it "
            f"(or set HF_TOKEN)."
        )
    elif not token.startswith("hf_"):
        token_hint = (
            " The token given does not start with 'hf_', so pyannote did not send it: "
            f"use a Hugging Face access token from {TOKEN_URL}."
        )
    else:
        token_hint = ""

    if "OfflineModeIsEnabled" in names or (
        "LocalEntryNotFoundError" in names and _offline() and status is None
    ):
        message = (
            f"Cannot download {what}: Hugging Face offline mode is on (HF_HUB_OFFLINE=1) "
            f"and it is not in the local cache. Turn offline mode off while connected to the "
            f"network, or choose a local pipeline folder."
        )
    elif "GatedRepoError" in names:
        message = (
            f"Access to {what} is gated: log in at {page} and accept its user conditions "
            f"with the account whose token you use, then try again.{token_hint}"
        )
    elif "RepositoryNotFoundError" in names:
        message = (
            f"{_capital(what)} was not found on Hugging Face, or it is private and the token "
            f"does not give access to it. Check the name and the token.{token_hint}"
        )
        if local is None and not _looks_like_path(spec):
            message += f" (There is no local folder named {spec!r} either.)"
    elif "RemoteEntryNotFoundError" in names:
        message = f"Cannot download {what}: a file it needs is missing on Hugging Face ({error})"
    elif "RevisionNotFoundError" in names:
        message = f"Cannot download {what}: the requested revision does not exist."
    elif status == 401:
        message = (
            f"Hugging Face refused the token (401 Unauthorized) for {what}: it is missing, "
            f"mistyped or revoked.{token_hint}"
        )
    elif status == 403:
        message = (
            f"Hugging Face denied access to {what} (403 Forbidden): accept its user "
            f"conditions at {page} and use a token with read access.{token_hint}"
        )
    elif status is not None and status >= 500:
        message = (
            f"Hugging Face is not answering properly ({status}) while downloading {what}; "
            f"try again later."
        )
    elif "HFValidationError" in names:
        message = (
            f"Pipeline {spec!r} is neither an existing folder or config.yaml nor a valid "
            f"Hugging Face model id."
            if local is None
            else f"Cannot load {what}: {error}"
        )
    elif "LocalEntryNotFoundError" in names or any(
        isinstance(e, (ConnectionError, TimeoutError)) or "ConnectError" in type(e).__name__
        for e in chain
    ):
        message = (
            f"Cannot download {what} from Hugging Face: no network connection (and it is not "
            f"in the local cache). Connect to the network, or choose a local pipeline folder."
        )
    elif is_out_of_memory(error):
        message = f"Out of memory while loading {what}."
    else:
        message = f"Could not load {what} from Hugging Face: {type(error).__name__}: {error}"
    return DiarizationError(message)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
