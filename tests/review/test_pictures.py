"""The coverage pictures as SVG (engine/review/pictures.py), read back with xml.etree.

A planted gap in a workbook built in code appears as a red shape whose link names the gap's
finding (``#fN``, the id ``dtrun show --format html`` gives it); rule boxes link to their
rows; labels are text; the output is deterministic and its ids do not collide with another
picture's on one page; extra regions are drawn with their links; every table of the HER2
example is pictured; drawing needs matplotlib only when a picture is drawn.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, sheets_for

from engine.analysis.lint import lint_model
from engine.formats import read
from engine.formats.xlsx.build import build_model
from engine.review.pictures import NoPicture, Region, coverage_svg, pictures, skipped
from engine.review.show import render

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
RED = "#d62728"

INPUTS = [("age", "number", "[0..120]", "yes"), ("sex", "string", '"f","m"', "yes"),
          ("smoker", "boolean", None, "yes")]
# no rule for men of 65 and over: a gap whatever smoker holds
RULES = [["R1", "< 65", "-", "-", '"a"'], ["R2", ">= 65", '"f"', "-", '"b"'], ["R3", "[18..30]", '"m"', "true", '"c"']]


@pytest.fixture(scope="module")
def model() -> Any:
    return build_model("planted.xlsx", sheets_for(inputs=INPUTS, tables={
        "risk": ("U", ["age", "sex", "smoker", "risk"], "iiio", None, RULES)}))


def parse(svg: str) -> ET.Element:
    assert svg.startswith("<svg"), svg[:80]
    return ET.fromstring(svg)


def links(root: ET.Element) -> list[tuple[str, ET.Element]]:
    return [(a.get(XLINK, ""), a) for a in root.iter(f"{SVG}a")]


def fill(element: ET.Element) -> str:
    found = re.search(r"fill: (#[0-9a-f]{6})", element.get("style", ""))
    return found[1] if found else ""


def titles(root: ET.Element) -> dict[str, str]:
    """Each shape group's id → its tooltip."""
    return {g.get("id", ""): t.text or "" for g in root.iter(f"{SVG}g") for t in g.findall(f"{SVG}title")}


def test_a_planted_gap_is_a_red_shape_linked_to_its_finding(model: Any) -> None:
    findings = lint_model(model)
    gaps = [k for k, f in enumerate(findings) if f.code == "gap"]
    assert len(gaps) == 1, findings
    number = gaps[0] + 1
    root = parse(coverage_svg(model, "risk", "age", "sex", findings=findings))
    red = [a for href, a in links(root) if href == f"#f{number}" and any(fill(p) == RED for p in a.iter(f"{SVG}path"))]
    assert red, f"no red shape links to #f{number}"
    shown = titles(root)
    assert any("no rule matches" in text and f"finding {number}" in text for text in shown.values()), shown
    # no other red shape: the gap is the only one
    assert all(href == f"#f{number}" for href, a in links(root) if any(fill(p) == RED for p in a.iter(f"{SVG}path")))


def test_rule_boxes_link_to_their_rows_and_labels_are_text(model: Any) -> None:
    root = parse(coverage_svg(model, "risk", "age", "sex"))
    hrefs = {href for href, _ in links(root)}
    assert {"#c-risk-A4", "#c-risk-A5", "#c-risk-A6"} <= hrefs
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"R1", "R2", "age", "sex", "65", "f", "m"} <= {line for text in texts if text for line in text.split(", ")}
    assert any("smoker" in (text or "") for text in texts)  # the caption names the input not shown


def test_the_output_is_deterministic_and_its_ids_are_its_own(model: Any) -> None:
    first = coverage_svg(model, "risk", "age", "sex")
    assert first == coverage_svg(model, "risk", "age", "sex")
    assert "Matplotlib v" not in first and "<dc:date>" not in first and "<?xml" not in first
    other = coverage_svg(model, "risk", "sex", "smoker")
    ids = re.findall(r' id="([^"]+)"', first) + re.findall(r' id="([^"]+)"', other)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]
    for svg in (first, other):  # every reference inside a picture is to one of its own ids
        own = set(re.findall(r' id="([^"]+)"', svg))
        for target in re.findall(r'url\(#([^)]+)\)', svg):
            assert target in own, target


def test_regions_are_drawn_with_their_links(model: Any) -> None:
    region = Region({"age": "[30..70]", "sex": '"m"'}, "changed here", "#change-1", "changed")
    root = parse(coverage_svg(model, "risk", "age", "sex", regions=[region]))
    assert "#change-1" in {href for href, _ in links(root)}
    assert "changed here" in {t.text for t in root.iter(f"{SVG}text")}


def test_unknown_inputs_and_tables_are_refused(model: Any) -> None:
    with pytest.raises(KeyError, match="no input 'weight'"):
        coverage_svg(model, "risk", "weight")
    with pytest.raises(KeyError):
        coverage_svg(model, "nothing")


def test_a_table_with_one_input_has_one_axis() -> None:
    one = build_model("one.xlsx", sheets_for(inputs=INPUTS[:1], tables={
        "band": ("U", ["age", "band"], "io", None, [["B1", "< 18", '"child"'], ["B2", "[18..60]", '"adult"']])}))
    root = parse(coverage_svg(one, "band", findings=lint_model(one)))
    assert any(fill(p) == RED for p in root.iter(f"{SVG}path"))  # over 60: a gap


def test_a_table_that_cannot_be_pictured_says_why() -> None:
    broken = build_model("cmp.xlsx", sheets_for(inputs=INPUTS[:2], tables={
        "t": ("U", ["age", "sex", "out"], "iio", None, [["R1", "< age", "-", '"x"']])}))
    assert "cannot be analysed" in skipped(broken)["t"]
    assert pictures(broken) == {}
    with pytest.raises(NoPicture):
        coverage_svg(broken, "t")


def test_every_table_of_the_example_is_pictured(example_workbook: Path) -> None:
    example = read(example_workbook)
    drawn = pictures(example, lint_model(example))
    assert set(drawn) == {t.name for t in example.tables} and skipped(example) == {}
    for name, svg in drawn.items():
        root = parse(svg)
        assert name in "".join(t.text or "" for t in root.iter(f"{SVG}text"))


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("href", "xlink:href") and value and value.startswith("#"):
                self.hrefs.append(value[1:])


def test_show_puts_the_pictures_in_its_page_and_their_links_land(example_workbook: Path) -> None:
    example = read(example_workbook)
    page = render(example, "html", findings=lint_model(example))
    assert page.count('<figure class="coverage"') == len(example.tables)
    parser = _Ids()
    parser.feed(page)
    assert len(parser.ids) == len(set(parser.ids)), "ids repeat on the page"
    assert set(parser.hrefs) <= set(parser.ids), set(parser.hrefs) - set(parser.ids)


def test_matplotlib_is_imported_only_to_draw() -> None:
    script = ("import sys; import engine.review.pictures, engine.review.show, engine.analysis.coverage\n"
              "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stdout + result.stderr


def test_a_dmn_models_picture_links_land_on_its_page(tmp_path: Path) -> None:
    from helpers import ITEMS, clause, decision, dmn, rule, write

    band = decision("d_band", "Age Band", 'hitPolicy="UNIQUE"', clause("c_age", "Person age") +
                    clause("c_blood", "Blood type"), '<output id="o_band" name="band"/>',
                    rule("r1", ["&lt; 18", "-"], ['"child"']) + rule("r2", ["[18..65]", '"A","B"'], ['"adult"'])
                    + rule("r3", ["&gt;= 60", '"A"'], ['"senior"']))
    model = read(write(tmp_path, dmn(ITEMS + band)))
    findings = lint_model(model)
    assert {"gap", "overlap"} <= {f.code for f in findings}
    page = render(model, "html", findings=findings)
    assert page.count('<figure class="coverage"') == 1
    parser = _Ids()
    parser.feed(page)
    assert set(parser.hrefs) <= set(parser.ids), set(parser.hrefs) - set(parser.ids)
    svg = page[page.index("<svg"):page.index("</svg>") + 6]
    hrefs = {href for href, _ in links(parse(svg))}
    gap = next(k for k, f in enumerate(findings) if f.code == "gap") + 1
    assert f"#f{gap}" in hrefs and any(h.startswith("#c-decision") for h in hrefs), hrefs
