"""Every example in README.md and docs/: see conftest.py for what each kind of block must do."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import DocExample


def test_example(doc_example: DocExample) -> None:
    doc_example.run()
