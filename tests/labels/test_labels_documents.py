"""What printed documents read from the records: batches in hand-out order, the devices never
labelled, the record of label prints (one transaction), slips, receipts, agreements."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import LabelPrint
from helpdesk.services.reporting import documents, slip_data


def test_form_and_year_group_come_in_hand_out_order(any_school):
    factory, _ = any_school
    form = documents.devices_for_form(factory, "7A")
    assert [d.student for d in form] == ["Amir Ahmed", "Bea Baker", "Cara Cole"]
    assert {d.form for d in form} == {"7A"}
    year = documents.devices_for_year(factory, 7)
    assert [(d.form, d.student.split()[-1]) for d in year] == [
        ("7A", "Ahmed"),
        ("7A", "Baker"),
        ("7A", "Cole"),
        ("7B", "Adams"),
    ]
    assert year[0].model_name == "HP ProBook 440" and year[0].serial == "SN00002"
    with pytest.raises(NotFound, match="no form '9Z'"):
        documents.devices_for_form(factory, "9Z")


def test_tags_and_ranges(any_school):
    factory, _ = any_school
    rows = documents.devices_by_tags(factory, ["PER-000103", "LNR-002", "PER-000101"])
    assert [r.asset_tag for r in rows] == ["PER-000103", "LNR-002", "PER-000101"]
    assert rows[0].student == "Bea Baker" and rows[1].student == ""
    with pytest.raises(NotFound, match="PER-000999"):
        documents.devices_by_tags(factory, ["PER-000101", "PER-000999"])
    rng = documents.devices_in_tag_range(factory, "PER-000104", "PER-000102")
    assert [r.asset_tag for r in rng] == ["PER-000102", "PER-000103", "PER-000104"]
    with pytest.raises(ValidationError, match="same prefix"):
        documents.devices_in_tag_range(factory, "PER-000101", "LNR-002")


def test_recorded_prints_leave_the_unlabelled_list(any_school):
    factory, ids = any_school
    before = documents.unlabelled_devices(factory)
    assert "PER-000900" not in [d.asset_tag for d in before]  # retired
    assert [d.asset_tag for d in before][:3] == ["PER-000102", "PER-000103", "PER-000101"]
    assert len(before) == 7
    chosen = [ids["PER-000101"], ids["LNR-001"]]
    record = documents.record_label_prints(factory, "admin", chosen, "avery-l7651")
    assert record.count == 2 and record.printed_by == "admin"
    after = [d.asset_tag for d in documents.unlabelled_devices(factory)]
    assert "PER-000101" not in after and "LNR-001" not in after and len(after) == 5
    with factory() as s:
        rows = s.scalars(select(LabelPrint)).all()
    assert sorted(r.device_id for r in rows) == sorted(chosen)
    assert {r.template_id for r in rows} == {"avery-l7651"}


def test_recording_is_all_or_nothing(any_school):
    factory, ids = any_school
    with pytest.raises(NotFound, match="No device has the id 99999"):
        documents.record_label_prints(factory, "admin", [ids["PER-000101"], 99999], "avery-l7651")
    with pytest.raises(NotFound, match="no staff member"):
        documents.record_label_prints(factory, "nobody", [ids["PER-000101"]], "avery-l7651")
    with factory() as s:
        assert s.scalars(select(LabelPrint)).all() == []


def test_slip_receipt_and_agreements(any_school):
    factory, ids = any_school
    slip = slip_data.loan_slip(factory, ids["loan"])
    assert slip.code == f"LOAN-{ids['loan']:06d}"
    assert (slip.student, slip.form, slip.asset_tag) == ("Amir Ahmed", "7A", "LNR-001")
    assert (slip.loan_type, slip.accessories, slip.school_name) == (
        "swap",
        "charger",
        "Northfield Academy",
    )
    assert slip.issued_by == "Admin" and slip.due_at.day == 27
    with pytest.raises(NotFound, match="no loan LOAN-009999"):
        slip_data.loan_slip(factory, 9999)
    receipt = slip_data.repair_receipt(factory, ids["ticket"])
    assert receipt.code == f"TKT-{ids['ticket']:06d}"
    assert receipt.cover == "no cover on record"
    assert receipt.charge_pence == 8500 and "uninsured" in receipt.charge_basis
    agreements = slip_data.handover_agreements(factory, form="7A")
    assert [a.student for a in agreements] == ["Amir Ahmed", "Bea Baker", "Cara Cole"]
    assert agreements[0].card_code == "S0002"
    with pytest.raises(ValidationError):
        slip_data.handover_agreements(factory)


def test_last_batch_is_the_reprint_of_the_latest_print(any_school):
    factory, ids = any_school
    with pytest.raises(NotFound, match="No asset labels have been printed"):
        documents.last_label_batch(factory)
    first = datetime(2026, 11, 2, 9, 30)
    documents.record_label_prints(factory, "admin", [ids["LNR-002"]], "zebra-2x1", now=first)
    batch = [ids["PER-000103"], ids["PER-000103"], ids["PER-000101"]]  # two copies of one
    later = first + timedelta(seconds=1)  # the next batch is a later moment (kept to the second)
    documents.record_label_prints(factory, "admin", batch, "avery-l7651", now=later)
    assert [d.asset_tag for d in documents.last_label_batch(factory)] == [
        "PER-000103",
        "PER-000101",
    ]


def test_a_scanned_code_names_a_device_by_tag_or_serial(any_school):
    factory, ids = any_school
    by_tag = documents.device_for_label(factory, " per-000101 ")
    assert by_tag is not None and by_tag.device_id == ids["PER-000101"]
    assert by_tag.asset_tag == "PER-000101" and by_tag.form == "7A"
    loaner = documents.device_for_label(factory, "LNR-001")
    assert loaner is not None and loaner.device_id == ids["LNR-001"] and loaner.student == ""
    serial = by_tag.serial
    by_serial = documents.device_for_label(factory, serial.lower())
    assert by_serial is not None and by_serial.device_id == ids["PER-000101"]
    assert documents.device_for_label(factory, "NOT-A-DEVICE") is None
    assert documents.device_for_label(factory, "  ") is None
