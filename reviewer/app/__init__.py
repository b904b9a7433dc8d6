"""The application without Qt: opening recordings, the editor's state and what keys do.

Windows present this layer and dispatch to it; everything here runs and is tested without
a display (see ``ARCHITECTURE.md``).
"""
