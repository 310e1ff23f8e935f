"""Property tests: no input makes the linter crash, and --fix only ever changes case."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._support import Lint

FRAGMENTS = [
    "<Flow>",
    "</Flow>",
    "<flow>",
    "</flow>",
    "<FLOW>",
    "<startplay",
    "<StartPlay",
    "</startplay>",
    "</StartPlay>",
    ' loop="1"',
    ' LOOP="11"',
    " Loop='x'",
    ">",
    "/>",
    "https://x.io/a.wav",
    "<Say>",
    "</say>",
    "</Say>",
    "<say",
    ' language="EN"',
    "<Gather",
    ' numdigits="4"',
    ' finishonkey="#"',
    "</Gather>",
    "<hold>",
    "</hold>",
    "<unHold/>",
    "<Answer/>",
    "<answer/>",
    "&amp;",
    "&nbsp;",
    "&#233;",
    "\r\n",
    "\r",
    "\n",
    "\t",
    " ",
    "é",
    "😀",
    "世界",
    "\x00",
    "\x1b[31m",
    "<!--",
    "-->",
    '<?xml version="1.0"?>',
    "<!DOCTYPE Flow>",
    "\ufeff",
    "<Response>",
    "<![CDATA[x]]>",
    '<JoinBridge bridgesid="B"/>',
    ' xmlns:a="u" a:loop="1"',
    "\u2028",
    "\x85",
]

documents = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(lambda parts: "".join(parts).encode()),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)

NO_FIXTURE_RESET = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@NO_FIXTURE_RESET
@given(data=documents, fmt=st.sampled_from(["text", "json", "github", "sarif"]))
def test_any_input_gives_a_report_not_a_crash(lint: Lint, data: bytes, fmt: str) -> None:
    run = lint("--format", fmt, "-", stdin=data)
    assert run.status in (0, 1), run.err
    assert run.err == ""
    if fmt in ("json", "sarif"):
        json.loads(run.out)


@NO_FIXTURE_RESET
@given(data=documents)
def test_fix_changes_only_the_case_of_names_and_is_idempotent(lint: Lint, data: bytes) -> None:
    run = lint("--fix", "-", stdin=data)
    assert run.status in (0, 1), run.err
    assert "internal error" not in run.err
    try:
        before = data.decode("utf-8")
    except UnicodeDecodeError:
        assert run.out_bytes == data
        return
    after = run.out_bytes.decode("utf-8")
    assert after.lower() == before.lower()
    assert len(run.out_bytes) == len(data) or "\u212a" in before or "\u0130" in before
    again = lint("--fix", "-", stdin=run.out_bytes)
    assert again.out_bytes == run.out_bytes
    assert "fixed:" not in again.err
