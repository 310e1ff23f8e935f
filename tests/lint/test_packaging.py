"""What a new user meets first: the wheel, its long description, the license, the extras,
``exoml --version`` and the API page.

The wheel is built for real (hatchling, into a temporary directory) and read as a zip:
reading ``pyproject.toml`` would not show what a user installs.
"""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
import zipfile
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

import exoml
from exoml.__main__ import main as exoml_main

ROOT = Path(__file__).resolve().parents[2]
PYPI_README = ROOT / "README.pypi.md"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", "wheel", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr + build.stdout
    (path,) = out.glob("exoml_dsl-*.whl")
    return zipfile.ZipFile(path)


def _metadata(wheel: zipfile.ZipFile) -> EmailMessage:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    message = email.message_from_bytes(wheel.read(name), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_wheel_ships_the_schema(wheel: zipfile.ZipFile) -> None:
    assert wheel.read("exoml/exoml.xsd") == (ROOT / "schema" / "exoml.xsd").read_bytes()
    assert "exoml/py.typed" in wheel.namelist()


def test_wheel_ships_the_quiet_schemas(wheel: zipfile.ZipFile) -> None:
    # The check engine validates with them first: without them it would generate each
    # from the catalogue at its first check (correct, but slower to start).
    for name in ("exoml.xsd", "exoml-bridge.xsd", "exoml-classic.xsd"):
        packaged = wheel.read(f"exoml/_quiet/{name}")
        assert packaged == (ROOT / "exoml" / "_quiet" / name).read_bytes()


def test_wheel_ships_the_license(wheel: zipfile.ZipFile) -> None:
    (name,) = [n for n in wheel.namelist() if n.endswith("dist-info/licenses/LICENSE")]
    text = wheel.read(name).decode()
    assert text == (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "exoml developers" in text
    assert _metadata(wheel)["License-Expression"] == "MIT"


def test_the_testing_extra_brings_hypothesis(wheel: zipfile.ZipFile) -> None:
    metadata = _metadata(wheel)
    assert "testing" in metadata.get_all("Provides-Extra", [])
    requires = metadata.get_all("Requires-Dist", [])
    assert any(r.startswith("hypothesis") and "extra == 'testing'" in r for r in requires)


def test_the_long_description_is_made_for_a_package_index(wheel: zipfile.ZipFile) -> None:
    metadata = _metadata(wheel)
    assert metadata["Description-Content-Type"] == "text/markdown"
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    # The description is the body: what follows the headers' blank line, in UTF-8.
    description = wheel.read(name).decode("utf-8").split("\n\n", 1)[1]
    assert description.strip() == PYPI_README.read_text(encoding="utf-8").strip()
    # No repository-only commands, no links that resolve only in the repository.
    assert "make " not in description
    assert not re.search(r"\]\((?!https?://)", description)
    assert "examples/" not in description
    assert description.startswith("# exoml\n\nexoml is a Python toolkit")


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}[^\n]*\n(.*?)```", text, re.DOTALL)


def test_the_long_description_examples_are_the_tested_ones() -> None:
    # README.md's examples run in the doc tests; the package index page repeats them.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = PYPI_README.read_text(encoding="utf-8")
    python = _blocks(page, "python")
    assert python
    for block in python + _blocks(page, "text"):
        assert block in readme


def test_the_long_description_lint_output_is_what_the_linter_prints(
    tmp_path: Path,
) -> None:
    page = PYPI_README.read_text(encoding="utf-8")
    (block,) = [b for b in _blocks(page, "console") if b.startswith("$ python -m exoml.lint")]
    command, expected = block.split("\n", 1)
    path = command.split()[-1]
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_bytes((ROOT / "examples" / "bad" / "ivr-welcome-typos.xml").read_bytes())
    run = subprocess.run(
        [sys.executable, "-m", "exoml.lint", "--no-color", path],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.stdout == expected


def test_exoml_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert exoml_main(["--version"]) == 0
    assert capsys.readouterr().out == f"exoml {exoml.__version__}\n"


def test_exoml_version_as_a_command() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "exoml", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, f"exoml {exoml.__version__}\n", "")


def test_the_api_page_lists_each_name_once() -> None:
    names = re.findall(r"^::: (\S+)", (ROOT / "docs" / "api.md").read_text(), re.MULTILINE)
    twice = [name for name, n in Counter(names).items() if n > 1]
    assert twice == []
    assert {"exoml.testing.flows", "exoml.testing.verbs", "exoml.testing.verb_strategy"} <= set(
        names
    )


def test_strategies_without_hypothesis_say_what_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if it were not installed\n"
        "import exoml.testing\n"
        "exoml.testing.FakeLegsAPI  # the fake API needs no hypothesis\n"
        "try:\n"
        "    from exoml.testing import flows\n"
        "except ImportError as exc:\n"
        "    assert type(exc) is ImportError, type(exc)\n"
        "    print(exc)\n"
        "else:\n"
        "    raise SystemExit('imported without hypothesis')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "pip install 'exoml-dsl[testing]'" in run.stdout
    assert "Hypothesis" in run.stdout
