"""The Spark recipe of docs/scale-out.md (``mapInPandas`` with the same compiled model, sent
to the executors inside the function, by Spark's cloudpickle) gives what ``evaluate_frame``
gives, row by row.

Skipped where pyspark or Java is missing: pyspark is not in any extra of dtrun (it is a
large download, and a Spark user already has it); ``pip install pyspark`` and Java 17 make
this test run.  It starts a local Spark (about 15 s).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from helpers import ROOT, rows

import engine
from engine import load_workbook
from engine.files.results import native_table, result_types

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None,
                       reason="pyspark is not installed (pip install pyspark; it is in no extra of dtrun)"),
    pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("JAVA_HOME"),
                       reason="Spark needs Java (17 or later): install a JDK or set JAVA_HOME"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),  # pyspark warns about pandas 3 on every call
]


@pytest.fixture(scope="module")
def spark() -> Any:
    from pyspark.sql import SparkSession

    before = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run this interpreter, which has dtrun
    session = (SparkSession.builder.master("local[2]").appName("dtrun-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if before is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = before


def _patients(n: int) -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location("make_patients", ROOT / "scripts" / "make_patients.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.make_patients(n, 7)


def evaluate_on_spark(spark: Any, model: Any, sdf: Any) -> Any:
    """The recipe of docs/scale-out.md, as written there."""
    from pyspark.sql.pandas.types import from_arrow_schema

    types = result_types(model, list(model.tables))
    empty = sdf.limit(0).toPandas()
    schema = from_arrow_schema(native_table(engine.evaluate_frame(model, empty), types).schema)

    def evaluate(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield native_table(engine.evaluate_frame(model, batch), types).to_pandas()

    return sdf.mapInPandas(evaluate, schema)


def test_spark_results_equal_evaluate_frame_row_by_row(spark):
    model = load_workbook(WORKBOOK)
    patients = _patients(3000)
    sdf = spark.createDataFrame(patients).repartition(3)
    got = evaluate_on_spark(spark, model, sdf).toPandas().sort_values("patient_id", ignore_index=True)
    expected = engine.evaluate_frame(model, patients)
    assert list(got.columns) == list(expected.columns)
    assert len(got) == 3000 and (got["_errors"] != "").sum() > 0  # the invalid values are kept, with errors
    assert rows(got) == rows(expected)
