"""dtrun tidy and the Excel aids (issue 21, item 4): drop-downs and print setup in the saved
XML, idempotence, the author's validation kept, content unchanged, the lock-file refusal."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.datavalidation import DataValidation

from engine.cli import main
from engine.formats.xlsx.new import new_workbook

HER2 = Path(__file__).parents[3] / "decision_tables" / "her2_mbc_brain_mets.xlsx"


def _sheets(path: Path) -> dict[str, str]:
    """Sheet title -> its worksheet XML, from the saved file."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*?Target="/?(?:xl/)?([^"]+)"', rels)
                       + [(i, t) for t, i in re.findall(r'Target="/?(?:xl/)?([^"]+)"[^>]*?Id="(rId\d+)"', rels)])
        names = re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="(rId\d+)"', book)
        return {name: archive.read("xl/" + targets[rid]).decode() for name, rid in names}


def _aids(path: Path) -> dict[str, list[str]]:
    """Per sheet, its dataValidations and pageSetup as saved (what idempotence compares)."""
    return {name: re.findall(r"<dataValidations.*?</dataValidations>|<pageSetup[^>]*>", xml, re.S)
            for name, xml in _sheets(path).items()}


def _validations(xml: str) -> dict[str, str]:
    """sqref -> the whole <dataValidation> element."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<dataValidation [^>]*?sqref="([^"]+)".*?</dataValidation>',
                                                        xml, re.S)}


def _tidy(path: Path) -> object:
    return CliRunner().invoke(main, ["tidy", str(path)])


def _textconv(path: Path) -> str:
    return CliRunner().invoke(main, ["show", "--textconv", str(path)]).output


@pytest.fixture
def her2(tmp_path: Path) -> Path:
    copy = tmp_path / "her2.xlsx"
    shutil.copy(HER2, copy)
    return copy


def test_tidy_adds_drop_downs_and_print_setup_in_the_saved_xml(tmp_path: Path):
    path = new_workbook(tmp_path / "guide.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:  # the starter as it was before aids: no validations, no print setup
        sheet.data_validations.dataValidation = []
    book.save(path)
    result = _tidy(path)
    assert result.exit_code == 0, result.output
    sheets = _sheets(path)
    table = _validations(sheets["recommendation"])
    assert "input name" in table["B1"].lower() and 'showErrorMessage="1"' not in table["B1"]
    setting = table["D4:D208"]  # "inpatient","outpatient": quoted as a condition writes them, never refused
    assert 'showErrorMessage="1"' not in setting and 'promptTitle="dtrun"' in setting
    assert "&quot;inpatient&quot;" in setting and "_dtrun_lists" in setting
    assert "E4:E208" in table  # the output's allowed values
    tests = _validations(sheets["Tests"])
    assert any(ref.startswith("D3:") and "outpatient" in v and "&quot;" not in v.split("prompt=")[1].split('"')[1]
               for ref, v in tests.items())  # Tests cells: plain values
    assert "B2:B500" in _validations(sheets["Inputs"])
    for name in ("Inputs", "recommendation", "Tests"):
        assert re.search(r'<pageSetup [^>]*orientation="landscape"', sheets[name])
        assert re.search(r'<pageSetup [^>]*fitToWidth="1"', sheets[name])
        assert '<pageSetUpPr fitToPage="1"' in sheets[name]
    with zipfile.ZipFile(path) as archive:
        names = archive.read("xl/workbook.xml").decode()
    assert "'recommendation'!$1:$3,'recommendation'!$A:$A" in names and "'Tests'!$1:$2" in names
    assert re.search(r'<sheet [^>]*name="_dtrun_lists"[^>]*state="hidden"', names)


def test_tidy_twice_changes_nothing_and_keeps_content(her2: Path):
    before = _textconv(her2)
    assert _tidy(her2).exit_code == 0
    first = _aids(her2)
    assert _tidy(her2).exit_code == 0
    assert _aids(her2) == first
    assert _textconv(her2) == before


def test_the_shipped_her2_workbook_is_tidy(her2: Path):
    shipped = _aids(her2)
    assert any("promptTitle=\"dtrun\"" in "".join(parts) for parts in shipped.values())
    assert _tidy(her2).exit_code == 0
    assert _aids(her2) == shipped


def test_the_authors_own_validation_is_kept(her2: Path):
    book = openpyxl.load_workbook(her2)
    mine = DataValidation(type="whole", operator="between", formula1="1", formula2="9", promptTitle="Mine")
    mine.add("Z9")
    book["Inputs"].add_data_validation(mine)
    book.save(her2)
    assert _tidy(her2).exit_code == 0
    assert _tidy(her2).exit_code == 0
    kept = _validations(_sheets(her2)["Inputs"])
    assert 'promptTitle="Mine"' in kept["Z9"]
    assert sum('promptTitle="dtrun"' in v for v in kept.values()) == 2  # replaced, not added twice


@pytest.mark.parametrize("lock", ["~$her2.xlsx", ".~lock.her2.xlsx#"])
def test_a_workbook_open_in_excel_or_libreoffice_is_refused(her2: Path, lock: str):
    (her2.parent / lock).write_text("someone")
    content = her2.read_bytes()
    result = _tidy(her2)
    assert result.exit_code == 2
    assert "open in Excel or LibreOffice" in result.output and lock in result.output
    assert her2.read_bytes() == content


def test_a_dmn_file_is_a_usage_error(tmp_path: Path):
    model = tmp_path / "m.dmn"
    model.write_text("<definitions/>")
    result = _tidy(model)
    assert result.exit_code == 2 and "DMN" in result.output


def test_an_unreadable_workbook_lists_its_problems(tmp_path: Path):
    path = new_workbook(tmp_path / "guide.xlsx")
    book = openpyxl.load_workbook(path)
    book["recommendation"]["B4"] = ">= >="
    book.save(path)
    content = path.read_bytes()
    result = _tidy(path)
    assert result.exit_code == 3 and "recommendation!B4" in result.output
    assert path.read_bytes() == content


def test_the_starter_of_dtrun_new_has_the_aids(tmp_path: Path):
    path = new_workbook(tmp_path / "guide.xlsx")
    shipped = _aids(path)
    assert 'promptTitle="dtrun"' in "".join(shipped["recommendation"])
    assert _tidy(path).exit_code == 0
    assert _aids(path) == shipped
