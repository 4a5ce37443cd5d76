"""The school's records: models, vocabularies and errors. Importing it installs the audit hook."""

from helpdesk.domain import audit as _audit  # noqa: F401  (registers the audit log hook)
