"""Issue 16, the tables themselves: what an author (or a generator) may put in a workbook or DMN model.

Classes 11 (memory growing with rules × records), 12 (cells nested deeper than Python's
recursion allows), 13 (rule ids that use up R1..R10001) and 18 (invisible and look-alike
characters in cells).
Each promise: a problem at its cell, or an answer; never an exception out of the loader.
"""

from __future__ import annotations

import json
import re
import signal
import tracemalloc
from unittest import mock

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers.adversarial import dtrun
from helpers.workbooks import make_workbook, model_for
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError, WorkbookError
from engine.analysis.lint import lint
from engine.cli import main
from engine.cli.support import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK
from engine.evaluation import matching
from engine.evaluation.frame import evaluate_frame
from engine.feel.characters import suspicious
from engine.feel.conditions import compile_expression
from engine.feel.syntax import MAX_DEPTH
from engine.feel.unparse import rename_names
from engine.formats.dmn.names import rule_ids

INPUTS = [("x", "number")]


def _table(rules: list[list[object]]) -> dict:
    return {"t": ("F", ["x", "y"], "io", None, rules)}


def test_rule_ids_r1_to_r10001_load_and_a_bad_id_gets_a_free_suggestion() -> None:
    rules = [[f"R{n}", f"= {n}", f"{n}"] for n in range(1, 10_002)]
    model = model_for(inputs=INPUTS, tables=_table(rules))  # all ids taken: no suggestion needed
    assert [rule.id for rule in model.table("t").rules][-1] == "R10001"
    with pytest.raises(WorkbookError) as caught:
        model_for(inputs=INPUTS, tables=_table([*rules, [None, "= 0", "0"], ["R1", "= 0", "0"], ["R 1", "= 0", "0"]]))
    found = {problem.cell: problem.hint for problem in caught.value.problems}
    assert found == {"A10005": "write a unique id in column A, e.g. R10002",
                     "A10006": "give this rule a new id, e.g. R10003", "A10007": "write e.g. R_1"}


def test_dmn_rule_ids_past_ten_thousand_taken_get_the_next_free_number() -> None:
    rules = [{"label": f"R{n}"} for n in range(1, 10_002)] + [{"label": "not an id!"}, {}]
    found = rule_ids(rules)
    assert found[-2:] == ["R10002", "R10003"]
    assert len(set(found)) == len(found)


# ---------------------------------------------------------------------- class 12: nesting
DEEP = {  # a cell nested n levels deep, and its value for s = 1
    "sum": (lambda n: "+".join(["s"] * n), lambda n: n),
    "minus": (lambda n: "-" * n + "s", lambda n: (-1) ** n),
    "power": (lambda n: "**".join(["s"] * n), lambda n: 1),
    "not": (lambda n: "not(" * n + "s>1" + ")" * n, lambda n: n % 2 == 1),
    "and": (lambda n: " and ".join(["s>0"] * n), lambda n: True),
}


def _deepest(kind: str) -> int:
    """The most levels of ``kind`` that a cell may hold (found, not assumed)."""
    write, _ = DEEP[kind]
    accepted = [n for n in range(MAX_DEPTH - 10, MAX_DEPTH + 10) if _compiles(write(n))]
    assert accepted and accepted == list(range(accepted[0], accepted[-1] + 1))
    return accepted[-1]


def _compiles(text: str) -> bool:
    try:
        compile_expression(text, {"s"})
    except ConditionError as error:
        assert "nested more than 100 levels" in error.message
        return False
    return True


@pytest.mark.parametrize("kind", DEEP)
def test_a_cell_at_the_depth_limit_works_on_every_path_and_one_level_more_is_refused(kind: str, tmp_path) -> None:
    write, value = DEEP[kind]
    deepest = _deepest(kind)
    assert deepest >= MAX_DEPTH - 2  # the limit is about what a reader counts, not far below it
    workbook = make_workbook(tmp_path, inputs=[("s", "number")],
                             tables={"t": ("U", ["s", "r"], "io", None, [["R1", "-", write(deepest)]])})
    (tmp_path / "p.csv").write_text("s\n1\n", encoding="utf-8")
    runner = CliRunner()
    for args in (["lint", workbook], ["show", "--textconv", workbook], ["test", workbook]):
        result = runner.invoke(main, [str(a) for a in args])
        assert result.exit_code in (EXIT_OK, EXIT_FINDINGS) and result.exception is None or \
            isinstance(result.exception, SystemExit), result.output
    result = runner.invoke(main, ["evaluate", str(workbook), str(tmp_path / "p.csv"), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.stdout)[0]["t.r"] == value(deepest)
    dmn = tmp_path / "model.dmn"
    assert runner.invoke(main, ["convert", str(workbook), str(dmn)]).exit_code == EXIT_OK
    assert runner.invoke(main, ["evaluate", str(dmn), str(tmp_path / "p.csv")]).exit_code == EXIT_OK


@pytest.mark.parametrize("kind", DEEP)
@pytest.mark.parametrize("levels", [MAX_DEPTH + 10, 1200])  # 1200: near the longest text a cell may hold
def test_a_cell_nested_too_deep_is_a_problem_at_its_cell_and_show_still_shows_it(kind: str, levels: int,
                                                                               tmp_path) -> None:
    write, _ = DEEP[kind]
    workbook = make_workbook(tmp_path, inputs=[("s", "number")],
                             tables={"t": ("U", ["s", "r"], "io", None, [["R1", "-", write(levels)],
                                                                        ["R2", "-", "s s"]])})
    runner = CliRunner()
    result = runner.invoke(main, ["lint", str(workbook), "--format", "json"])
    assert result.exit_code == EXIT_FINDINGS, result.output
    cells = {(cell, f["code"]) for f in json.loads(result.stdout) for cell in f["cells"]}
    assert {("C4", "syntax"), ("C5", "syntax")} <= cells  # the other bad cell is not hidden
    assert "nested more than 100 levels" in result.stdout
    assert len(max(result.stdout.splitlines(), key=len)) < 2_000  # the cell is quoted in part
    result = runner.invoke(main, ["show", "--textconv", str(workbook)])
    assert result.exit_code == EXIT_OK and "R1" in result.stdout
    result = runner.invoke(main, ["evaluate", str(workbook), str(workbook.with_suffix(".csv"))])
    assert result.exit_code not in (EXIT_OK, EXIT_INTERNAL)


@pytest.mark.parametrize("entry", ["+".join(["1"] * 3000), "-" * 20_000 + "1", "-" * 20_000],
                         ids=["3000-term sum", "20000 minus signs", "20000 dashes"])
def test_a_dmn_entry_nested_too_deep_is_a_problem_at_its_rule(entry: str, tmp_path) -> None:
    model = tmp_path / "deep.dmn"
    model.write_text(DMN.format(entry=entry), encoding="utf-8")
    runner = CliRunner()
    for args in (["lint", str(model)], ["evaluate", str(model), str(model)]):
        result = runner.invoke(main, args)
        assert result.exit_code not in (EXIT_OK, EXIT_INTERNAL) and "rule 1 (id r1), outputEntry 1" in result.output
        assert len(max(result.output.splitlines(), key=len)) < 2_000
    assert runner.invoke(main, ["show", "--textconv", str(model)]).exit_code == EXIT_OK


DMN = ('<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
       'id="l" name="Deep" namespace="urn:l"><inputData id="i" name="s"><variable name="s" typeRef="number"/>'
       '</inputData><decision id="d" name="Deep"><decisionTable id="t" hitPolicy="UNIQUE"><input id="c">'
       '<inputExpression typeRef="number"><text>s</text></inputExpression></input><output id="o" name="r" '
       'typeRef="number"/><rule id="r1"><inputEntry><text>-</text></inputEntry><outputEntry><text>{entry}</text>'
       '</outputEntry></rule></decisionTable></decision></definitions>')


# ---------------------------------------------------------------------- class 18: invisible characters
INVISIBLE = st.characters(categories=["Cf", "Cc", "Zl", "Zp"], exclude_characters="\t\n\r")
LETTERS = st.text(st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")), min_size=2, max_size=12)


def _character_findings(model) -> list:
    return [f for f in lint(model) if f.code == "invisible-character"]


@settings(max_examples=60, deadline=None)
@given(word=LETTERS, at=st.integers(0, 12), char=INVISIBLE, where=st.sampled_from(["input", "output", "allowed"]))
def test_an_invisible_character_anywhere_in_a_text_is_a_warning_at_its_cell_with_its_code_point(
        word: str, at: int, char: str, where: str) -> None:
    bad = f'"{word[:at]}{char}{word[at:]}"'
    cells = {"input": (bad, '"x"', None), "output": ('"a"', bad, None), "allowed": ('"a"', '"x"', '"a", "b"')}
    entry, result, allowed = cells[where]
    if where == "allowed":
        allowed = f'"a", {bad}'
    model = model_for(inputs=[("s", "string", allowed)], tables={"t": ("U", ["s", "r"], "io", None,
                                                                       [["R1", entry, result]])})
    (finding,) = _character_findings(model)
    assert finding.severity == "warning"
    assert finding.cells == ({"input": "B4", "output": "C4", "allowed": "C2"}[where],)
    written = allowed if where == "allowed" else bad
    assert f"U+{ord(char):04X}" in finding.message and f"at character {written.index(char) + 1}:" in finding.message


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.characters(categories=["L", "N", "P", "Zs"], max_codepoint=0x4FF,
                                  exclude_characters="\u00ad"), max_size=30))
def test_texts_of_one_script_accents_and_units_are_no_warning(text: str) -> None:
    """Latin with accents, Cyrillic and Greek words alone, μg: none is suspicious unless a word
    mixes Latin letters with Cyrillic or Greek look-alikes."""
    mixed = any(any(c.isascii() and c.isalpha() for c in w) and any(c in "аеорсухАВЕКМНОРСТУХΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικν"
                                                                   "іјѕԁһӏԛԝІЈЅԚԜ" for c in w)
                for w in re.findall(r"[^\W\d_]+", text))
    assert bool(suspicious(text)) == mixed


@pytest.mark.parametrize("text, code_point", [('"pаtient"', "U+0430 CYRILLIC SMALL LETTER A"),
                                              ('"ｐositive"', "U+FF50 FULLWIDTH LATIN SMALL LETTER P"),
                                              ('"Οral"', "U+039F GREEK CAPITAL LETTER OMICRON")])
def test_a_look_alike_letter_in_a_latin_word_is_a_warning(text: str, code_point: str, tmp_path) -> None:
    workbook = make_workbook(tmp_path, inputs=[("s", "string")],
                             tables={"t": ("F", ["s", "r", "note"], "ioa", None,
                                           [["R1", text, '"x"', "pаtient notes are not checked"],
                                            ["R2", "-", '"y"', None]])})
    result = CliRunner().invoke(main, ["lint", str(workbook)])
    assert result.exit_code == EXIT_OK
    (line,) = [line for line in result.stdout.splitlines() if "invisible-character" in line]
    assert line.startswith(f"{workbook}:t!B4: warning[invisible-character]") and code_point in line


def test_an_invisible_character_in_a_dmn_entry_is_a_warning_at_the_entry(tmp_path) -> None:
    model = tmp_path / "zw.dmn"
    model.write_text(DMN.format(entry="1").replace("<text>-</text>", "<text>&lt; 1\u200b0</text>"), encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(model), "--format", "json"])
    (finding,) = [f for f in json.loads(result.stdout) if f["code"] == "invisible-character"]
    assert finding["cells"] == ["rule 1 (id r1), inputEntry 1"] and "U+200B ZERO WIDTH SPACE" in finding["message"]


# ---------------------------------------------------------------------- class 11: rules x records
def test_the_match_matrix_of_a_large_table_is_built_in_blocks_of_bounded_size() -> None:
    """2,000 rules over 10,000 records: the whole matrix would be 20 MB of booleans; in
    blocks of at most MATRIX_CELLS (patched to 2 MiB), the evaluation's peak stays near that,
    and every record still gets the rule of its own value."""
    rules = [[f"R{n}", f'"v{n}"', f'"out {n}"'] for n in range(2_000)]
    model = model_for(inputs=[("s", "string")], tables={"t": ("U", ["s", "r"], "io", None, rules)})
    values = [f"v{(7 * i) % 2_100}" for i in range(10_000)]  # some values no rule names
    frame = pd.DataFrame({"s": values}, dtype=object)
    with mock.patch.object(matching, "MATRIX_CELLS", 1 << 21):
        tracemalloc.start()
        try:
            result = evaluate_frame(model, frame)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 12_000_000, f"peak {peak / 1e6:.1f} MB"
    expected = [f"R{v[1:]}" if int(v[1:]) < 2_000 else "" for v in values]
    assert result["t.rules"].tolist() == expected
    assert (result["_warnings"] != "").sum() == expected.count("")


# ---------------------------------------------------------------------- a DMN decision without a name
UNNAMED = ('<dmn:definitions xmlns:dmn="https://www.omg.org/spec/DMN/20240513/MODEL/" namespace="urn:x" '
           'label="D5" id="d5"><dmn:decision id="d5" label="D5 Decide"><dmn:decisionTable id="t">'
           '<dmn:input id="i1" label="Potential contraindications"/>'
           '<dmn:rule id="r1"><dmn:inputEntry><dmn:text>The client has history of reactions</dmn:text>'
           '</dmn:inputEntry><dmn:outputEntry><dmn:text>Do not vaccinate (e.g. neomycin or gelatin).</dmn:text>'
           '</dmn:outputEntry></dmn:rule></dmn:decisionTable></dmn:decision></dmn:definitions>')


def test_a_decision_without_a_name_loads_or_is_refused_and_never_hangs(tmp_path) -> None:
    """The shape of WHO's immunization DAK files (issue 20): a decision with a label but no
    name, no output elements, an input without an input expression, prose in the entries.  The
    empty name was 'found' before the ``(`` of the prose, without moving on: lint and convert
    never returned."""
    model = tmp_path / "d5.dmn"
    model.write_text(UNNAMED, encoding="utf-8")
    for args in (["lint", model], ["convert", model, tmp_path / "d5.xlsx"], ["show", "--textconv", model]):
        result = dtrun(args, tmp_path, timeout=60)
        assert result.returncode in (0, 1, 2, 3), result.stderr
        assert b"a bug in dtrun" not in result.stderr


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=40), names=st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=4))
@example(text="Do not vaccinate (e.g. neomycin).", names={"": ""})  # the DAK's case, tried first
def test_renaming_names_in_a_text_ends_whatever_the_names(text: str, names: dict[str, str]) -> None:
    def stop(*_: object) -> None:
        raise TimeoutError("rename_names did not return")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(2)
    try:  # names mapped to themselves: the text comes back unchanged
        assert rename_names(text, {name: name for name in names}) == text
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
