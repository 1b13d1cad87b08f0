"""``dtrun convert`` of a DAK: a dtrun workbook or standard DMN with the DAK's names.

Owns writing what a DAK was read into (``engine.formats.dak.regroup``'s grids): as a workbook,
the grids themselves (``About`` from the DAK's cover, ``Inputs`` from the data elements with
the types of the model, one sheet per decision table with the hit policy in A1) and a
``_dmn`` sheet that keeps each name's DAK spelling (``Danger_signs`` → ``Danger signs``,
``ANC_DT_01`` → ``ANC.DT.01``); as DMN, the model through ``engine.formats.dmn.export`` with
those names.  Rules the DAK writes in cells dtrun cannot read are not in the file (their
``dak-syntax`` findings say so).
"""

from __future__ import annotations

from pathlib import Path

from engine.formats.dak.document import DakDocument, Grid
from engine.model.types import Model


def convert_dak(source: str | Path, target: str | Path, kind: str, dmn_version: str | None, input_types: str,
                dictionary: str | Path | None, hit_policy: str | None) -> Model:
    from engine._core.errors import WorkbookError
    from engine.model.cell_types import typed

    if kind == "dak":
        from engine.formats.dak.reader import read_dak

        document, model = read_dak(source, dictionary, hit_policy, recover=True)
    else:
        from engine.formats.dak.dmn import read_dak_dmn

        document, model = read_dak_dmn(source, dictionary, hit_policy, recover=True)
    if model.problems:
        raise WorkbookError(list(model.problems), model.warnings)
    model = typed(model, input_types)
    names = dict(document.names)
    for table in model.tables:
        for output in table.outputs:
            names.setdefault(f"{table.name}.{output.name}", f"{document.names.get(table.name, table.name)} "
                                                            f"{output.name}")
    if str(target).lower().endswith(".dmn"):
        from engine.formats.dmn.export import DEFAULT_VERSION, write_dmn

        write_dmn(model, target, dmn_version or DEFAULT_VERSION, names)
    else:
        _write_workbook(document, model, target, names)
    return model


def _write_workbook(document: DakDocument, model: Model, target: str | Path, names: dict[str, str]) -> None:
    from engine._core.atomic import atomic_path
    from engine.formats.dmn.workbook import NAMES_SHEET, write_sheets

    rows = [list(row) for row in document.sheets["Inputs"]]
    for row in rows[1:]:
        if row and row[0] in model.inputs:
            row[1] = model.inputs[row[0]].type
    kept = {t.name for t in model.tables}
    sheets: dict[str, Grid] = {"About": document.sheets["About"], "Inputs": rows}
    sheets.update({name: grid for name, grid in document.sheets.items() if name in kept})
    sheets[NAMES_SHEET] = [["element", "dtrun name", "DMN name"]] + [
        ["name", ours, theirs] for ours, theirs in sorted(names.items())]
    with atomic_path(Path(target)) as temporary:
        write_sheets(sheets, Path(temporary))
