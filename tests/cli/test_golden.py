"""What every command prints, for a workbook and for a DMN model, compared with golden files.

Each case runs one ``dtrun`` command (Click's CliRunner) in a folder of inputs built here in
code: a small guideline workbook and a DMN model with the same kinds of defects (a gap, an
overlap, a masked rule, values outside the allowed ones, a type mismatch, an input no table
reads, a failing and an uncovered test), a second version of each for ``diff``, and patient
files.  The exit status, standard output and standard error are compared, byte for byte, with
``tests/cli/golden/<case>.txt`` (only the seconds of ``dtrun evaluate``'s summary line are
masked).  After a deliberate change of wording, regenerate them and review the diff:

    python -m pytest tests/cli/test_golden.py --update-goldens

A DMN model's outputs must speak DMN: no sheet, row or cell words (checked here too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ITEMS, clause, decision, dmn, make_workbook, rule, write

from engine.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"

INPUTS = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "yes"),
          ("weight", "number", "[25..250]", "no"), ("unused", "boolean", None, "no")]


def guide_tables(version: int) -> dict:
    band = [["B1", "< 18", '"child"', "Ref 1"], ["B2", "[18..65]", '"adult"', "Ref 2"],
            ["B3", ">= 60" if version == 1 else "> 65", '"senior"', "Ref 3"], ["B4", "130", '"adult"', "Ref 4"]]
    if version == 2:
        band.append(["B5", "[0..1)", '"infant"', "Ref 5"])
    plan = [["P1", '"child"', "-", '"paediatric"'], ["P2", "-", '"positive"', '"endocrine"' if version == 1 else
                                                    '"endocrine_therapy"'], ["P3", '"child"', '"positive"', '"x"']]
    return {
        "band": ("U", ["age", "band", "Reference"], "ioa", [None, '"child","adult","senior"'], band),
        "plan": ("F", ["band.band", "hr", "plan"], "iio", None, plan),
        "score": ("C+" if version == 1 else "C<", ["age", "points"], "io", None, [["S1", ">= 18", '"many"']]),
    }


TESTS = [["case", "age", "hr", "band.band", "plan.plan"], [None, "input", "input", "expected", "expected"],
         ["T1", 40, "positive", "adult", "endocrine"], ["T2", 10, "negative", "child", "surgery"]]

# a workbook without findings
CLEAN_INPUTS = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "yes")]
CLEAN_TABLES = {"band": ("U", ["age", "band"], "io", None, [["B1", "< 18", '"child"'], ["B2", ">= 18", '"adult"']]),
                "plan": ("U", ["band.band", "hr", "plan"], "iio", None,
                         [["P1", '"child"', "-", '"paediatric"'], ["P2", '"adult"', '"positive"', '"endocrine"'],
                          ["P3", '"adult"', '"negative"', '"chemo"']])}

# cells in FEEL beyond S-FEEL: two tables lint reasons about exactly (a gap and an overlap; a
# gap found by running odd(?) and even(?) on each allowed whole number), one it skips and says why
FEEL_INPUTS = [("age", "number", "[0..120]", "yes"), ("visits", "integer", "[0..20]", "no")]
FEEL_TABLES = {
    "band": ("U", ["age", "band"], "io", None, [["B1", "? < 18", '"child"'], ["B2", "? >= 18 and ? < 65", '"adult"'],
                                                 ["B3", "? in [60..70]", '"senior"']]),
    "visits": ("U", ["visits", "kind"], "io", None, [["V1", "odd(?)", '"odd"'], ["V2", "even(?)", '"even"']]),
    "dose": ("U", ["age", "dose"], "io", None, [["D1", "floor(?) < 12", "1"], ["D2", ">= 12", "2"],
                                                 ["D3", "string length(string(?)) > 2", "3"]]),
}

# guide.xlsx with findings the authors accept, one waiver that matches nothing and one without a reason
WAIVERS = [["Table", "Rule", "Code", "Reason", "By", "Date"],
           ["Inputs", "weight", "unused-input", "kept for the dose tables of the next version", "A. Author",
            "2024-05-01"],
           ["band", "B3", "overlap", "seniors from 60 also count as adults (guideline 2.1)", "B. Reviewer", None],
           ["plan", "", "partly-masked-rule", "children come first on purpose", None, None],
           ["score", "", "gap", "C+ tables have no gaps: a stale waiver", None, None],
           ["plan", "P3", "masked-rule", None, None, None]]


def dmn_model(version: int, typed: bool = False) -> str:
    """The DMN model; ``typed``: without its one entry that contradicts its input's type (rule
    b4 tests a text input with ``true``), which evaluate, test and convert refuse."""
    band_rules = (rule("r1", ["&lt; 18"], ['"child"']) + rule("r2", ["&gt;= 16" if version == 1 else "&gt;= 18"],
                                                                ['"adult"'])
                  + rule("r3", ["150"], ['"adult"']) + rule("r4", ["&gt;= 20"], ['"senior"'])
                  + (rule("r5", ["[0..1)"], ['"infant"']) if version == 2 else ""))
    band = decision("d_band", "Age Band", 'hitPolicy="UNIQUE"', clause("c_age", "Person age"),
                    '<output id="o_band" name="band"><outputValues><text>"child","adult"</text></outputValues>'
                    "</output>", band_rules)
    blood = decision("d_blood", "Blood Group", 'hitPolicy="FIRST"', clause("c_blood", "Blood type", "Blood"),
                     '<output id="o_g" name="group" typeRef="string"/>',
                     rule("b1", ['"A","B"'], ['"x"']) + rule("b2", ['"A"'], ['"x"']) + rule("b3", ['"Q"'], ['"y"'])
                     + ("" if typed else rule("b4", ["true"], ['"z"'])))
    score = decision("d_sum", "Score", 'hitPolicy="COLLECT" aggregation="SUM"' if version == 1 else
                     'hitPolicy="COLLECT" aggregation="MIN"', clause("c_s", "Person age") + clause("c_m", "Min age"),
                     '<output id="o_s" name="points"/>', rule("s1", ["&gt;= Min age", "-"], ['"many"']))
    step = decision("d_next", "Next Step", 'hitPolicy="UNIQUE"', clause("c_n", "Age Band"),
                    '<output id="o_n" name="step"/>',
                    rule("n1", ['"child"'], ['"paediatrics"']) + rule("n2", ['"adult"'], ['"clinic"']))
    return dmn(ITEMS + band + blood + score + step)


def dak_files(root: Path) -> None:
    """A DAK workbook of two tables on one sheet (a blank-continued Input(s) heading, a row with OR
    across data elements, a cell without its opening quote, a condition no value can meet, a name
    spelt two ways), its data dictionary, and patients headed with labels and a Data Element ID."""
    from helpers.dak import block, element, write_dak, write_dictionary

    danger = block("ANC.DT.01 Danger signs", ["Input(s)", None, "Output", "Annotation(s)"], [
        ['"Danger signs" = "Fever"', None, "Refer for fever", "Urgent"],
        ['"Danger signs" = "Labour" OR "Gestational age" < 28 weeks', None, "Refer to hospital", None],
        ['"Danger signs" = "No danger signs"', '"Gestational age" ≥ 28 weeks', "Proceed", None],
        ['Danger signs" = "Looks very ill"', None, "Refer", None]])
    pulse = block("ANC.DT.04 Pulse", ["Input(s)", "Output", "Action"], [
        ['60 bpm > "Pulse rate" > 100 bpm', "Abnormal pulse rate", "Refer"],
        ['"Pulse rate" ≥ 60 bpm', "Normal", "Proceed"],
        ['"pulse Rate" ≤ 100 bpm', "Normal", "Proceed"]])
    write_dak(root / "dak.xlsx", {"COVER": [["Digital adaptation kit: a golden example"]],
                                   "ANC.DT.01-04 Quick check": [[None], *danger, [None], *pulse]})
    write_dictionary(root / "dictionary.xlsx", [
        element("ANC.B5.DE48", "Danger signs", "Coding", "Select one",
                [("No danger signs", ""), ("Fever", ""), ("Labour", ""), ("Looks very ill", "Very ill")]),
        element("ANC.B6.DE14", "Gestational age", "Quantity", unit="weeks"),
        element("ANC.B8.DE7", "Pulse rate", "Quantity", unit="bpm")])
    (root / "dak_patients.csv").write_text("ANC.B5.DE48,Gestational age,Pulse_rate\nFever,30,80\nLabour,20,50\n"
                                           "No danger signs,35,120\n", encoding="utf-8")


def dmn_feel() -> str:
    """A DMN model whose entries use ?: one decision lint reasons about, one it skips."""
    band = decision("d_band", "Age Band", 'hitPolicy="UNIQUE"', clause("c_age", "Person age"),
                    '<output id="o_band" name="band" typeRef="string"/>',
                    rule("r1", ["? &lt; 18"], ['"child"']) + rule("r2", ["? &gt;= 18 and ? &lt;= 65"], ['"adult"']))
    odd = decision("d_odd", "Odd Age", 'hitPolicy="UNIQUE"', clause("c_age2", "Person age"),
                   '<output id="o_odd" name="odd" typeRef="string"/>',
                   rule("s1", ["odd(?)"], ['"odd"']) + rule("s2", ["&lt; 3"], ['"small"']))
    return dmn(ITEMS + band + odd)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden")
    about = {"Title": "Golden guide", "Version": "1.0"}
    make_workbook(root, "guide.xlsx", inputs=INPUTS, tables=guide_tables(1), about=about, tests=TESTS)
    make_workbook(root, "guide_v2.xlsx", inputs=INPUTS, tables=guide_tables(2), about={**about, "Version": "2.0"},
                  tests=TESTS)
    make_workbook(root, "waived.xlsx", inputs=INPUTS, tables=guide_tables(1), about=about, tests=TESTS,
                  extra={"Waivers": WAIVERS})
    make_workbook(root, "clean.xlsx", inputs=CLEAN_INPUTS, tables=CLEAN_TABLES, about={"Title": "Clean guide"})
    make_workbook(root, "feel.xlsx", inputs=FEEL_INPUTS, tables=FEEL_TABLES, about={"Title": "FEEL cells"})
    write(root, dmn_feel(), "feel.dmn")
    write(root, dmn_model(1), "model.dmn")
    write(root, dmn_model(2), "model_v2.dmn")
    write(root, dmn_model(1, typed=True), "typed.dmn")
    (root / "patients.csv").write_text("id,age,hr,weight\np1,40,positive,70\np2,10,negative,\np3,200,postive,80\n"
                                       "p4,70,negative,60\n", encoding="utf-8")
    dak_files(root)
    (root / "dmn_patients.csv").write_text("Person age,Min age,Blood type\n10,5,A\n17,5,B\n200,5,Q\n,,\n",
                                           encoding="utf-8")
    return root


WORKBOOK_CASES = {
    **{f"lint_{fmt}": ["lint", "guide.xlsx", "--format", fmt] for fmt in ("text", "json", "sarif", "github")},
    **{f"lint_{fmt}": ["lint", "guide.xlsx", "--format", fmt] for fmt in ("html", "markdown")},
    **{f"lint_clean_{fmt}": ["lint", "clean.xlsx", "--format", fmt] for fmt in ("html", "markdown")},
    "lint_waived_markdown": ["lint", "waived.xlsx", "--format", "markdown"],
    **{f"lint_feel_{fmt}": ["lint", "feel.xlsx", "--format", fmt] for fmt in ("text", "json", "sarif", "github",
                                                                                "html", "markdown")},
    "test": ["test", "guide.xlsx"],
    "show_markdown": ["show", "guide.xlsx", "--format", "markdown"],
    "show_text": ["show", "guide.xlsx"],
    "show_html": ["show", "guide.xlsx", "--format", "html"],  # with the tables' coverage pictures (SVG)
    **{f"diff_{fmt}": ["diff", "guide.xlsx", "guide_v2.xlsx", "--format", fmt] for fmt in ("text", "markdown", "json")},
    "evaluate": ["evaluate", "guide.xlsx", "patients.csv", "--explain"],
    "convert": ["convert", "guide.xlsx", "out.dmn"],
    "explain": ["explain", "guide.xlsx", "--set", "age=10", "--set", "hr=positive"],
    "explain_json": ["explain", "guide.xlsx", "--record", '{"age": 200, "hr": "positive"}', "--format", "json"],
    **{f"lint_waived_{fmt}": ["lint", "waived.xlsx", "--format", fmt] for fmt in ("text", "json", "sarif", "github")},
    "show_waived": ["show", "waived.xlsx"],
    "diff_waived": ["diff", "guide.xlsx", "waived.xlsx"],
    "convert_waived": ["convert", "waived.xlsx", "out.dmn"],
}
DMN_CASES = {
    **{f"dmn_lint_{fmt}": ["lint", "model.dmn", "--format", fmt] for fmt in ("text", "json", "sarif", "github",
                                                                              "html", "markdown")},
    "dmn_lint_feel_text": ["lint", "feel.dmn"],
    "dmn_test": ["test", "typed.dmn"],
    "dmn_test_allow_empty": ["test", "typed.dmn", "--allow-empty"],
    "dmn_explain": ["explain", "typed.dmn", "--set", "Person age=70", "--set", "Min age=5", "--set", "Blood type=Q"],
    "dmn_show_markdown": ["show", "model.dmn", "--format", "markdown"],
    "dmn_show_text": ["show", "model.dmn"],
    **{f"dmn_diff_{fmt}": ["diff", "model.dmn", "model_v2.dmn", "--format", fmt] for fmt in ("text", "markdown", "json")},
    "dmn_evaluate": ["evaluate", "typed.dmn", "dmn_patients.csv"],
    "dmn_evaluate_refused": ["evaluate", "model.dmn", "dmn_patients.csv"],
    "dmn_convert": ["convert", "typed.dmn", "out.xlsx"],
}
DAK_CASES = {  # a WHO SMART Guidelines DAK (docs/dak.md), with its data dictionary
    "dak_lint_text": ["lint", "dak.xlsx", "--dictionary", "dictionary.xlsx"],
    "dak_lint_json": ["lint", "dak.xlsx", "--dictionary", "dictionary.xlsx", "--format", "json"],
    "dak_lint_no_dictionary": ["lint", "dak.xlsx"],
    "dak_evaluate": ["evaluate", "dak.xlsx", "dak_patients.csv", "--dictionary", "dictionary.xlsx"],
    "dak_show": ["show", "dak.xlsx", "--dictionary", "dictionary.xlsx"],
}
CASES = {**WORKBOOK_CASES, **DMN_CASES, **DAK_CASES}
SECONDS = re.compile(r"\b\d+\.\d\d s\b")


def transcript(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """The command line, exit status, standard output and standard error, as one text."""
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    text = (f"$ dtrun {' '.join(args)}\nexit {result.exit_code}\n--- stdout\n{result.stdout}"
            f"--- stderr\n{result.stderr}")
    return SECONDS.sub("0.00 s", text)


@pytest.mark.parametrize("case", CASES)
def test_output_is_the_golden_file(case: str, folder: Path, monkeypatch: pytest.MonkeyPatch,
                                   request: pytest.FixtureRequest) -> None:
    got = transcript(folder, CASES[case], monkeypatch)
    path = GOLDEN / f"{case}.txt"
    if request.config.getoption("--update-goldens"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run python -m pytest {__file__} --update-goldens"
    assert got == path.read_text(encoding="utf-8"), f"{case}: output differs from {path.name} (see the docstring)"


# A workbook's words: sheets, rows, cells (also as A1 references), the Inputs sheet.
WORKBOOK_WORDS = re.compile(r"\brows? \d|\bsheet\b|\bInputs\b|\bcells?\b|\b[A-Z]{1,3}[0-9]+\b|from row")
STRUCTURED = ("json", "sarif")  # their keys are structure (sheet, cells), the same for both formats


@pytest.mark.parametrize("case", [c for c in DMN_CASES if not c.endswith(STRUCTURED)])
def test_a_dmn_models_outputs_use_no_workbook_words(case: str) -> None:
    text = (GOLDEN / f"{case}.txt").read_text(encoding="utf-8").split("\n", 1)[1]  # not the command line
    if case.endswith(("html", "markdown")):  # the summary explains each code in the catalogue's words (CODES)
        text = "\n".join(line for line in text.splitlines() if not line.startswith(("| `", "<tr><td><code>")))
    text = re.sub(r'"[^"\n]*"', '""', text)  # DMN names and values, quoted, may hold anything
    text = text.replace("a Tests sheet", "")  # where dtrun test sends a DMN user: a workbook's test cases
    text = text.replace("--input-types cells", "")  # the option's name
    found = WORKBOOK_WORDS.findall(text)
    assert not found, f"{case}: workbook words {found}"


def test_the_workbook_word_check_finds_them() -> None:
    text = (GOLDEN / "lint_text.txt").read_text(encoding="utf-8")
    assert WORKBOOK_WORDS.search(re.sub(r'"[^"\n]*"', '""', text))


def test_the_formats_differ_where_they_should() -> None:
    """Both formats' goldens were made from the same defects: the DMN ones name decisions,
    rules by number and id, and entries; the workbook ones name sheets and cells."""
    dmn_lint = (GOLDEN / "dmn_lint_text.txt").read_text(encoding="utf-8")
    workbook_lint = (GOLDEN / "lint_text.txt").read_text(encoding="utf-8")
    assert 'decision "Age Band" (id d_band)!rule 3 (id r3), inputEntry 1' in dmn_lint
    assert "hit policy UNIQUE" in dmn_lint and "hit policy U)" not in dmn_lint
    assert "guide.xlsx:band!B7" in workbook_lint and "under hit policy U" in workbook_lint
