"""Print, scan, compare: every template's PDF rendered with pdftoppm (300 dpi, and 203 dpi for
the thermal stocks) and read by the project's scanner; each label reads back its own tag, in its
own cell. QR and Data Matrix labels too."""

from __future__ import annotations

import pytest
from pdf_shapes import crop, decode, render

from helpdesk.labels.asset_labels import AssetLabel, LabelDesign, render_labels
from helpdesk.labels.templates import all_templates

TEMPLATES = {t.id: t for t in all_templates()[0]}
CASES = [(tid, 300) for tid in TEMPLATES] + [
    (tid, 203) for tid, t in TEMPLATES.items() if t.is_thermal
]


def _tags(n: int) -> list[AssetLabel]:
    shapes = ("PER-{:06d}", "LNR-{:03d}", "{:08d}", "LT{:05d}")
    return [
        AssetLabel(shapes[i % len(shapes)].format(1000 + i * 7), "HP ProBook 440 G9", f"5CG{i:06d}")
        for i in range(n)
    ]


def _check(template, sheets, dpi: int) -> None:
    pages = render(sheets.pdf, dpi)
    assert len(pages) == sheets.pages
    misread = []
    for placement in sheets.placements:
        c = placement.cell
        found = decode(crop(pages[placement.page], c.x, c.y, c.width, c.height, dpi))
        if found != [placement.tag]:
            misread.append((placement.position, placement.tag, found))
    assert not misread, misread


@pytest.mark.parametrize(("template_id", "dpi"), CASES, ids=[f"{t}@{d}" for t, d in CASES])
def test_every_label_reads_back_its_own_tag(template_id, dpi):
    template = TEMPLATES[template_id]
    count = template.per_page if template.kind == "sheet" else 3
    sheets = render_labels(
        template, _tags(count), LabelDesign(header="Property of Northfield Academy")
    )
    _check(template, sheets, dpi)


@pytest.mark.parametrize(
    ("template_id", "code"),
    [
        ("avery-l7651", "qr"),
        ("avery-l7651", "datamatrix"),
        ("avery-5167", "datamatrix"),
        ("avery-l7160", "code128+qr"),
        ("zebra-2x1", "datamatrix"),
        ("brother-dk11201", "code128+datamatrix"),
    ],
)
def test_two_dimensional_codes_read_back(template_id, code):
    template = TEMPLATES[template_id]
    count = min(template.per_page, 20)
    sheets = render_labels(template, _tags(count), LabelDesign(header="Northfield", symbology=code))
    pages = render(sheets.pdf, template.dpi or 300)
    for p in sheets.placements:
        c = p.cell
        found = decode(crop(pages[p.page], c.x, c.y, c.width, c.height, template.dpi or 300))
        assert found == [p.tag], (p, found)  # Code 128 and the 2D code give the same text
