"""The counter's work: what a scanned code names (lookup, card reads and the card's brief history),
loans out and back (the general path and the quick one), 1:1 assignments, accessories that did not
come back, and the counter's day log."""
