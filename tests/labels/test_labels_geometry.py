"""Every template's labels land where the template's own numbers put them (read back from the
PDF within 0.1 mm), inside the page, from the start position given; barcodes inside their label.
"""

from __future__ import annotations

import json

import pytest
from pdf_shapes import page_boxes

from helpdesk.labels.asset_labels import AssetLabel, LabelDesign, Offset, render_labels
from helpdesk.labels.templates import all_templates
from helpdesk.resource_files import resource

TEMPLATES = [t.id for t in all_templates()[0]]
TOL = 0.1


def _expected_cells(template_id: str) -> list[tuple[float, float, float, float]]:
    """Straight from the JSON file, independently of the layout code."""
    data = json.loads(resource("labels", f"{template_id}.json").read_text())
    g, lab = data["grid"], data["label"]
    return [
        (
            g["left_mm"] + c * g["pitch_x_mm"],
            g["top_mm"] + r * g["pitch_y_mm"],
            lab["width_mm"],
            lab["height_mm"],
        )
        for r in range(g["rows"])
        for c in range(g["columns"])
    ]


def _close(box, cell) -> bool:
    x, y, w, h = cell
    return (
        abs(box.x - x) < TOL
        and abs(box.y - y) < TOL
        and abs(box.width - w) < TOL
        and abs(box.height - h) < TOL
    )


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_labels_sit_in_their_cells(template_id):
    cells = _expected_cells(template_id)
    start = 3 if len(cells) > 2 else 1
    count = min(len(cells) - start + 1, 12)
    tags = [AssetLabel(f"PER-{n:06d}") for n in range(count)]
    sheets = render_labels(
        next(t for t in all_templates()[0] if t.id == template_id),
        tags,
        LabelDesign(header="Property of Northfield"),
        start=start,
        outline=True,
    )
    boxes, width, height = page_boxes(sheets.pdf, 0)
    outlines = [b for b in boxes if b.op == "S"]
    per_page = len(cells)
    on_first = min(count, per_page - start + 1)
    assert len(outlines) == on_first
    for i, box in enumerate(outlines):
        assert _close(box, cells[start - 1 + i]), (i, box, cells[start - 1 + i])
        assert (
            box.x >= 0 and box.y >= 0 and box.right <= width + 1e-6 and box.bottom <= height + 1e-6
        )
    bars = [b for b in boxes if b.op == "f"]
    assert len(bars) == on_first
    for i, box in enumerate(bars):
        x, y, w, h = cells[start - 1 + i]
        assert x < box.x and box.right < x + w and y < box.y and box.bottom < y + h
    assert [p.position for p in sheets.placements[:on_first]] == list(
        range(start - 1, start - 1 + on_first)
    )


def test_offset_moves_everything_by_the_printers_correction():
    template = next(t for t in all_templates()[0] if t.id == "avery-l7160")
    plain = render_labels(template, [AssetLabel("PER-000001")], outline=True)
    moved = render_labels(
        template, [AssetLabel("PER-000001")], outline=True, offset=Offset(0.8, -0.5)
    )
    (a, *_), (b, *_) = page_boxes(plain.pdf)[0], page_boxes(moved.pdf)[0]
    assert b.x - a.x == pytest.approx(0.8, abs=0.01)
    assert b.y - a.y == pytest.approx(-0.5, abs=0.01)


def test_copies_and_pages():
    template = next(t for t in all_templates()[0] if t.id == "avery-l7163")
    sheets = render_labels(
        template, [AssetLabel(f"PER-{n:06d}") for n in range(10)], copies=3, start=13
    )
    assert len(sheets.placements) == 30
    assert [p.tag for p in sheets.placements[:3]] == ["PER-000000"] * 3
    assert sheets.pages == 3  # 2 on the first sheet, 14 on the second, 14 on the third
    assert [p.page for p in sheets.placements].count(0) == 2
