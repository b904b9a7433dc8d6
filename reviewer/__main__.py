"""``python -m reviewer``: the command line, as the ``reviewer`` script runs it."""

from reviewer.cli import main

raise SystemExit(main())
