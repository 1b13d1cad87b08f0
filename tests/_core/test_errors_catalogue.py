"""docs/errors.md agrees with the code: every problem and finding code used in ``engine/`` is
documented there, every exit status each command declares is in its table, and the
messages the loader gives for broken and hostile files are the ones the catalogue shows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import ROOT

from engine._core.errors import Problem, WorkbookError
from engine.analysis.findings import CODES
from engine.formats.xlsx.build import load_workbook

ENGINE = ROOT / "engine"
CATALOGUE = ROOT / "docs" / "errors.md"


def _text() -> str:
    return CATALOGUE.read_text(encoding="utf-8")


def _constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _code_of(call: ast.Call) -> str | None:
    """The code a Problem(...), self.problem(...), Finding(...) or analysis.finding(...) call uses."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    position = {"Problem": 0, "problem": 0, "Finding": 1, "finding": 1}.get(name)
    if position is None:
        return None
    keyword = next((k.value for k in call.keywords if k.arg == "code"), None)
    return _constant(keyword) or (_constant(call.args[position]) if len(call.args) > position else None)


def codes_used() -> dict[str, list[str]]:
    """code → the places in engine/ that use it (and the keys of findings.CODES)."""
    used: dict[str, list[str]] = {code: ["engine/analysis/findings.py:CODES"] for code in CODES}
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (code := _code_of(node)):
                used.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return used


def test_the_code_scan_sees_the_codes_of_loader_lint_and_verifier():
    used = codes_used()
    assert {"unreadable", "workbook", "syntax", "empty-table", "hidden", "macros", "overlap", "gap",
            "masked-rule", "type-mismatch", "unused-input"} <= set(used)
    assert any(place.startswith("engine/formats/xlsx/safety.py") for place in used["macros"])
    assert any(place.startswith("engine/analysis/verify.py") for place in used["overlap"])


def test_every_code_used_in_engine_is_documented():
    text = _text()
    missing = {code: places for code, places in codes_used().items()
               if not re.search(rf"^#+ `{re.escape(code)}` \((error|warning|info)\)", text, re.M)}
    assert not missing, f"codes not documented in {CATALOGUE.name} (a heading '### `code` (severity)'): {missing}"


def test_documented_severities_agree_with_the_lint_codes():
    text = _text()
    for code, (severity, _) in CODES.items():
        assert re.search(rf"^#+ `{re.escape(code)}` \({severity}\)", text, re.M), code


def declared_exit_statuses() -> dict[str, dict[int, str]]:
    """command → {status: meaning} from the 'Exit status:' block of each command's docstring."""
    found: dict[str, dict[int, str]] = {}
    nodes = (n for path in sorted((ENGINE / "cli").glob("*.py")) for n in ast.walk(ast.parse(path.read_text("utf-8"))))
    for node in nodes:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") == "command":
                name = _constant(decorator.args[0]) if decorator.args else node.name
                doc = ast.get_docstring(node) or ""
                block = doc.partition("Exit status:")[2]
                found[name or node.name] = {int(m[1]): m[2] for m in re.finditer(r"^\s*(\d+)\s+(.+)$", block, re.M)}
    return found


def test_every_exit_status_of_every_command_is_documented():
    declared = declared_exit_statuses()
    assert {"evaluate", "lint", "test", "new", "show", "diff", "convert"} <= set(declared), declared
    assert all(declared.values()), declared
    text = _text()
    missing = [(command, status, meaning) for command, statuses in declared.items()
               for status, meaning in statuses.items()
               if not re.search(rf"^\| `dtrun {command}` \| {status} \|", text, re.M)]
    assert not missing, f"exit statuses not in the table of {CATALOGUE.name}: {missing}"


def test_the_documented_exit_statuses_are_the_clis_constants():
    from engine.cli import support as cli

    text = _text()
    for status in (cli.EXIT_OK, cli.EXIT_FINDINGS, cli.EXIT_USAGE, cli.EXIT_WORKBOOK, cli.EXIT_DATA):
        assert re.search(rf"^\| `dtrun \w+` \| {status} \|", text, re.M), status


# ---------------------------------------------------------------------- the loader's messages, verbatim
def _problems(path: Path) -> list[Problem]:
    try:
        model = load_workbook(path)
    except WorkbookError as error:
        return [*error.problems, *error.warnings]
    return list(model.warnings)


def _shown(problem: Problem, full: bool) -> str:
    """The message as the catalogue shows it: from the severity on (file names differ)."""
    text = str(problem) if full else f"{problem.severity}[{problem.code}]: {problem.message}"
    return text.partition(": ")[2] if full else text


def test_the_messages_for_broken_and_hostile_files_are_the_catalogues(tmp_path: Path):
    from helpers import hostile

    paths = [path for path, _ in hostile.broken_files(tmp_path).values()]
    for bomb in ("billion-laughs", "quadratic-blowup"):
        paths.append(hostile.hand_made(tmp_path / f"{bomb}.xlsx", {"t": hostile.BOMBS[bomb]()}))
    rows = '<row r="200000"><c r="A200000"><v>1</v></c></row>'
    paths.append(hostile.hand_made(tmp_path / "tall.xlsx", {"t": hostile.sheet_xml(rows)}))
    text = _text()
    for path in paths:
        (problem,) = _problems(path)
        assert _shown(problem, True) in text, f"{path.name}: {problem}"


def _cell_cases(tmp_path: Path) -> list[Path]:
    from helpers import hostile

    formula = hostile.clean_book(tmp_path, "formula.xlsx")
    hostile.replace_cell(formula, hostile.table_part(formula, "t"), "B4", '<c r="B4"><f>1+1</f></c>')
    error = hostile.clean_book(tmp_path, "error.xlsx")
    hostile.replace_cell(error, hostile.table_part(error, "t"), "B4", '<c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    merged = []
    for folder, cells in (("across", "B4:C4"), ("header", "B1:B2"), ("ids", "A4:A5")):
        (tmp_path / folder).mkdir()
        merged.append(hostile.merged_book(tmp_path / folder, [cells]))

    def hide(book: object) -> None:
        book["t"].row_dimensions[5].hidden = True  # type: ignore[index]
        book["t"].column_dimensions["C"].hidden = True  # type: ignore[index]
        book["Inputs"].sheet_state = "hidden"  # type: ignore[index]

    hidden = hostile.hide(hostile.clean_book(tmp_path, "hidden.xlsx"), hide)
    very = hostile.hide(hostile.clean_book(tmp_path, "very.xlsx"),
                        lambda book: setattr(book["t"], "sheet_state", "veryHidden"))  # type: ignore[index]
    macros = hostile.clean_book(tmp_path, "macros.xlsm")
    rules = [["R1", "< 2", '"low"', "x" * 20_000], ["R2", ">= 2", '"high"', ""]]
    long_text = hostile.make_workbook(tmp_path, "long.xlsx", inputs=[hostile.N],
                                      tables={"t": ("U", ["n", "o", "Guidance"], "ioa", None, rules)})
    return [formula, error, *merged, hidden, very, macros, long_text]


def test_the_messages_for_cells_hidden_parts_and_macros_are_the_catalogues(tmp_path: Path):
    text = _text()
    for path in _cell_cases(tmp_path):
        problems = _problems(path)
        assert problems, path
        for problem in problems:
            assert _shown(problem, False) in text, f"{path.name}: {problem}"


@pytest.mark.parametrize("code", ["unreadable", "workbook", "hidden", "macros"])
def test_each_loader_code_has_an_example_line_in_the_catalogue(code: str):
    assert re.search(rf"`[^`\s]+: (error|warning)\[{code}\]: ", _text()), code
