"""Smoke test of the benchmark harness: ``bench/run.py --quick`` on tiny inputs.

It asserts no timings (a loaded CI machine says nothing about exoml's speed), only that
every row runs through the harness and the JSON and Markdown outputs are well formed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
STATUSES = {"ok", "not available", "error"}


def _run(tmp_path: Path, rows: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out_json = tmp_path / "latest.json"
    out_md = tmp_path / "performance.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--quick",
            "--rows",
            rows,
            "--corpus-size",
            "200",
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(out_json),
            "--markdown",
            str(out_md),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    # A failed check is a row's status; an exception means the harness (or the API it
    # drives) changed under it, which is what this test is here to catch.
    assert "Traceback" not in proc.stderr, proc.stderr
    data: dict[str, Any] = json.loads(out_json.read_text(encoding="utf-8"))
    page = out_md.read_text(encoding="utf-8")
    assert page.startswith("# Performance")
    assert "| comparison | baseline | exoml |" in page
    assert "## The machine" in page
    return proc, data


def _check_rows(data: dict[str, Any], keys: list[str]) -> None:
    assert data["quick"] is True
    assert {"cpu", "cores", "python", "lxml", "libxml2", "xmllint"} <= set(data["machine"])
    assert [row["key"] for row in data["rows"]] == keys
    for row in data["rows"]:
        assert row["status"] in STATUSES, row
        assert row["comparison"]
        assert row["target"]["op"] in (">=", "<=", "<")
        if row["status"] == "ok":
            assert row["ratios"], row
            assert all(r > 0 for r in row["ratios"])
            ratio = row["ratio"]
            assert ratio["low"] <= ratio["p25"] <= ratio["median"] <= ratio["p75"] <= ratio["high"]
            assert isinstance(row["met"], bool)
            assert row["baseline"]
            assert row["exoml"]
            assert row["checks"], "every measured row says what it verified"
        else:
            assert row["note"], "a row that was not measured says why"


def test_quick_run_in_process_and_subprocess_rows(tmp_path: Path) -> None:
    keys = ["build_twilio", "build_floor", "validate", "lint", "lint_j2", "lint_memory"]
    proc, data = _run(tmp_path, ",".join(keys))
    _check_rows(data, keys)
    for key in keys:
        assert key in proc.stdout or any(r["comparison"] in proc.stdout for r in data["rows"])
    assert proc.returncode == (1 if any(r["status"] == "error" for r in data["rows"]) else 0)

    # --render rebuilds the same page from the results file alone.
    again = tmp_path / "again.md"
    render = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--render",
            str(tmp_path / "latest.json"),
            "--markdown",
            str(again),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert render.returncode == 0, render.stderr
    assert again.read_text(encoding="utf-8") == (tmp_path / "performance.md").read_text(
        encoding="utf-8"
    )


def test_quick_run_start_up_and_client_rows(tmp_path: Path) -> None:
    keys = ["startup", "client_sequential", "client_async"]
    proc, data = _run(tmp_path, ",".join(keys))
    _check_rows(data, keys)
    assert proc.returncode == (1 if any(r["status"] == "error" for r in data["rows"]) else 0)


def test_quick_run_events_delivery_row(tmp_path: Path) -> None:
    _, data = _run(tmp_path, "events_delivery")
    _check_rows(data, ["events_delivery"])
    [row] = data["rows"]
    if row["status"] == "not available":
        return
    # A correctness row: whatever the timings, no event is lost or handled twice.
    assert row["status"] == "ok", row["note"]
    assert row["met"] is True, row["exoml"]
    assert row["exoml"].startswith("0 lost, 0 handled twice")
    [faulty] = row["details"]["with_failures"]
    assert faulty["lost_requests"] > 0
    assert faulty["lost_answers"] > 0
    assert faulty["duplicates_dropped"] == faulty["lost_answers"]


def test_unknown_row_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--rows", "no_such_row"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "unknown rows" in proc.stderr
