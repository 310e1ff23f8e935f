"""Expanding command-line paths into targets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exoml.lint._files import discover


def _tree(root: Path) -> None:
    for name in ["b.xml", "a.XML", "notes.txt", "sub/c.xml", "sub/deeper/d.xml", ".hidden/e.xml"]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<Flow><Answer/></Flow>")


def test_directory_is_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = [t.display for t in discover([str(tmp_path)])]
    relative = [os.path.relpath(p, tmp_path) for p in found]
    assert relative == ["a.XML", "b.xml", "sub/c.xml", os.path.join("sub", "deeper", "d.xml")]


def test_files_keep_command_line_order_and_are_deduplicated(tmp_path: Path) -> None:
    _tree(tmp_path)
    b, notes = str(tmp_path / "b.xml"), str(tmp_path / "notes.txt")
    found = [t.display for t in discover([b, notes, "-", b, str(tmp_path / "sub"), "-"])]
    assert found == [
        b,
        notes,
        "<stdin>",
        str(tmp_path / "sub" / "c.xml"),
        str(tmp_path / "sub" / "deeper" / "d.xml"),
    ]


def test_missing_path_becomes_an_error_target(tmp_path: Path) -> None:
    (target,) = discover([str(tmp_path / "missing.xml")])
    assert target.error == "No such file or directory"


def test_unlistable_directory_becomes_an_error_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    locked = str(tmp_path / "sub")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = [(t.display, t.error) for t in discover([str(tmp_path)])]
    assert (locked, "Permission denied") in found
    assert (str(tmp_path / "b.xml"), None) in found


def test_a_directory_named_twice_is_searched_once(tmp_path: Path) -> None:
    _tree(tmp_path)
    once = [t.display for t in discover([str(tmp_path)])]
    spelt_twice = [str(tmp_path), str(tmp_path / "sub" / ".." / "")]
    assert [t.display for t in discover(spelt_twice)] == once


def test_the_walk_lists_regular_files_only_and_enters_real_directories_only(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xml").write_text("<Flow><Answer/></Flow>")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "real.xml").write_text("<Flow><Answer/></Flow>")
    (tree / "link.xml").symlink_to(outside / "secret.xml")
    (tree / "linked-dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(tree / "pipe.xml")
    found = [os.path.relpath(t.display, tree) for t in discover([str(tree)])]
    assert found == ["real.xml"]
    # Named on the command line, a link is read as given.
    assert [t.path for t in discover([str(tree / "link.xml")])] == [str(tree / "link.xml")]
