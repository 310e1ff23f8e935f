"""Side-by-side benchmarks of exoml: ``make bench`` runs this.

Prints one table of ratios against baselines measured in the same run, and writes it to
``bench/results/latest.json`` and ``docs/performance.md``. ``--quick`` is a smoke run of
every row in seconds, written to ``bench/.work/quick/`` unless told otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from exobench import (
    row_build,
    row_client,
    row_events,
    row_lint,
    row_receiver,
    row_startup,
    row_validate,
)
from exobench.harness import (
    CheckFailed,
    Context,
    NotAvailable,
    OtherLoad,
    RowResult,
    Status,
    Target,
)
from exobench.machine import describe
from exobench.report import load_json, text_table, write_json, write_markdown

REPO = Path(__file__).resolve().parent.parent

# Each group measures one or more rows; the keys are what --rows selects.
GROUPS: tuple[tuple[tuple[str, ...], Callable[[Context], list[RowResult]]], ...] = (
    (("build_twilio", "build_floor"), row_build.run),
    (("validate",), row_validate.run),
    (("lint", "lint_j2", "lint_memory"), row_lint.run),
    (("startup",), row_startup.run),
    (("client_sequential",), row_client.run_sequential),
    (("client_async",), row_client.run_async),
    (("receiver",), row_receiver.run),
    (("events_delivery",), row_events.run),
)
ALL_KEYS = tuple(k for keys, _ in GROUPS for k in keys)


def run_group(
    keys: Sequence[str], fn: Callable[[Context], list[RowResult]], ctx: Context
) -> list[RowResult]:
    """Run one group; a missing part or a failed check becomes a row status, not a crash."""
    ctx.current = []
    other = OtherLoad()
    try:
        rows = fn(ctx)
        _note_load(rows, other.cores())
        return rows
    except NotAvailable as exc:
        status: Status = "not available"
        note = str(exc)
    except CheckFailed as exc:
        status, note = "error", f"check failed: {exc}"
    except Exception as exc:  # a bug in exoml or here: report it, keep the table
        sys.stderr.write("\n" + traceback.format_exc())
        status = "error"
        note = traceback.format_exception_only(type(exc), exc)[-1].strip()
    rows = ctx.current or [
        RowResult(key=k, comparison=k, baseline_name="", ratio_meaning="", target=_NONE)
        for k in keys
    ]
    for row in rows:
        if row.status == "ok" and row.ratio is None:  # rows finished before the failure stay
            row.status, row.note = status, note
    return rows


def _note_load(rows: Sequence[RowResult], cores: float | None) -> None:
    """Record how busy other work kept the machine while these rows ran."""
    if cores is None:
        return
    for row in rows:
        row.details["other_load_cores"] = round(cores, 2)
        if row.status == "ok" and cores >= 0.1:
            row.context.append(
                f"other work on the machine kept {cores:.2f} of its cores busy on average "
                "while this row ran"
            )


_NONE = Target(">=", 0.0, "—")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="few repetitions, small inputs")
    p.add_argument("--rows", help="comma-separated row keys (default: all); see --list")
    p.add_argument("--list", action="store_true", help="list the row keys and exit")
    p.add_argument("--work", type=Path, help="scratch directory (default bench/.work)")
    p.add_argument("--json", type=Path, help="where to write the JSON results")
    p.add_argument("--markdown", type=Path, help="where to write the Markdown page")
    p.add_argument("--corpus-size", type=int, help="files in the lint corpus (default 10000)")
    p.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="measure nothing: print the table of a results file and rewrite its page "
        "(--markdown, default docs/performance.md)",
    )
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print("\n".join(ALL_KEYS))
        return 0
    if args.render:
        meta, old_rows = load_json(args.render)
        md = args.markdown or REPO / "docs" / "performance.md"
        sys.stdout.write(text_table(old_rows))
        write_markdown(md, meta, old_rows)
        sys.stdout.write(f"\nwrote {_show(md)} from {_show(args.render)}\n")
        return 0
    wanted = set(args.rows.split(",")) if args.rows else set(ALL_KEYS)
    unknown = wanted - set(ALL_KEYS)
    if unknown:
        sys.stderr.write(f"unknown rows: {', '.join(sorted(unknown))} (see --list)\n")
        return 2
    work = (args.work or REPO / "bench" / ".work").resolve()
    # Only a full run of every row replaces the published figures; a quick or partial run
    # writes beside the corpus unless told where.
    published = not args.quick and wanted == set(ALL_KEYS)
    scratch = work / ("quick" if args.quick else "partial")
    json_path = args.json or (
        REPO / "bench" / "results" / "latest.json" if published else scratch / "latest.json"
    )
    md_path = args.markdown or (
        REPO / "docs" / "performance.md" if published else scratch / "performance.md"
    )
    size = args.corpus_size or (1_000 if args.quick else 10_000)
    ctx = Context(repo=REPO, work=work, python=sys.executable, quick=args.quick, corpus_size=size)

    load_before = _load()
    started = time.perf_counter()
    rows: list[RowResult] = []
    for keys, fn in GROUPS:
        if not wanted.intersection(keys):
            continue
        t0 = time.perf_counter()
        sys.stderr.write(f"bench: {', '.join(keys)} ...")
        sys.stderr.flush()
        got = [r for r in run_group(keys, fn, ctx) if r.key in wanted]
        sys.stderr.write(f" {time.perf_counter() - t0:.1f} s\n")
        rows.extend(got)
    elapsed = time.perf_counter() - started

    run = {
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "elapsed_s": round(elapsed, 1),
        "corpus_files": size,
        "load_average_1min": {"before": load_before, "after": _load()},
        "machine": describe(REPO),
    }
    table = text_table(rows)
    sys.stdout.write("\n" + table)
    failed = any(r.status == "error" for r in rows)
    if published and failed and args.json is None and args.markdown is None:
        # The published page holds complete runs only; a run with a failed check is kept
        # beside the corpus for inspection.
        json_path = work / "failed" / "latest.json"
        md_path = work / "failed" / "performance.md"
        sys.stdout.write("\na check failed: the published results were left as they were\n")
    write_json(json_path, run, rows)
    write_markdown(md_path, run, rows)
    sys.stdout.write(f"\nwrote {_show(json_path)} and {_show(md_path)} ({elapsed:.0f} s)\n")
    return 1 if failed else 0


def _load() -> float | None:
    """The 1-minute load average: other work on the machine shows up in it."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
