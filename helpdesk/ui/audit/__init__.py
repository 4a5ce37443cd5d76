"""The Audit area: the audit trail for managers, filtered by staff, days and record, exportable
as CSV, and the same viewer opened from a record's detail window for that record alone."""
