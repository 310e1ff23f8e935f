"""What every rule module declares, and the signatures of the checks it may expose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from .._diagnostics import Severity

#: Where a rule looks: the bytes before parsing (``source``), or the parsed tree
#: (``tree``: its module exposes ``check_document``, ``check_element`` and/or
#: ``check_attribute``, which the engine's one walk calls).
Stage = Literal["source", "tree"]


class Rule(NamedTuple):
    """A check's stable identity and its documentation.

    ``doc`` is the rule module's docstring: what ``--explain CODE`` shows and what the
    rule reference is generated from.

    ``schema_covered`` says that the XSD refuses every document this rule reports, so
    for a document the schema accepts the rule has nothing to say: the engine's schema
    fast path stands in for such rules, and for no other (the differential and rule
    tests hold the two paths to the same findings). ``needles`` are substrings of which
    at least one is in every schema-valid document the rule reports (``()``: no such promise); the
    fast path skips a rule's work, never the rule, when none is present. ``default``
    is False for a rule that runs only when ``--select`` (or ``select`` in the
    configuration) names its code.

    ``quiet_covered`` says that the dialect's *quiet* schema (valid ExoML about which
    no default rule speaks; see :func:`exoml._xsd.generate_quiet_xsd`) refuses every
    document this rule reports: for a document that schema accepts, the engine runs no
    such rule and searches for none of its needles. (The number of actions under the
    root, EX501's concern, is the one thing the engine counts instead: see
    :func:`exoml._rules.quiet_one_action`.) A rule that is ``schema_covered``
    is quiet-covered too (the quiet schema accepts less than the published one).
    """

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    fixable: bool
    bad: str
    good: str
    stage: Stage = "tree"
    schema_covered: bool = False
    needles: tuple[str, ...] = ()
    #: more needles in one dialect, (dialect, needles) pairs: added to ``needles`` there
    #: only, so that a name one dialect warns about does not cost the others a walk
    dialect_needles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: a second set of needles, of which one must be in the document too (both sets
    #: are necessary: a rule that needs a name and one of some values declares both)
    needles_too: tuple[str, ...] = ()
    default: bool = True
    #: the dialects the rule applies to (a tree rule is not run for the others)
    dialects: tuple[str, ...] = ("legs", "bridge", "classic")
    #: how the bad and good examples are checked: the dialect (None: the root decides)
    #: and the placeholder styles allowed
    example_dialect: str | None = None
    #: dialects whose schema cannot say all this rule says (the classic Dial's text is
    #: mixed content): there the rule runs even on schema-valid documents
    schema_gaps: tuple[str, ...] = ()
    #: the quiet schema refuses every document this rule reports (see above)
    quiet_covered: bool = False
    example_placeholders: tuple[str, ...] = ()
