"""Coverage-guided fuzz target (atheris, libFuzzer) for the parse-and-check path.

For any bytes:

- ``check_bytes`` returns (never raises), with 1-based positions, and a failing report
  holds an error;
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
from typing import Any

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def _explained_walk_only(diagnostics: Any) -> bool:
    errors = [d for d in diagnostics if d.is_error]
    return bool(errors) and all(
        d.code == "EX203" and (f"{XSI}type" in d.message or f"{XSI}nil" in d.message)
        for d in errors
    )


def test_one_input(data: bytes) -> None:
    """Check ``data`` every way the product does; raise when an invariant breaks."""
    from exoml import ExomlError, Flow
    from exoml._check import check_bytes
    from exoml._schema import compiled_schema

    report = check_bytes(data)
    for d in report.diagnostics:
        if d.line < 1 or d.column < 1 or not d.message:
            raise AssertionError(f"malformed diagnostic {d}")
    if not report.ok and not any(d.is_error for d in report.diagnostics):
        raise AssertionError("a failing report without an error")
    if report.root is not None:
        walk = check_bytes(data, full=True)
        schema_ok = bool(compiled_schema().validate(report.root))
        if walk.ok != schema_ok and not (schema_ok and _explained_walk_only(walk.diagnostics)):
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
