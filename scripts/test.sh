#!/usr/bin/env bash
# Everything CI checks: set-up, lint, format, layer contracts, types, then the whole test suite.
# Runs every step even when one fails, prints a summary, and exits non-zero if any step failed.
#
#   bash scripts/test.sh                 # all of it
#   bash scripts/test.sh tests/infra -x  # extra arguments go to pytest
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export PYTHONDONTWRITEBYTECODE=1
failed=()

step() {
    local name=$1
    shift
    printf '\n\033[1m== %s\033[0m\n' "$name"
    "$@"
    local code=$?
    if ((code != 0)); then
        failed+=("$name (exit $code)")
    fi
    return 0
}

step "ruff check" .venv/bin/ruff check .
step "ruff format --check" .venv/bin/ruff format --check .
step "import contracts (lint-imports)" .venv/bin/lint-imports
step "type check (mypy)" .venv/bin/mypy

run_pytest() {
    # Exit 5 means no tests were collected: that is a failure too, never a pass.
    .venv/bin/python -m pytest --durations=15 "$@"
    local code=$?
    if ((code == 5)); then
        echo "pytest collected no tests"
    fi
    return "$code"
}
step "pytest" run_pytest "$@"

printf '\n\033[1m== summary\033[0m\n'
if ((${#failed[@]})); then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "all checks passed"
