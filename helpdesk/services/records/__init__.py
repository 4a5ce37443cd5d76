"""Students and devices as lists: paged browsing with type-ahead search, the overdue list, the
audit trail of a record, and the full history of a student or a device."""
