#!/usr/bin/env bash
# Set up, fill an empty database with the demo school, and open Helpdesk.
#
#   bash scripts/demo.sh                 # the default SQLite file in the user's data folder
#   bash scripts/demo.sh --camera 0      # extra arguments go to the app
# Without a display (no $DISPLAY or $WAYLAND_DISPLAY) it runs under a virtual X server (xvfb-run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# Is the database (HELPDESK_DB_URL, or the default SQLite file) still empty?
empty=$(.venv/bin/python - <<'PY'
import os

from helpdesk.db import default_url, open_database
from helpdesk.services.records.browse import database_is_empty

factory = open_database(os.environ.get("HELPDESK_DB_URL") or default_url())
print("yes" if database_is_empty(factory) else "no")
factory.kw["bind"].dispose()
PY
)

if [[ "$empty" == "yes" ]]; then
    if .venv/bin/helpdesk demo --help >/dev/null 2>&1; then
        echo "demo: creating the demo school (students, laptops, loans, tickets, cover)..."
        .venv/bin/helpdesk demo
    else
        echo "demo: this version has no 'helpdesk demo' yet; starting on an empty database"
    fi
fi

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]] && command -v xvfb-run >/dev/null; then
    echo "demo: no display found, running on a virtual display (xvfb-run)"
    exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/helpdesk "$@"
fi
exec .venv/bin/helpdesk "$@"
