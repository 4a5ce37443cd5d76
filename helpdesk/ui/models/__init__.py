"""Qt table models over the services' pages of rows: lazy, a page at a time, filled on a worker."""
