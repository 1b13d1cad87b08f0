"""Input columns converted once per distinct value (engine/columns.py): the common values of
a number column are judged at once, and must be judged as the scalar reference does."""

from __future__ import annotations

import pytest
from helpers import model_for
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluation import columns, input_values

NUMBER_TEXTS = st.one_of(
    st.integers(-10**18, 10**18).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "NA", "-", "1e999", "-1e999", "0.5", "3.0", " 7", "7 ", "\u00a07", "+4", ".5", "5.",
                     "1e3", "2E-2", "9007199254740993", "12345678901234567891", "1,5", "abc", "0x10", "١٢"]),
)


def definition(kind: str, allowed: str | None, required: bool = False):
    table = ("F", ["x", "o"], "io", None, [["r1", "-", '"y"']])
    return model_for(inputs=[("x", kind, allowed, "yes" if required else "no")], tables={"t": table}).inputs["x"]


DEFINITIONS = [definition(*spec) for spec in [
    ("number", None), ("number", "[0..120]", True), ("integer", None), ("integer", ">= 0", True),
    ("number", "< -1, > 1e6, 3"), ("integer", "1, 2, 3, 9007199254740993")]]


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.type}:{d.allowed and d.allowed.text}")
@settings(max_examples=60, deadline=None)
@given(texts=st.lists(NUMBER_TEXTS, min_size=columns._FEW + 1, max_size=columns._FEW + 40, unique=True))
def test_numbers_judged_at_once_agree_with_the_scalar_reference(definition, texts):
    na_values = ("NA", "-")
    fast = columns._judged_numbers(texts, definition, na_values, "x")
    reference = [columns._judge(text, definition, na_values, "x") for text in texts]
    assert [(None if v is None else float(v), m) for v, m in fast] == \
        [(None if v is None else float(v), m) for v, m in reference]


def test_a_column_with_many_distinct_numbers_gives_the_scalar_messages():
    import pyarrow as pa

    weight = definition("number", "[1..500]", True)
    texts = [str(v / 10) for v in range(2000)] + ["", "abc", "0", "900"]
    column = columns.convert_column(pa.array(texts), weight)
    assert column.messages == {
        0: 'x: 0 is not an allowed value (allowed: [1..500])',
        **{r: f"x: {input_values.show_value(r / 10)} is not an allowed value (allowed: [1..500])" for r in range(1, 10)},
        2000: "x: a value is required", 2001: 'x: "abc" is not a number',
        2002: 'x: 0 is not an allowed value (allowed: [1..500])',
        2003: 'x: 900 is not an allowed value (allowed: [1..500])'}
    assert column.values.iloc[1999] == pytest.approx(199.9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", " a", "é"]), st.text(max_size=3)), max_size=40),
       st.integers(1, 8), st.booleans())
def test_encoded_texts_give_each_row_its_own_text(texts, sample, chunked):
    """The oracle: the texts themselves. Texts beyond the first rows, nulls and a chunked
    column must all come back as row -> entry, with each distinct text once."""
    import pyarrow as pa

    array = pa.array(texts, pa.string())
    if chunked and len(texts) > 2:
        array = pa.chunked_array([array.slice(0, 2), array.slice(2)])
    original, columns._SAMPLE_ROWS = columns._SAMPLE_ROWS, sample
    try:
        entries, codes = columns._encoded(array)
    finally:
        columns._SAMPLE_ROWS = original
    assert [None if c < 0 else entries[c] for c in codes.tolist()] == texts
    assert len(entries) == len(set(entries)) == len({t for t in texts if t is not None})
