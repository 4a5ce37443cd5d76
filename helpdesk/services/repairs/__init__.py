"""The bench: repair tickets and their moves, parts, vendors and time, photos, insurance cover and
claims, charges, payments and waivers, cover periods, and the ticket queue."""
