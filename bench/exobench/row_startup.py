"""Start-up: ``python -m exoml.lint one.xml`` vs ``python -c "import lxml.etree"``.

Linting one file cannot be cheaper than starting Python and loading libxml2, so the
baseline is exactly that: the same interpreter, the same environment, importing the one
module exoml needs. Whole processes, alternating, after warm-up runs (bytecode caches).
"""

from __future__ import annotations

import re
import subprocess

from .harness import (
    CheckFailed,
    Context,
    RowResult,
    Target,
    fmt_time,
    median_seconds,
    run_process,
)
from .row_lint import lint_available


def import_profile(ctx: Context, top: int = 12) -> list[str]:
    """The modules with the largest own import time when linting one file."""
    corpus = ctx.corpus()
    proc = subprocess.run(
        [ctx.python, "-X", "importtime", "-m", "exoml.lint", str(corpus.one)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=ctx.env(),
    )
    rows: list[tuple[int, int, str]] = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m[2]), int(m[1]), m[3] + m[4]))
    total_modules = len(rows)
    total_own = sum(own for _, own, _ in rows)
    rows.sort(key=lambda r: r[1], reverse=True)  # by own time: where to act
    out = [f"{total_modules} modules imported, {total_own / 1000:.1f} ms of import time in all"]
    out += [
        f"{cum / 1000:.1f} ms cumulative, {own / 1000:.1f} ms own: {name.strip()}"
        for cum, own, name in rows[:top]
    ]
    return out


def run(ctx: Context) -> list[RowResult]:
    row = RowResult(
        key="startup",
        comparison='start-up: python -m exoml.lint one.xml vs python -c "import lxml.etree"',
        baseline_name='python -c "import lxml.etree"',
        ratio_meaning="exoml time / baseline time",
        target=Target("<=", 1.5, "within 1.5x"),
    )
    ctx.register(row)
    why = lint_available(ctx)
    if why:
        row.status, row.note = "not available", why
        return [row]
    corpus = ctx.corpus()
    cwd = corpus.one.parent
    env = ctx.env()
    out = ctx.work / "out"
    lint_cmd = [ctx.python, "-m", "exoml.lint", corpus.one.name]
    base_cmd = [ctx.python, "-c", "import lxml.etree"]

    def lint() -> int:
        r = run_process(lint_cmd, cwd=cwd, out_dir=out / "startup-lint", env=env, timeout=60)
        if r.returncode != 0 or "EX" in r.stdout:
            raise CheckFailed(f"exoml.lint exited {r.returncode} on a clean file: {r.stdout[:200]}")
        return r.wall_ns

    def base() -> int:
        r = run_process(base_cmd, cwd=cwd, out_dir=out / "startup-base", env=env, timeout=60)
        if r.returncode != 0:
            raise CheckFailed(f"import lxml.etree failed: {r.stderr[-200:]}")
        return r.wall_ns

    for _ in range(2):
        lint()
        base()
    row.checks.append(
        "exoml.lint exits 0 and reports nothing on the clean file, every run; the baseline exits 0"
    )
    reps = ctx.reps(21, 3)
    t_lint: list[int] = []
    t_base: list[int] = []
    for rep in range(reps):
        if rep % 2:
            t_base.append(base())
            t_lint.append(lint())
        else:
            t_lint.append(lint())
            t_base.append(base())
    row.exoml = fmt_time(median_seconds(t_lint))
    row.baseline = fmt_time(median_seconds(t_base))
    row.details.update(exoml_ns=t_lint, baseline_ns=t_base)
    row.finish([e / b for e, b in zip(t_lint, t_base, strict=True)])
    if not row.met:
        row.details["profile"] = import_profile(ctx)
    return [row]
