"""Taking care of the school's data: backups that are whole or not there at all, kept by date
and pruned by rules (``backups``, ``rotation``), and putting a backup back (``restore``). A
backup is written to a temporary file beside its target, checked (integrity, schema revision,
row counts), flushed to the disk and only then renamed over the target, so a failure, a full
disk or a killed process never leaves a partial backup under the final name; on PostgreSQL the
same is done with ``pg_dump`` and ``pg_restore``.
"""
