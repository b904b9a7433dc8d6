"""The old home of the corpus names, kept so that ``reviewer.corpus.corpus`` imports work.

Import from :mod:`reviewer.corpus` instead; this module goes once nothing imports it.
"""

from reviewer.corpus import *  # noqa: F403
from reviewer.corpus import __all__  # noqa: F401
