"""What leaves the building on paper or as a file: reports (open tickets, turnaround, damage, claims,
charges) and their tables, insurance reports, notices to parents, and the documents behind labels
and slips."""
