"""The Reports area: each report as a table and a chart, with PDF and CSV export."""
