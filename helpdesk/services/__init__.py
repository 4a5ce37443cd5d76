"""Everything a user can do, one function per action and one transaction each, returning plain
records (DTOs) and refusing with a one-sentence error: ``core`` (what every service stands on),
``counter``, ``repairs``, ``records``, ``reporting`` and ``csv``."""
