"""Taking care of the school's data. Backups that are whole or not there at all, kept by date
and pruned by rules (``backups``, ``rotation``), and putting a backup back (``restore``): a
backup is written to a temporary file beside its target, checked (integrity, schema revision,
row counts), flushed to the disk and only then renamed over the target (on PostgreSQL the same
with ``pg_dump`` and ``pg_restore``). Pupils' records kept no longer than needed (UK GDPR):
which leavers are due under the school's retention period (``retention``), purging them by
anonymising each in place so the school's counts stay true (``purge``, with the text and audit
rewriting in ``scrub``), and everything held about one student for a subject access request
(``subject_access``).
"""
