"""The installed command lines, the lean import path and the pre-commit hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ._support import EXAMPLES

ROOT = EXAMPLES.parent


def _run(args: list[str], cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONPATH")}
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, env=env, timeout=120)


def test_python_dash_m(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<Flow><answer/></Flow>")
    done = _run([sys.executable, "-m", "exoml.lint", "a.xml"], tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith(b"a.xml:1:7: EX202 ")
    usage = _run([sys.executable, "-m", "exoml.lint", "--bogus"], tmp_path)
    assert usage.returncode == 2
    assert b"usage: python -m exoml.lint [OPTIONS] PATH..." in usage.stderr


def test_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("exoml")
    if not script.exists():
        found = shutil.which("exoml")
        if found is None:
            pytest.skip("the exoml console script is not installed")
        script = Path(found)
    done = _run([str(script), "lint", "--fix", "-"], tmp_path, stdin=b"<flow><Answer/></flow>")
    assert done.returncode == 0
    assert done.stdout == b"<Flow><Answer/></Flow>"
    assert b"<stdin>:1:1: EX202 fixed: rename <flow> to <Flow>" in done.stderr


def test_no_traceback_on_a_broken_pipe(tmp_path: Path) -> None:
    for i in range(200):
        (tmp_path / f"f{i:03}.xml").write_text("<flow><answer/></flow>")
    process = subprocess.Popen(
        [sys.executable, "-m", "exoml.lint", "."],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # the reader goes away, as with `| head -1`
    err = process.stderr.read()
    process.wait(timeout=60)
    assert b"Traceback" not in err


def test_python_dash_m_writes_all_it_has_before_it_exits(tmp_path: Path) -> None:
    # The process ends without the interpreter's teardown: what it wrote must be out.
    for i in range(300):
        (tmp_path / f"f{i:03}.xml").write_text("<flow><answer/></flow>")
    done = _run([sys.executable, "-m", "exoml.lint", "--format", "json", "."], tmp_path)
    assert done.returncode == 1
    assert len({d["path"] for d in json.loads(done.stdout)}) == 300


def test_when_a_flush_fails_the_ordinary_exit_reports_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from exoml.lint.__main__ import exit_now

    class Closed:
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    exits: list[int] = []
    monkeypatch.setattr(sys, "stdout", Closed())
    monkeypatch.setattr(os, "_exit", exits.append)
    with pytest.raises(SystemExit) as stopped:
        exit_now(1)
    assert stopped.value.code == 1
    assert exits == []


CYCLES = """
import gc, sys
gc.disable()
from exoml.lint import main
main(["--no-config", "--format", sys.argv[1], "tree"])
print(gc.collect())
"""


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_linting_leaves_no_reference_cycles_per_document(tmp_path: Path, fmt: str) -> None:
    # python -m exoml.lint runs without the cyclic collector: a document must not leave
    # a cycle behind, or memory would grow with the number of files.
    documents = [
        "<Flow><Say>unclosed</Flow>",
        "<flow><answer/></flow>",
        "<Flow><Say>&bogus;</Say></Flow>",
        '<?xml version="1.0" encoding="latin-1"?><Flow/>',
        '<Flow><Gather numDigits="0"><Say>x</Say></Gather><Play>x</Play></Flow>',
        '<Response><Say voice="Polly.Aditi">Hello</Say></Response>',
    ]
    left = []
    for count in (60, 360):
        tree = tmp_path / str(count) / "tree"
        tree.mkdir(parents=True)
        for i in range(count):
            (tree / f"f{i:03}.xml").write_text(documents[i % len(documents)])
        done = _run([sys.executable, "-c", CYCLES, fmt], tree.parent)
        left.append(int(done.stdout.decode().splitlines()[-1]))
    assert left[1] - left[0] < 60, left  # not one per document


LEAN = """
import sys
from exoml.lint import main
status = main(["--no-config", sys.argv[1]])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"httpx", "xmlschema", "hypothesis"})
print(status, heavy)
"""


def test_lint_path_imports_no_heavy_modules(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<Flow><answer/></Flow>")
    done = _run([sys.executable, "-c", LEAN, "a.xml"], tmp_path)
    assert done.stdout.decode().splitlines()[-1] == "1 []", done.stderr


def test_clean_run_does_not_import_what_only_failures_need(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<Flow><Answer/></Flow>")
    # Clean, though it holds what the warning rules look for.
    (tmp_path / "b.xml").write_text(
        '<Flow><Gather numDigits="4"><Say preferredTTSEngine="polly" pollyVoiceId="Aditi">'
        "PIN? Or say ws://</Say></Gather></Flow>"
    )
    # exoml._rules is loaded: every rule runs on every document (the schema stands in
    # only for the rules it covers).
    code = (
        "import sys\nfrom exoml.lint import main\nmain(['a.xml', 'b.xml'])\n"
        "heavy = {'json', 'tomllib', 'concurrent.futures', 'unicodedata', 'tempfile',"
        " 'exoml._diagnostics', 'exoml._errors', 'argparse', 'threading'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = _run([sys.executable, "-c", code], tmp_path)
    assert done.stdout.decode().splitlines()[-1] == "[]", done.stderr


def test_pre_commit_hook() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: exoml-lint\n" in text
    assert "  entry: exoml lint\n" in text
    assert "  types: [xml]\n" in text
    assert "  language: python\n" in text


# ------------------------------------------------------------------ documentation

DOC = ROOT / "docs" / "lint.md"


def _block_after(text: str, marker: str) -> str:
    """The body of the first fenced block after ``marker``."""
    start = text.index("\n", text.index("```", text.index(marker))) + 1
    return text[start : text.index("```", start)]


def test_docs_show_the_bad_example_as_it_is() -> None:
    # The output under it is checked by the documentation tests (a `console exec` block).
    text = DOC.read_text(encoding="utf-8")
    example = EXAMPLES / "bad" / "ivr-welcome-typos.xml"
    assert _block_after(text, "## Reading the output") == example.read_text(encoding="utf-8")
    assert "$ exoml lint examples/bad/ivr-welcome-typos.xml\n" in text


def test_docs_show_the_real_output_of_fix(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = _block_after(text, "\n## Fixes")
    command, expected = shown.split("\n", 1)
    assert command == "$ exoml lint --fix flows/"
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "welcome.xml").write_text(
        '<flow>\n  <startplay loop="11">https://example.com/a.wav</startplay>\n</flow>\n'
    )
    done = _run([sys.executable, "-m", "exoml.lint", "--fix", "flows/"], tmp_path)
    assert done.stdout.decode() == expected
