"""The geometry of the coverage pictures (engine/analysis/coverage.py, axes.py) against brute force.

Random small tables (``helpers.random_spec``, up to four inputs) are projected over every
pair of their inputs, with and without a third input as panels.  For a grid of values of
the two inputs shown (representatives of every piece the cells cut each domain into) and
every value of the facet and of the inputs not shown, the table's compiled cells (the scalar
``matches``: the reference meaning) say which rules match; then, at the point where the axes
place the two values:

* every rule box drawn there matches for some values of the hidden inputs, and for all of
  them where it is not drawn as conditional; every rule that matches some record there is
  drawn there;
* a ``gap`` matches no rule whatever the hidden inputs hold; a ``gap-partly`` none for some of
  their values; every point where no rule matches some record lies in one of the two;
* an ``overlap`` / ``several`` has two or more rules matching every record; ``-partly``, some;
* the axes' bands follow each other without overlapping, and each value lies in its band.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from helpers import Col, Spec, random_spec
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.analysis.coverage import NoPicture, Projection, box_shapes, project, table_analyses
from engine.analysis.lint import lint_model
from engine.analysis.verify import TableAnalysis
from engine.formats.xlsx.build import build_model

CORPUS_SIZE = 150
SEED = 20261207


def analysed(spec: Spec) -> TableAnalysis | None:
    model = build_model("coverage.xlsx", spec.sheets())
    ((_, analysis, _),) = list(table_analyses(model))
    return analysis


def projections(analysis: TableAnalysis) -> list[Projection]:
    """The default picture, and each ordered pair of inputs with and without panels."""
    names = [c.heading for c in analysis.columns]
    found = [project(analysis)]
    for x, y in itertools.permutations(names, 2):
        found += [project(analysis, x, y), project(analysis, x, y, facet=False)]
    if len(names) == 1:
        found.append(project(analysis, names[0]))
    return found


def check(spec: Spec, analysis: TableAnalysis, projection: Projection) -> None:
    table = analysis.table
    columns: list[Col] = list(spec.columns)
    shown = [projection.x.index] + ([projection.y.index] if projection.y is not None else [])
    facet = projection.facet.index if projection.facet is not None else None
    hidden = [j for j in range(len(columns)) if j not in shown and j != facet]
    for axis in (a for a in (projection.x, projection.y, projection.facet) if a is not None):
        for before, after in zip(axis.bands, axis.bands[1:]):
            assert before.low < before.high <= after.low, f"{axis.label}: bands overlap: {before} {after}"
        for value in columns[axis.index].values:
            band = axis.band_of_atom(axis.atom_of(value))
            assert band is not None, f"{axis.label}: {value!r} has no band"
            position = axis.position(value)
            assert band.low < position < band.high, f"{axis.label}: {value!r} at {position} outside {band}"

    def matching(record: dict[int, Any]) -> set[str]:
        return {rule.id for rule in table.rules
                if all(test.matches(record[j]) for j, test in enumerate(rule.inputs))}

    x_values = columns[projection.x.index].values
    y_values = columns[projection.y.index].values if projection.y is not None else (None,)
    f_values = columns[facet].values if facet is not None else (None,)
    for vf in f_values:
        p = 0 if facet is None else next(k for k, panel in enumerate(projection.panels)
                                         if panel.band.atoms >> projection.facet.atom_of(vf) & 1)
        shapes = projection.panels[p].shapes
        for vx, vy in itertools.product(x_values, y_values):
            px = projection.x.position(vx)
            py = projection.y.position(vy) if projection.y is not None else 0.5
            records = []
            for rest in itertools.product(*(columns[j].values for j in hidden)):
                record = dict(zip(hidden, rest))
                record[projection.x.index] = vx
                if projection.y is not None:
                    record[projection.y.index] = vy
                if facet is not None:
                    record[facet] = vf
                records.append(matching(record))
            here = [s for s in shapes if s.contains(px, py)]
            where = f"{projection.x.label}={vx!r}, " + (f"{projection.y.label}={vy!r}, " if projection.y else "") + \
                    (f"{projection.facet.label}={vf!r}" if facet is not None else "")
            drawn = {s.rules[0] for s in here if s.kind == "rule"}
            for shape in (s for s in here if s.kind == "rule"):
                (rule,) = shape.rules
                hits = [rule in m for m in records]
                assert any(hits), f"rule {rule} drawn at {where} but matches no record there"
                assert shape.conditional or all(hits), f"rule {rule} drawn unconditionally at {where}, " \
                                                       "but does not match every record there"
            assert set().union(*records) <= drawn, f"rules {set().union(*records) - drawn} match at {where} " \
                                                   "but are not drawn there"
            kinds = {s.kind for s in here}
            counts = [len(m) for m in records]
            if "gap" in kinds:
                assert max(counts) == 0, f"a full gap at {where}, but some records match {records}"
            if "gap-partly" in kinds:
                assert min(counts) == 0 < max(counts), f"a partial gap at {where}, but counts {counts}"
            if min(counts) == 0:
                assert kinds & {"gap", "gap-partly"}, f"no rule matches some records at {where}: no gap drawn"
            for kind in ("overlap", "several"):
                if kind in kinds:
                    assert min(counts) >= 2, f"{kind} at {where}, but counts {counts}"
                if kind + "-partly" in kinds:
                    assert max(counts) >= 2 > min(counts), f"{kind}-partly at {where}, but counts {counts}"
            if min(counts) >= 2:
                assert kinds & {"overlap", "several"}, f"two or more rules match every record at {where}: not drawn"
            elif max(counts) >= 2 and min(counts) > 0:
                assert kinds & {"overlap-partly", "several-partly"}, f"some records match two rules at {where}"
            if "overlap" in kinds or "overlap-partly" in kinds:
                assert table.hit_policy.code in ("U", "A")


def check_table(spec: Spec, seen: set[str] | None = None) -> bool:
    """Check every projection of the table (adding the kinds of shapes drawn to ``seen``);
    False when it cannot be pictured."""
    analysis = analysed(spec)
    if analysis is None:
        return False
    for projection in projections(analysis):
        if seen is not None:
            seen.update(s.kind + ("-conditional" if s.conditional else "") for p in projection.panels for s in p.shapes)
            seen.update(("facet",) if projection.facet else ())
        try:
            check(spec, analysis, projection)
        except AssertionError as error:
            raise AssertionError(f"{spec}\nprojection over {projection.x.label}, "
                                 f"{projection.y.label if projection.y else '-'}, "
                                 f"facet {projection.facet.label if projection.facet else '-'}:\n{error}") from None
    return True


def test_the_projections_agree_with_brute_force() -> None:
    rnd = random.Random(SEED)
    seen: set[str] = set()
    checked = sum(check_table(random_spec(rnd, max_columns=4), seen) for _ in range(CORPUS_SIZE))
    assert checked > CORPUS_SIZE // 2
    assert seen >= {"rule", "rule-conditional", "gap", "gap-partly", "overlap", "overlap-partly", "several",
                    "several-partly", "facet"}, seen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_the_projections_agree_with_brute_force_hypothesis(rnd: random.Random) -> None:
    assume(check_table(random_spec(rnd, max_columns=4)))


def _table(policy: str, rules: list[list[str]], inputs: list[tuple[str, str, str | None, str]] | None = None,
           headings: tuple[str, ...] = ("age", "sex", "smoker")) -> Spec:
    columns = tuple(Col(name, kind, allowed, required == "yes")
                    for name, kind, allowed, required in (inputs or [("age", "integer", "[0..4]", "yes"),
                                                                     ("sex", "string", '"a","b","c"', "yes"),
                                                                     ("smoker", "boolean", None, "yes")]))
    return Spec(policy, columns[:len(headings)], tuple((tuple(r), "x") for r in rules), None)


def test_a_gap_in_the_projection_is_full_only_where_it_is_so_for_every_hidden_value() -> None:
    # no rule for age >= 3 unless smoker; smoker is hidden when the picture is age x sex without panels
    spec = _table("U", [["< 3", "-", "-"], [">= 3", "-", "true"]])
    analysis = analysed(spec)
    plain = project(analysis, "age", "sex", facet=False)
    assert plain.hidden == ("smoker",)
    kinds = {s.kind for s in plain.panels[0].shapes}
    assert "gap-partly" in kinds and "gap" not in kinds
    panels = project(analysis, "age", "sex", facet="smoker")
    assert [p.band.label for p in panels.panels] == ["false", "true"]
    assert {s.kind for s in panels.panels[0].shapes} >= {"gap"} and "gap" not in {s.kind for s in
                                                                                 panels.panels[1].shapes}
    check(spec, analysis, plain)
    check(spec, analysis, panels)


def test_the_default_axes_explain_the_gap() -> None:
    spec = _table("U", [["-", '"a"', "-"], ["-", '"b"', "true"], ["-", '"c"', "-"]])
    projection = project(analysed(spec))
    assert {projection.x.label, projection.y.label} == {"sex", "smoker"}


def test_numeric_axes_span_the_allowed_range_or_the_cut_points_with_open_ends() -> None:
    spec = _table("U", [["< 2", "-"], ["[2..3]", "-"], ["> 3", "-"]],
                  [("age", "number", "[0..4]", "yes"), ("dose", "number", None, "no")], ("age", "dose"))
    analysis = analysed(spec)
    projection = project(analysis, "age", "dose")
    age, dose = projection.x, projection.y
    assert age.low == 0 and not age.open_low and not age.open_high
    assert [t.label for t in age.ticks][0] == "0" and [t.label for t in age.ticks][-1] == "4"
    assert dose.open_low and dose.open_high and dose.bands[-1].label == "missing"
    assert {"2", "3"} <= {t.label for t in age.ticks}


def test_findings_are_linked_by_their_boxes() -> None:
    spec = _table("U", [["< 3", "-", "-"], ["[2..4]", '"a"', "-"]])
    model = build_model("coverage.xlsx", spec.sheets())
    findings = lint_model(model)
    codes = [f.code for f in findings]
    assert "gap" in codes and "overlap" in codes
    ((_, analysis, _),) = list(table_analyses(model))
    projection = project(analysis, "age", "sex", findings=findings)
    shapes = projection.panels[0].shapes
    for kind, code in (("gap", "gap"), ("overlap", "overlap")):
        linked = {k for s in shapes if s.kind == kind for k in s.findings}
        assert linked and {findings[k].code for k in linked} == {code}


def test_where_several_rules_match_under_first_hit_the_masking_findings_are_linked() -> None:
    spec = _table("F", [["< 3", "-", "-"], ["[1..2]", '"a"', "-"], ["> 1", "-", "-"]])
    model = build_model("coverage.xlsx", spec.sheets())
    findings = lint_model(model)
    ((_, analysis, _),) = list(table_analyses(model))
    shapes = project(analysis, "age", "sex", findings=findings).panels[0].shapes
    linked = {findings[k].code for s in shapes if s.kind == "several" for k in s.findings}
    assert linked == {"masked-rule", "partly-masked-rule"}, [str(f) for f in findings]


def test_boxes_given_by_a_caller_are_drawn_where_their_values_lie() -> None:
    spec = _table("U", [["< 3", "-", "-"], [">= 3", "-", "-"]])
    analysis = analysed(spec)
    projection = project(analysis, "age", "sex", facet=False)
    shapes = box_shapes(analysis, projection, {"age": "[1..2]", "sex": '"b"'})
    ((_, shape),) = shapes
    inside = [(a, s) for a in range(5) for s in "abc"
              if shape.contains(projection.x.position(a), projection.y.position(s))]
    assert inside == [(1, "b"), (2, "b")]
    ((_, conditional),) = box_shapes(analysis, projection, {"smoker": "true"})
    assert conditional.conditional
    ((_, other),) = box_shapes(analysis, projection, {"weight": "> 3", "age": "-"})  # an input of another version
    assert other.conditional and other.x == (projection.x.low, projection.x.high)
    ((_, same),) = box_shapes(analysis, projection, {"weight": "-"})
    assert not same.conditional


def test_a_table_that_cannot_be_analysed_says_why() -> None:
    spec = _table("U", [["< 3", "-", "-"]])
    sheets = spec.sheets()
    sheets["t"][3][1] = "< sex"  # compares with another input
    model = build_model("coverage.xlsx", sheets)
    ((name, analysis, why),) = list(table_analyses(model))
    assert analysis is None and "cannot be analysed" in why
    with pytest.raises(NoPicture):
        from engine.analysis.coverage import analysis_of

        analysis_of(model, "t")
