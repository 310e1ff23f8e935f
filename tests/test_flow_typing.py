"""What a type checker sees of the builder: checked by ``mypy --strict`` (``make test``).

The ``assert_type`` calls cost nothing at run time; mypy fails the build when a type
drifts. The last test runs mypy on code with mistakes and reads its messages: they must
name the public classes (``Flow``, ``Say``), not internal modules or mixins.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from typing_extensions import assert_type

from exoml import Flow, Gather, Hold, Say, StartPlay, StartRecording, StartSay, Verb


def test_builder_types() -> None:
    flow = Flow().say("Hi", language="en").gather(Say("PIN"), num_digits=4)
    assert_type(flow, Flow)
    assert_type(flow[0], Verb)
    assert_type(flow[1:], Flow)
    assert_type(flow.verbs, tuple[Verb, ...])
    say = Say("Hi", loop=2)
    assert_type(say.replace(language="hi-IN"), Say)
    assert_type(say.loop, int | None)
    assert_type(say.language, str | None)
    gather = Gather(Say("PIN"), num_digits=4)
    assert_type(gather.prompts, tuple[Say | StartPlay | StartSay, ...])
    assert_type(gather.replace(prompts=[Say("Code")], num_digits=None), Gather)
    assert_type(Hold().music, StartPlay | None)
    recording = StartRecording(direction="in")
    direction = recording.direction
    assert direction == "in"
    assert recording.replace(format="mp3").format == "mp3"


MISTAKES = """\
from exoml import Flow, Say

Flow().say("Hi", langauge="en")
Say("Hi").replace(langauge="en")
Say("Hi").replace(loop="2")
Flow().start_recording(direction="sideways")
"""


def test_mypy_names_public_classes_in_its_messages(tmp_path: Path) -> None:
    from mypy import api

    source = tmp_path / "mistakes.py"
    source.write_text(textwrap.dedent(MISTAKES), encoding="utf-8")
    out, err, status = api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            str(source),
        ]
    )
    assert status == 1, out + err
    lines = [line for line in out.splitlines() if ": error:" in line]
    assert len(lines) == 4, out
    assert 'Unexpected keyword argument "langauge" for "say" of "Flow"' in lines[0]
    assert 'Unexpected keyword argument "langauge" for "replace" of "Say"' in lines[1]
    assert '"replace" of "Say" has incompatible type "str"' in lines[2]
    assert '"start_recording" of "Flow"' in lines[3]
    assert 'expected "int | None"' in lines[2]
    for internal in ("FlowVerbs", "exoml._verb", "exoml._verbs"):
        assert internal not in "\n".join(lines), out
