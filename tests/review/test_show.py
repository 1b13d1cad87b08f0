"""``engine.review.show`` and ``dtrun show``: the view (dictionary, tables with hit policy, headings,
roles, allowed values and rules, tests), the three formats with their escaping, lint
findings on their cells in html (read back with an HTML parser), column widths, output
that depends only on the content, and git's textconv end to end."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import make_workbook, model_for
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.analysis.lint import lint_model
from engine.cli import main
from engine.review.show import column_widths, md_code, md_text, render

INPUTS = [("age", "integer", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no")]
RULES = [["R1", "< 65", "-", '"adult"', "Guide 1.1", "Adults"], ["R2", ">= 65", '"positive"', '"senior"', "Guide 1.2",
                                                                 "a <script>alert(1)</script> | pipe"]]
TABLES = {"band": ("U", ["age", "hr", "band", "Reference", "Guidance"], "iioaa", ["[18..120]", None, None], RULES)}
TESTS = [["case", "age", "band.band"], [None, "input", "expected"], ["T1", 40, "adult"]]
PARTS: dict[str, Any] = {"inputs": INPUTS, "tables": TABLES, "about": {"Title": "Bands", "Version": "2.0"},
                         "tests": TESTS}


@pytest.fixture
def model() -> Any:
    return model_for(**PARTS)


def test_text_shows_dictionary_table_and_tests(model: Any):
    text = render(model, "text")
    for expected in ("Bands (version 2.0)", "== Inputs (data dictionary) ==", "[0..120]", "== Table band ==",
                     "hit policy U (UNIQUE)", "input", "output", "annotation", "[18..120]", "R1", "< 65",
                     '"senior"', "Guide 1.2", "T1: age=40 -> band.band=adult"):
        assert expected in text, expected
    assert text.index("Inputs") < text.index("Table band") < text.index("Tests")
    assert "<script>" in text  # text is shown as written: nothing to escape in a terminal


def test_text_is_the_same_for_the_same_content_under_any_file_name(tmp_path: Path):
    first = make_workbook(tmp_path, "a.xlsx", **PARTS)
    (tmp_path / "elsewhere").mkdir()
    second = make_workbook(tmp_path / "elsewhere", "b.xlsx", **PARTS)
    runs = [CliRunner().invoke(main, ["show", str(path)]) for path in (first, second, first)]
    assert [r.exit_code for r in runs] == [0, 0, 0]
    assert runs[0].output == runs[1].output == runs[2].output
    assert "a.xlsx" not in runs[0].output


def test_width_is_respected(model: Any):
    for width in (60, 90, 140):
        assert max(len(line) for line in render(model, "text", width=width).splitlines()) <= width


@pytest.mark.parametrize("natural, prose, room, expected", [
    ([3, 10, 20], [False, False, True], 40, [3, 10, 20]),  # all fit: natural widths
    ([3, 30, 50], [False, False, True], 40, [3, 21, 16]),  # conditions first, sentences keep 16
    ([3, 10, 60, 60], [False, False, True, True], 60, [3, 10, 23, 23]),  # sentences share the rest
    ([40, 40], [False, False], 40, [20, 20]),  # fair shares
])
def test_column_widths(natural: list[int], prose: list[bool], room: int, expected: list[int]):
    widths = column_widths(natural, prose, room)
    assert widths == expected and sum(widths) <= max(room, sum(min(n, 16) for n in natural))


@pytest.mark.parametrize("text, expected", [
    ("a|b", r"a\|b"), ("<b>x</b>", r"\<b\>x\</b\>"), ("*x* _y_", r"\*x\* \_y\_"), ("one\ntwo", "one<br>two"),
])
def test_md_text_escapes(text: str, expected: str):
    assert md_text(text) == expected


@pytest.mark.parametrize("text, expected", [
    ('"a|b"', r'`"a\|b"`'), ("x `y` z", "``x `y` z``"), ("`x", "`` `x ``"), ("", ""), (">= 12", "`>= 12`"),
])
def test_md_code_fences(text: str, expected: str):
    assert md_code(text) == expected


def test_markdown_tables(model: Any):
    markdown = render(model, "markdown")
    assert "# Bands (version 2.0)" in markdown and "## Table band" in markdown
    assert "| U | age / input | hr / input | band / output | Reference / annotation | Guidance / annotation |" in markdown
    assert "|  | *`[18..120]`* |  |  |  |  |" in markdown  # row 3 under age, in italics
    assert r"a \<script\>alert(1)\</script\> \| pipe" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| R")]
    assert all(line.count(" | ") == 5 for line in rows)  # the escaped | does not split a cell


class _Cells(HTMLParser):
    """td/th ids, classes and titles, and all text, read back from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, dict[str, str]] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = {k: v or "" for k, v in attrs}
        if tag in ("td", "th") and "id" in found:
            self.cells[found["id"]] = found


def test_html_marks_findings_on_their_cells_and_escapes_text():
    rules = [["R1", "< 65", "-", '"adult"', "", ""], ["R2", ">= 60", "-", '"senior"', "", ""]]  # overlap 60..64
    model = model_for(inputs=INPUTS, tables={"band": ("U", TABLES["band"][1], "iioaa", None, rules)})
    findings = lint_model(model)
    overlap = next(f for f in findings if f.code == "overlap")
    page = render(model, "html", findings=findings)
    parser = _Cells()
    parser.feed(page)
    assert "script" not in parser.tags
    for cell in overlap.cells:
        marked = parser.cells[f"c-band-{cell}"]
        assert "error" in marked["class"] and "overlap" in marked["title"]
    unmarked = {c for c in parser.cells if c.startswith("c-band-") and c.removeprefix("c-band-")
                not in {x for f in findings for x in f.cells}}
    layout = {"heading", "role", "allowed", "prose"}  # a row of the header, a column of sentences
    assert unmarked and all(set(parser.cells[c].get("class", "").split()) <= layout for c in unmarked)
    assert page.startswith("<!DOCTYPE html>") and "Lint findings" in page


def test_html_escapes_annotations(model: Any):
    page = render(model, "html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_one_table_only(model: Any):
    text = render(model, "text", table="band")
    assert "Table band" in text and "Inputs" not in text and "Tests" not in text
    with pytest.raises(KeyError):
        render(model, "text", table="nope")


# ---------------------------------------------------------------------- the command
@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "guide.xlsx", **PARTS)


@pytest.mark.parametrize("args, status, expected", [
    ([], 0, "== Table band =="),
    (["--format", "markdown"], 0, "## Table band"),
    (["--format", "html"], 0, "<!DOCTYPE html>"),
    (["--table", "band"], 0, "== Table band =="),
    (["--table", "bnad"], 2, "Did you mean band?"),
    (["--format", "pdf"], 2, "Invalid value"),
])
def test_show_command(workbook: Path, args: list[str], status: int, expected: str):
    result = CliRunner().invoke(main, ["show", str(workbook), *args])
    assert result.exit_code == status and expected in result.output


def test_show_writes_a_file(workbook: Path, tmp_path: Path):
    out = tmp_path / "guide.html"
    result = CliRunner().invoke(main, ["show", str(workbook), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0 and result.output == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _broken(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "broken.xlsx", inputs=INPUTS,
                         tables={"band": ("UNIQ", ["age", "band"], "io", None, [["R1", "< 65", '"adult"']])})


def test_a_broken_workbook_exits_3_or_with_textconv_shows_problems_and_cells(tmp_path: Path):
    broken = str(_broken(tmp_path))
    refused = CliRunner().invoke(main, ["show", broken])
    assert refused.exit_code == 3 and "broken.xlsx:band!A1" in refused.output
    shown = CliRunner().invoke(main, ["show", "--textconv", broken])
    assert shown.exit_code == 0
    assert "band!A1: error[workbook]" in shown.output and "B4: < 65" in shown.output
    assert "broken.xlsx" not in shown.output
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a workbook")
    assert CliRunner().invoke(main, ["show", "--textconv", str(garbage)]).exit_code == 0


def test_git_textconv_shows_the_changed_cell(tmp_path: Path):
    git = shutil.which("git")
    dtrun = Path(sys.executable).with_name("dtrun")
    if git is None or not dtrun.exists():
        pytest.skip("needs git and the dtrun script of this environment")
    repo = tmp_path / "repo"
    repo.mkdir()
    run = lambda *args: subprocess.run([git, "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                                        "-c", f"diff.dtrun.textconv={dtrun} show --textconv", *args],
                                       check=True, capture_output=True, text=True).stdout
    run("init", "-q")
    (repo / ".gitattributes").write_text("*.xlsx diff=dtrun\n")
    make_workbook(repo, "guide.xlsx", **PARTS)
    run("add", ".")
    run("commit", "-qm", "first")
    changed = [["R1", "< 60", "-", '"adult"', "Guide 1.1", "Adults"], RULES[1]]
    make_workbook(repo, "guide.xlsx", **{**PARTS, "tables": {"band": (*TABLES["band"][:4], changed)}})
    diff = run("diff")
    removed = [line for line in diff.splitlines() if line.startswith("-") and "R1" in line]
    added = [line for line in diff.splitlines() if line.startswith("+") and "R1" in line]
    assert removed and added and "< 65" in removed[0] and "< 60" in added[0]
    run("commit", "-qam", "second")
    assert "< 60" in run("log", "-p", "-1")


CELLS = st.sampled_from(["-", "< 60", ">= 65", "[18..64]", "null", '"x"'])


@settings(max_examples=40, deadline=None)
@given(rules=st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=8), which=st.integers(0, 7),
       column=st.integers(0, 1), new=CELLS)
def test_textconv_shows_a_one_cell_change_as_one_changed_line(rules, which, column, new):
    """Issue 21, item 7: one line per rule, never wrapped or aligned, so a changed cell
    changes its rule's line only (a box-drawn table redrew its columns)."""
    def model(rows):
        return model_for(inputs=[("age", "number"), ("bmi", "number")], tables={"t": (
            "F", ["age", "bmi", "r", "Reference"], "iioa", None,
            [[f"R{n}", a, b, f'"out {n}"', f"a long reference text, row {n} " * 5] for n, (a, b) in enumerate(rows)])})

    which = which % len(rules)
    changed = list(rules)
    cells = list(changed[which])
    cells[column] = new
    changed[which] = tuple(cells)
    before = render(model(rules), "lines").splitlines()
    after = render(model(changed), "lines").splitlines()
    assert len(before) == len(after)
    differing = [(b, a) for b, a in zip(before, after) if b != a]
    if rules[which][column] == new:
        assert not differing
    else:
        ((old_line, new_line),) = differing
        assert old_line.startswith(f"R{which}: ") and new_line.startswith(f"R{which}: ")


def test_textconv_keeps_each_row_on_one_line_whatever_the_cells_hold():
    model = model_for(inputs=[("s", "string")], tables={"t": ("F", ["s", "r", "Guidance"], "ioa", None, [
        ["R1", '"a"', '"x"', "first line\nsecond line\r\nback\\slash"]])})
    shown = render(model, "lines")
    (line,) = [line for line in shown.splitlines() if line.startswith("R1: ")]
    assert line.endswith("Guidance: first line\\nsecond line\\r\\nback\\\\slash")
    assert "┌" not in shown and "│" not in shown


def test_html_footnote_markers_of_one_cell_are_separated_and_the_worst_severity_colours_it(model: Any):
    from engine.analysis.findings import Finding

    findings = [Finding("info", "a-note", "w.xlsx", "band", "first", ("B4",)),
                Finding("error", "a-fault", "w.xlsx", "band", "second", ("B4",))]
    page = render(model, "html", findings=findings)
    parser = _Cells()
    parser.feed(page)
    assert parser.cells["c-band-B4"]["class"].split()[0] == "error"
    assert parser.cells["c-band-B4"]["title"].splitlines() == ["info[a-note]: first", "error[a-fault]: second"]
    assert '<sup class="marks"><a href="#f1">1</a>, <a href="#f2">2</a></sup>' in page  # "1, 2", never "12"


def test_a_cell_with_many_findings_names_a_few_and_counts_the_rest() -> None:
    """A DAK table gave thousands of findings on the same cells: every tooltip named every one
    and the page grew to gigabytes.  A cell names the first MARKS and counts the others."""
    from engine.analysis.findings import Finding
    from engine.review.html import MARKS, mark_findings
    from engine.review.view import Cell, Section

    section = Section("table", "t", "Table t", header=((Cell("U", "A1"), Cell("age", "B1")),),
                      rows=((Cell("R1", "A4"), Cell("< 18", "B4", code=True)),))
    many = [Finding("warning", "overlap", "w.xlsx", "t", f"overlap number {i}", ("B4",)) for i in range(40)]
    one = [Finding("error", "syntax", "w.xlsx", "t", "cannot read", ("A4",))]
    listed, marks = mark_findings([section], [*many, *one])
    assert len(listed) == 41  # the list keeps every finding it is given
    crowded = marks.cell(("t", "B4"))
    assert [label for label, _ in crowded["notes"]] == [str(n) for n in range(1, MARKS + 1)] + [f"+{40 - MARKS}"]
    assert len(crowded["tips"]) == MARKS + 1 and f"{40 - MARKS} more findings" in crowded["tips"][-1]
    assert crowded["classes"][0] == "warning"
    assert marks.cell(("t", "A4"))["notes"] == [("41", "#f41")]
