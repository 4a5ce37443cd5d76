"""Legibility rules: module width never below 0.25 mm, a whole number of dots on thermal
printers, Code 128 with 10 modules of quiet zone each side; a tag that cannot fit is refused
before anything is drawn, with a suggestion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.domain.errors import ValidationError
from helpdesk.labels.asset_labels import AssetLabel, LabelDesign, render_labels
from helpdesk.labels.symbols import CODE128_QUIET, code128
from helpdesk.labels.templates import all_templates, get_template

TEMPLATES, _ = all_templates()
TAG = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-/", min_size=3, max_size=14)


def _assert_legible(template, tag: str, sheets) -> None:  # noqa: ANN001
    p = sheets.placements[0]
    assert p.tag == tag
    assert p.module >= 0.25 - 1e-9
    assert (code128(tag).modules + 2 * CODE128_QUIET) * p.module <= template.label_width + 1e-6 or (
        template.label_height > template.label_width
    )
    if template.dpi:
        dots = p.module * template.dpi / 25.4
        assert dots == pytest.approx(round(dots), abs=1e-6)


def test_module_is_legible_or_the_tag_is_refused():
    outcomes = {"fitted": 0, "refused": 0}

    @settings(max_examples=60, deadline=None)
    @given(tag=TAG, index=st.integers(0, len(TEMPLATES) - 1))
    def check(tag, index):  # noqa: ANN001
        template = TEMPLATES[index]
        try:
            sheets = render_labels(template, [AssetLabel(tag)], LabelDesign(header="Northfield"))
        except ValidationError as exc:
            assert "Nothing was printed" in str(exc)
            outcomes["refused"] += 1
            return
        _assert_legible(template, tag, sheets)
        outcomes["fitted"] += 1

    check()
    # Most tags of up to 14 characters fit most stocks: a run where (nearly) every tag was
    # refused checked nothing about legibility.
    assert outcomes["fitted"] >= 2 * outcomes["refused"], outcomes


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_a_school_asset_tag_fits_every_shipped_stock(template):
    sheets = render_labels(template, [AssetLabel("PER-000001")], LabelDesign(header="Northfield"))
    _assert_legible(template, "PER-000001", sheets)


def test_too_long_for_mini_labels_suggests_qr_or_larger_stock():
    templates = TEMPLATES
    with pytest.raises(ValidationError) as err:
        render_labels(
            get_template("avery-l7651"),
            [AssetLabel("PER-000001"), AssetLabel("LT-2026-000001")],
            others=templates,
        )
    message = str(err.value)
    assert "LT-2026-000001" in message and "below the 0.25 mm" in message
    assert "--code qr" in message and "avery-l7160" in message
    assert "Nothing was printed" in message


def test_a_tag_no_stock_can_hold_says_so():
    tag = "X" * 60
    with pytest.raises(ValidationError, match="shorten the tag"):
        render_labels(get_template("dymo-11355"), [AssetLabel(tag)], others=TEMPLATES)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": 66}, "between 1 and 65"),
        ({"start": 0}, "between 1 and 65"),
        ({"copies": 0}, "Copies per tag"),
        ({"design": LabelDesign(symbology="aztec")}, "not a code type"),
    ],
)
def test_bad_batch_settings_are_refused(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        render_labels(get_template("avery-l7651"), [AssetLabel("PER-000001")], **kwargs)


def test_characters_code_128_cannot_hold():
    with pytest.raises(ValidationError, match="cannot hold"):
        render_labels(get_template("avery-l7160"), [AssetLabel("PÉR-0001")])
    with pytest.raises(ValidationError, match="no labels"):
        render_labels(get_template("avery-l7160"), [])


def test_header_and_model_in_any_alphabet_are_printed():
    import io

    from pypdf import PdfReader

    sheets = render_labels(
        get_template("avery-l7160"),
        [AssetLabel("PER-000001", model="Łódź edition")],
        LabelDesign(header="Własność Szkoły Podstawowej"),
    )
    text = PdfReader(io.BytesIO(sheets.pdf)).pages[0].extract_text()
    assert "Własność Szkoły Podstawowej" in text and "Łódź edition" in text
