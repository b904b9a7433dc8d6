"""The bundled executable's entry point: the ``reviewer`` command (``reviewer.cli:main``)."""

import multiprocessing
import sys

from reviewer.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # dask's LocalCluster starts worker processes
    sys.exit(main())
