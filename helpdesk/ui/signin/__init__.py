"""Signing in at the window: the sign-in screen (username and password, or a badge and its PIN),
the first admin of a new database, and the gate that locks the window when it is left unused."""
