"""The label engine's failures, as the project's typed errors (:mod:`helpdesk.domain.errors`).

The error classes are loaded when a failure happens, not when the engine is imported: loading
them loads the domain package and with it the database layer, which a quick sheet of tags made
without a database has no use for.
"""

from __future__ import annotations

from functools import cache


def _errors():
    from helpdesk.domain import errors

    return errors


@cache
def code_too_long_class() -> type[Exception]:
    """:class:`CodeTooLong`: a code cannot be printed legibly in the space the stock gives (a
    :class:`helpdesk.domain.errors.ValidationError`)."""
    return type(
        "CodeTooLong",
        (_errors().ValidationError,),
        {
            "__doc__": "A code cannot be printed legibly in the space the stock gives.",
            "__module__": __name__,
        },
    )


def is_expected(exc: BaseException) -> bool:
    """True for the project's expected failures (message fit for a person)."""
    return isinstance(exc, _errors().HelpdeskError)


def invalid(message: str) -> Exception:
    return _errors().ValidationError(message)


def not_found(message: str) -> Exception:
    return _errors().NotFound(message)


def code_too_long(message: str) -> Exception:
    return code_too_long_class()(message)
