"""The subcommands of the ``helpdesk`` command (``helpdesk.cli`` dispatches to them): the window,
the database, data import and export, the demo school, labels, loans, lookups, reports, and the
camera and decoding checks."""
