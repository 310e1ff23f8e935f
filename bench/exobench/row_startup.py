"""Start-up: ``python -m exoml.lint one.xml`` vs ``python -c "import lxml.etree"``.

Linting one file cannot be cheaper than starting Python and loading libxml2, so the
baseline is exactly that: the same interpreter, the same environment, importing the one
module exoml needs. Whole processes, alternating, after warm-up runs; exoml's bytecode
is compiled beforehand (see ``Context.compile_package``), as lxml's is.
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


def _import_times(ctx: Context, argv: list[str]) -> dict[str, int]:
    """Own import time (µs) of every module ``python -X importtime ARGV`` imports; the
    median of three runs, so one slow moment does not put a module on top."""
    runs: list[dict[str, int]] = []
    for _ in range(3):
        proc = subprocess.run(
            [ctx.python, "-X", "importtime", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=ctx.env(),
            cwd=ctx.corpus().one.parent,
        )
        own: dict[str, int] = {}
        for line in proc.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
            if m:
                own[m[3]] = int(m[1])
        runs.append(own)
    names = set().union(*runs)
    return {n: sorted(r.get(n, 0) for r in runs)[1] for n in names}


def import_profile(ctx: Context, top: int = 12) -> list[str]:
    """What linting one file imports beyond ``import lxml.etree``, by own import time."""
    lint = _import_times(ctx, ["-m", "exoml.lint", ctx.corpus().one.name])
    base = _import_times(ctx, ["-c", "import lxml.etree"])
    extra = {n: t for n, t in lint.items() if n not in base}
    ranked = sorted(extra.items(), key=lambda kv: kv[1], reverse=True)
    out = [
        f"the lint imports {len(lint)} modules, the baseline {len(base)}; the "
        f"{len(extra)} more take {sum(extra.values()) / 1000:.1f} ms of own import time "
        f"(the baseline's all take {sum(base.values()) / 1000:.1f} ms; -X importtime "
        "inflates both)"
    ]
    out += [f"{t / 1000:5.1f} ms own: {name}" for name, t in ranked[:top]]
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
