"""Helpdesk: an offline, scan-driven ICT help desk for a school's 1:1 laptop programme."""

__version__ = "0.1.0"
