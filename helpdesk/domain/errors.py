"""Typed errors whose message is a sentence fit for the person at the counter."""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base of every expected failure. ``str(err)`` is shown to the user as it is."""


class NotFound(HelpdeskError):
    """A code, record or id that is not in the database."""


class Refused(HelpdeskError):
    """A rule of the school forbids the action (loan limit, left student, wrong pool...)."""


class AlreadyOnLoan(Refused):
    """The device has an open loan already."""


class InvalidTransition(Refused):
    """A ticket move that the lifecycle does not allow."""


class ValidationError(HelpdeskError):
    """Input that cannot be used as it is (a bad date, an empty name...)."""


class ImportFailed(HelpdeskError):
    """A CSV file with bad rows; ``problems`` lists (line, column, why)."""

    def __init__(self, message: str, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(message)
        self.problems = problems


class DatabaseRefused(HelpdeskError):
    """A database Helpdesk will not open: another application's, or one made by a newer version
    of Helpdesk. Nothing is written to it."""
