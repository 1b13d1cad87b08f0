"""Round trips: workbook → DMN → workbook gives the same model (HER2 and generated workbooks);
DMN → workbook → DMN gives an equivalent model for the TCK's tier-A files.

"The same model" is compared without positions (sheet rows and cell texts' layout may change
as author spellings become standard FEEL) and, independently, by evaluating both models on
the same records.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from helpers import ROOT, TCK, sheets_for, without_spans
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from engine import load_workbook
from engine._core.errors import WorkbookError
from engine.feel.syntax import Comparison, UnaryTests
from engine.formats.dmn.export import write_dmn
from engine.formats.dmn.importer import read_dmn
from engine.formats.dmn.workbook import convert_to_workbook, read_names_sheet
from engine.formats.xlsx.build import build_model

sys.path.insert(0, str(ROOT / "scripts"))
import run_tck  # noqa: E402


def _tests(compiled):
    if compiled is None:
        return None
    node = compiled.node
    single = len(node.tests) == 1 and isinstance(node.tests[0], Comparison) and node.tests[0].op == "!="
    if single and not node.negated:  # written as not(x): the same test (see engine.feel.unparse)
        node = UnaryTests((Comparison("=", node.tests[0].endpoint, node.tests[0].span),), True, node.span)
    return without_spans(node)


def summary(model):
    """Everything a model means, without positions."""
    inputs = {n: (d.type, _tests(d.allowed), d.required, d.unit, d.code, d.description) for n, d in
              model.inputs.items()}
    tables = {t.name: (t.hit_policy.code, t.depends_on,
                       [(c.heading, c.name, _tests(c.allowed)) for c in t.inputs],
                       [(o.name, o.values, _tests(o.allowed)) for o in t.outputs],
                       [a.name for a in t.annotations],
                       [(r.id, [_tests(c) for c in r.inputs], [without_spans(o.node) for o in r.outputs],
                         r.annotations) for r in t.rules]) for t in model.tables}
    return inputs, tables, dict(model.about)


def there_and_back(model, tmp_path, version="1.3"):
    write_dmn(model, tmp_path / "model.dmn", version)
    convert_to_workbook(tmp_path / "model.dmn", tmp_path / "back.xlsx")
    return load_workbook(tmp_path / "back.xlsx")


# ---------------------------------------------------------------------- HER2
@pytest.mark.parametrize("version", ["1.3", "1.4", "1.5"])
def test_her2_workbook_to_dmn_and_back_is_the_same_model(example_workbook, tmp_path, version):
    model = load_workbook(example_workbook)
    back = there_and_back(model, tmp_path, version)
    assert summary(back) == summary(model)
    assert [t.name for t in back.tables] == [t.name for t in model.tables]


def test_her2_dmn_gives_the_same_results_as_the_workbook(example_workbook, example_patients, tmp_path):
    import pandas

    model = load_workbook(example_workbook)
    write_dmn(model, tmp_path / "her2.dmn")
    frame = pandas.read_csv(example_patients, dtype=str, keep_default_na=False)
    ours, theirs = engine.evaluate_frame(model, frame), engine.evaluate_frame(load_workbook(tmp_path / "her2.dmn"), frame)
    results = [c for c in ours.columns if "." in c]
    assert len(results) > 10
    pandas.testing.assert_frame_equal(ours[results], theirs[results])
    assert (ours["_errors"] != "").tolist() == (theirs["_errors"] != "").tolist()


# ---------------------------------------------------------------------- generated workbooks
NUMBER_CELLS = ["-", "< 3", ">= 2", "[1..4]", "]0..5[", "3", "not(2)", "!= 1", "null", "≥ 7", "(1..2]"]
TEXT_CELLS = ["-", '"a"', '"a","b"', 'not("a")', "“b”", "null"]
BOOLEAN_CELLS = ["-", "true", "FALSE", "null"]
CELLS = {"number": NUMBER_CELLS, "integer": NUMBER_CELLS, "string": TEXT_CELLS, "boolean": BOOLEAN_CELLS}
OUTPUTS = ['"x"', '"y"', '"z"', "null"]
NOTE = st.text(st.sampled_from("abc XYZ019;,.'-"), max_size=12).map(str.strip).filter(lambda s: not s.startswith("-"))


@st.composite
def workbooks(draw):
    kinds = draw(st.lists(st.sampled_from(list(CELLS)), min_size=1, max_size=3))
    inputs = [(f"in_{i}", kind, None, draw(st.sampled_from(["yes", "no"]))) for i, kind in enumerate(kinds)]
    names = [name for name, *_ in inputs]
    tables = {}
    for number in range(draw(st.integers(1, 2))):
        policy = draw(st.sampled_from(["U", "A", "P", "F", "R", "O", "C", "C#"]))
        reads = draw(st.lists(st.sampled_from(range(len(names))), min_size=1, max_size=3, unique=True))
        chained = number == 1 and draw(st.booleans())
        headings = [names[i] for i in reads] + (["t0.out"] if chained else []) + ["out", "Reference"]
        ids = draw(st.lists(st.sampled_from(["1", "r1", "R-2", "4.2", "a_b", "r9"]), min_size=1, max_size=5,
                            unique=True))
        rules = [[rule_id, *(draw(st.sampled_from(CELLS[kinds[i]])) for i in reads),
                  *([draw(st.sampled_from(['"x"', '"y"', "-"]))] if chained else []),
                  draw(st.sampled_from(OUTPUTS)), draw(NOTE)] for rule_id in ids]
        roles = "i" * (len(headings) - 2) + "oa"
        tables[f"t{number}"] = (policy, headings, roles, [None] * (len(headings) - 2) + ['"x","y","z"'], rules)
    return sheets_for(inputs=inputs, tables=tables, about={"Title": draw(NOTE) or "t", "Version": "1.0"})


VALUES = {"number": st.sampled_from(["", "0", "1", "2.5", "3", "7"]), "string": st.sampled_from(["", "a", "b", "c"]),
          "boolean": st.sampled_from(["", "true", "false"])}
VALUES["integer"] = VALUES["number"].filter(lambda v: "." not in v)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.filter_too_much])
@given(sheets=workbooks(), data=st.data())
def test_generated_workbooks_survive_the_round_trip(tmp_path, sheets, data):
    try:
        model = build_model("generated.xlsx", sheets)
    except WorkbookError:
        assume(False)
    folder = tmp_path / str(abs(hash(repr(sheets))))
    folder.mkdir(exist_ok=True)
    back = there_and_back(model, folder)
    assert summary(back) == summary(model)
    for _ in range(5):
        record = {n: data.draw(VALUES[d.type]) for n, d in model.inputs.items()}
        ours, theirs = engine.evaluate(model, record), engine.evaluate(back, record)
        assert ours.row() | {"_errors": "", "_model": ""} == theirs.row() | {"_errors": "", "_model": ""}
        assert bool(ours.errors) == bool(theirs.errors)
    shutil.rmtree(folder)


@pytest.mark.parametrize("version", ["1.3", "1.5"])
def test_calls_of_built_in_functions_survive_the_round_trip(tmp_path, version):
    """Output cells that call the rounding built-ins: written as standard FEEL, read back as the
    same calls, giving the same doses."""
    cells = ["round half up(8 * Weight, 0)", "Round Half Down(Weight / 3, 2)", "decimal(Weight, 1) + abs(-1)",
             "floor(Weight)", "ceiling(Weight, 1)", "round up(Weight, -1)", "round down(Weight, 0)"]
    sheets = sheets_for(inputs=[("Weight", "number", None, "yes")], tables={
        "dose": ("U", ["Weight", *[f"o{k}" for k in range(len(cells))]], "i" + "o" * len(cells), None,
                 [["R1", "-", *cells]])}, about={"Title": "calls", "Version": "1.0"})
    model = build_model("calls.xlsx", sheets)
    write_dmn(model, tmp_path / "model.dmn", version)
    assert "round half up(8 * Weight, 0)" in (tmp_path / "model.dmn").read_text(encoding="utf-8")
    back = there_and_back(model, tmp_path, version)
    assert summary(back) == summary(model)
    for weight in ("50.475", "2.675", "70", "0.5", ""):
        ours, theirs = engine.evaluate(model, {"Weight": weight}), engine.evaluate(back, {"Weight": weight})
        assert ours.row() | {"_model": ""} == theirs.row() | {"_model": ""}
    assert engine.evaluate(model, {"Weight": "50.475"}).row()["dose.o0"] == 404


# ---------------------------------------------------------------------- TCK tier A: DMN → workbook → DMN
INDEX = TCK / "INDEX.json"
TIER_A = [e["folder"] for e in json.loads(INDEX.read_text(encoding="utf-8"))["cases"] if e["tier"] == "A"] \
    if INDEX.exists() else []


@pytest.mark.skipif(not TIER_A, reason=f"the DMN TCK is not at {TCK} (set DTRUN_TCK)")
@pytest.mark.parametrize("folder", TIER_A)
def test_tck_tier_a_dmn_to_workbook_and_back_is_equivalent(tmp_path, folder):
    original = TCK / folder / f"{folder}.dmn"
    convert_to_workbook(original, tmp_path / "model.xlsx")
    again = tmp_path / folder / f"{folder}.dmn"
    again.parent.mkdir()
    write_dmn(load_workbook(tmp_path / "model.xlsx"), again, "1.5", read_names_sheet(tmp_path / "model.xlsx"))
    assert summary(load_workbook(again))[1:] == summary(load_workbook(original))[1:]
    before, after = read_dmn(original), read_dmn(again)
    assert (after.decisions, after.inputs, after.outputs) == (before.decisions, before.inputs, before.outputs)
    shutil.copy(TCK / folder / f"{folder}-test-01.xml", again.parent)
    assert [o.status for o in run_tck.run_folder(again.parent).outcomes] == ["passed"] * 3
