"""The Python examples in docs/client.md run, each on its own, against FakeLegsAPI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from exoml.testing import FakeLegsAPI

PAGE = Path(__file__).resolve().parents[2] / "docs" / "client.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.S | re.M)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(index: int) -> None:
    namespace: dict[str, Any] = {"__name__": f"client_md_{index}"}
    exec(compile(BLOCKS[index], f"{PAGE}:block{index}", "exec"), namespace)
    # Examples that define pytest tests get the fixture they ask for.
    for name, value in namespace.items():
        if name.startswith("test_") and callable(value):
            with FakeLegsAPI() as api:
                value(api)
