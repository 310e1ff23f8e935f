"""The linter's command line on hostile files: exit 0 or 1 with a diagnostic, bounded.

Each run is a subprocess under a memory limit (``RLIMIT_AS``), a CPU limit and a
timeout. Nothing may be read that was not named on the command line (an external entity
points at a file holding a unique secret, which must never show up) and no connection
may be opened (a socket listens on 127.0.0.1 for the entities, DTDs, XIncludes and
schema hints that name it, and must see nothing). Where ``strace`` works, the system
calls are checked too.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from exoml._check import _PARSER, check_bytes

from ._inputs import (
    VALID,
    Case,
    external_dtd,
    parameter_entity,
    random_bytes,
    schema_hints,
    small_cases,
    truncations,
    write_large,
    xinclude,
    xxe_file,
    xxe_http,
)

MEMORY_LIMIT = 512 << 20  # address space, which counts more than what is resident
CPU_SECONDS = 30
TIMEOUT = 60.0  # wall time: only catches a hang (a run that waits rather than computes)
CPU_SECONDS_USED = 20.0  # the run's own CPU time: other load on the machine does not count


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _lint(
    *args: str | Path, stdin: bytes = b"", cwd: Path, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_COLOR"] = "1"
    command = [*prefix, sys.executable, "-m", "exoml.lint", "--format", "json"]
    before = _children_cpu()
    run = subprocess.run(
        [*command, *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_limits,
        cwd=cwd,
        env=env,
        check=False,
    )
    used = _children_cpu() - before
    assert used < CPU_SECONDS_USED, f"took {used:.1f} s of CPU"
    return run


def _children_cpu() -> float:
    """The CPU time (user and system) of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _findings(run: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    """The JSON diagnostics of a run that ended well (exit 0 or 1, no traceback)."""
    assert run.returncode in (0, 1), (run.returncode, run.stderr[-2000:])
    assert b"Traceback" not in run.stderr, run.stderr[-2000:]
    found: list[dict[str, Any]] = json.loads(run.stdout)
    if run.returncode == 1:
        assert any(d["severity"] == "error" for d in found)
    else:
        assert not any(d["severity"] == "error" for d in found)
    for d in found:
        assert d["line"] >= 1
        assert d["column"] >= 1
        assert d["message"]
    return found


def _codes(run: subprocess.CompletedProcess[bytes]) -> set[str]:
    return {d["code"] for d in _findings(run)}


CASES = [c for c in small_cases() if not c.name.startswith("truncated-")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_hostile_file(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "input.xml"
    path.write_bytes(case.data)
    codes = _codes(_lint(path, cwd=tmp_path))
    if case.codes is None:
        assert not codes & {"EX001", "EX002", "EX003", "EX004", "EX005", "EX006"}
    elif case.codes:
        assert codes <= case.codes


def test_truncated_and_random_files_in_one_run(tmp_path: Path) -> None:
    rng = random.Random(7)
    for i, case in enumerate(truncations(VALID)):
        (tmp_path / f"t{i:04}.xml").write_bytes(case.data)
    for i in range(200):
        (tmp_path / f"r{i:04}.xml").write_bytes(random_bytes(rng, rng.randrange(1, 400)))
    found = _findings(_lint(".", cwd=tmp_path))
    failing = {Path(d["path"]).name for d in found if d["severity"] == "error"}
    truncated = {p.name for p in tmp_path.glob("t*.xml")}
    assert truncated <= failing  # every proper prefix of a document is an error


def test_standard_input(tmp_path: Path) -> None:
    assert _codes(_lint("-", stdin=gzip.compress(VALID), cwd=tmp_path)) == {"EX003"}
    assert _codes(_lint("-", stdin=b"\xef\xbb\xbf" + VALID, cwd=tmp_path)) == set()


def test_gzip_files_are_never_decompressed(tmp_path: Path) -> None:
    for name in ("flow.xml", "flow.xml.gz"):
        (tmp_path / name).write_bytes(gzip.compress(VALID))
        assert _codes(_lint(name, cwd=tmp_path)) == {"EX003"}


# --- large input --------------------------------------------------------------------


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_large(tmp_path_factory.mktemp("large"))


def test_fifty_megabytes(large: dict[str, Path], tmp_path: Path) -> None:
    path = large["50MB"]
    assert path.stat().st_size > 50_000_000
    assert _codes(_lint(path, cwd=tmp_path)) == {"EX006"}
    with path.open("rb") as f:
        run = subprocess.run(
            [sys.executable, "-m", "exoml.lint", "--format", "json", "-"],
            stdin=f,
            capture_output=True,
            timeout=TIMEOUT,
            preexec_fn=_limits,
            cwd=tmp_path,
            check=False,
        )
    assert _codes(run) == {"EX006"}
    # Asked to read it all, the linter still ends with a diagnostic (libxml2 refuses a
    # text node this long).
    cap = str(path.stat().st_size + 1)
    assert _codes(_lint("--max-bytes", cap, path, cwd=tmp_path)) == {"EX001"}


def test_hundred_thousand_levels(large: dict[str, Path], tmp_path: Path) -> None:
    path = large["deep"]
    assert _codes(_lint(path, cwd=tmp_path)) == {"EX006"}
    cap = str(path.stat().st_size)
    assert _codes(_lint("--max-bytes", cap, path, cwd=tmp_path)) == {"EX001"}


def test_one_megabyte_attribute(large: dict[str, Path], tmp_path: Path) -> None:
    good, bad = large["attribute"], large["attribute-bad"]
    assert _codes(_lint(good, cwd=tmp_path)) == {"EX006"}
    cap = str(max(good.stat().st_size, bad.stat().st_size))
    assert _codes(_lint("--max-bytes", cap, good, cwd=tmp_path)) == set()
    assert _codes(_lint("--max-bytes", cap, bad, cwd=tmp_path)) == {"EX301"}


# --- nothing read, nothing fetched ----------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    token = f"SECRET-{uuid.uuid4().hex}"
    path = tmp_path / "secret.txt"
    path.write_text(token)
    return path, token


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    yield server
    server.close()


def _assert_no_connection(server: socket.socket) -> None:
    try:
        conn, peer = server.accept()
    except TimeoutError:
        return
    conn.close()
    pytest.fail(f"something connected from {peer}")


def _file_attacks(path: Path) -> list[bytes]:
    url = f"file://{path}"
    return [
        xxe_file(path),
        external_dtd(url),
        parameter_entity(url),
        xinclude(url),
        schema_hints(url),
        b"\xef\xbb\xbf  \n" + xxe_file(path),
    ]


def _http_attacks(port: int) -> list[bytes]:
    url = f"http://127.0.0.1:{port}/x"
    return [
        xxe_http(port),
        external_dtd(url),
        parameter_entity(url),
        xinclude(url),
        schema_hints(url),
    ]


def test_external_files_are_never_read(secret: tuple[Path, str], tmp_path: Path) -> None:
    path, token = secret
    for i, data in enumerate(_file_attacks(path)):
        doc = tmp_path / f"attack{i}.xml"
        doc.write_bytes(data)
        run = _lint(doc, cwd=tmp_path)
        _findings(run)
        assert token.encode() not in run.stdout + run.stderr
        fixed = _lint("--fix", doc, cwd=tmp_path)
        assert token.encode() not in fixed.stdout + fixed.stderr + doc.read_bytes()


def test_no_connection_is_opened(listener: socket.socket, tmp_path: Path) -> None:
    port = listener.getsockname()[1]
    for i, data in enumerate(_http_attacks(port)):
        doc = tmp_path / f"attack{i}.xml"
        doc.write_bytes(data)
        _findings(_lint(doc, cwd=tmp_path))
        _assert_no_connection(listener)


def test_the_engine_reads_and_fetches_nothing(
    secret: tuple[Path, str], listener: socket.socket
) -> None:
    path, token = secret
    port = listener.getsockname()[1]
    for data in [*_file_attacks(path), *_http_attacks(port)]:
        report = check_bytes(data)
        assert token not in repr(report)
        # Even past the DOCTYPE check, the parser alone loads and expands nothing.
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            continue
        assert token.encode() not in etree.tostring(root)
    _assert_no_connection(listener)


def _strace() -> str | None:
    tool = shutil.which("strace")
    if tool is None:
        return None
    probe = subprocess.run(
        [tool, "-f", "-qq", "-o", os.devnull, "true"], capture_output=True, check=False
    )
    return tool if probe.returncode == 0 else None


@pytest.mark.skipif(_strace() is None, reason="strace is not installed or not permitted")
def test_system_calls_touch_nothing_else(
    secret: tuple[Path, str], listener: socket.socket, tmp_path: Path
) -> None:
    path, _ = secret
    port = listener.getsockname()[1]
    docs = []
    for i, data in enumerate([*_file_attacks(path), *_http_attacks(port)]):
        doc = tmp_path / f"attack{i}.xml"
        doc.write_bytes(data)
        docs.append(doc)
    log = tmp_path / "strace.log"
    tool = _strace()
    assert tool is not None
    prefix = (tool, "-f", "-qq", "-e", "trace=open,openat,openat2,connect", "-o", str(log))
    _findings(_lint(*docs, cwd=tmp_path, prefix=prefix))
    calls = log.read_text(errors="replace")
    assert str(path) not in calls
    assert "connect(" not in calls
    assert all(str(d) in calls for d in docs)  # the files it was asked to read, it read


# --- what a directory walk may open ---------------------------------------------------
# Files a pull request can plant in a linted directory: git stores symbolic links, and a
# checkout recreates them. Both tests fail today (see the reason); when the directory walk
# is fixed, they pass and the markers go.


def test_a_symlink_out_of_the_tree_is_not_read(secret: tuple[Path, str], tmp_path: Path) -> None:
    path, token = secret
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "ok.xml").write_bytes(VALID)
    (tree / "flow.xml").symlink_to(path)
    run = _lint("--format", "text", tree, cwd=tmp_path)  # text shows source lines
    assert run.returncode in (0, 1)
    assert token.encode() not in run.stdout + run.stderr


def test_a_fifo_in_the_tree_does_not_block(tmp_path: Path) -> None:
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "ok.xml").write_bytes(VALID)
    os.mkfifo(tree / "pipe.xml")
    try:
        run = subprocess.run(
            [sys.executable, "-m", "exoml.lint", "--format", "json", str(tree)],
            capture_output=True,
            timeout=5,
            preexec_fn=_limits,
            cwd=tmp_path,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the linter blocked on a FIFO")
    _findings(run)
