"""The Counter area: the panel with its scan box, the actions it carries out through the services,
the cards it shows, the damage and missing-accessory dialogs, and the day list."""
