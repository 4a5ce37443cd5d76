"""`helpdesk backup --to FOLDER`: dated names and the keep rules (the newest backup of each of
the last N days, the newest of each of the last M ISO weeks), with dates given explicitly."""

from __future__ import annotations

from datetime import date, datetime

from helpdesk.cli import main
from helpdesk.services.care.rotation import dated_name, newest_backup, prune, taken_at, to_keep


def test_names_sort_as_times_and_only_the_pattern_is_read():
    at = datetime(2026, 12, 7, 3, 15, 0)
    assert dated_name(at, "sqlite") == "helpdesk-2026-12-07T031500.sqlite"
    assert taken_at("helpdesk-2026-12-07T031500.sqlite") == at
    assert taken_at("helpdesk-2026-12-07T031500.dump") == at
    for other in (
        "helpdesk-2026-12-07T031500.sqlite.bak",
        "my-helpdesk-2026-12-07T031500.sqlite",
        "helpdesk-2026-13-07T031500.sqlite",  # no 13th month
        "helpdesk.sqlite3",
    ):
        assert taken_at(other) is None, other
    assert dated_name(datetime(2026, 1, 9), "sqlite") > dated_name(datetime(2025, 12, 31), "sqlite")


def test_the_rules_keep_the_newest_per_day_and_per_iso_week():
    today = date(2026, 12, 7)  # a Monday
    stamps = [
        datetime(2026, 12, 7, 3, 0),
        datetime(2026, 12, 7, 12, 0),  # the newest of today
        datetime(2026, 12, 6, 3, 0),  # Sunday: its day and the newest of last week
        datetime(2026, 12, 5, 3, 0),  # Saturday: kept as a day only
        datetime(2026, 12, 4, 3, 0),  # Friday, outside 3 days, not the newest of its week
        datetime(2026, 11, 29, 3, 0),  # Sunday of the week before: newest of that week
        datetime(2026, 11, 28, 3, 0),
        datetime(2026, 11, 22, 3, 0),  # three weeks back: outside 3 weeks
    ]
    kept = to_keep(stamps, today, keep_daily=3, keep_weekly=3)
    assert kept == {
        datetime(2026, 12, 7, 12, 0),
        datetime(2026, 12, 6, 3, 0),
        datetime(2026, 12, 5, 3, 0),
        datetime(2026, 11, 29, 3, 0),
    }
    # an ISO week across the new year: 2026-12-28 .. 2027-01-03 is one week
    new_year = [datetime(2026, 12, 29, 1, 0), datetime(2027, 1, 2, 1, 0)]
    assert to_keep(new_year, date(2027, 1, 20), keep_daily=1, keep_weekly=4) == {new_year[1]}
    assert to_keep(new_year, date(2027, 1, 20), keep_daily=1, keep_weekly=3) == set()


def test_prune_touches_only_dated_backups_and_never_the_one_just_written(tmp_path):
    names = [
        "helpdesk-2026-12-01T030000.sqlite",
        "helpdesk-2026-12-07T090000.sqlite",  # later today than the one written below
        "helpdesk-2026-10-01T030000.sqlite",
        "helpdesk-2026-10-01T030000.sqlite.keep-me",
        "school-2026-10-01.sqlite",
        "notes.txt",
    ]
    for name in names:
        (tmp_path / name).write_text(name)
    written = tmp_path / "helpdesk-2026-12-07T031500.sqlite"
    written.write_text("new")
    removed = prune(tmp_path, written, date(2026, 12, 7), keep_daily=1, keep_weekly=0)
    assert sorted(p.name for p in removed) == [
        "helpdesk-2026-10-01T030000.sqlite",
        "helpdesk-2026-12-01T030000.sqlite",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "helpdesk-2026-10-01T030000.sqlite.keep-me",
        "helpdesk-2026-12-07T031500.sqlite",
        "helpdesk-2026-12-07T090000.sqlite",
        "notes.txt",
        "school-2026-10-01.sqlite",
    ]
    assert newest_backup(tmp_path) == datetime(2026, 12, 7, 9, 0)


def test_backup_to_a_folder_writes_a_dated_backup_and_prunes(school, tmp_path, capsys):
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [
        "helpdesk-2020-01-06T030000.sqlite",  # years old: pruned
        "helpdesk-2020-01-07T030000.sqlite",
    ]
    for name in old:
        (folder / name).write_text("an old backup")
    (folder / "README.txt").write_text("not a backup")
    args = ["backup", "--to", str(folder), "--keep-daily", "2", "--keep-weekly", "1"]
    assert main([*args, "--db", f"sqlite:///{school}"]) == 0
    out = capsys.readouterr().out.splitlines()
    written = [p for p in folder.iterdir() if taken_at(p.name) and p.name not in old]
    assert len(written) == 1
    assert out[0] == (
        f"backed up {school} to {written[0]} "
        "(3 students, 2 devices, 1 loans, 0 tickets, 0 ticket_photos)"
    )
    assert out[1] == f"pruned 2 older backups: {', '.join(old)}"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["README.txt", written[0].name])
    assert abs((datetime.now() - taken_at(written[0].name)).total_seconds()) < 120

    assert (
        main(["backup", "--to", str(folder), "--keep-daily", "0", "--db", f"sqlite:///{school}"])
        == 1
    )
    assert "keep at least one daily backup" in capsys.readouterr().err
