"""The DRG evaluator (engine.evaluation.drg) on small DMN models written here, each expected
value worked out by hand: every boxed expression kind, decision tables and hit policies,
typeRef coercion, BKMs (positional, named, boxed invocation), decision services (invoked
and evaluated directly), imports, and errors that name their decision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.evaluation.drg import evaluate_drg, evaluate_service
from engine.formats.dmn.drg_read import read_drg

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def model(tmp_path, body, name="m", namespace="urn:m", file="m.dmn"):
    path = tmp_path / file
    path.write_text(f'<definitions xmlns="{NS}" name="{name}" namespace="{namespace}">{body}</definitions>',
                    encoding="utf-8")
    return read_drg(path)


def literal(name, text, type_ref="", requires=()):
    needs = "".join(f'<informationRequirement><requiredInput href="#{r}"/></informationRequirement>' for r in requires)
    ref = f' typeRef="{type_ref}"' if type_ref else ""
    return (f'<decision id="{name}" name="{name}"><variable name="{name}"{ref}/>{needs}'
            f"<literalExpression><text>{text}</text></literalExpression></decision>")


def inp(name, type_ref="number"):
    return f'<inputData id="{name}" name="{name}"><variable name="{name}" typeRef="{type_ref}"/></inputData>'


def lit(text):
    return f"<literalExpression><text>{text}</text></literalExpression>"


def test_literal_decisions_chain_in_requirement_order(tmp_path):
    graph = model(tmp_path, inp("Monthly Income") + literal("Annual", "Monthly Income * 12")
                  + literal("Band", 'if Annual &gt; 50000 then "high" else "low"'))
    result = evaluate_drg(graph, {"Monthly Income": Decimal(5000)})
    assert result.values == {"Annual": Decimal(60000), "Band": "high"}
    assert result.errors == ()


def test_context_entries_see_earlier_ones_and_final_result(tmp_path):
    body = (f'<decision id="d" name="d"><variable name="d"/><context>'
            f'<contextEntry><variable name="a"/>{lit("2")}</contextEntry>'
            f'<contextEntry><variable name="b"/>{lit("a * 3")}</contextEntry>'
            f"</context></decision>"
            f'<decision id="e" name="e"><variable name="e"/><context>'
            f'<contextEntry><variable name="x"/>{lit("10")}</contextEntry>'
            f"<contextEntry>{lit('x + 1')}</contextEntry>"
            f"</context></decision>")
    result = evaluate_drg(model(tmp_path, body), {})
    assert result.values == {"d": {"a": Decimal(2), "b": Decimal(6)}, "e": Decimal(11)}


def test_list_relation_conditional_filter_iterators(tmp_path):
    body = (f'<decision id="l" name="l"><variable name="l"/><list>{lit("1")}{lit("1 + 1")}{lit("3")}</list></decision>'
            f'<decision id="r" name="r"><variable name="r"/><relation><column name="n"/><column name="s"/>'
            f'<row>{lit("1")}{lit(chr(34) + "a" + chr(34))}</row><row>{lit("2")}{lit(chr(34) + "b" + chr(34))}</row>'
            f"</relation></decision>"
            f'<decision id="c" name="c"><variable name="c"/><conditional><if>{lit("count(l) = 3")}</if>'
            f'<then>{lit(chr(34) + "three" + chr(34))}</then><else>{lit(chr(34) + "other" + chr(34))}</else>'
            f"</conditional></decision>"
            f'<decision id="f" name="f"><variable name="f"/><filter><in>{lit("r")}</in><match>{lit("n &gt; 1")}</match>'
            f"</filter></decision>"
            f'<decision id="i" name="i"><variable name="i"/><for iteratorVariable="x"><in>{lit("l")}</in>'
            f'<return>{lit("x * x")}</return></for></decision>'
            f'<decision id="s" name="s"><variable name="s"/><some iteratorVariable="x"><in>{lit("l")}</in>'
            f'<satisfies>{lit("x &gt; 2")}</satisfies></some></decision>'
            f'<decision id="e" name="e"><variable name="e"/><every iteratorVariable="x"><in>{lit("l")}</in>'
            f'<satisfies>{lit("x &gt; 2")}</satisfies></every></decision>'
            f'<decision id="b" name="b"><variable name="b"/><conditional><if>{lit("1")}</if>'
            f'<then>{lit("1")}</then><else>{lit("2")}</else></conditional></decision>')
    result = evaluate_drg(model(tmp_path, body), {})
    one, two, three = Decimal(1), Decimal(2), Decimal(3)
    assert result.values["l"] == [one, two, three]
    assert result.values["r"] == [{"n": one, "s": "a"}, {"n": two, "s": "b"}]
    assert result.values["c"] == "three"
    assert result.values["f"] == [{"n": two, "s": "b"}]
    assert result.values["i"] == [one, Decimal(4), Decimal(9)]
    assert (result.values["s"], result.values["e"]) == (True, False)
    assert result.values["b"] is None  # a condition that is not a boolean: null, and said
    assert any('decision "b"' in e and "not a boolean" in e for e in result.errors)


def table(policy, rules, outputs='<output name="o"/>', aggregation="", inputs="x"):
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    heads = "".join(f"<input><inputExpression><text>{i}</text></inputExpression></input>" for i in inputs.split(","))
    body = "".join("<rule>" + "".join(f"<inputEntry><text>{t}</text></inputEntry>" for t in tests)
                   + "".join(f"<outputEntry><text>{o}</text></outputEntry>" for o in outs) + "</rule>"
                   for tests, outs in rules)
    return (f'{inp("x")}<decision id="t" name="t"><variable name="t"/>'
            f'<decisionTable hitPolicy="{policy}"{agg}>{heads}{outputs}{body}</decisionTable></decision>')


RULES = [(["&lt; 10"], ['"small"']), (["&lt; 20"], ['"medium"']), (["-"], ['"any"'])]


@pytest.mark.parametrize("policy, aggregation, x, expected", [
    ("FIRST", "", 5, "small"),
    ("FIRST", "", 15, "medium"),
    ("RULE ORDER", "", 5, ["small", "medium", "any"]),
    ("COLLECT", "", 15, ["medium", "any"]),
    ("COLLECT", "COUNT", 5, Decimal(3)),
    ("UNIQUE", "", 5, None),  # three rules match a unique table: an error, null
    ("ANY", "", 25, "any"),
])
def test_hit_policies(tmp_path, policy, aggregation, x, expected):
    result = evaluate_drg(model(tmp_path, table(policy, RULES, aggregation=aggregation)), {"x": Decimal(x)})
    assert result.values["t"] == expected
    assert bool(result.errors) == (expected is None)
    if expected is None:
        assert result.errors[0].startswith('decision "t": ')


def test_priority_and_output_order_by_output_values(tmp_path):
    outputs = '<output name="o"><outputValues><text>"high", "medium", "low"</text></outputValues></output>'
    rules = [(["&gt; 0"], ['"low"']), (["&gt; 10"], ['"high"']), (["&gt; 5"], ['"medium"'])]
    graph = model(tmp_path, table("PRIORITY", rules, outputs))
    assert evaluate_drg(graph, {"x": Decimal(20)}).values["t"] == "high"
    assert evaluate_drg(graph, {"x": Decimal(7)}).values["t"] == "medium"
    graph = model(tmp_path, table("OUTPUT ORDER", rules, outputs))
    assert evaluate_drg(graph, {"x": Decimal(20)}).values["t"] == ["high", "medium", "low"]


def test_collect_sum_min_max_and_several_outputs(tmp_path):
    rules = [(["&gt; 0"], ["1"]), (["&gt; 5"], ["10"]), (["&gt; 50"], ["100"])]
    for aggregation, expected in (("SUM", 11), ("MIN", 1), ("MAX", 10)):
        graph = model(tmp_path, table("COLLECT", rules, aggregation=aggregation))
        assert evaluate_drg(graph, {"x": Decimal(7)}).values["t"] == Decimal(expected)
    outputs = '<output name="a"/><output name="b"/>'
    graph = model(tmp_path, table("UNIQUE", [(["&lt; 0"], ['"neg"', "-1"]), (["&gt;= 0"], ['"pos"', "1"])], outputs))
    assert evaluate_drg(graph, {"x": Decimal(3)}).values["t"] == {"a": "pos", "b": Decimal(1)}


def test_unary_tests_with_question_mark_and_default_output(tmp_path):
    outputs = '<output name="o"><defaultOutputEntry><text>"none"</text></defaultOutputEntry></output>'
    graph = model(tmp_path, table("UNIQUE", [(["? &gt; 100"], ['"big"'])], outputs))
    assert evaluate_drg(graph, {"x": Decimal(101)}).values["t"] == "big"
    assert evaluate_drg(graph, {"x": Decimal(1)}).values["t"] == "none"


TYPES = ('<itemDefinition name="tPerson"><itemComponent name="name"><typeRef>string</typeRef></itemComponent>'
         '<itemComponent name="age"><typeRef>number</typeRef></itemComponent></itemDefinition>'
         '<itemDefinition name="tNumbers" isCollection="true"><typeRef>number</typeRef></itemDefinition>'
         '<itemDefinition name="tGrade"><typeRef>string</typeRef>'
         '<allowedValues><text>"A", "B"</text></allowedValues></itemDefinition>')


@pytest.mark.parametrize("type_ref, text, expected", [
    ("string", "1 + 1", None),  # not a string: null
    ("number", "[5]", Decimal(5)),  # a list of one item stands for the item
    ("tNumbers", "5", [Decimal(5)]),  # an item for the list of it
    ("tNumbers", '[1, "a"]', None),
    ("tPerson", '{name: "Ann", age: 3, extra: true}', {"name": "Ann", "age": Decimal(3), "extra": True}),
    ("tPerson", '{name: "Ann"}', None),  # a component missing
    ("tGrade", '"A"', "A"),
    ("tGrade", '"C"', None),  # not an allowed value
])
def test_type_ref_coercion(tmp_path, type_ref, text, expected):
    graph = model(tmp_path, TYPES + literal("d", text, type_ref))
    result = evaluate_drg(graph, {})
    assert result.values["d"] == expected
    assert bool(result.errors) == (expected is None)


def test_instance_of_a_model_type(tmp_path):
    graph = model(tmp_path, TYPES + inp("p", "tPerson") + literal("d", "p instance of tPerson"))
    assert evaluate_drg(graph, {"p": {"name": "Ann", "age": Decimal(3)}}).values["d"] is True
    assert evaluate_drg(graph, {"p": {"name": "Ann"}}).values["d"] is False  # the input does not conform: null


BKM = ('<businessKnowledgeModel id="k" name="Greet"><variable name="Greet"/><encapsulatedLogic>'
       '<formalParameter name="who" typeRef="string"/><formalParameter name="times" typeRef="number"/>'
       '<literalExpression><text>who + " x" + string(times)</text></literalExpression>'
       "</encapsulatedLogic></businessKnowledgeModel>")


def test_bkm_invoked_positionally_by_name_and_boxed(tmp_path):
    invocation = ('<decision id="b" name="boxed"><variable name="boxed"/><invocation>'
                  f'{lit("Greet")}<binding><parameter name="times"/>{lit("2")}</binding>'
                  f'<binding><parameter name="who"/>{lit(chr(34) + "Bo" + chr(34))}</binding></invocation></decision>')
    graph = model(tmp_path, BKM + literal("positional", 'Greet("Al", 1)') + literal("named", 'Greet(times: 3, who: "Cy")')
                  + invocation + literal("wrong", "Greet(1, 1)"))
    result = evaluate_drg(graph, {})
    assert result.values == {"positional": "Al x1", "named": "Cy x3", "boxed": "Bo x2", "wrong": None}
    assert any(e.startswith('decision "wrong": ') and "who" in e for e in result.errors)


def test_bkm_with_a_decision_table_body(tmp_path):
    body = ('<businessKnowledgeModel id="k" name="Band"><variable name="Band"/><encapsulatedLogic>'
            '<formalParameter name="age" typeRef="number"/><decisionTable hitPolicy="FIRST">'
            '<input><inputExpression><text>age</text></inputExpression></input><output name="o"/>'
            '<rule><inputEntry><text>&lt; 18</text></inputEntry><outputEntry><text>"minor"</text></outputEntry></rule>'
            '<rule><inputEntry><text>-</text></inputEntry><outputEntry><text>"adult"</text></outputEntry></rule>'
            "</decisionTable></encapsulatedLogic></businessKnowledgeModel>"
            + literal("d", "[Band(10), Band(40)]"))
    assert evaluate_drg(model(tmp_path, body), {}).values["d"] == ["minor", "adult"]


SERVICE = ('<decisionService id="s" name="Svc"><variable name="Svc"/><outputDecision href="#out"/>'
           '<inputDecision href="#mid"/><inputData href="x"/></decisionService>'
           + inp("x") + literal("mid", '"from the model"', "string")
           + literal("out", 'mid + " / " + string(x)')
           + '<decision id="call" name="call"><variable name="call"/>'
           '<knowledgeRequirement><requiredKnowledge href="#s"/></knowledgeRequirement>'
           f'{lit(chr(34) + "a" + chr(34) + " + Svc(5, " + chr(34) + "given" + chr(34) + ")")}</decision>')


def test_decision_service_invoked_as_a_function_and_directly(tmp_path):
    graph = model(tmp_path, SERVICE.replace('href="x"', 'href="#x"'))
    result = evaluate_drg(graph, {"x": Decimal(1)})
    assert result.values["out"] == "from the model / 1"
    assert result.values["call"] == "agiven / 5"  # input data, then input decisions
    direct = evaluate_service(graph, "Svc", {"mid": "m", "x": Decimal(2)})
    assert direct.values == {"out": "m / 2"}
    assert evaluate_service(graph, "Svc", {"x": Decimal(2)}).values == {"out": None}  # the input decision not given
    assert evaluate_service(graph, "Svc", {"mid": 3, "x": Decimal(2)}).values == {"out": None}  # not a string


def test_import_by_namespace(tmp_path):
    model(tmp_path, BKM + '<itemDefinition name="tName"><typeRef>string</typeRef></itemDefinition>',
          name="lib", namespace="urn:lib", file="lib.dmn")
    graph = model(tmp_path, f'<import name="lib" namespace="urn:lib" importType="{NS}"/>'
                  + inp("who", "lib.tName") + literal("d", "lib.Greet(who, 2)"))
    assert evaluate_drg(graph, {"who": "Di"}).values["d"] == "Di x2"
    assert evaluate_drg(graph, {"who": 5}).values["d"] is None  # not a lib.tName


def test_a_missing_import_and_an_unreadable_text_are_problems_naming_their_element(tmp_path):
    graph = model(tmp_path, f'<import name="gone" namespace="urn:gone" importType="{NS}"/>'
                  + literal("bad", "1 +* 2") + literal("good", "1 + 2"))
    assert any('import "gone"' in p for p in graph.problems)
    assert any(p.startswith('decision "bad": ') for p in graph.problems)
    result = evaluate_drg(graph, {})
    assert result.values == {"bad": None, "good": Decimal(3)}
    assert result.errors[0].startswith('decision "bad": ') and result.unsupported == result.errors


def test_java_functions_are_refused_with_the_reason(tmp_path):
    body = ('<businessKnowledgeModel id="k" name="j"><variable name="j"/><encapsulatedLogic kind="Java">'
            f'<formalParameter name="a"/><context><contextEntry><variable name="class"/>{lit(chr(34) + "x" + chr(34))}'
            "</contextEntry></context></encapsulatedLogic></businessKnowledgeModel>" + literal("d", "j(1)"))
    graph = model(tmp_path, body)
    assert any("Java" in p for p in graph.problems)
    result = evaluate_drg(graph, {})
    assert result.values["d"] is None and "Java" in result.unsupported[0]


def test_a_cycle_is_an_error_not_a_crash(tmp_path):
    graph = model(tmp_path, literal("a", "b + 1") + literal("b", "a + 1"))
    result = evaluate_drg(graph, {})
    assert result.values == {"a": None, "b": None}
    assert any("requires itself" in e for e in result.errors)
