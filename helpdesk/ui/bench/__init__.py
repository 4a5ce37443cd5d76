"""The Bench area: the ticket queue, the ticket page (moves, parts, vendor, time, photos, cover and
charge), cover periods and payments."""
