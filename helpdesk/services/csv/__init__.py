"""The school's CSV files: reading any file a school exports (BOM, semicolons, dd/mm/yyyy), importing
students, devices and cover row by row with a report, and exporting the same columns."""
