"""FEEL details the DRG evaluator needed: a function's typed parameters (``function(a: number)``:
an argument of another type makes the invocation null, TCK 0082) and a unary test that is a
name whose value is a list (the value is in the list, TCK 0039)."""

from __future__ import annotations

from decimal import Decimal

from engine.feel import unary
from engine.feel.interpret import evaluate_text


def test_a_typed_parameter_takes_only_its_type():
    assert evaluate_text("(function(a: number) a + 1)(1)") == Decimal(2)
    assert evaluate_text('(function(a: number) a + 1)("x")') is None
    assert evaluate_text('(function(a: string, b) a + b)("x", "y")') == "xy"
    assert evaluate_text("(function(a: number) a = null)(null)") is True  # null is of every type


def test_a_name_whose_value_is_a_list_tests_membership():
    assert unary.test_text("symptoms", "cough", {"symptoms": ["fever", "cough"]}) is True
    assert unary.test_text("symptoms", "rash", {"symptoms": ["fever", "cough"]}) is False
    assert unary.test_text("symptoms", ["fever"], {"symptoms": ["fever"]}) is True  # a list tested against a list: equality
