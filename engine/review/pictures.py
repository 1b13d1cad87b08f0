"""Coverage pictures: a decision table's rules drawn as boxes over two of its inputs, as SVG.

Owns the drawing of a projection (``engine.analysis.coverage``): each rule a box over the
values of two inputs (numeric inputs as intervals on a scale spanning their allowed range,
texts and booleans as bands, a band for the missing value), gaps in red, overlaps hatched,
the inputs not on the axes as panels (small multiples) or named in the caption, and every
shape a link: a rule to its row, a gap or an overlap to its lint finding, in the ids that
``dtrun show --format html`` gives them (a rule's first cell; finding ``k`` of ``findings``
is ``#f{k+1}``).  ``regions`` draws further boxes over the picture (e.g. where two versions
of a table differ), each with its own label, link and style.

Drawn with matplotlib (imported here, when a picture is drawn) on its SVG canvas, never
through pyplot's global state; the output is deterministic (no date, no version, fixed
fonts, hashed ids salted per picture and prefixed, so that several pictures can share one
HTML page) and keeps its text as text.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.analysis.axes import Axis
from engine.analysis.coverage import NoPicture, Projection, Shape, analysis_of, box_shapes, project, table_analyses
from engine.analysis.findings import Finding
from engine.model.types import Model
from engine.review.anchors import anchor

__all__ = ["NoPicture", "Region", "coverage_svg", "pictures", "pictures_and_reasons", "skipped"]

RULE_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7",
                "#86bcb6", "#8cd17d", "#a0cbe8", "#d4a6c8", "#ffbe7d", "#b6992d", "#79706e", "#d37295")
GAP_RED = "#d62728"
# kind → (face, edge, hatch, alpha, zorder); the gap colours per meaning of "no rule matches"
_UNCOVERED = {"gap": (GAP_RED, "#f4a3a3"), "default": ("#6baed6", "#c6dbef"), "empty": ("#d9d9d9", "#efefef")}
_OVERLAPS = {"overlap": ("none", "#8b0000", "xxx", 1.0), "overlap-partly": ("none", "#e08080", "///", 1.0),
             "several": ("none", "#555555", "xx", 1.0), "several-partly": ("none", "#aaaaaa", "//", 1.0),
             "not-allowed": ("#eeeeee", "#bbbbbb", "\\\\", 1.0)}
REGION_COLOURS = {"changed": "#e15759", "added": "#59a14f", "removed": "#7b3294", "old": "#7b3294",
                  "new": "#59a14f", "same": "#79706e"}
_REGION_DEFAULT = "#1f77b4"
MAX_RULES = 300  # ``pictures`` leaves out larger tables: their boxes would not be legible (and take seconds)


@dataclass(frozen=True)
class Region:
    """An extra box to draw: ``box`` maps inputs to a cell text, a ``ValueSet``, an
    ``Interval`` or (low, high); inputs it leaves out take any value."""

    box: Mapping[str, Any]
    label: str = ""
    href: str = ""
    style: str = "changed"
    note: str = field(default="", compare=False)


def coverage_svg(model: Model, table_name: str, x: str | None = None, y: str | None = None,
                 findings: Sequence[Finding] = (), regions: Iterable[Any] = ()) -> str:
    """The coverage picture of table ``table_name`` over inputs ``x`` and ``y`` (default: the
    inputs that best explain its gaps and overlaps, else those with the most distinct cells),
    as SVG.  ``findings``: lint's findings (the gaps and overlaps are linked to them as
    ``#f1``, ``#f2``, ... by position); ``regions``: objects with ``box``, ``label``, ``href``
    and ``style``.  KeyError for an unknown table or input; NoPicture (a ValueError) with
    the reason for a table that cannot be pictured."""
    analysis = analysis_of(model, table_name)
    projection = project(analysis, x, y, findings)
    extra = [(region, box_shapes(analysis, projection, region.box, "region", getattr(region, "note", "")))
             for region in regions]
    return draw(model, projection, extra)


def pictures(model: Model, findings: Sequence[Finding] = ()) -> dict[str, str]:
    """Table name → its coverage picture (default axes), for every table that can be
    pictured (``skipped`` says why the others are not)."""
    return pictures_and_reasons(model, findings)[0]


def skipped(model: Model) -> dict[str, str]:
    """Table name → why ``pictures`` gives it no coverage picture (known before drawing:
    a table whose input space is too finely cut to picture is found only when drawn, and
    ``pictures_and_reasons`` gives its reason too)."""
    return dict(_candidates(model)[1])


def pictures_and_reasons(model: Model, findings: Sequence[Finding] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """``pictures`` and, for every other table, why it has none."""
    candidates, reasons = _candidates(model)
    drawn = {}
    for name, analysis in candidates:
        try:
            drawn[name] = draw(model, project(analysis, findings=findings))
        except NoPicture as why:
            reasons[name] = str(why)
    return drawn, reasons


def _candidates(model: Model) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    """The tables to picture with their analyses, and why the others are not pictured."""
    candidates, reasons = [], {}
    for name, analysis, why in table_analyses(model):
        if analysis is None:
            reasons[name] = why
        elif len(analysis.table.rules) > MAX_RULES:
            reasons[name] = (f"{model.source.name(name)} has {len(analysis.table.rules)} rules, too many to draw "
                             f"legibly (at most {MAX_RULES}); dtrun lint lists its gaps and overlaps")
        else:
            candidates.append((name, analysis))
    return candidates, reasons


# ---------------------------------------------------------------------- drawing
def draw(model: Model, projection: Projection, regions: Sequence[tuple[Any, list[tuple[int, Shape]]]] = ()) -> str:
    """The SVG of ``projection`` (and of ``regions``: (region, its shapes per panel))."""
    import io

    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    prefix = "cov-" + re.sub(r"[^A-Za-z0-9_-]", "-", f"{projection.table}-{projection.x.name}-"
                                                     f"{projection.y.name if projection.y else ''}")
    settings = {"svg.fonttype": "none", "svg.hashsalt": prefix, "font.family": "DejaVu Sans", "font.size": 8,
                "hatch.linewidth": 0.7, "axes.linewidth": 0.8, "svg.image_inline": True}
    titles: dict[str, str] = {}
    with matplotlib.rc_context(settings):
        width, plot_height, caption = _size(model, projection)
        figure = Figure(figsize=(width, plot_height), layout="constrained")
        FigureCanvasSVG(figure)
        panels = figure.subplots(1, len(projection.panels), sharey=True, squeeze=False)[0]
        drawer = _Drawer(model, projection, prefix, titles)
        for p, (axes, panel) in enumerate(zip(panels, projection.panels)):
            drawer.panel(axes, panel, [(region, shape) for region, shapes in regions for q, shape in shapes if q == p],
                         first=p == 0)
        figure.suptitle(f"{projection.title}: rules over {projection.x.label}"
                        + (f" and {projection.y.label}" if projection.y else ""), fontsize=9)
        handles = drawer.legend(regions)
        columns = max(1, min(3, int(width // 3.8)))
        legend_height = 0.19 * -(-len(handles) // columns) + 0.1 if handles else 0.0
        caption_height = 0.15 * len(caption) + 0.1
        height = plot_height + legend_height + caption_height
        figure.set_figheight(height)
        figure.get_layout_engine().set(rect=(0, (legend_height + caption_height) / height, 1,
                                             1 - (legend_height + caption_height) / height))
        if handles:
            figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, caption_height / height),
                          ncols=columns, fontsize=7, frameon=False, borderaxespad=0.2)
        figure.text(0.01, 0.02 / height, "\n".join(caption), fontsize=7, va="bottom", ha="left", color="#333333")
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _finish(buffer.getvalue(), prefix, titles)


def _size(model: Model, projection: Projection) -> tuple[float, float, list[str]]:
    """The figure's width and height in inches, and the caption's lines."""
    x, y = projection.x, projection.y
    panel_width = max(2.4, 0.42 * len(x.bands)) if not x.numeric else 3.0
    labels = max((len(t.label) for t in y.ticks), default=0) if y is not None else 0
    width = min(max(panel_width * len(projection.panels) + 0.065 * labels + 1.0, 5.5), 14.0)
    plot_height = (max(1.8, 0.3 * len(y.bands) + 0.6) if not y.numeric else 2.4) if y is not None else 0.9
    rotated = 0.055 * max((len(t.label) for t in x.ticks), default=0) if not x.numeric else 0.0
    caption = _caption(projection, int(width * 17))
    return width, plot_height + rotated + 0.9, caption


def _caption(projection: Projection, columns: int) -> list[str]:
    """What the picture shows and leaves out, honestly, in an author's words."""
    parts = [f"Each rule of {projection.title} is drawn over the values of "
             + (f"{projection.x.label} and {projection.y.label}" if projection.y else projection.x.label)
             + " it matches" + (f"; one panel per value of {projection.facet.label}." if projection.facet else ".")]
    if projection.hidden:
        names = ", ".join(projection.hidden)
        parts.append(f"A projection: {names} {'is' if len(projection.hidden) == 1 else 'are'} not shown. "
                     "A gap or an overlap is drawn in full only where it holds whatever "
                     f"{'it holds' if len(projection.hidden) == 1 else 'they hold'}; lighter where it holds only "
                     "for some values.")
        if projection.conditional:
            parts.append(f"Rules drawn whatever {names} hold{'s' if len(projection.hidden) == 1 else ''}, though "
                         f"they test {'it' if len(projection.hidden) == 1 else 'them'} (dashed): "
                         + ", ".join(projection.conditional) + ".")
    if projection.never:
        parts.append("Rules that match no record, not drawn: " + ", ".join(projection.never) + ".")
    return [line for part in parts for line in textwrap.wrap(part, columns)]


class _Drawer:
    """Draws the panels of one projection, remembering each linked shape's tooltip."""

    def __init__(self, model: Model, projection: Projection, prefix: str, titles: dict[str, str]) -> None:
        self.model, self.projection, self.prefix, self.titles = model, projection, prefix, titles
        table = model.table(projection.table)
        source = model.source
        self.colours = {rule.id: RULE_COLOURS[k % len(RULE_COLOURS)] for k, rule in enumerate(table.rules)}
        self.rule_href = {rule.id: "#" + anchor(*source.place(table.name, f"A{rule.row}")) for rule in table.rules}
        self.kinds: set[str] = set()
        self.count = 0

    def _link(self, artist: Any, href: str, title: str) -> None:
        self.count += 1
        gid = f"{self.prefix}-s{self.count}"
        artist.set_gid(gid)
        if href:
            artist.set_url(href)
        self.titles[gid] = title

    def panel(self, axes: Any, panel: Any, regions: list[tuple[Any, Shape]], first: bool) -> None:
        from matplotlib.colors import to_rgba
        from matplotlib.patches import Rectangle

        projection = self.projection
        x = projection.x
        span = projection.y_span
        axes.set_xlim(x.low, x.high)
        axes.set_ylim(*span)
        rules = sorted((s for s in panel.shapes if s.kind == "rule"),
                       key=lambda s: (-(s.x[1] - s.x[0]) / (x.high - x.low) * (s.y[1] - s.y[0]) / (span[1] - span[0]),
                                      s.rules))
        largest: dict[str, Shape] = {}
        for shape in rules:
            rule = shape.rules[0]
            colour = self.colours[rule]
            patch = Rectangle((shape.x[0], shape.y[0]), shape.x[1] - shape.x[0], shape.y[1] - shape.y[0],
                              facecolor=to_rgba(colour, 0.28 if shape.conditional else 0.45), edgecolor=colour,
                              linewidth=1.0, linestyle="--" if shape.conditional else "-", zorder=2)
            axes.add_patch(patch)
            self._link(patch, self.rule_href[rule], shape.note)
            self.kinds.add("conditional" if shape.conditional else "rule")
            largest.setdefault(rule, shape)
        self._labels(axes, largest)
        self._fade(axes)
        for shape in panel.shapes:
            if shape.kind != "rule":
                self._cell(axes, shape)
        for region, shape in regions:
            colour = REGION_COLOURS.get(getattr(region, "style", ""), _REGION_DEFAULT)
            patch = Rectangle((shape.x[0], shape.y[0]), shape.x[1] - shape.x[0], shape.y[1] - shape.y[0],
                              facecolor="none", edgecolor=colour, linewidth=2.0,
                              linestyle=":" if shape.conditional else "-", zorder=6)
            axes.add_patch(patch)
            label = getattr(region, "label", "")
            self._link(patch, getattr(region, "href", ""), " - ".join(t for t in (label, shape.note) if t))
            if label:
                axes.text((shape.x[0] + shape.x[1]) / 2, shape.y[1], label, fontsize=7, color=colour, ha="center",
                          va="top", zorder=7, clip_on=True)
        self._axes(axes, panel, first)

    def _labels(self, axes: Any, largest: dict[str, Shape]) -> None:
        """Each rule's name in the middle of its largest box (rules sharing a box: one label)."""
        names = self.projection.rule_names
        x, (low, high) = self.projection.x, self.projection.y_span
        near = (x.high - x.low) * 0.12, (high - low) * 0.08  # labels closer than this are joined
        at: list[tuple[float, float, list[str]]] = []
        for rule, shape in largest.items():
            cx, cy = (shape.x[0] + shape.x[1]) / 2, (shape.y[0] + shape.y[1]) / 2
            close = next((entry for entry in at if abs(entry[0] - cx) < near[0] and abs(entry[1] - cy) < near[1]), None)
            if close is None:
                at.append((cx, cy, [names.get(rule, rule)]))
            else:
                close[2].append(names.get(rule, rule))
        span = x.high - x.low
        for cx, cy, shown in at:
            text = "\n".join(", ".join(shown[k:k + 4]) for k in range(0, len(shown), 4))
            align = "left" if cx < x.low + 0.06 * span else "right" if cx > x.high - 0.06 * span else "center"
            cx = {"left": x.low + 0.005 * span, "right": x.high - 0.005 * span}.get(align, cx)
            axes.text(cx, cy, text, fontsize=7, ha=align, va="center", zorder=8, clip_on=True, color="#1b1b1b")

    def _fade(self, axes: Any) -> None:
        """An open end of a numeric axis: the rules fade towards the edge, and an arrow."""
        x, y = self.projection.x, self.projection.y
        for axis, horizontal in ((x, True), (y, False)):
            if axis is None or not axis.numeric:
                continue
            finite = [b for b in axis.bands if b.label != "missing"]
            for open_end, band, marker in ((axis.open_low, finite[0], "<" if horizontal else "v"),
                                           (axis.open_high, finite[-1], ">" if horizontal else "^")):
                if not open_end:
                    continue
                self._gradient(axes, band, horizontal, rising=marker in (">", "^"))
                where = band.low if marker in ("<", "v") else band.high
                transform = axes.get_xaxis_transform() if horizontal else axes.get_yaxis_transform()
                point = (where, 0) if horizontal else (0, where)
                axes.plot(*point, marker=marker, color="#333333", markersize=5, transform=transform, clip_on=False,
                          zorder=9)

    @staticmethod
    def _gradient(axes: Any, band: Any, horizontal: bool, rising: bool) -> None:
        from matplotlib.patches import Rectangle

        steps = 5
        width = (band.high - band.low) / steps
        for k in range(steps):
            alpha = 0.12 * (k + 1 if rising else steps - k)
            start = band.low + k * width
            if horizontal:
                patch = Rectangle((start, 0), width, 1, transform=axes.get_xaxis_transform())
            else:
                patch = Rectangle((0, start), 1, width, transform=axes.get_yaxis_transform())
            patch.set(facecolor="white", edgecolor="none", alpha=alpha, zorder=3)
            axes.add_patch(patch)

    def _cell(self, axes: Any, shape: Shape) -> None:
        from matplotlib.patches import Rectangle

        if shape.kind.startswith("gap"):
            full, light = _UNCOVERED[self.projection.uncovered]
            face, edge, hatch, alpha = (full, full, "", 0.85) if shape.kind == "gap" else (light, full, "..", 0.7)
        else:
            face, edge, hatch, alpha = _OVERLAPS[shape.kind]
        patch = Rectangle((shape.x[0], shape.y[0]), shape.x[1] - shape.x[0], shape.y[1] - shape.y[0],
                          facecolor=face, edgecolor=edge, hatch=hatch or None, alpha=alpha,
                          linewidth=0.8, zorder=4 if shape.kind.startswith("gap") else 5)
        axes.add_patch(patch)
        href = f"#f{shape.findings[0] + 1}" if shape.findings else ""
        linked = "; ".join(f"finding {k + 1}" for k in shape.findings)
        self._link(patch, href, shape.note + (f" ({linked})" if linked else ""))
        self.kinds.add(shape.kind)

    def _axes(self, axes: Any, panel: Any, first: bool) -> None:
        projection = self.projection
        x, y = projection.x, projection.y
        axes.set_xticks([t.position for t in x.ticks], [t.label for t in x.ticks],
                        rotation=0 if x.numeric else 35, ha="center" if x.numeric else "right")
        axes.set_xlabel(self._label(x))
        if y is not None:
            axes.set_yticks([t.position for t in y.ticks], [t.label for t in y.ticks])
            if first:
                axes.set_ylabel(self._label(y))
        else:
            axes.set_yticks([])
        axes.tick_params(labelsize=7)
        if panel.band is not None and projection.facet is not None:
            title = f"{projection.facet.label}: {panel.band.label}"
            axes.set_title("\n".join(textwrap.wrap(title, 40)), fontsize=8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)

    def _label(self, axis: Axis) -> str:
        spec = self.model.table(self.projection.table).inputs[axis.index]
        definition = self.model.inputs.get(spec.name)
        unit = getattr(definition, "unit", "") if definition is not None else ""
        return f"{axis.label} ({unit})" if unit else axis.label

    def legend(self, regions: Sequence[tuple[Any, list[tuple[int, Shape]]]]) -> list[Any]:
        from matplotlib.patches import Patch

        projection = self.projection
        hidden = "the inputs not shown"
        what = {"gap": "no rule matches (a gap)", "default": "no rule matches (default outputs)",
                "empty": "no rule matches (empty result)"}[projection.uncovered]
        full, light = _UNCOVERED[projection.uncovered]
        entries = {
            "rule": Patch(facecolor="#c8c8c8", edgecolor="#666666", label="rule (links to its row)"),
            "conditional": Patch(facecolor="#e0e0e0", edgecolor="#666666", linestyle="--",
                                 label=f"rule that also tests {hidden}"),
            "gap": Patch(facecolor=full, alpha=0.85, edgecolor=full,
                         label=what + (f", whatever {hidden}" if projection.hidden else "")),
            "gap-partly": Patch(facecolor=light, edgecolor=full, hatch="..", alpha=0.7,
                                label=f"{what} for some values of {hidden}"),
        }
        for kind, (face, edge, hatch, _) in _OVERLAPS.items():
            words = {"overlap": "rules overlap", "several": "several rules match", "not-allowed": "values not allowed"}
            base = words[kind.removesuffix("-partly")]
            label = base + (f" for some values of {hidden}" if kind.endswith("-partly") else "")
            entries[kind] = Patch(facecolor=face, edgecolor=edge, hatch=hatch, label=label)
        handles = [entries[kind] for kind in entries if kind in self.kinds]
        styles = dict.fromkeys(getattr(region, "style", "") for region, shapes in regions if shapes)
        handles += [Patch(facecolor="none", edgecolor=REGION_COLOURS.get(style, _REGION_DEFAULT), linewidth=2,
                          label=style or "region") for style in styles]
        return handles


def _finish(svg: str, prefix: str, titles: Mapping[str, str]) -> str:
    """The SVG without its XML prologue (to sit inside an HTML page), its ids prefixed (so that
    pictures on one page do not share them), links opening in place, shapes with tooltips."""
    svg = svg[svg.index("<svg"):]
    defined = set(re.findall(r' id="([^"]+)"', svg))
    own = {name for name in defined if not name.startswith(prefix)}
    svg = re.sub(r' id="([^"]+)"', lambda m: f' id="{m[1] if m[1] not in own else prefix + "-" + m[1]}"', svg)
    svg = re.sub(r'(url\(#|xlink:href="#)([^")]+)',
                 lambda m: m[1] + (prefix + "-" + m[2] if m[2] in own else m[2]), svg)
    svg = svg.replace(' target="_blank"', "")
    for gid, title in titles.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}">\n<title>{html.escape(title, quote=False)}</title>', 1)
    return svg
