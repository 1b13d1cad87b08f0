"""What went wrong in a cell's text, in an author's terms.

Owns the messages and hints of :class:`~engine.errors.ConditionError`: the translation of
Lark's parse failures (with the column), the checks that recognise common mistakes
(``=>``, ``==``, ``1-4``, ``[1..]``, unclosed quotes and brackets, unquoted text, units,
``and``/``between``, bare dates), and the texts that parse but are refused because they
would be misread (``2,5`` and ``1,000`` as lists; a bare date in an output cell).
Every check looks at the text with quoted strings blanked out.
"""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from engine._core.errors import ConditionError


def parse_error(text: str, source: str, start: str, error: UnexpectedInput) -> ConditionError:
    """The ConditionError for a text the parser refused."""
    offset = _error_offset(source, error)
    found = _unclosed_quote(source, start)
    blanked = _blank_strings(source)
    for diagnose in _DIAGNOSES:
        found = found or diagnose(blanked, start)
        if found:
            message, at, hint = found
            return ConditionError(message, text, at + 1, hint)
    return ConditionError(_describe_unexpected(source, error, offset), text, offset + 1, GENERIC[start])


GENERIC = {  # the hint when no mistake is recognised: what a cell holds
    "unary_tests": "an input cell holds tests such as -, 12, \"positive\", >= 12, [1..4] or not(\"a\", \"b\")",
    "expression": "an output cell holds a value such as \"first_line\", 840, 8 * weight_kg or null",
}


def beyond_cells(text: str, source: str, start: str, offset: int, what: str,
                 after_value: int | None = None) -> ConditionError:
    """The ConditionError for a cell that parses as FEEL but holds more than S-FEEL, which
    decision-table cells run: the hint for the mistake it looks like, if any; for an operator
    after an input cell's first value (``weight_kg >= 70``), that operator, as S-FEEL has always
    said; else what it is."""
    blanked = _blank_strings(source)
    for diagnose in _DIAGNOSES:
        found = diagnose(blanked, start)
        if found:
            message, at, hint = found
            return ConditionError(message, text, at + 1, hint)
    where = "an input cell" if start == "unary_tests" else "an output cell"
    operator = _OPERATOR.match(source, after_value) if after_value is not None else None
    if operator:
        return ConditionError(f"unexpected {operator.group(1)!r}", text, operator.start(1) + 1, GENERIC[start])
    thing = "'?'" if what == "?" else what
    return ConditionError(f"{thing} is FEEL that {where} cannot hold yet", text, offset + 1,
                          GENERIC[start])


def comment_in_cell(text: str, source: str, start: str) -> ConditionError | None:
    """A decision-table cell with ``//`` or ``/*``: refused as before FEEL's comments came (an
    ``8 // 2`` read as 8 would mislead), with the hint for the mistake it looks like."""
    blanked = _blank_strings(source)
    found = re.search(r"/[/*]", blanked)
    if found is None:
        return None
    for diagnose in _DIAGNOSES:
        diagnosis = diagnose(blanked, start)
        if diagnosis:
            message, at, hint = diagnosis
            return ConditionError(message, text, at + 1, hint)
    return ConditionError(f"unexpected {source[found.start() + 1]!r}", text, found.start() + 2, GENERIC[start])


_OPERATOR = re.compile(r"\s*(<=|>=|!=|\*\*|[-+*/<>=≤≥≠×−]|(?i:and|or)(?!\w)|between(?!\w)|in(?!\w))")


def feel_parse_error(text: str, source: str, start: str, error: UnexpectedInput) -> ConditionError:
    """The ConditionError for a FEEL expression the parser refused: where, and what was expected."""
    offset = _error_offset(source, error)
    found = _unclosed_quote(source, start) or _operators(_blank_strings(source), start)
    if found:
        message, at, hint = found
        return ConditionError(message, text, at + 1, hint)
    expected = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
    words = list(dict.fromkeys(_TERMINAL_WORDS[name] for name in expected if name in _TERMINAL_WORDS))[:8]
    hint = ("expected " + ", ".join(words)) if words else "check the brackets and operators before this point"
    return ConditionError(_describe_unexpected(source, error, offset), text, offset + 1, hint)


_TERMINAL_WORDS = {  # the grammar's terminals as a hint names them (those missing here are not named)
    "RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "COMMA": "','", "COLON": "':'", "THEN": "then", "ELSE": "else",
    "RETURN": "return", "SATISFIES": "satisfies", "IN": "in", "NAME": "a name", "NUMBER": "a number",
    "STRING": "a text in quotes", "KEY": "a name and ':'", "LPAR": "'('", "LSQB": "'['", "LBRACE": "'{'",
    "AND": "and", "OR": "or", "$END": "the end", "EQ": "an operator (= < + ...)", "LT": "an operator (= < + ...)",
    "ADD": "an operator (= < + ...)", "TYPE_NAME": "a type (number, string, list<number> ...)",
}


def _error_offset(source: str, error: UnexpectedInput) -> int:
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        return len(source.rstrip())
    pos = getattr(error, "pos_in_stream", None)
    if pos is None and isinstance(error, UnexpectedToken):
        pos = error.token.start_pos
    return max(0, min(pos or 0, len(source)))


def _describe_unexpected(source: str, error: UnexpectedInput, offset: int) -> str:
    if isinstance(error, UnexpectedCharacters):
        return f"unexpected character {source[offset]!r}"
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        if token.type in _FEEL_CHARACTERS:  # characters S-FEEL had no use for: named as it named them
            return f"unexpected character {token.value!r}"
        if token.type in ("KEY", "TYPE_NAME"):  # FEEL's words before ':' and after 'instance of'
            word = re.match(r"[^\W\d]\w*", token.value)
            if word is None or word.group().lower() in _KEYWORDS:
                return f"unexpected character {token.value[0]!r}"
            return f"unexpected {word.group()!r}"
        return f"unexpected {token.value!r}"
    return "the text ends too early"


_FEEL_CHARACTERS = frozenset({"COLON", "LBRACE", "RBRACE", "QUESTION", "AT"})
_STRINGS = re.compile(r'"(\\.|[^"\\])*"|“[^”]*”|”[^”]*”|„[^“”]*[“”]|‘[^’]*’|‚[^‘’]*[‘’]')
_KEYWORDS = {"true", "false", "null", "not", "and", "or", "date"}
Diagnosis = tuple[str, int, str] | None


def _blank_strings(source: str) -> str:
    """The text with every quoted string replaced by as many 'x' between quotes, so that
    the checks below do not look inside texts."""
    return _STRINGS.sub(lambda m: '"' + "x" * (len(m.group()) - 2) + '"', source)


def _unclosed_quote(source: str, start: str) -> Diagnosis:
    at = re.search(r'["“„‘‚]', _STRINGS.sub(lambda m: " " * len(m.group()), source))
    if at:
        return ("this text has no closing quote", at.start(), 'end the text with a quote: "positive"')
    return None


def _single_quotes(source: str, start: str) -> Diagnosis:
    at = source.find("'")
    return ("single quotes do not make a text", at, 'use double quotes: "positive"') if at >= 0 else None


def _operators(source: str, start: str) -> Diagnosis:
    for pattern, message, hint in _OPERATOR_MISTAKES:
        found = re.search(pattern, source)
        if found:
            return (message.format(found.group().replace(" ", "")), found.start(), hint.format(*found.groups()))
    return None


_OPERATOR_MISTAKES = (
    (r"==", "'{}' is not an operator", "write a single = (or just the value, e.g. 12)"),
    (r"<>", "'{}' is not an operator", "write != for 'not equal'"),
    (r"=\s*([<>])", "'{}' is not an operator", "write {0}= (the = comes second)"),
    (r"\.\.\.", "'{}' has one dot too many", "write two dots, e.g. [1..4]"),
)


def _dash_range(source: str, start: str) -> Diagnosis:
    found = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[-–—]\s*(\d+(?:\.\d+)?)\s*", source)
    if start == "unary_tests" and found:
        low, high = found.groups()
        return (f"'{found.group().strip()}' is not a range", found.start(1),
                f"write [{low}..{high}] for the values from {low} to {high}, both included")
    return None


def _bare_range(source: str, start: str) -> Diagnosis:
    if start != "unary_tests":
        return None
    found = re.fullmatch(r"\s*(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)\s*", source)
    if found:
        low, high = found.groups()
        return ("a range needs brackets", found.start(1), f"write [{low}..{high}] (both ends included)")
    return None


def _missing_bound(source: str, start: str) -> Diagnosis:
    if start != "unary_tests":
        return None
    found = re.search(r"[\[\(\]]\s*\.\.|\.\.\s*[\]\)\[]|\.\.\s*$", source)
    if found:
        return ("an interval needs both ends", found.start(),
                "write both ends, e.g. [1..4]; for no upper end write >= 1, for no lower end <= 4")
    return None


def _unclosed_bracket(source: str, start: str) -> Diagnosis:
    found = re.search(r"[\[\(\]][^\[\]\(\)]*\.\.[^\[\]\(\)]*$", source)
    if found and start == "unary_tests":
        return ("this interval is not closed", found.start(), "close it with ] (end included) or ) (end excluded)")
    if source.count("(") > source.count(")"):
        return ("a bracket is not closed", source.rfind("("), "add the closing )")
    return None


def _words(source: str, start: str) -> Diagnosis:
    """Conjunctions and units written as words."""
    found = re.search(r"\bbetween\b", source, re.IGNORECASE)
    if found:
        return ("'between' is not part of the language", found.start(), "write an interval such as [1..4]")
    found = re.search(r"\b(and|or)\b", source, re.IGNORECASE)
    if start == "unary_tests" and found:
        return (f"'{found.group()}' cannot join tests in an input cell", found.start(),
                "a comma means 'or' (e.g. < 5, > 10); for 'between' write an interval such as (3..5) or [3..5]")
    found = re.search(r"\d\s*([A-Za-z%]+)", source)
    if found and found.group(1).lower() not in _KEYWORDS and not re.fullmatch(r"[eE]\d*", found.group(1)):
        return (f"'{found.group(1)}' after a number", found.start(1),
                "leave out the unit: the Inputs sheet gives each input's unit" + duration_hint(source, found))
    return None


# A time unit after a number → the ISO 8601 designator of its duration literal (months and
# years: a years and months duration; weeks are written in days).
_TIME_UNITS = {**dict.fromkeys(("second", "seconds", "sec", "secs", "s"), ("T", "S", 1)),
               **dict.fromkeys(("minute", "minutes", "min", "mins"), ("T", "M", 1)),
               **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), ("T", "H", 1)),
               **dict.fromkeys(("day", "days", "d"), ("", "D", 1)),
               **dict.fromkeys(("week", "weeks", "wk", "wks"), ("", "D", 7)),
               **dict.fromkeys(("month", "months", "mo"), ("", "M", 1)),
               **dict.fromkeys(("year", "years", "yr", "yrs", "y"), ("", "Y", 1))}


def duration_hint(source: str, found: re.Match) -> str:
    """For a whole number and a time unit (``12 hours``): the duration literal it may mean."""
    unit = _TIME_UNITS.get(found.group(1).lower())
    number = re.search(r"(\d+)\s*$", source[:found.start(1)])
    if unit is None or number is None:
        return ""
    clock, designator, times = unit
    return f'; for a duration, write @"P{clock}{int(number.group(1)) * times}{designator}"'


_CALLED = re.compile(r"([^\W\d]\w*)\s*\(")
_WORD_BEFORE = re.compile(r"([^\W\d]\w*)[ \t]+$")


def _function_call(source: str, start: str) -> Diagnosis:
    """A name followed by ``(``: a function dtrun does not know, or a call in an input cell."""
    from engine.feel import builtins

    for found in _CALLED.finditer(source):
        words, at = [found.group(1)], found.start(1)
        if words[0].lower() in _KEYWORDS:
            continue
        while (before := _WORD_BEFORE.search(source[:at])) and before.group(1).lower() not in _KEYWORDS:
            words.insert(0, before.group(1))
            at = before.start(1)
        known = next((k for k in range(len(words)) if builtins.cell_lookup(" ".join(words[k:]))), None)
        if known is not None and start == "unary_tests":
            name = builtins.cell_lookup(" ".join(words[known:])).name  # type: ignore[union-attr]
            return (f"an input cell cannot call {name}", found.start(1) if len(words) == 1 else at,
                    "functions belong in output cells; test the input itself (e.g. >= 2), or compute the value "
                    "in an output of an earlier table and test that")
        if known is None:
            name = " ".join(words)
            return (f"{name} is not a function dtrun knows", at,
                    f"the functions an output cell may call are {builtins.listing()}, "
                    "e.g. round half up(8 * weight_kg, 0)")
    return None


def _bare_date(source: str, start: str) -> Diagnosis:
    found = re.search(r"\d{4}-\d{2}-\d{2}", source)
    if found:
        return ("a date needs date(...)", found.start(), f'write date("{found.group()}")')
    return None


def _negated_any(source: str, start: str) -> Diagnosis:
    found = re.search(r"not\s*\(\s*-\s*\)", source, re.IGNORECASE)
    if found:
        return ("- (any value) cannot be negated", found.start(), "to match only a missing value write null")
    return None


def _output_range(source: str, start: str) -> Diagnosis:
    found = re.search(r"\.\.|\bbetween\b", source, re.IGNORECASE)
    if start == "expression" and found:
        return ("an output cell holds one value, not a range", found.start(),
                "write the value itself (e.g. 4); conditions belong in the input columns")
    return None


def _dash_output(source: str, start: str) -> Diagnosis:
    if start == "expression" and source.strip() in ("-", "−"):
        return ("- is not a value", source.index(source.strip()), "write null for 'no value'")
    return None


def _trailing_comma(source: str, start: str) -> Diagnosis:
    found = re.search(r",\s*\)?\s*$", source)
    if found and start == "unary_tests":
        return ("the list ends with a comma", found.start(), "remove the comma at the end, or add the missing test")
    if found:
        return ("an output cell holds one value", found.start(), "remove the comma")
    return None


def _bare_words(source: str, start: str) -> Diagnosis:
    found = re.fullmatch(r"\s*([^\W\d]\w*)(\s+[^\W\d]\w*)+\s*", source)
    if found and not {w.lower() for w in found.group().split()} & _KEYWORDS:
        word = found.group().strip()
        return ("text must be in quotes", found.start(1), f'write "{word}" (with double quotes)')
    found = re.match(r"\s*(not)\s+[^\s(]", source, re.IGNORECASE)
    if found:
        return ("not needs brackets", found.start(1), "write not(...) around the tests, e.g. not(\"a\")")
    return None


_DIAGNOSES = (
    _output_range, _function_call, _single_quotes, _operators, _dash_range, _bare_range, _missing_bound, _negated_any,
    _unclosed_bracket,
    _trailing_comma, _bare_date, _words, _dash_output, _bare_words,
)


def ambiguous_number_list(source: str) -> Diagnosis:
    """``2,5`` or ``1,000`` read as a list of numbers: a decimal comma or a thousands
    separator would silently change the meaning, so it is refused."""
    found = re.search(r"(?<![\w.])(\d+),(\d+)(?![\w.])", _blank_strings(source))
    if found:
        a, b = found.groups()
        return (f"'{a},{b}' is ambiguous", found.start(),
                f"write {a}.{b} for a decimal number, {a}{b} for a whole number, or {a}, {b} (with a space) "
                "for a list of two values")
    return None


def refuse_valid_but_misleading(source: str, start: str) -> Diagnosis:
    """A text that parses but would not mean what its author meant."""
    return ambiguous_number_list(source) or _bare_date(_blank_strings(source), start)
