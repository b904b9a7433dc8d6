"""The Qt user interface: windows, panels and lanes that present the model and dispatch keys.

Widgets only present and dispatch; decisions live in :mod:`reviewer.app`. The one table of key
bindings is :mod:`reviewer.ui.keymap`.
"""
