"""The output device: sounddevice loaded lazily, a stream format negotiated, streams counted.

``sounddevice`` (and with it PortAudio) is imported on the first :func:`import_sounddevice`,
which also registers the exit hook that closes every live player before sounddevice
terminates PortAudio. :func:`negotiate` picks the first stream format the device accepts;
:func:`open_stream` opens a float32 callback stream in it. The count of open streams
(:func:`active_streams`) tells a rescan whether PortAudio may be re-initialised.
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

NO_DEVICE = "Playback disabled: no audio output device (PortAudio found none)."
"""The reason given when PortAudio finds no output device."""


class Closable(Protocol):
    """What the exit hook needs of a player."""

    def close(self) -> None: ...  # noqa: D102


@dataclass(frozen=True)
class OutputFormat:
    """The stream format negotiated with the device.

    Attributes
    ----------
    device
        The device as passed to sounddevice (``None`` for the default output).
    name
        The device's name as PortAudio reports it.
    sample_rate
        Output rate in Hz (the file's rate if the device accepts it).
    channels
        1 (mono) or 2 (the mono mix duplicated) if the device refuses mono.
    """

    device: int | str | None
    name: str
    sample_rate: int
    channels: int


_sd: Any = None
_players: weakref.WeakSet[Any] = weakref.WeakSet()
_active_streams = 0


def import_sounddevice() -> Any:
    """Import sounddevice once; register the exit hook that closes live players first.

    Raises
    ------
    OSError
        If the PortAudio library cannot be found or loaded.
    ImportError
        If the sounddevice package is not installed.
    """
    global _sd
    if _sd is None:
        import sounddevice

        _sd = sounddevice
        # atexit runs last-registered first: our hook runs before sounddevice terminates
        # PortAudio, so no stream calls back into a finalising interpreter.
        atexit.register(_close_all_players)
    return _sd


def register(player: Closable) -> None:
    """Have ``player`` closed at exit (held weakly)."""
    _players.add(player)


def _close_all_players() -> None:
    for player in list(_players):
        try:
            player.close()
        except Exception:  # best effort at exit
            pass


def stream_opened() -> None:
    """Count a stream that was started (see :func:`active_streams`)."""
    global _active_streams
    _active_streams += 1


def stream_closed() -> None:
    """Count a stream that was closed."""
    global _active_streams
    _active_streams -= 1


def active_streams() -> int:
    """How many players' streams are open now (a rescan waits for none)."""
    return _active_streams


def negotiate(
    sd: Any,
    device: int | str | None,
    source_rate: int,
    force_rate: int | None = None,
    force_channels: int | None = None,
) -> OutputFormat | None:
    """The first format the device accepts: the forced or the file's rate, else its own.

    Mono is tried before stereo at each rate, unless ``force_channels`` says which.

    Returns
    -------
    OutputFormat or None
        None if the device accepts none of the formats tried.

    Raises
    ------
    sounddevice.PortAudioError, ValueError
        If there is no such output device, or it has no output channels.
    """
    info = sd.query_devices(device, "output")
    max_channels = int(info["max_output_channels"])
    if max_channels < 1:
        raise ValueError("no output channels")
    rates = [force_rate] if force_rate else []
    rates += [int(source_rate), int(round(info["default_samplerate"]))]
    channel_options = [force_channels] if force_channels else [1, 2]
    for rate in dict.fromkeys(rates):  # de-duplicated, in order
        for channels in channel_options:
            if channels > max_channels:
                continue
            try:
                sd.check_output_settings(
                    device=device, channels=channels, dtype="float32", samplerate=rate
                )
            except Exception:  # try the next format
                continue
            return OutputFormat(device, str(info["name"]), int(rate), channels)
    return None


def open_stream(sd: Any, output: OutputFormat, callback: Callable[..., None]) -> Any:
    """A float32 ``sounddevice.OutputStream`` in ``output``'s format, not yet started."""
    return sd.OutputStream(
        samplerate=output.sample_rate,
        channels=output.channels,
        dtype="float32",
        device=output.device,
        callback=callback,
    )
