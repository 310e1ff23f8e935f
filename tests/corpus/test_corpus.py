"""ExoML as Exotel documents it lints with no error.

``legs/`` holds documents that use only names an Exotel source shows (see
``EXOML-SOURCES.md``: the examples of the cased documentation, the seed and the other
pages, as the reference describes them, and combinations of them); each must be free of
errors for ``exoml.validate``, ``Flow.parse`` and the linter. ``third-party/`` holds
documents that use names only third-party code shows: each is valid, with warnings
EX510 and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exoml import Flow, validate
from exoml._check import check_bytes
from exoml.lint import main

from ..test_flow import SEED_EXAMPLES

HERE = Path(__file__).parent
LEGS = sorted((HERE / "legs").glob("*.xml"))
THIRD_PARTY = sorted((HERE / "third-party").glob("*.xml"))


def test_the_corpus_is_there() -> None:
    assert len(LEGS) >= 25
    assert len(THIRD_PARTY) >= 6


@pytest.mark.parametrize("path", LEGS, ids=lambda p: p.name)
def test_documented_exoml_has_no_error(path: Path) -> None:
    data = path.read_bytes()
    found = validate(data)
    assert not [d for d in found if d.is_error], found
    assert {d.code for d in found} <= {"EX501"}  # several actions: advice, not an error
    assert found == check_bytes(data, full=True).diagnostics
    flow = Flow.parse(data)
    assert Flow.parse(flow.to_xml()) == flow


@pytest.mark.parametrize("path", THIRD_PARTY, ids=lambda p: p.name)
def test_third_party_only_names_warn(path: Path) -> None:
    found = validate(path.read_bytes())
    assert found
    assert {d.code for d in found} == {"EX510"}
    Flow.parse(path.read_bytes())


@pytest.mark.parametrize(("xml", "flow"), SEED_EXAMPLES)
def test_the_seed_examples_still_pass(xml: str, flow: Flow) -> None:
    assert not any(d.is_error for d in validate(xml))


def test_the_linter_passes_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-config", str(HERE / "legs"), str(HERE / "third-party")]) == 0
    out = capsys.readouterr().out
    assert " error" not in out
    assert main(["--no-config", "--strict", str(HERE / "third-party")]) == 1


def test_a_bridge_start_play_loop_is_a_warning_that_only_strict_fails() -> None:
    loop = str(HERE / "bridge" / "start-play-loop.xml")
    assert main(["--no-config", "--dialect", "bridge", loop]) == 0
    assert main(["--no-config", "--dialect", "bridge", "--strict", loop]) == 1
