"""The Sessions area (F9): pickup day, the year-end hand-in and stocktakes worked through by
scanning, at any number of stations on one session. ``panel`` holds the list of open sessions
(start, join, close), ``start_dialog`` the choice of kind and expected list, ``scan_screen`` the
keyboard-first scan screen with the last result large, ``progress`` the progress beside it (by
form, the missing list, the last scans; a stocktake's four groups) and ``paper`` what it prints:
the missing list, a pickup's asset label and hand-over agreement, a hand-in's receipt.
"""
