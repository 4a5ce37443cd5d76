"""Paper as PDF, with no Qt and no database: asset labels on a template's cells with their
barcodes, calibration sheets, loan slips and repair receipts, notices and letters to parents, and
report tables; each drawn from the plain data the services hand over."""
