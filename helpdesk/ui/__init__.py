"""The PySide6 window: the shell (main window, settings, first run, printing, workers, style)
beside one package per area (``counter``, ``bench``, ``records``, ``reports``, ``labels``), the
widgets and table models they share (``widgets``, ``models``). It reaches the database only through
the services."""
