"""Build script. Everything is configured in pyproject.toml except what its tables cannot say.

The top-level ``resources/`` folder (the demo, the factorial voice bank) ships inside the
wheel as ``reviewer/_resources`` (mapped by ``[tool.setuptools.package-dir]``). The package
finder only looks for folders below ``reviewer/``, so the mapped package is added here.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["reviewer*"]), "reviewer._resources"])
