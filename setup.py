"""Build script. Everything is configured in pyproject.toml except what its tables cannot say.

Three folders outside ``reviewer/`` ship inside the wheel, mapped by
``[tool.setuptools.package-dir]``: the top-level ``resources/`` (the demo, the factorial voice
bank) as ``reviewer/_resources``, ``packaging/desktop/`` (the freedesktop files) as
``reviewer/_desktop`` and the lock, ``packaging/constraints.txt``, as ``reviewer/_lock`` (the
About dialog shows its date). The package finder only looks for folders below ``reviewer/``,
so the mapped packages are added here.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["reviewer*"]),
        "reviewer._resources",
        "reviewer._desktop",
        "reviewer._lock",
    ]
)
