"""Packaged resources: label templates, sounds, icons and terms texts (read with importlib.resources)."""
