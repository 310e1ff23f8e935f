"""The rules: one module per rule, its docstring its documentation.

Each module declares ``RULE`` (code, name, severity, summary, documentation, whether
``--fix`` applies, a bad and a good example, and what the engine may rely on: see
:class:`~exoml._rules._base.Rule`) and makes its own decision:

* a ``source`` rule is one step of the byte stage (:mod:`._source`), before parsing;
* a ``tree`` rule exposes ``check_document(ctx)``, ``check_element(ctx, el, spec,
  parent)`` and/or ``check_attribute(ctx, el, spec, qname, value, attr)``, which the
  engine's one walk (:mod:`._walk`) calls for every document, element and attribute.

A rule exists when its module is listed in :data:`MODULES`; the walk calls every listed
tree rule that is enabled. Codes are stable and never reused.
"""

from __future__ import annotations

from collections.abc import Collection
from types import ModuleType

from . import (
    ex001_not_well_formed,
    ex002_empty_document,
    ex003_not_utf8,
    ex004_doctype,
    ex005_undeclared_entity,
    ex006_too_large,
    ex007_encoding_declaration,
    ex008_placeholder_in_name,
    ex101_root_not_flow,
    ex102_classic_dialect,
    ex103_empty_flow,
    ex104_stray_text,
    ex105_actions_root_in_classic,
    ex201_unknown_element,
    ex202_element_case,
    ex203_unknown_attribute,
    ex204_attribute_case,
    ex205_missing_attribute,
    ex301_invalid_value,
    ex302_invalid_text,
    ex303_text_in_empty_verb,
    ex401_child_not_allowed,
    ex402_too_many_children,
    ex501_multiple_actions,
    ex502_polly_voice_engine,
    ex503_insecure_stream,
)
from ._base import Rule
from ._walk import Checks

__all__ = ["MODULES", "RULES", "Checks", "Rule", "checks", "register", "rule"]

#: Every rule module, in code order (explicit: a rule exists when it is listed here).
MODULES: list[ModuleType] = [
    ex001_not_well_formed,
    ex002_empty_document,
    ex003_not_utf8,
    ex004_doctype,
    ex005_undeclared_entity,
    ex006_too_large,
    ex007_encoding_declaration,
    ex008_placeholder_in_name,
    ex101_root_not_flow,
    ex102_classic_dialect,
    ex103_empty_flow,
    ex104_stray_text,
    ex105_actions_root_in_classic,
    ex201_unknown_element,
    ex202_element_case,
    ex203_unknown_attribute,
    ex204_attribute_case,
    ex205_missing_attribute,
    ex301_invalid_value,
    ex302_invalid_text,
    ex303_text_in_empty_verb,
    ex401_child_not_allowed,
    ex402_too_many_children,
    ex501_multiple_actions,
    ex502_polly_voice_engine,
    ex503_insecure_stream,
]

#: Every rule, in code order.
RULES: tuple[Rule, ...] = tuple(m.RULE for m in MODULES)

_BY_CODE = {r.code: r for r in RULES}
# (enabled opt-in codes, schema-valid, needles present, dialect) -> the checks to run
_CHECKS: dict[tuple[frozenset[str], bool, frozenset[str] | None, str], Checks] = {}


def rule(code: str) -> Rule:
    """The rule with this code (KeyError when there is none)."""
    return _BY_CODE[code]


def register(module: ModuleType) -> None:
    """Add a rule module (in code order); used by tests to prove every rule runs."""
    global RULES
    MODULES.append(module)
    MODULES.sort(key=lambda m: m.RULE.code)
    RULES = tuple(m.RULE for m in MODULES)
    _BY_CODE[module.RULE.code] = module.RULE
    _forget()


def unregister(module: ModuleType) -> None:
    """Undo :func:`register`."""
    global RULES
    MODULES.remove(module)
    RULES = tuple(m.RULE for m in MODULES)
    del _BY_CODE[module.RULE.code]
    _forget()


def _forget() -> None:
    from .._check import _PLAN

    _CHECKS.clear()
    _PLAN.clear()


def checks(
    enabled: Collection[str] = (),
    *,
    schema_valid: bool = False,
    present: frozenset[str] | None = None,
    dialect: str = "legs",
) -> Checks:
    """The tree checks to run: every default rule and every opt-in rule in ``enabled``.

    With ``schema_valid`` (the document is one the XSD accepts), rules that declare
    themselves covered by the schema are left out: they have nothing to report there.
    With ``present`` (the needles found in the document), a rule whose needles are all
    absent is left out: it has nothing to report there either. Rules that do not apply
    to ``dialect`` (:attr:`Rule.dialects`) are left out.
    """
    key = (frozenset(enabled), schema_valid, present, dialect)
    found = _CHECKS.get(key)
    if found is None:
        chosen = [
            m
            for m in MODULES
            if m.RULE.stage == "tree"
            and dialect in m.RULE.dialects
            and (m.RULE.default or m.RULE.code in key[0])
            and not (schema_valid and m.RULE.schema_covered and dialect not in m.RULE.schema_gaps)
            and (present is None or not m.RULE.needles or not present.isdisjoint(m.RULE.needles))
        ]
        needles = {n for m in chosen for n in m.RULE.needles}
        found = _CHECKS[key] = Checks(
            tuple(m.RULE for m in chosen),
            tuple(sorted(needles)),
            any(m.RULE.severity == "error" for m in chosen),
            tuple(m.check_document for m in chosen if hasattr(m, "check_document")),
            tuple(m.check_element for m in chosen if hasattr(m, "check_element")),
            tuple(m.check_attribute for m in chosen if hasattr(m, "check_attribute")),
        )
    return found
