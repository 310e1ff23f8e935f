"""What importing exoml's modules pulls in: the lint path stays free of httpx."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_lint_does_not_import_httpx() -> None:
    run("import exoml.lint, sys; assert 'httpx' not in sys.modules, 'httpx imported'")


def test_exoml_does_not_import_httpx() -> None:
    run("import exoml, sys; exoml.ExomlError; assert 'httpx' not in sys.modules")


def test_testing_package_and_plugin_are_light() -> None:
    run(
        "import sys, exoml.testing, exoml.testing._plugin\n"
        "heavy = {'httpx', 'hypothesis', 'http.server'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )


def test_client_names_resolve_lazily() -> None:
    run(
        "import exoml, exoml.testing\n"
        "from exoml._client import ActionAccepted, AsyncLegsClient, LegsClient\n"
        "assert exoml.LegsClient is LegsClient and exoml.AsyncLegsClient is AsyncLegsClient\n"
        "assert exoml.ActionAccepted is ActionAccepted\n"
        "from exoml.testing.fake_api import FakeLegsAPI\n"
        "assert exoml.testing.FakeLegsAPI is FakeLegsAPI"
    )


def test_unknown_testing_name() -> None:
    import exoml.testing

    with pytest.raises(AttributeError):
        exoml.testing.nothing_here  # noqa: B018
