"""``dtrun lint --format html|markdown`` (engine.review.lint_report): the report a guideline editor reads.

The HTML is read back with the standard library's parser: every finding appears once, with its
place, message and hint; text from a workbook (a cell holding ``<script>``) is escaped, never
markup; the page loads nothing from elsewhere.  The Markdown report is checked the same way for
GitHub.  The wording of whole reports is in the golden files (tests/cli/golden/*lint*_html.txt,
*_markdown.txt)."""

from __future__ import annotations

import importlib.machinery
import re
import sys
import types
from html.parser import HTMLParser

import pytest
from helpers import make_workbook

from engine.analysis.findings import Finding
from engine.analysis.lint import lint_file
from engine.review.lint_report import render
from engine.review.lint_view import LIMIT
from engine.review.report import render as render_findings
from engine.review.show import md_code, md_text

SCRIPT = "<script>alert(1)</script>"
INPUTS = [("age", "number", "[0..120]", "yes"), ("kind", "string", '"a","b"', "yes")]
TABLES = {
    "band": ("U", ["age", "kind", "advice"], "iio", None, [
        ["B1", "< 18", "-", f'"{SCRIPT}"'], ["B2", "[10..65]", "-", '"adult"'], ["B3", "< 5", "-", f'"{SCRIPT}"'],
        ["B4", "> 70", '"<script>"', '"old"'], ["B5", "[5..3]", "-", '"never"']]),
    "other": ("U", ["age", "o"], "io", None, [["O1", "<script>", '"x"'], ["O2", ">= 0", '"y"']]),
}


class Page(HTMLParser):
    """The tags, the text and the finding articles (attributes and text) of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.articles: list[dict] = []
        self._depth = 0  # inside a finding's article

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "article":
            self._depth += 1
            if self._depth == 1:
                self.articles.append({"attrs": dict(attrs), "text": []})

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._depth:
            self.articles[-1]["text"].append(data)


def parsed(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    path = make_workbook(tmp_path_factory.mktemp("report"), "guide.xlsx", inputs=INPUTS, tables=TABLES)
    model, findings = lint_file(path)
    assert model is not None and findings
    return model, findings


def test_every_finding_appears_once_with_its_place_message_and_hint(linted):
    model, findings = linted
    page = parsed(render(findings, "html", [model]))
    articles = {a["attrs"]["id"]: a for a in page.articles}
    assert len(articles) == len(page.articles) == len(findings)
    for number, finding in enumerate(findings, 1):
        article = articles[f"f{number}"]  # finding k as #fk, as dtrun show and the pictures link it
        text = " ".join("".join(article["text"]).split())
        assert article["attrs"]["data-code"] == finding.code
        assert article["attrs"]["data-table"] == (finding.table or "")
        assert finding.workbook in text and finding.sheet in text
        assert all(cell in text for cell in finding.cells)
        assert " ".join(finding.message.split()) in text
        assert " ".join(finding.hint.split()) in text


def test_text_from_the_workbook_is_escaped_and_nothing_is_loaded_from_elsewhere(linted):
    model, findings = linted
    html = render(findings, "html", [model])
    page = parsed(html)
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "iframe", "img", "object", "embed")]
    assert not [attrs for _, attrs in page.tags if "src" in attrs or any(k.startswith("on") for k in attrs)]
    links = [attrs.get("href") or attrs.get("xlink:href") for tag, attrs in page.tags if tag == "a"]
    assert links and all(link.startswith("#") for link in links)
    ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
    assert {link[1:] for link in links} <= ids  # every link lands: files, tables, findings, rules
    text = "".join(page.text)
    assert SCRIPT in text  # shown as text: the output cell side by side with the rule it overlaps
    assert "cannot read '<script>'" in text  # the cell that cannot be read
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_groups_come_in_an_editors_order_and_differing_outputs_first(linted):
    model, findings = linted
    page = parsed(render(findings, "html", [model]))
    groups = [attrs["class"].split()[1] for tag, attrs in page.tags if tag == "section" and "group" in
              (attrs.get("class") or "")]
    band = groups[:groups.index("other") + 1]
    assert band == ["unsatisfiable", "gaps", "overlaps", "masked", "other"]
    assert groups[len(band)] == "unread"  # table other: its cell that cannot be read comes first
    html = render(findings, "html", [model])
    overlaps = html[html.index('class="group overlaps"'):]
    overlaps = overlaps[:overlaps.index("</section>")]
    flags = re.findall(r'class="outputs (differ|same)"', overlaps)
    assert flags == sorted(flags) and "differ" in flags and "same" in flags  # "differ" < "same"


def test_the_report_without_models_still_lists_every_finding():
    findings = [Finding("error", "gap", "w.xlsx", "t", f"gap {n}", ("B1",), table="t") for n in range(LIMIT + 7)]
    findings.append(Finding("warning", "unused-input", "w.xlsx", "Inputs", "input x is unused", ("A2",)))
    page = parsed(render(findings, "html"))
    assert len(page.articles) == LIMIT + 1
    assert "7 more gap findings here are not listed" in " ".join("".join(page.text).split())
    markdown = render_findings(findings, "markdown")
    assert markdown.count("**ERROR** `gap`") == LIMIT and "7 more gap findings" in markdown


def test_waived_findings_are_shown_as_waived():
    waived = Finding("error", "overlap", "w.xlsx", "t", "rules R1 and R2 overlap", ("A4", "A5"), ("R1", "R2"),
                     waived=True, waiver={"reason": "on purpose <b>", "by": "A. Author", "date": "", "at": "Waivers!A2"},
                     table="t")
    page = parsed(render([waived], "html"))
    (article,) = page.articles
    assert article["attrs"]["data-waived"] == "true" and "waived" in article["attrs"]["class"]
    assert "on purpose <b> (by A. Author) · Waivers!A2" in "".join(article["text"])
    assert "0 errors" in "".join(page.text) and "1 waived" in "".join(page.text)
    markdown = render([waived], "markdown")
    assert "**WAIVED ERROR**" in markdown and md_text("on purpose <b>") in markdown


def test_markdown_gives_each_finding_its_place_and_escapes_workbook_text(linted):
    model, findings = linted
    markdown = render(findings, "markdown", [model])
    for finding in findings:
        where = f"{finding.sheet}!{', '.join(finding.cells)}" if finding.cells else finding.sheet
        assert md_code(where) in markdown
        assert md_text(finding.message) in markdown
    outside_code = re.sub(r"(`+).*?\1", "", markdown)
    assert not re.search(r"(?<!\\)<", outside_code)  # every < outside a code span escaped: \<script\>
    assert "\\<script\\>" in outside_code


def test_a_coverage_picture_goes_in_each_tables_figure_or_why_it_has_none(linted, monkeypatch):
    """engine.review.pictures' SVG is placed as it is, given every finding (linked as #fk)."""
    model, findings = linted
    calls = []

    class NoPicture(ValueError):
        pass

    def coverage_svg(model, table_name, x=None, y=None, findings=(), regions=()):
        calls.append((table_name, len(findings)))
        if table_name == "other":
            raise NoPicture("its one input <is> read only by a cell that cannot be read")
        return f'<svg xmlns="http://www.w3.org/2000/svg"><title>{table_name}</title></svg>'

    fake = types.ModuleType("engine.review.pictures")
    fake.__spec__ = importlib.machinery.ModuleSpec("engine.review.pictures", None)
    fake.coverage_svg, fake.NoPicture = coverage_svg, NoPicture
    monkeypatch.setitem(sys.modules, "engine.review.pictures", fake)
    page = parsed(render(findings, "html", [model]))
    figures = [attrs["data-table"] for tag, attrs in page.tags if tag == "figure"]
    assert figures == ["band"] and calls == [("band", len(findings)), ("other", len(findings))]
    assert [tag for tag, _ in page.tags].count("svg") == 1
    assert "No coverage picture: its one input <is> read only" in "".join(page.text)
    assert "<svg" not in render(findings, "markdown", [model])


def test_the_real_pictures_link_only_to_places_on_the_page(linted):
    model, findings = linted
    page = parsed(render(findings, "html", [model]))
    assert [attrs["data-table"] for tag, attrs in page.tags if tag == "figure"]
    links = [attrs.get("xlink:href") or attrs.get("href") for tag, attrs in page.tags if tag == "a"]
    ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
    assert any(link.startswith("#f") for link in links) and any(link.startswith("#c-") for link in links)
    assert {link[1:] for link in links} <= ids


def test_the_summary_gives_the_severities_found_not_the_codes_usual_one():
    """A DAK's tables are linted with the checks of U as warnings (issue 20)."""
    conflict = Finding("warning", "conflict", "anc.xlsx", "ANC.DT.01 Danger signs", "rules R5 and R6 conflict",
                       ("A5", "A6"), ("R5", "R6"), table="ANC.DT.01")
    markdown = render([conflict], "markdown")
    assert "| `conflict` | warning |" in markdown and "0 errors, 1 warning" in markdown
    assert "### ANC.DT.01" in markdown  # without its model, the table by the finding's name
