"""What the launch tests share: a clean home for a reviewer started as a user starts it."""

from __future__ import annotations

import pytest


@pytest.fixture
def clean_home(tmp_path, monkeypatch):
    """Own home, state and settings (no crash journal, no recent files); the null sound
    device; Qt offscreen."""
    (tmp_path / ".asoundrc").write_text("pcm.!default { type null }\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    return tmp_path
