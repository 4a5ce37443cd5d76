"""What every service stands on: the unit of work (one transaction per action, audited) and the
read session, finding records by code, the DTOs handed to the screens (views), the school's
settings and school days, and the staff who act."""
