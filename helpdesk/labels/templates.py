"""Label stock as data: one JSON file per template.

The shipped templates live in ``resources/labels/`` (package data ``helpdesk.resources``); a
school adds its own as ``<data dir>/labels/templates/<id>.json`` in the same format, and a file
there with a shipped id replaces the shipped one. Every length is in millimetres, measured from
the top left corner of the page, as the stock's maker and gLabels give them.

A sheet template repeats one label over a grid; a roll or continuous template is one label per
page, the page being the label (the way label printer drivers present it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from helpdesk.labels.errors import invalid, is_expected, not_found
from helpdesk.logs import data_dir
from helpdesk.resource_files import resource

KINDS = ("sheet", "roll", "continuous")
TECHNOLOGIES = ("laser", "inkjet", "thermal")


@dataclass(frozen=True)
class Margins:
    left: float
    right: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Rect:
    """A rectangle in millimetres from the page's top left corner."""

    x: float
    y: float
    width: float
    height: float

    def inset(self, dx: float, dy: float | None = None) -> Rect:
        dy = dx if dy is None else dy
        return Rect(self.x + dx, self.y + dy, self.width - 2 * dx, self.height - 2 * dy)


@dataclass(frozen=True)
class LabelTemplate:
    id: str
    name: str
    source: str
    kind: str
    page_name: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    corner_radius: float
    markup_margin: float
    columns: int
    rows: int
    left: float
    top: float
    pitch_x: float
    pitch_y: float
    technology: str
    dpi: int | None
    unprintable: Margins
    origin: str = "shipped"  # "shipped" or the path of a school's own file

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def is_thermal(self) -> bool:
        return self.technology == "thermal"

    def cell(self, position: int) -> Rect:
        """The rectangle of label ``position`` (0-based, across then down) on its page."""
        index = position % self.per_page
        row, column = divmod(index, self.columns)
        return Rect(
            self.left + column * self.pitch_x,
            self.top + row * self.pitch_y,
            self.label_width,
            self.label_height,
        )

    def printable_area(self) -> Rect:
        m = self.unprintable
        return Rect(
            m.left, m.top, self.page_width - m.left - m.right, self.page_height - m.top - m.bottom
        )

    def summary(self) -> str:
        size = f"{self.label_width:g} x {self.label_height:g} mm"
        if self.kind == "sheet":
            where = f"{self.per_page} per {self.page_name} sheet"
        elif self.kind == "continuous":
            where = f"continuous roll, {self.label_height:g} mm per label"
        else:
            where = "roll"
        dpi = f", {self.dpi} dpi thermal" if self.is_thermal and self.dpi else ""
        return f"{size}, {where}{dpi}"


def _number(data: dict, key: str, where: str, *, minimum: float = 0.0) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{where}: '{key}' must be a number of millimetres.")
    if value < minimum:
        raise invalid(f"{where}: '{key}' must be at least {minimum:g}.")
    return float(value)


def _section(data: dict, key: str, where: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise invalid(f"{where}: the '{key}' section is missing.")
    return value


def parse_template(data: object, where: str, origin: str = "shipped") -> LabelTemplate:
    """A template from its JSON data; any mistake is a ValidationError naming it."""
    if not isinstance(data, dict):
        raise invalid(f"{where}: a label template is a JSON object.")
    template_id = data.get("id")
    if not isinstance(template_id, str) or not template_id.strip():
        raise invalid(f"{where}: 'id' is missing.")
    kind = data.get("kind", "sheet")
    if kind not in KINDS:
        raise invalid(f"{where}: 'kind' must be one of {', '.join(KINDS)}.")
    page = _section(data, "page_size", where)
    label = _section(data, "label", where)
    grid = _section(data, "grid", where)
    printer = data.get("printer") or {}
    margins = printer.get("unprintable_mm") or {}
    technology = printer.get("technology", "laser")
    if technology not in TECHNOLOGIES:
        raise invalid(f"{where}: printer 'technology' must be one of {TECHNOLOGIES}.")
    dpi = printer.get("dpi")
    if dpi is not None and (not isinstance(dpi, int) or dpi < 100):
        raise invalid(f"{where}: printer 'dpi' must be a whole number such as 203 or 300.")
    columns, rows = grid.get("columns", 1), grid.get("rows", 1)
    if not (isinstance(columns, int) and isinstance(rows, int) and columns >= 1 and rows >= 1):
        raise invalid(f"{where}: grid 'columns' and 'rows' must be whole numbers >= 1.")
    template = LabelTemplate(
        id=template_id.strip(),
        name=str(data.get("name") or template_id),
        source=str(data.get("source") or "not stated"),
        kind=kind,
        page_name=str(page.get("name") or ""),
        page_width=_number(page, "width_mm", where, minimum=5),
        page_height=_number(page, "height_mm", where, minimum=5),
        label_width=_number(label, "width_mm", where, minimum=5),
        label_height=_number(label, "height_mm", where, minimum=5),
        corner_radius=_number(label, "corner_radius_mm", where)
        if "corner_radius_mm" in label
        else 0.0,
        markup_margin=_number(label, "markup_margin_mm", where)
        if "markup_margin_mm" in label
        else 1.0,
        columns=columns,
        rows=rows,
        left=_number(grid, "left_mm", where),
        top=_number(grid, "top_mm", where),
        pitch_x=_number(grid, "pitch_x_mm", where),
        pitch_y=_number(grid, "pitch_y_mm", where),
        technology=technology,
        dpi=dpi,
        unprintable=Margins(
            *(float(margins.get(side, 0.0)) for side in ("left", "right", "top", "bottom"))
        ),
        origin=origin,
    )
    _check_fits(template, where)
    return template


def _check_fits(t: LabelTemplate, where: str) -> None:
    eps = 0.01
    if t.columns > 1 and t.pitch_x < t.label_width - eps:
        raise invalid(f"{where}: 'pitch_x_mm' is smaller than the label width.")
    if t.rows > 1 and t.pitch_y < t.label_height - eps:
        raise invalid(f"{where}: 'pitch_y_mm' is smaller than the label height.")
    last = t.cell(t.per_page - 1)
    if last.x + last.width > t.page_width + eps or last.y + last.height > t.page_height + eps:
        raise invalid(f"{where}: the grid of labels runs off the page.")
    if 2 * t.markup_margin >= min(t.label_width, t.label_height):
        raise invalid(f"{where}: 'markup_margin_mm' leaves no room on the label.")


def user_templates_dir() -> Path:
    return data_dir() / "labels" / "templates"


def _shipped() -> dict[str, LabelTemplate]:
    found: dict[str, LabelTemplate] = {}
    folder = resource("labels")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            template = parse_template(data, f"template {entry.name}")
            found[template.id] = template
    return found


def _school_templates() -> tuple[dict[str, LabelTemplate], list[str]]:
    """The school's own templates, and one line for each file that could not be used."""
    found: dict[str, LabelTemplate] = {}
    problems: list[str] = []
    folder = user_templates_dir()
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            template = parse_template(data, str(path), origin=str(path))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path}: not a readable JSON file ({exc})")
            continue
        except Exception as exc:
            if not is_expected(exc):
                raise
            problems.append(str(exc))
            continue
        found[template.id] = template
    return found, problems


def all_templates() -> tuple[list[LabelTemplate], list[str]]:
    """Every template (shipped, then the school's own replacing or adding), and the problems
    with the school's files (those files are left out, never fatal)."""
    templates = _shipped()
    own, problems = _school_templates()
    templates.update(own)
    return sorted(templates.values(), key=lambda t: t.id), problems


def get_template(template_id: str) -> LabelTemplate:
    templates, problems = all_templates()
    for template in templates:
        if template.id == template_id:
            return template
    known = ", ".join(t.id for t in templates)
    extra = f" ({'; '.join(problems)})" if problems else ""
    raise not_found(f"There is no label template '{template_id}'. Known templates: {known}.{extra}")
