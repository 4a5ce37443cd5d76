"""Label stock as data: every shipped template, checked against the gLabels reference; a
school's own template; bad files named, never fatal."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from helpdesk.domain.errors import NotFound
from helpdesk.labels.templates import all_templates, get_template, user_templates_dir

REQUIRED = {
    "avery-l7651": 65,
    "avery-l7160": 21,
    "avery-l7162": 16,
    "avery-l7163": 14,
    "avery-5160": 30,
    "avery-5167": 80,
    "brother-dk22205": 1,
    "brother-dk11201": 1,
    "dymo-99012": 1,
    "dymo-11355": 1,
    "zebra-2x1": 1,
}

# template id -> (gLabels file, part)
GLABELS = {
    "avery-l7651": ("avery-iso-templates.xml", "8651"),
    "avery-l7160": ("avery-iso-templates.xml", "7160"),
    "avery-l7162": ("avery-iso-templates.xml", "7162"),
    "avery-l7163": ("avery-iso-templates.xml", "7163"),
    "avery-5160": ("avery-us-templates.xml", "5160"),
    "avery-5167": ("avery-us-templates.xml", "5167"),
    "brother-dk11201": ("brother-other-templates.xml", "DK-1201"),
    "dymo-99012": ("dymo-other-templates.xml", "99012"),
    "dymo-11355": ("dymo-other-templates.xml", "11355"),
}


def _mm(value: str) -> float:
    for unit, factor in (("mm", 1.0), ("in", 25.4), ("pt", 25.4 / 72)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value) * 25.4 / 72  # gLabels: points when no unit is given


def test_every_required_stock_is_shipped_with_its_source():
    templates = {t.id: t for t in all_templates()[0]}
    for template_id, per_page in REQUIRED.items():
        t = templates[template_id]
        assert t.per_page == per_page
        assert len(t.source) > 20 and t.origin == "shipped"
        cells = [t.cell(i) for i in range(t.per_page)]
        for c in cells:
            assert 0 <= c.x and c.x + c.width <= t.page_width + 1e-6
            assert 0 <= c.y and c.y + c.height <= t.page_height + 1e-6
    assert templates["zebra-2x1"].dpi == 203
    assert templates["brother-dk22205"].kind == "continuous"


@pytest.mark.parametrize("template_id", sorted(GLABELS))
def test_geometry_agrees_with_glabels(template_id, label_reference):
    filename, part = GLABELS[template_id]
    root = ET.parse(label_reference / filename).getroot()
    node = next(n for n in root.iter("Template") if n.get("part") == part)
    shape = node.find("Label-rectangle")
    t = get_template(template_id)
    assert abs(_mm(shape.get("width")) - t.label_width) < 0.01
    assert abs(_mm(shape.get("height")) - t.label_height) < 0.01
    layout = shape.find("Layout")
    assert int(layout.get("nx")) == t.columns and int(layout.get("ny")) == t.rows
    if t.kind == "sheet":
        assert abs(_mm(layout.get("x0")) - t.left) < 0.01
        assert abs(_mm(layout.get("y0")) - t.top) < 0.01
        assert abs(_mm(layout.get("dx")) - t.pitch_x) < 0.01
        assert abs(_mm(layout.get("dy")) - t.pitch_y) < 0.01


def test_a_school_adds_and_replaces_templates_and_bad_files_are_named():
    folder = user_templates_dir()
    folder.mkdir(parents=True)
    own = {
        "id": "school-asset-40x20",
        "name": "Our 40 x 20 mm asset labels",
        "source": "measured from the supplier's sheet",
        "kind": "sheet",
        "page_size": {"name": "A4", "width_mm": 210, "height_mm": 297},
        "label": {"width_mm": 40, "height_mm": 20, "markup_margin_mm": 1.5},
        "grid": {
            "columns": 4,
            "rows": 12,
            "left_mm": 10,
            "top_mm": 12,
            "pitch_x_mm": 48,
            "pitch_y_mm": 22,
        },
    }
    (folder / "ours.json").write_text(json.dumps(own))
    (folder / "broken.json").write_text("{ not json")
    off_page = dict(own, id="too-wide", grid=dict(own["grid"], columns=5))
    (folder / "too-wide.json").write_text(json.dumps(off_page))
    templates, problems = all_templates()
    ids = [t.id for t in templates]
    assert "school-asset-40x20" in ids and "too-wide" not in ids
    assert any("broken.json" in p for p in problems)
    assert any("runs off the page" in p for p in problems)
    assert get_template("school-asset-40x20").cell(5).x == pytest.approx(10 + 48)
    with pytest.raises(NotFound, match="no label template 'avery-l9999'.*avery-l7651"):
        get_template("avery-l9999")
