"""The decision model: frozen types (``types``), hit policies (``hit_policy``), the decision
graph (``graph``), clinician test cases (``cases``), waivers
(``waivers``), the inputs' types as the cells test them (``cell_types``); a whole DMN decision
requirements graph and its boxed expressions (``drg``, ``boxed``), and its types: typeRef
conformance and coercion, ``instance of`` the model's item definitions (``drg_types``, shared by
the DRG evaluator and the DMN import's tables)."""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _types() -> ModuleType:
    from engine.model import types

    return types


def _hit_policy() -> ModuleType:
    from engine.model import hit_policy

    return hit_policy


def _graph() -> ModuleType:
    from engine.model import graph

    return graph


def _waivers() -> ModuleType:
    from engine.model import waivers

    return waivers


def _cell_types() -> ModuleType:
    from engine.model import cell_types

    return cell_types


def _drg() -> ModuleType:
    from engine.model import drg

    return drg


def _cases() -> ModuleType:
    from engine.model import cases

    return cases


__getattr__, __dir__ = exports(__name__, {
    _types: ("Model", "Table", "Rule", "InputDef", "InputColumn", "OutputColumn", "AnnotationColumn", "INPUT_TYPES",
             "TYPE_SPELLINGS", "is_list", "element_type"),
    _hit_policy: ("HitPolicy", "resolve"),
    _graph: ("selected_tables", "table_names"),
    _cases: ("TestCase",),
    _waivers: ("Waiver",),
    _cell_types: ("typed",),
    _drg: ("Drg", "ItemDefinition", "InputData", "Decision", "Knowledge", "Service"),
})
