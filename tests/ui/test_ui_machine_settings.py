"""This computer's settings file: values read back as saved, and a damaged value is reported in
the log with its key and value while the default is used."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from helpdesk.ui.machine_settings import LabelLook, MachineSettings

DAMAGED = """\
[camera]
source=2
size=abc

[sounds]
enabled=perhaps

[printing]
slips=1
slip_format=a3-poster

[printers]
slip=Office Laser
sticker=Workroom Sticker Printer

[labels]
template=no-such-stock
code=morse
model=maybe
serial=false
folder=/srv/labels
"""


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "helpdesk.settings" and r.levelno == logging.WARNING
    ]


def test_saved_values_read_back_without_a_warning(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.WARNING, logger="helpdesk.settings")
    machine = MachineSettings(str(tmp_path / "machine.ini"))
    machine.camera = "1"
    machine.camera_size = (1920, 1080)
    machine.sounds = False
    machine.print_slips = False
    machine.slip_format = "receipt-80mm"
    machine.set_printer("label", "Office, Room 4")
    machine.label_folder = str(tmp_path)
    look = LabelLook("avery-l7651", "qr", show_model=False, show_serial=True)
    machine.remember_label_look(look)

    again = MachineSettings(machine.path)
    assert again.camera == "1" and again.camera_size == (1920, 1080)
    assert again.sounds is False and again.print_slips is False
    assert again.slip_format == "receipt-80mm"
    assert again.printer("label") == "Office, Room 4" and again.printer("slip") == ""
    assert again.label_folder == str(tmp_path)
    assert again.label_look(["avery-l7160", "avery-l7651"], ["code128", "qr"]) == look
    assert _warnings(caplog) == []


def test_damaged_values_are_logged_and_the_defaults_used(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.WARNING, logger="helpdesk.settings")
    path = tmp_path / "machine.ini"
    path.write_text(DAMAGED, encoding="utf-8")
    machine = MachineSettings(str(path))

    assert machine.camera == "2"  # what can be read is still used
    assert machine.camera_size is None
    assert machine.sounds is True
    assert machine.print_slips is True
    assert machine.slip_format == "half-a4"
    assert machine.printer("slip") == "Office Laser"
    assert machine.label_folder == "/srv/labels"
    look = machine.label_look(["avery-l7160", "avery-l7651"], ["code128", "qr"])
    assert look == LabelLook("avery-l7160", "code128", show_model=True, show_serial=False)

    warned = _warnings(caplog)
    for key, value in [
        ("camera/size", "abc"),
        ("sounds/enabled", "perhaps"),
        ("printing/slips", "1"),
        ("printing/slip_format", "a3-poster"),
        ("printers/sticker", "Workroom Sticker Printer"),
        ("labels/template", "no-such-stock"),
        ("labels/code", "morse"),
        ("labels/model", "maybe"),
    ]:
        assert any(key in w and repr(value) in w for w in warned), (key, warned)
    assert len(warned) == 8
    assert str(path) in warned[0]

    machine.sounds  # noqa: B018 - read again: reported once, not on every read
    assert len(_warnings(caplog)) == 8
    assert path.read_text(encoding="utf-8") == DAMAGED  # left as it was until saved again
    machine.sounds = False
    assert MachineSettings(str(path)).sounds is False


def test_a_size_that_is_not_a_size_is_reported(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    from helpdesk.scanner import DEFAULT_SIZE
    from helpdesk.ui.camera_window import saved_size

    caplog.set_level(logging.WARNING, logger="helpdesk.settings")
    # one file each: Qt keeps what it read of a settings file, and a file rewritten within the
    # same second may not be read again
    for n, value in enumerate(("0x720", "1280x", "-5x3", "1280x720x2")):
        path = tmp_path / f"machine-{n}.ini"
        path.write_text(f"[camera]\nsize={value}\n", encoding="utf-8")
        assert saved_size(MachineSettings(str(path))) == DEFAULT_SIZE
        assert f"camera/size in {path} has the value {value!r}" in _warnings(caplog)[-1]
    path = tmp_path / "machine-good.ini"
    path.write_text("[camera]\nsize=640X480\n", encoding="utf-8")
    assert saved_size(MachineSettings(str(path))) == (640, 480)
    assert len(_warnings(caplog)) == 4


def test_label_choices_start_from_the_defaults_on_a_damaged_file(qtbot, tmp_path, caplog) -> None:  # noqa: ANN001
    from helpdesk.labels.templates import all_templates
    from helpdesk.ui.labels.choices import LabelChoices

    caplog.set_level(logging.WARNING, logger="helpdesk.settings")
    path = tmp_path / "machine.ini"
    path.write_text(DAMAGED, encoding="utf-8")
    templates, _problems = all_templates()
    choices = LabelChoices(templates, MachineSettings(str(path)))
    qtbot.addWidget(choices)
    assert choices.template().id == "avery-l7160"
    assert choices.code_choice.currentData() == "code128"
    assert choices.show_model.isChecked() and not choices.show_serial.isChecked()
    assert any("labels/template" in w and "'no-such-stock'" in w for w in _warnings(caplog))

    other = next(t.id for t in templates if t.id != "avery-l7160")
    choices.set_template(other)
    choices.code_choice.setCurrentIndex(choices.code_choice.findData("qr"))
    choices.remember(choices.request())
    again = LabelChoices(templates, MachineSettings(str(path)))
    qtbot.addWidget(again)
    assert again.template().id == other and again.code_choice.currentData() == "qr"
