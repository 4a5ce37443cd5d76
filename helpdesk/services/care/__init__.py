"""Data care for pupils' records (UK GDPR storage limitation and right of access): which leavers
are due for purging under the school's retention period (``retention``), purging them by
anonymising each one in place so the school's counts of loans, tickets, charges and claims stay
true while the person is gone from every column, photo and audit row (``purge``, with the text
and audit-trail rewriting in ``scrub``), and everything held about one student gathered for a
subject access request (``subject_access``)."""
