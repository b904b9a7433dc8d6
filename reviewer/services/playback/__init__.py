"""Audio playback of a region of a file through a PortAudio output stream.

:class:`Player` plays ``[start_frame, end_frame)`` of an audio source (anything with
``sample_rate``, ``frames`` and a thread-safe ``read(start_frame, n_frames)`` returning mono
float32, such as :class:`reviewer.io.audio.AudioSource`) through a ``sounddevice``
callback stream, with varispeed (tape-like resampling: pitch follows speed).

Threads
-------
* The caller's thread (usually the GUI thread) calls :meth:`Player.play`, :meth:`Player.stop`,
  :attr:`Player.position` ... They only open, start and abort streams and never wait for audio.
* One *feeder* per play, run on a worker of a :class:`reviewer.services.jobs.DaemonExecutor`
  and stopped through the play's cancel event, reads the source ahead of the stream,
  resamples it and writes it into a preallocated ring buffer. When everything has been
  handed to the stream it waits until the last frame has actually been played (by the
  stream clock), closes the stream and then calls :attr:`Player.on_finished` -- so
  ``on_finished`` runs on the feeder thread, never on the GUI thread: marshal it (e.g. emit
  a Qt signal) before touching widgets.
* PortAudio's audio thread runs the stream callback, which only copies from the ring buffer
  (no file access, no numpy allocation, no lock) and zero-fills when the feeder is behind or
  the region is over.

The cursor (:attr:`Player.position`) is derived from the DAC time that PortAudio reports for
each callback block with audio (``time.outputBufferDacTime``) and the stream clock
(``Stream.time``), which share a clock; backends that report zero DAC times fall back to
counting frames on the monotonic clock, and a player given a ``clock`` counts them on that
clock (tests advance one by hand). Because no device plays faster than real time, the cursor
is also bounded by the time elapsed since the first audible block; this keeps it right on
devices that swallow data instantly (ALSA's ``null`` device) and it never goes backwards
during a play.

``sounddevice`` (and with it PortAudio) is imported lazily, on the first :class:`Player`.

The modules
-----------
:mod:`~reviewer.services.playback.player`
    :class:`Player`: the controls, the cursor, the feeder.
:mod:`~reviewer.services.playback.stream`
    One play's ring buffer, stream callback and heard-frames count.
:mod:`~reviewer.services.playback.device`
    sounddevice loaded lazily, the output format negotiated, the exit hook.
"""

from reviewer.services.playback.device import OutputFormat
from reviewer.services.playback.player import MAX_SPEED, MIN_SPEED, Player

__all__ = ["MAX_SPEED", "MIN_SPEED", "OutputFormat", "Player"]
