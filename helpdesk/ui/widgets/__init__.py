"""Widgets more than one area uses: the scan box (scanner bursts told from typing), the camera
preview, the record card, sound and colour feedback, and the due-date field."""
