"""Every Qt table model of the window: the lazy paged model over the records' searches, the bench's
ticket queue, the overdue loans and a report's rows; each is checked by Qt's model tester."""
