"""What DMN XML and dtrun call the same things: versions and namespaces, elements, names, types, hit policies.

Owns the facts that the DMN exporter (``engine.formats.dmn.export``) and importer
(``engine.formats.dmn.importer``) share, so that each mapping is written down once: the MODEL,
DMNDI, DC and DI namespaces of DMN 1.3, 1.4 and 1.5; dtrun's own extension namespace;
how a DMN name (which may hold spaces, ``/`` or ``'``) becomes a dtrun identifier; which
DMN types (``typeRef``) dtrun's input types are; and the DMN spelling of each hit policy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.feel.syntax import identifier
from engine.formats.xlsx.layout import RULE_ID, free_rule_id
from engine.model.hit_policy import NAMES, HitPolicy


@dataclass(frozen=True)
class DmnVersion:
    """One version of the DMN standard and the namespaces its files use."""

    number: str
    model: str
    dmndi: str
    dc: str = "http://www.omg.org/spec/DMN/20180521/DC/"
    di: str = "http://www.omg.org/spec/DMN/20180521/DI/"


VERSIONS = {
    "1.3": DmnVersion("1.3", "https://www.omg.org/spec/DMN/20191111/MODEL/",
                      "https://www.omg.org/spec/DMN/20191111/DMNDI/"),
    "1.4": DmnVersion("1.4", "https://www.omg.org/spec/DMN/20211108/MODEL/",
                      "https://www.omg.org/spec/DMN/20191111/DMNDI/"),
    "1.5": DmnVersion("1.5", "https://www.omg.org/spec/DMN/20230324/MODEL/",
                      "https://www.omg.org/spec/DMN/20230324/DMNDI/"),
}
DEFAULT_VERSION = "1.3"
MODEL_NAMESPACES = {v.model: v for v in VERSIONS.values()}
# Read, never written: DMN 1.1 (Camunda 7's examples and older Camunda Modeler, Flowable), 1.2 (the
# KIE/Kogito editor, older Trisotech) and 1.6 (newer Trisotech, KIE).  Their decision tables, input
# data and item definitions have the same elements and attributes as DMN 1.3.  Each version's
# namespace is known by its date; tools spell the rest of it in several ways (below).
NAMESPACE_DATES = {"20151101": "1.1", "20180521": "1.2", "20191111": "1.3", "20211108": "1.4", "20230324": "1.5",
                   "20240513": "1.6"}
# What real tools write after "www.omg.org/spec/DMN/<date>": DMN 1.1's dmn.xsd (the standard),
# dmn11.xsd (older Camunda tests), nothing (Flowable); MODEL/ from DMN 1.2 on.
NAMESPACE_ENDINGS = ("", "/", "/dmn.xsd", "/dmn11.xsd", "/MODEL", "/MODEL/")
_NAMESPACE = re.compile(r"https?://www\.omg\.org/spec/DMN/(\d{8})(.*)")


def read_version(namespace: str) -> str | None:
    """The DMN version whose namespace ``namespace`` is, however a real tool spells it
    (http or https, with or without a trailing slash or schema name); None when it is not DMN."""
    found = _NAMESPACE.fullmatch(namespace.strip())
    if found is None or found[2] not in NAMESPACE_ENDINGS:
        return None
    return NAMESPACE_DATES.get(found[1])
DTRUN_NAMESPACE = "https://github.com/dtrun/dtrun/dmn-extensions/1"  # dtrun's extensionElements
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"

# ---------------------------------------------------------------------- elements
# Elements that document a model without changing its results (read with a warning), and the
# children of a decision that are not its logic.
IGNORED = {"knowledgeSource", "textAnnotation", "association", "group", "elementCollection",
           "performanceIndicator", "organizationUnit", "authorityRequirement", "supportedObjective",
           "impactedPerformanceIndicator", "decisionMaker", "decisionOwner", "usingProcess", "usingTask"}
DOCUMENTATION = {"description", "extensionElements", "question", "allowedAnswers", "variable",
                 "informationRequirement"}


def local_name(element: Any) -> str:
    """An XML element's tag without its namespace (``decisionTable``)."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def namespace_of(element: Any) -> str:
    return element.tag[1:].partition("}")[0] if isinstance(element.tag, str) and element.tag.startswith("{") else ""


def describe(element: Any) -> str:
    """How a message names an element: ``decision "Approval Status" (id _3b29)``."""
    name = element.get("name") or element.get("label")
    shown = f'{local_name(element)} "{name}"' if name else local_name(element)
    return f"{shown} (id {element.get('id')})" if element.get("id") else shown


# ---------------------------------------------------------------------- hit policies
# DMN writes an aggregation as its own attribute: COLLECT SUM is hitPolicy COLLECT, aggregation SUM.
_POLICY_TO_DMN = {code: ("COLLECT", name.split()[1]) if HitPolicy(code).aggregation else (name, None)
                  for code, name in NAMES.items()}
_DMN_TO_POLICY = {value: code for code, value in _POLICY_TO_DMN.items()}


def dmn_hit_policy(policy: HitPolicy) -> tuple[str, str | None]:
    """``hitPolicy`` and ``aggregation`` attribute values of a dtrun hit policy."""
    return _POLICY_TO_DMN[policy.code]


def policy_code(hit_policy: str | None, aggregation: str | None) -> str | None:
    """dtrun's code (``U``, ``C+`` ...) of DMN attributes; None when DMN has no such policy."""
    key = ((hit_policy or "UNIQUE").strip().upper(), (aggregation or "").strip().upper() or None)
    return _DMN_TO_POLICY.get(key)


# ---------------------------------------------------------------------- types
TEMPORAL = ("date and time", "time", "days and time duration", "years and months duration")
FEEL_TYPE = {"number": "number", "integer": "number", "string": "string", "boolean": "boolean", "date": "date",
             **{kind: kind for kind in TEMPORAL}}
# typeRef → dtrun input type.  Camunda writes Java-ish names (integer, long, double); DMN 1.1
# the XML Schema names of the temporal types (dateTime, dayTimeDuration, yearMonthDuration).
INPUT_TYPE_OF = {"number": "number", "string": "string", "boolean": "boolean", "date": "date",
                 "integer": "integer", "long": "integer", "int": "integer", "double": "number",
                 **{kind: kind for kind in TEMPORAL}, "dateTime": "date and time", "datetime": "date and time",
                 "dayTimeDuration": "days and time duration", "yearMonthDuration": "years and months duration"}
UNSUPPORTED_TYPES = ("duration", "context", "list", "function", "Any")


def plain_type(type_ref: str | None) -> str:
    """A typeRef without a namespace prefix (``feel:number`` → ``number``)."""
    text = (type_ref or "").strip()
    return text.split(":", 1)[1] if text.startswith(("feel:", "FEEL:")) else text


# ---------------------------------------------------------------------- names
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
RESERVED_SHEETS = ("About", "Inputs", "Tests", "Waivers")


class Namer:
    """Hands out unique dtrun identifiers (``identifier`` plus ``_2``, ``_3`` on collision)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def name(self, wanted: str, reserved: Iterable[str] = ()) -> str:
        base = identifier(wanted)
        if base in reserved or base.startswith("_"):
            base = f"{base.strip('_')}_decision"
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}_{number}", number + 1
        self.taken.add(candidate)
        return candidate


class XmlIds:
    """Hands out document-unique XML ids (NCNames) for the elements the exporter writes."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def id(self, wanted: str) -> str:
        base = wanted if NCNAME.fullmatch(wanted) else "_" + re.sub(r"[^A-Za-z0-9_.\-]+", "_", wanted)
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}_{number}", number + 1
        self.taken.add(candidate)
        return candidate


def rule_ids(rules: list[Any]) -> list[str]:
    """Each rule's id in dtrun: its label where that is a rule id (letters, digits, _ . -) that
    no other rule of the table has, else its XML id where that is one, else ``R<n>`` (its
    number, or the next number no rule has): ids are unique within a table."""
    labels = Counter(rule.get("label") or "" for rule in rules)
    wanted = [label if RULE_ID.fullmatch(label) and labels[label] == 1 else rule.get("id") or ""
              for rule, label in ((rule, rule.get("label") or "") for rule in rules)]
    wanted = [w if RULE_ID.fullmatch(w) else "" for w in wanted]
    counts = Counter(wanted)
    taken = {w for w in wanted if w and counts[w] == 1}
    found = []
    for position, want in enumerate(wanted, start=1):
        if not want or counts[want] > 1:
            want = free_rule_id(taken, position)
            taken.add(want)
        found.append(want)
    return found
