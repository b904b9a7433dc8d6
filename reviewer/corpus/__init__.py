"""Corpora: discovery, the project file, scoring every recording, comparisons, export."""
