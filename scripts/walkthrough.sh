#!/usr/bin/env bash
# Walk every area of the real window as a person at the counter would, on a virtual display, and
# take a screenshot of each step: a handheld scanner's bursts (codes typed fast, then Enter) and
# keys, sent with xdotool to the running program. Needs xvfb, xdotool and imagemagick.
#
#   bash scripts/walkthrough.sh [OUT_DIR] [WIDTHxHEIGHT ...]
#
# The window opens on its sign-in screen: the walk signs in as the demo's admin by typing what the
# screen shows, and later switches to the counter's badge and PIN.
# Default: a fresh demo school, screenshots in /tmp/helpdesk-walk at 1280x720 and 1920x1080.
# Look at every picture afterwards: a window that opened with an error says so on screen.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-/tmp/helpdesk-walk}
shift || true
sizes=("$@")
((${#sizes[@]})) || sizes=(1280x720 1920x1080)
for tool in Xvfb xdotool import openbox; do
    command -v "$tool" >/dev/null || {
        echo "walkthrough: $tool is missing (apt-get install xvfb xdotool imagemagick openbox)" >&2
        exit 1
    }
done
mkdir -p "$out"
work=$(mktemp -d)
db="sqlite:///$work/walk.sqlite3"
cp_demo() {
    rm -f "$work"/walk.sqlite3*  # with the journal of the last walk
    cp "$work/demo.sqlite3" "$work/walk.sqlite3"
    rm -rf "$HELPDESK_DATA_DIR/print-queue"
    # a pickup session open for the form, as the pickup-day lead would have started it
    HELPDESK_USER=admin HELPDESK_PASSWORD=demo-admin .venv/bin/helpdesk --db "$db" unassign \
        "$pickup_laptop" >/dev/null
    HELPDESK_USER=admin HELPDESK_PASSWORD=demo-admin .venv/bin/helpdesk --db "$db" session start \
        pickup --form "$pickup_form" --name "Pickup day $pickup_form" >/dev/null
}
export HELPDESK_DATA_DIR="$work/data" XDG_CONFIG_HOME="$work/config"
unset HELPDESK_USER HELPDESK_PASSWORD  # the window starts at its sign-in screen
.venv/bin/helpdesk --db "sqlite:///$work/demo.sqlite3" demo --seed 7 >/dev/null
cp "$work/demo.sqlite3" "$work/walk.sqlite3"

q() { .venv/bin/python -c "import sqlite3,sys; print(sqlite3.connect('$work/walk.sqlite3').execute(sys.argv[1]).fetchone()[0])" "$1"; }
free="s.status='active' and not exists (select 1 from loans l where l.student_id=s.id and l.returned_at is null)"
student=$(q "select card_code from students s where $free limit 1")
student_name=$(q "select last_name from students where card_code='$student'")
other=$(q "select card_code from students s where $free and card_code <> '$student' limit 1")
at_limit=$(q "select s.card_code from students s join loans l on l.student_id=s.id and l.returned_at is null where s.status='active' limit 1")
loaner=$(q "select asset_tag from devices where pool='loan' and status='in_stock' limit 1")
second=$(q "select asset_tag from devices where pool='loan' and status='in_stock' and asset_tag <> '$loaner' limit 1")
out_loaner=$(q "select d.asset_tag from devices d join loans l on l.device_id=d.id and l.returned_at is null where d.pool='loan' limit 1")
owner=$(q "select s.card_code from assignments a join students s on s.id=a.student_id join devices d on d.id=a.device_id where a.ended_at is null and d.status='assigned' and $free limit 1")
own=$(q "select d.asset_tag from assignments a join devices d on d.id=a.device_id join students s on s.id=a.student_id where a.ended_at is null and s.card_code='$owner'")
ticket=$(q "select 'TKT-' || printf('%06d', id) from tickets where state='diagnosing' limit 1")
# pickup day: a student of the first form whose laptop is taken back first (in the demo every
# student already has one), so the walk hands it out again at a pickup session
pickup_pair=$(q "select s.form || ' ' || s.card_code || ' ' || d.asset_tag from students s join assignments a on a.student_id=s.id and a.ended_at is null join devices d on d.id=a.device_id where s.status='active' and d.kind='laptop' and d.status='assigned' order by s.form, s.last_name limit 1")
read -r pickup_form pickup_student pickup_laptop <<<"$pickup_pair"
# slips go to a printer that is not there: they are kept, and the print queue has something to show
mkdir -p "$HELPDESK_DATA_DIR"
printf '[printers]\nslip=Walkthrough-No-Such-Printer\n' >"$HELPDESK_DATA_DIR/machine-settings.ini"

burst() { xdotool type --delay 4 "$1"; xdotool key Return; sleep "${2:-1.2}"; }
key() { xdotool key "$@"; sleep 1.2; }
shot() { import -window root "$out/$size-$1.png"; echo "  $out/$size-$1.png"; }

for size in "${sizes[@]}"; do
    echo "walkthrough at $size"
    cp_demo  # every size starts from the same school
    display=:$((90 + RANDOM % 9))
    Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
    xvfb=$!
    sleep 1
    export DISPLAY=$display
    openbox >/dev/null 2>&1 &
    wm=$!
    sleep 0.5
    .venv/bin/helpdesk --db "$db" >"$work/app-$size.log" 2>&1 &
    app=$!
    for _ in $(seq 60); do
        xdotool search --onlyvisible --name "Helpdesk" >/dev/null 2>&1 && break
        sleep 0.5
    done
    win=$(xdotool search --onlyvisible --name "Helpdesk" | head -1)
    sleep 1
    # the title bar takes the rest of the screen's height
    xdotool windowmove "$win" 0 0 windowsize --sync "$win" "${size%x*}" $((${size#*x} - 30)) || true
    xdotool windowactivate --sync "$win"
    sleep 2
    # the sign-in screen, with the demo's accounts on it: sign in as the admin it shows, typed
    shot 00-sign-in
    xdotool type --delay 120 admin
    key Return
    xdotool type --delay 60 demo-admin
    key Return
    sleep 1
    shot 01-counter-idle
    burst "$student"
    shot 02-counter-student
    burst "$loaner"
    shot 03-counter-loan-ready
    key Escape
    burst "$at_limit"
    shot 04-counter-student-at-limit
    burst "$loaner"
    shot 05-counter-at-limit-loaner-refused
    key Escape
    burst "$other"
    burst "$out_loaner"
    shot 06-counter-out-loaner-question
    key Escape
    burst "$owner"
    burst "$own" 2
    shot 07-damage-dialog
    key Escape
    key Escape
    # a loan, whose slip waits in the print queue: the printer is not there
    burst "$student"
    burst "$second"
    key Return
    sleep 2
    shot 08-counter-loan-done
    key ctrl+shift+p
    sleep 1
    shot 09-print-queue
    key Escape
    key F2
    shot 10-bench
    burst "$ticket" 2
    shot 11-bench-ticket
    key Escape
    key F3
    burst "$loaner"
    shot 12-labels
    key F4
    xdotool type --delay 120 "$student_name"
    sleep 1.5
    key Down
    key Return
    sleep 1.5
    shot 13-record-detail
    key Escape
    key F5
    shot 14-overdue
    key F6
    sleep 1.5
    shot 15-reports
    key F7
    sleep 1.5
    shot 15b-audit-trail
    # pickup day: join the open session, a student's card then a laptop (wedge bursts)
    key F9
    sleep 1
    shot 15c-sessions-open
    key Return
    sleep 1
    burst "$pickup_student" 1.5
    shot 15d-session-student
    burst "$pickup_laptop" 2.5
    shot 15e-session-pickup-done
    key F1
    burst "$out_loaner"
    shot 16-counter-loaner-alone
    # lock, and the counter's badge and PIN switch the person in with the card still there
    key ctrl+l
    shot 17-locked
    burst STAFF-0001 0.5
    xdotool type --delay 120 1111
    key Return
    shot 18-counter-signed-in-by-badge
    key Escape
    key F7
    sleep 1
    shot 18b-audit-needs-a-manager
    key F1
    # a wrong password says so on the sign-in screen (signed out first)
    key ctrl+shift+l
    xdotool type --delay 120 admin
    key Return
    xdotool type --delay 60 wrong-password
    key Return
    shot 19-wrong-password
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    kill "$wm" "$xvfb" 2>/dev/null || true
    if grep -q "Traceback" "$work/app-$size.log"; then
        echo "walkthrough: the program logged a traceback at $size:" >&2
        cat "$work/app-$size.log" >&2
        exit 1
    fi
done
echo "walkthrough: done; look at $out/*.png"
