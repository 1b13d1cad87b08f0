"""``engine.review.annotate``: lint findings as comments and fills in a copy of the workbook."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import openpyxl
import pytest
from helpers import ROOT, make_workbook
from openpyxl.comments import Comment

from engine._core.errors import InputDataError
from engine.analysis.findings import Finding
from engine.analysis.lint import lint_workbook
from engine.review.annotate import AUTHOR, FILLS, annotate, annotate_all, comment_text

INPUTS = [("age", "number", "[0..120]", "yes"), ("sex", "string", '"m","f"', "yes"), ("weight", "number", None, "no")]
RULES = [
    ["R1", "< 50", '"m"', '"a"'],
    ["R2", "[40..120]", '"m"', '"b"'],  # overlaps R1 for age [40..50), "m"
    ["R3", "< 30", '"f"', '"c"'],
    ["R4", "[30..60)", '"f"', '"c"'],  # could be merged with R3; nothing covers age >= 60 and "f" (gap)
]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = make_workbook(tmp_path, "dose.xlsx", inputs=INPUTS,
                         tables={"dose": ("U", ["age", "sex", "dose"], "iio", None, RULES)})
    book = openpyxl.load_workbook(path)
    book["dose"]["A4"].comment = Comment("checked by Dr Who", "Dr Who")
    book.save(path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill(cell: openpyxl.cell.Cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return str(cell.fill.start_color.rgb)[-6:]


def test_findings_become_comments_and_fills_on_the_right_cells(workbook: Path, tmp_path: Path):
    before = _digest(workbook)
    findings = lint_workbook(workbook)
    assert {f.code for f in findings} >= {"overlap", "gap", "mergeable-rules", "unused-input"}
    out = annotate(workbook, findings, tmp_path / "annotated.xlsx")
    assert out == tmp_path / "annotated.xlsx"

    book = openpyxl.load_workbook(out)
    dose, inputs = book["dose"], book["Inputs"]
    # the overlap, on both rules' id cells, in red
    for ref in ("A4", "A5"):
        comment = dose[ref].comment
        assert comment is not None and comment.author == ("Dr Who" if ref == "A4" else AUTHOR)  # a comment keeps its author
        assert "error [overlap]" in comment.text and "R1" in comment.text and "R2" in comment.text
        assert "Hint: narrow one rule's conditions" in comment.text
        assert _fill(dose[ref]) == FILLS["error"]
    # the author's own comment is kept, above dtrun's
    assert dose["A4"].comment.text.startswith("checked by Dr Who")
    # the gap, on the headings of the columns it constrains (age and sex), not on the output's
    for ref in ("B1", "C1"):
        assert "error [gap]" in dose[ref].comment.text
        assert "[60..120]" in dose[ref].comment.text
        assert _fill(dose[ref]) == FILLS["error"]
    assert dose["D1"].comment is None and _fill(dose["D1"]) is None
    # the mergeable rules (info), lavender
    for ref in ("A6", "A7"):
        assert "info [mergeable-rules]" in dose[ref].comment.text
        assert _fill(dose[ref]) == FILLS["info"]
    # the unused input (warning), amber, on its row of the Inputs sheet
    assert "warning [unused-input]" in inputs["A4"].comment.text
    assert _fill(inputs["A4"]) == FILLS["warning"]
    # cells without findings are untouched, and the rules are all still there
    assert dose["B4"].comment is None and _fill(dose["B4"]) is None
    assert [dose.cell(row=r, column=2).value for r in range(4, 8)] == [r[1] for r in RULES]

    # the original is unchanged, byte for byte, and still has no dtrun comment
    assert _digest(workbook) == before
    original = openpyxl.load_workbook(workbook)
    assert original["dose"]["A4"].comment.text == "checked by Dr Who"
    assert original["dose"]["A5"].comment is None
    # the copy is still a workbook dtrun reads, with the same findings
    assert {(f.code, f.cells) for f in lint_workbook(out)} == {(f.code, f.cells) for f in findings}


def test_several_findings_on_one_cell_are_joined_and_the_worst_colours_it(tmp_path: Path, workbook: Path):
    name = str(workbook)
    findings = [
        Finding("info", "mergeable-rules", name, "dose", "rules R3 and R4 could be one", ("B6",), ("R3", "R4")),
        Finding("warning", "subsumed-rule", name, "dose", "rule R3 is redundant", ("B6",), ("R3",), "delete rule R3"),
        Finding("error", "workbook", name, "", "something about the whole workbook"),
        Finding("error", "gap", name, "dose", "no rule matches records with anything", ()),
        Finding("error", "overlap", "elsewhere.xlsx", "dose", "not this workbook", ("B7",)),
    ]
    out = annotate(workbook, findings, tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(out)
    text = book["dose"]["B6"].comment.text
    assert text.index("warning [subsumed-rule]") < text.index("info [mergeable-rules]")
    assert "Hint: delete rule R3" in text
    assert _fill(book["dose"]["B6"]) == FILLS["warning"]
    # a table-level finding without cells goes to A1 of its sheet; a workbook-level one to the first sheet
    assert "error [gap]" in book["dose"]["A1"].comment.text
    first = book[book.sheetnames[0]]
    assert "error [workbook]" in first["A1"].comment.text
    # another workbook's findings are left out
    assert book["dose"]["B7"].comment is None


def test_the_original_is_never_the_target(workbook: Path, tmp_path: Path):
    before = _digest(workbook)
    with pytest.raises(InputDataError):
        annotate(workbook, lint_workbook(workbook), workbook)
    with pytest.raises(InputDataError):
        annotate(workbook, [], tmp_path / "annotated.csv")
    assert _digest(workbook) == before
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_annotate_all_needs_a_folder_for_several_workbooks(workbook: Path, tmp_path: Path):
    other = make_workbook(tmp_path, "other.xlsx", inputs=INPUTS[:1],
                          tables={"t": ("U", ["age", "o"], "io", None, [["R1", "< 10", '"x"']])})
    findings = lint_workbook(workbook) + lint_workbook(other)
    with pytest.raises(InputDataError):
        annotate_all([workbook, other], findings, tmp_path / "out.xlsx")
    folder = tmp_path / "annotated"
    folder.mkdir()
    written = annotate_all([workbook, other], findings, folder)
    assert sorted(p.name for p in written) == ["dose.xlsx", "other.xlsx"]
    gap = openpyxl.load_workbook(folder / "other.xlsx")["t"]["B1"].comment
    assert gap is not None and "error [gap]" in gap.text  # nothing covers age >= 10


def test_comment_text_is_deterministic():
    a = Finding("info", "mergeable-rules", "w.xlsx", "t", "m1", ("A4",), hint="h1")
    b = Finding("error", "overlap", "w.xlsx", "t", "m2", ("A4",), ("R1", "R2"), hint="h2")
    assert comment_text([a, b]) == comment_text([b, a]) == (
        "error [overlap]: m2 (rules R1, R2)\nHint: h2\n\ninfo [mergeable-rules]: m1\nHint: h1")


def _generator():
    path = ROOT / "benchmarks" / "generate_tables.py"
    if not path.exists():
        pytest.skip("benchmarks/generate_tables.py is not in this checkout")
    if "generate_tables" not in sys.modules:
        spec = importlib.util.spec_from_file_location("generate_tables", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["generate_tables"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules["generate_tables"]


def test_every_finding_of_a_generated_table_lands_on_its_cells(tmp_path: Path):
    generator = _generator()
    table = generator.generate(rules=60, columns=4, seed=3, perturbed=0.3)
    assert generator.generate(rules=60, columns=4, seed=3, perturbed=0.3).rows() == table.rows()  # deterministic
    path = generator.write_workbook(table, tmp_path / "generated.xlsx")
    findings = lint_workbook(path)
    assert {"overlap", "gap"} <= {f.code for f in findings}
    book = openpyxl.load_workbook(annotate(path, findings, tmp_path / "annotated.xlsx"))
    for finding in findings:
        for ref in finding.cells or ("A1",):
            comment = book[finding.sheet][ref].comment
            assert comment is not None and f"{finding.severity} [{finding.code}]: {finding.message}" in comment.text


def test_a_dmn_model_is_refused_with_the_way_out(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="dtrun convert"):
        annotate_all([tmp_path / "model.dmn"], [], tmp_path / "out.xlsx")


def test_re_annotating_a_copy_shows_only_todays_findings_and_keeps_the_authors_marks(workbook: Path, tmp_path: Path):
    """Issue 21, item 5: an annotated copy that the author worked on and lints again gets
    dtrun's marks of today only; the author's comments and fills are never removed or painted."""
    first = annotate(workbook, lint_workbook(workbook), tmp_path / "first.xlsx")
    book = openpyxl.load_workbook(first)
    dose = book["dose"]
    assert "error [overlap]" in dose["A5"].comment.text
    dose["B5"] = ">= 65"  # the author fixes the overlap of R1 and R2 in the copy
    yellow = openpyxl.styles.PatternFill(fill_type="solid", start_color="FFFF00", end_color="FFFF00")
    dose["A6"].fill = yellow  # and marks a rule of their own, which dtrun comments on (mergeable)
    book.save(first)
    findings = lint_workbook(first)
    assert "overlap" not in {f.code for f in findings}
    second = openpyxl.load_workbook(annotate(first, findings, tmp_path / "second.xlsx"))["dose"]
    assert second["A5"].comment is None or "overlap" not in second["A5"].comment.text
    assert _fill(second["A5"]) != FILLS["error"]
    assert second["A4"].comment.text == "checked by Dr Who"  # dtrun's part gone, the author's kept
    assert second["A6"].comment.text.count("info [mergeable-rules]") == 1  # not twice
    assert _fill(second["A6"]) == "FFFF00"  # never painted over


def test_a_finding_about_one_rule_is_shown_on_that_rule_only(tmp_path: Path):
    path = make_workbook(tmp_path, inputs=[("age", "number")], tables={"t": ("F", ["age", "r"], "io", None, [
        ["R1", "< 50", '"young"'], ["R2", ">= 50", '"old"'], ["R3", "[40..60]", '"middle"']])})
    findings = lint_workbook(path)
    (masked,) = [f for f in findings if f.code == "masked-rule"]
    assert masked.cells[0] == "A6" and len(masked.cells) > 1  # R3, masked by R1 and R2
    sheet = openpyxl.load_workbook(annotate(path, findings, tmp_path / "out.xlsx"))["t"]
    assert "masked-rule" in sheet["A6"].comment.text
    assert all(sheet[ref].comment is None or "masked-rule" not in sheet[ref].comment.text for ref in ("A4", "A5"))


def test_severity_fills_differ_from_the_header_fills_of_a_new_workbook():
    from engine.formats.xlsx.new import HEADER_FILL

    assert HEADER_FILL not in FILLS.values() and len(set(FILLS.values())) == 3
