"""Coverage-guided fuzz target (atheris, libFuzzer) for the parse-and-check path.

For any bytes:

- ``check_bytes`` returns (never raises) a report that keeps the invariants of
  ``tests.hostile._inputs.report_problem`` (known codes, one-line messages, positions
  inside the document, the short path and the walk agreeing);
- where the document parsed, the rule walk and the compiled XSD give the same verdict
  (except for xsi:type and xsi:nil, which a schema cannot forbid: see
  ``tests/differential/_judges.py``);
- ``Flow.parse`` raises nothing but ``ExomlError``, accepts exactly the documents
  without errors, and what it returns survives its own round trip.

A broken invariant raises, which libFuzzer reports as a crash and saves. Run by
``tests/fuzz/campaign.py``; by hand::

    python tests/fuzz/atheris_target.py -max_total_time=60 CORPUS_DIR
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

ROOT_DIR = Path(__file__).resolve().parents[2]
if str(ROOT_DIR) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT_DIR))

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def _explained_walk_only(root: Any, diagnostics: Any) -> bool:
    """Whether the walk refuses only what a schema cannot: xsi:type and xsi:nil.

    Decided on the tree (the messages word the attribute as ``xsi:type``, whatever
    prefix the document used): every error is EX203, and the document has such
    attributes.
    """
    errors = [d for d in diagnostics if d.is_error]
    steering = {f"{XSI}type", f"{XSI}nil"}
    has_steering = any(steering & set(el.attrib) for el in root.iter() if isinstance(el.tag, str))
    return bool(errors) and has_steering and all(d.code == "EX203" for d in errors)


def test_one_input(data: bytes) -> None:
    """Check ``data`` every way the product does; raise when an invariant breaks."""
    from exoml import ExomlError, Flow
    from exoml._check import check_bytes
    from exoml._schema import compiled_schema
    from tests.hostile._inputs import report_problem

    broken = report_problem(data)
    if broken is not None:
        raise AssertionError(broken)
    report = check_bytes(data)
    if report.root is not None:
        walk = check_bytes(data, full=True)
        schema_ok = bool(compiled_schema().validate(report.root))
        explained = schema_ok and _explained_walk_only(report.root, walk.diagnostics)
        if walk.ok != schema_ok and not explained:
            raise AssertionError(f"the walk ({walk.diagnostics}) and the XSD ({schema_ok}) differ")
    try:
        flow = Flow.parse(data)
    except ExomlError:
        if report.ok:
            raise AssertionError("Flow.parse refused a document without errors") from None
        return
    if not report.ok:
        raise AssertionError("Flow.parse accepted a document with errors")
    if Flow.parse(flow.to_xml()) != flow or Flow.parse(flow.to_xml(pretty=True)) != flow:
        raise AssertionError("a parsed flow does not survive its own round trip")


def main() -> None:
    atheris: Any = importlib.import_module("atheris")
    with atheris.instrument_imports(include=["exoml"]):
        import exoml._check
        import exoml._flow
        import exoml._rules
        import exoml._values  # noqa: F401
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
