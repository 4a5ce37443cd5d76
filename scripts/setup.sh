#!/usr/bin/env bash
# Set up Helpdesk on a Debian or Ubuntu machine: the system packages it needs (when run as root),
# then .venv/ in the project root with Helpdesk and its test tools installed. Safe to run again:
# it only does what is still missing.
#
#   bash scripts/setup.sh            # as root: system packages too
#   HELPDESK_SKIP_APT=1 bash scripts/setup.sh   # never touch system packages
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# System packages: barcode decoding (libzbar0), printing (CUPS with a PDF printer for the tests),
# PDF rendering (poppler-utils), PostgreSQL (the tests start their own server), a virtual display
# (xvfb) and the libraries Qt needs for its offscreen and X11 (xcb) platforms and for sound
# (libpulse0, used by Qt Multimedia).
APT_PACKAGES=(
    libzbar0
    cups cups-client printer-driver-cups-pdf
    poppler-utils
    postgresql
    xvfb xauth
    libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 fonts-dejavu-core
    libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
    libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0
    libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libxrender1 libxi6 libsm6 libice6
    libpulse0
)

missing_packages() {
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
            printf '%s\n' "$pkg"
        fi
    done
}

install_system_packages() {
    if [[ -n "${HELPDESK_SKIP_APT:-}" ]] || ! command -v dpkg-query >/dev/null; then
        return 0
    fi
    local missing
    mapfile -t missing < <(missing_packages "${APT_PACKAGES[@]}")
    if ((${#missing[@]} == 0)); then
        say "system packages: all present"
        return 0
    fi
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        say "not root: skipping system packages. Missing (install them as root):"
        say "  sudo apt-get install ${missing[*]}"
        return 0
    fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
    local candidate
    for candidate in "${HELPDESK_PYTHON:-}" python3.11 python3.12 python3.13 python3.14 python3; do
        [[ -n "$candidate" ]] || continue
        if command -v "$candidate" >/dev/null &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

make_venv() {
    if [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        return 0
    fi
    local python
    if ! python=$(find_python); then
        say "Python 3.11 or newer is needed (apt-get install python3 python3-venv)." >&2
        exit 1
    fi
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        local version
        version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
            say "installing python${version}-venv"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" >/dev/null ||
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        else
            say "$python cannot make virtual environments: install python${version}-venv" >&2
            exit 1
        fi
    fi
    say "creating .venv with $python ($("$python" --version 2>&1))"
    rm -rf .venv
    "$python" -m venv .venv
}

install_project() {
    # Reinstall only when pyproject.toml changed since the last install (or it never happened).
    local stamp=.venv/.helpdesk-installed want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
        .venv/bin/python -c 'import helpdesk.cli, pytest' 2>/dev/null; then
        say "Python packages: up to date"
        return 0
    fi
    say "installing Helpdesk and its test tools into .venv (log: .venv/pip-install.log)"
    local log=.venv/pip-install.log
    if ! {
        .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
            .venv/bin/python -m pip install --disable-pip-version-check -e ".[test]"
    } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        say "installing the Python packages failed; the whole log is in $log" >&2
        exit 1
    fi
    printf '%s\n' "$want" >"$stamp"
}

install_system_packages
make_venv
install_project
say "ready: .venv/bin/helpdesk"
