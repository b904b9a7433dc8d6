"""The Hugging Face access token: stored for the user, read back, or taken from ``HF_TOKEN``.

Gated pipelines (such as the default one) need a token. The Diarize dialog can remember it in
``hf_token`` under the user's configuration directory, as :mod:`platformdirs` names it
(``$XDG_CONFIG_HOME/reviewer`` or ``~/.config/reviewer`` on Linux), written atomically and
readable by the user only.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs

from reviewer.io.files import write_text_atomic


def token_path() -> Path:
    """Where :func:`save_token` keeps the Hugging Face token.

    ``hf_token`` in ``platformdirs.user_config_dir("reviewer")``: on Linux
    ``$XDG_CONFIG_HOME/reviewer/hf_token``, or ``~/.config/reviewer/hf_token`` when
    ``XDG_CONFIG_HOME`` is unset or empty.
    """
    return Path(platformdirs.user_config_dir("reviewer", appauthor=False)) / "hf_token"


def save_token(token: str | None) -> Path | None:
    """Store the Hugging Face token, readable by the user only (mode 0600).

    Written with :func:`reviewer.io.files.write_text_atomic`, so a crash never leaves a
    half-written token and the file is private from its first byte. An empty token (or None)
    deletes the stored one.

    Returns
    -------
    Path or None
        The token file, or None if the token was deleted.

    Raises
    ------
    ValueError
        If the token contains whitespace inside it (a paste gone wrong).
    OSError
        If the file cannot be written (a :class:`reviewer.io.files.WriteError`).
    """
    path = token_path()
    token = (token or "").strip()
    if not token:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return None
    if any(char.isspace() for char in token):
        raise ValueError("a Hugging Face token has no spaces or line breaks")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_text_atomic(path, token + "\n", mode=0o600)
    return path


def load_token() -> str | None:
    """The stored Hugging Face token, else the ``HF_TOKEN`` environment variable, else None."""
    try:
        token = token_path().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        token = ""
    return token or os.environ.get("HF_TOKEN", "").strip() or None


def resolve_token(token: str | None) -> str | None:
    """The token to send: the one given (stripped), else ``HF_TOKEN``, else None."""
    token = (token or "").strip() or os.environ.get("HF_TOKEN", "").strip()
    return token or None
