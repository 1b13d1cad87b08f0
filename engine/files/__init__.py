"""Files of patients and results: patient files in (``patients``), result files out
(``results``, CSV text in ``csv_text``), the file-to-file run of ``dtrun evaluate``
(``pipeline``) and the same on Dask (``scale``); a patient file through a whole DMN model on
the DRG evaluator, record by record (``drg_records``)."""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _pipeline() -> ModuleType:
    from engine.files import pipeline

    return pipeline


def _results() -> ModuleType:
    from engine.files import results

    return results


def _patients() -> ModuleType:
    from engine.files import patients

    return patients


def _drg_records() -> ModuleType:
    from engine.files import drg_records

    return drg_records


def _scale() -> ModuleType:
    from engine.files import scale

    return scale


__getattr__, __dir__ = exports(__name__, {
    _pipeline: ("evaluate_file", "Options", "Reading", "Summary"),
    _results: ("format_for", "json_records", "write_results"),
    _patients: ("read_patients",),
    _scale: ("evaluate_dask", "evaluate_to_folder", "ClusterError"),
    _drg_records: ("evaluate_drg_file",),
})
