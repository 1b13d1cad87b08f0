"""FEEL's string functions (DMN 1.5 §10.3.4.3) and ``string(from)``: positions count Unicode
code points from 1 (negative from the end); ``matches``, ``replace`` and ``split`` take XML
Schema / XPath regular expressions, translated to Python's ``re`` where the two agree and
refused (:class:`~engine.feel.temporal.Unsupported`) where they do not (Unicode blocks
``\\p{IsBasicLatin}``, class subtraction ``[a-z-[aeiou]]``, the XML name classes ``\\i``, ``\\c``)."""

from __future__ import annotations

import re
from typing import Any

from engine.feel import semantics
from engine.feel.library import function, text, truncated
from engine.feel.temporal import Unsupported

_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


def _substring(string: Any, start: Any, length: Any = None) -> Any:
    value, first = text(string), truncated(start)
    if value is None or first is None or (length is not None and truncated(length) is None):
        return None
    index = first - 1 if first > 0 else len(value) + first
    if first == 0 or index < 0:
        index = max(index, 0) if first != 0 else 0
    if length is None:
        return value[index:]
    count = truncated(length)
    return value[index:index + max(count or 0, 0)]


def _length(string: Any) -> Any:
    from decimal import Decimal

    value = text(string)
    return None if value is None else Decimal(len(value))


def _case(upper: bool) -> Any:
    def apply(string: Any) -> Any:
        value = text(string)
        return None if value is None else value.upper() if upper else value.lower()
    return apply


def _before(string: Any, match: Any) -> Any:
    value, found = text(string), text(match)
    if value is None or found is None:
        return None
    at = value.find(found)
    return "" if at < 0 else value[:at]


def _after(string: Any, match: Any) -> Any:
    value, found = text(string), text(match)
    if value is None or found is None:
        return None
    at = value.find(found)
    return "" if at < 0 else value[at + len(found):]


def _test(check: Any) -> Any:
    def apply(string: Any, match: Any) -> Any:
        value, found = text(string), text(match)
        return None if value is None or found is None else check(value, found)
    return apply


def regex(pattern: Any, flags: Any = None) -> re.Pattern[str] | None:
    """An XML Schema regular expression as a compiled Python one; None if it is invalid."""
    if not isinstance(pattern, str) or (flags is not None and not isinstance(flags, str)):
        return None
    options = 0
    if "q" in (flags or ""):
        pattern = re.escape(pattern)
    for flag in flags or "":
        if flag == "q":
            continue
        if flag not in _FLAGS:
            return None
        if flag == "x":
            pattern = _without_spaces(pattern)
            continue
        options |= _FLAGS[flag]
    if "q" not in (flags or ""):
        pattern = _xpath_dots(pattern, "s" in (flags or ""))
        if pattern is None:
            return None
    if re.search(r"\\p\{Is|\\[pP]\{|-\[|\\[iIcC]", pattern):
        raise Unsupported("this XML Schema regular expression (Unicode blocks and categories, class subtraction "
                          "or XML name classes have no Python equivalent here)")
    if re.search(r"\(\?[^:]", pattern) or re.search(r"\\[AZzbBG]", pattern):
        return None  # Python syntax that XML Schema does not have
    try:
        return re.compile(pattern, options)
    except re.error:
        return None


def _without_spaces(pattern: str) -> str:
    """XPath's ``x`` flag: white space in the pattern is dropped, except inside [...] classes."""
    out, in_class = [], False
    for i, char in enumerate(pattern):
        escaped = i > 0 and pattern[i - 1] == "\\"
        if char == "[" and not escaped:
            in_class = True
        elif char == "]" and not escaped:
            in_class = False
        if char in " \t\n\r" and not in_class:
            continue
        out.append(char)
    return "".join(out)


def _xpath_dots(pattern: str, dotall: bool) -> str | None:
    """``.`` matches anything but a line end (\\n and \\r in XPath, \\n only in Python); a back
    reference must follow its group and cannot be inside [...]: None where the pattern is invalid."""
    out, in_class, groups, i = [], False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            following = pattern[i + 1]
            if following.isdigit() and (in_class or following == "0" or int(following) > groups):
                return None
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "(" and not in_class and not pattern.startswith("(?", i):
            groups += 1
        elif char == "." and not in_class and not dotall:
            out.append("[^\\n\\r]")
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _matches(input: Any, pattern: Any, flags: Any = None) -> Any:
    value, compiled = text(input), regex(pattern, flags)
    if value is None or compiled is None:
        return None
    return compiled.search(value) is not None


def _replace(input: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    value, compiled, by = text(input), regex(pattern, flags), text(replacement)
    if value is None or compiled is None or by is None or compiled.fullmatch(""):
        return None
    if "q" in (flags or ""):
        return compiled.sub(lambda m: by, value)
    if re.search(r"\$(?!\d)|\\(?![\\$])", by.replace("\\\\", "").replace("\\$", "")):
        return None  # a $ not followed by a group number, or a stray backslash: an error in XPath
    try:
        return compiled.sub(lambda m: _expand(m, by), value)
    except (re.error, IndexError):
        return None


def _expand(match: re.Match[str], replacement: str) -> str:
    """XPath's replacement string: ``$n`` is group n (empty if it did not take part), ``\\$`` and ``\\\\`` escape."""
    out, i = [], 0
    while i < len(replacement):
        char = replacement[i]
        if char == "\\":
            out.append(replacement[i + 1])
            i += 2
        elif char == "$":
            digits = re.match(r"\d+", replacement[i + 1:]).group()  # type: ignore[union-attr]
            while int(digits) > (match.re.groups or 0) and len(digits) > 1:
                digits = digits[:-1]
            group = int(digits)
            out.append((match.group(group) or "") if group <= (match.re.groups or 0) else "")
            i += 1 + len(digits)
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _split(string: Any, delimiter: Any) -> Any:
    value, compiled = text(string), regex(delimiter)
    if value is None or compiled is None or compiled.fullmatch(""):
        return None
    pieces, at = [], 0
    for found in compiled.finditer(value):
        pieces.append(value[at:found.start()])
        at = found.end()
    return [*pieces, value[at:]]


def _join(list_: Any, delimiter: Any = None) -> Any:
    list_ = [list_] if isinstance(list_, str) else list_
    if not isinstance(list_, list) or (delimiter is not None and not isinstance(delimiter, str)):
        return None
    if any(item is not None and not isinstance(item, str) for item in list_):
        return None
    return (delimiter or "").join(item for item in list_ if item is not None)


def _string(from_: Any) -> Any:
    return semantics.to_text(from_)


FUNCTIONS = [
    function("substring", "string, start position[, length]", _substring),
    function("string length", "string", _length),
    function("upper case", "string", _case(True)),
    function("lower case", "string", _case(False)),
    function("substring before", "string, match", _before),
    function("substring after", "string, match", _after),
    function("contains", "string, match", _test(lambda a, b: b in a)),
    function("starts with", "string, match", _test(lambda a, b: a.startswith(b))),
    function("ends with", "string, match", _test(lambda a, b: a.endswith(b))),
    function("matches", "input, pattern[, flags]", _matches),
    function("replace", "input, pattern, replacement[, flags]", _replace),
    function("split", "string, delimiter", _split),
    function("string join", "list[, delimiter]", _join),
    function("string", "from", _string),
]
