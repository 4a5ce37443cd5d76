"""The Students & devices area and the Overdue loans list, and the detail window of one record
(its card, full history and audit trail)."""
