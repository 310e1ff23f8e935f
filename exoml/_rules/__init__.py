"""The rules: one module per rule, its docstring its documentation.

Each module declares ``RULE`` (code, name, severity, summary, documentation, whether
``--fix`` applies, a bad and a good example) and the wording of its messages. The byte
stage (:mod:`._source`) and the tree walk (:mod:`._walk`) decide when each applies.
Codes are stable and never reused.
"""

from __future__ import annotations

from . import (
    ex001_not_well_formed,
    ex002_empty_document,
    ex003_not_utf8,
    ex004_doctype,
    ex005_undeclared_entity,
    ex006_too_large,
    ex007_encoding_declaration,
    ex101_root_not_flow,
    ex102_classic_dialect,
    ex103_empty_flow,
    ex104_stray_text,
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

__all__ = ["RULES", "Rule", "rule"]

#: Every rule, in code order (explicit: a rule exists when it is listed here).
RULES: tuple[Rule, ...] = (
    ex001_not_well_formed.RULE,
    ex002_empty_document.RULE,
    ex003_not_utf8.RULE,
    ex004_doctype.RULE,
    ex005_undeclared_entity.RULE,
    ex006_too_large.RULE,
    ex007_encoding_declaration.RULE,
    ex101_root_not_flow.RULE,
    ex102_classic_dialect.RULE,
    ex103_empty_flow.RULE,
    ex104_stray_text.RULE,
    ex201_unknown_element.RULE,
    ex202_element_case.RULE,
    ex203_unknown_attribute.RULE,
    ex204_attribute_case.RULE,
    ex205_missing_attribute.RULE,
    ex301_invalid_value.RULE,
    ex302_invalid_text.RULE,
    ex303_text_in_empty_verb.RULE,
    ex401_child_not_allowed.RULE,
    ex402_too_many_children.RULE,
    ex501_multiple_actions.RULE,
    ex502_polly_voice_engine.RULE,
    ex503_insecure_stream.RULE,
)

_BY_CODE = {r.code: r for r in RULES}


def rule(code: str) -> Rule:
    """The rule with this code (KeyError when there is none)."""
    return _BY_CODE[code]
