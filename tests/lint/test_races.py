"""A file swapped between the directory search and the read (or the --fix write).

The search lists regular files only, but a file can become a symbolic link or a FIFO
after it was listed. The file is then opened without following links and its type is
checked on the open descriptor; --fix writes by renaming a new file into place, never
through a link, and only over the file it read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exoml.lint import _cli
from exoml.lint._files import Target, discover
from exoml.lint._fix import identity_of
from exoml.lint._runner import NotRegularFile, Settings, _lint, read_bounded

from ._support import Lint

GOOD = b"<Flow><Answer/></Flow>"
LOWER = b"<flow><answer/></flow>"
SECRET = "TOKEN-7f3a-do-not-print"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "secret.xml"
    path.write_text(f"<flow>{SECRET}</flow>\n")  # an error: text output shows the line
    return path


def _swap_after_discovery(
    monkeypatch: pytest.MonkeyPatch, swap: dict[str, object], tree: Path
) -> None:
    """Make the CLI's discovery list ``tree`` and then replace files as ``swap`` says."""

    def racing(paths: list[str], **kwargs: str) -> list[Target]:
        targets = discover(paths, **kwargs)
        for name, what in swap.items():
            victim = tree / name
            victim.unlink()
            if isinstance(what, Path):
                victim.symlink_to(what)
            else:
                os.mkfifo(victim)
        return targets

    monkeypatch.setattr(_cli, "discover", racing)


def test_a_file_swapped_for_a_link_after_the_search_is_not_read(
    lint: Lint, tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "a.xml").write_bytes(GOOD)
    (tree / "b.xml").write_bytes(GOOD)
    _swap_after_discovery(monkeypatch, {"b.xml": secret}, tree)
    for fmt in ("text", "json", "github", "sarif"):
        run = lint("--format", fmt, "repo")
        assert SECRET not in run.out + run.err
        assert run.status == 2
        assert "a symbolic link, not followed" in run.err
        (tree / "b.xml").unlink()
        (tree / "b.xml").write_bytes(GOOD)


def test_a_file_swapped_for_a_fifo_after_the_search_does_not_block(
    lint: Lint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "a.xml").write_bytes(GOOD)
    _swap_after_discovery(monkeypatch, {"a.xml": "fifo"}, tree)
    run = lint("repo")  # would block for ever in open() without O_NONBLOCK
    assert run.status == 2
    assert "not a regular file" in run.err


def test_read_bounded_refuses_links_and_special_files_unless_named(
    tmp_path: Path, secret: Path
) -> None:
    link = tmp_path / "link.xml"
    link.symlink_to(secret)
    with pytest.raises(NotRegularFile, match="symbolic link"):
        read_bounded(str(link), 100, follow=False)
    data, status = read_bounded(str(link), 100, follow=True)  # named: read as given
    assert SECRET.encode() in data
    assert status is not None
    assert identity_of(status) == identity_of(secret.stat())
    if os.path.exists("/dev/null"):
        with pytest.raises(NotRegularFile, match="not a regular file"):
            read_bounded("/dev/null", 100, follow=False)
        assert read_bounded("/dev/null", 100, follow=True) == (b"", None)
    (tmp_path / "dir.xml").mkdir()
    with pytest.raises(OSError):  # noqa: PT011 (a directory: EISDIR or not regular)
        read_bounded(str(tmp_path / "dir.xml"), 100, follow=False)


@pytest.mark.parametrize("grown", [1, 40, 100])
def test_a_file_that_grew_after_it_was_opened_is_read_up_to_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grown: int
) -> None:
    # The first read asks for the size the file had (and a byte); what it holds beyond
    # that is read too, up to the cap and a byte.
    path = tmp_path / "a.xml"
    path.write_bytes(b"x" * 50 + b"y" * grown)
    real_fstat = os.fstat

    def as_opened(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        fields = list(info)
        fields[6] = 50  # st_size when it was opened
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", as_opened)
    data, status = read_bounded(str(path), 120, follow=False)
    assert data == (b"x" * 50 + b"y" * grown)[:121]
    assert status is not None


def test_discovered_targets_are_not_named_and_named_ones_are(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(GOOD)
    (found,) = discover([str(tmp_path)])
    assert found.named is False
    (named,) = discover([str(tmp_path / "a.xml")])
    assert named.named is True


def test_fix_is_not_written_through_a_link_swapped_in_during_the_check(
    tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exoml import _check

    path = tmp_path / "a.xml"
    path.write_bytes(LOWER)
    before = secret.read_bytes()
    real = _check.check_bytes
    swapped: list[bool] = []

    def swap_then_check(data: bytes, **kwargs: int) -> _check.Report:
        if not swapped:  # after the read, before the write
            swapped.append(True)
            path.unlink()
            path.symlink_to(secret)
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_check, "check_bytes", swap_then_check)
    result = _lint(Target(str(path), str(path), named=False), Settings(65536, (), (), fix=True))
    assert result is not None
    assert result.error is not None
    assert "symbolic link" in result.error
    assert secret.read_bytes() == before
    assert path.is_symlink()


def test_fix_is_not_written_over_a_file_replaced_during_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exoml import _check

    path = tmp_path / "a.xml"
    path.write_bytes(LOWER)
    real = _check.check_bytes
    swapped: list[bool] = []

    def replace_then_check(data: bytes, **kwargs: int) -> _check.Report:
        if not swapped:
            swapped.append(True)
            (tmp_path / "new.xml").write_bytes(b"<flow><hangup/></flow>")
            os.replace(tmp_path / "new.xml", path)
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_check, "check_bytes", replace_then_check)
    result = _lint(Target(str(path), str(path)), Settings(65536, (), (), fix=True))
    assert result is not None
    assert result.error is not None
    assert "replaced" in result.error
    assert path.read_bytes() == b"<flow><hangup/></flow>"


def test_fix_refuses_a_named_link_and_leaves_its_target(
    lint: Lint, tmp_path: Path, secret: Path
) -> None:
    link = tmp_path / "a.xml"
    target = tmp_path / "real.xml"
    target.write_bytes(LOWER)
    link.symlink_to(target)
    run = lint("--fix", "a.xml")
    assert run.status == 2
    assert "cannot write fixes: a symbolic link" in run.err
    assert target.read_bytes() == LOWER
    assert link.is_symlink()
    assert "EX202" in run.out  # still reported
