"""Timing, statistics and the result record shared by every comparison.

Every row is a ratio against a baseline measured in the same run: repetitions alternate
between the two sides (A B, B A, A B, ...) so that drift in the machine's speed lands on
both, and the row reports the median of the per-repetition ratios with their spread.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from .corpus import Corpus
from .corpus import build as build_corpus

Status = Literal["ok", "not available", "error"]


class NotAvailable(Exception):
    """The part of exoml a row needs does not exist yet (or a tool is missing)."""


class CheckFailed(Exception):
    """A side did not do the real work (wrong output, wrong exit code, ...)."""


@dataclass(frozen=True)
class Target:
    """What a row must satisfy: ``x >= value`` or ``x <= value`` (or ``<``).

    ``x`` is the median ratio, or, when ``on`` is ``"exoml"``, exoml's own figure (for
    absolute targets such as peak memory, where the baseline is shown for scale only).
    """

    op: Literal[">=", "<=", "<"]
    value: float
    text: str
    on: Literal["ratio", "exoml"] = "ratio"

    def met(self, x: float) -> bool:
        if self.op == ">=":
            return x >= self.value
        if self.op == "<=":
            return x <= self.value
        return x < self.value


@dataclass
class Spread:
    """Summary of the per-repetition ratios."""

    median: float
    p25: float
    p75: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no values")
        ordered = sorted(values)
        if len(ordered) >= 2:
            q = statistics.quantiles(ordered, n=4, method="inclusive")
            p25, p75 = q[0], q[2]
        else:
            p25 = p75 = ordered[0]
        return cls(statistics.median(ordered), p25, p75, ordered[0], ordered[-1], len(ordered))


@dataclass
class RowResult:
    """One line of the table, and everything needed to trust it."""

    key: str
    comparison: str
    baseline_name: str
    ratio_meaning: str
    target: Target
    status: Status = "ok"
    note: str = ""
    baseline: str = ""  # the baseline's median, formatted with its unit
    exoml: str = ""  # exoml's median, formatted with its unit
    ratio: Spread | None = None
    ratios: list[float] = field(default_factory=list)
    met: bool | None = None
    checks: list[str] = field(default_factory=list)  # what was verified, in words
    context: list[str] = field(default_factory=list)  # other figures of this run, in words
    details: dict[str, Any] = field(default_factory=dict)

    def finish(
        self, ratios: Sequence[float], *, extra_ok: bool = True, exoml_value: float | None = None
    ) -> None:
        """Record the per-repetition ratios and decide whether the target is met.

        ``extra_ok`` is False when a condition of the target beyond the figure failed
        (for example, a check the builder must still run); ``exoml_value`` is exoml's
        own figure for targets on it rather than on the ratio.
        """
        self.ratios = [round(r, 4) for r in ratios]
        self.ratio = Spread.of(ratios)
        if self.target.on == "exoml":
            if exoml_value is None:
                raise ValueError("an absolute target needs exoml_value")
            figure = exoml_value
        else:
            figure = self.ratio.median
        self.met = self.target.met(figure) and extra_ok

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = asdict(self.target)
        return data


def alternate(
    side_a: Callable[[], object],
    side_b: Callable[[], object],
    repetitions: int,
    *,
    collect: bool = True,
) -> tuple[list[int], list[int]]:
    """Run ``side_a`` and ``side_b`` alternately; return the nanoseconds of each run.

    The order flips every repetition (A B, B A, ...) so neither side always runs second,
    in the warmer or the hotter machine. A garbage collection before each timed run
    starts both from the same heap state; collections during the run are part of the
    work (a builder that allocates a lot pays for it).
    """
    times_a: list[int] = []
    times_b: list[int] = []
    for rep in range(repetitions):
        order = ((side_a, times_a), (side_b, times_b))
        if rep % 2:
            order = (order[1], order[0])
        for fn, sink in order:
            if collect:
                gc.collect()
            start = time.perf_counter_ns()
            fn()
            sink.append(time.perf_counter_ns() - start)
    return times_a, times_b


def alternate_many(
    sides: Sequence[Callable[[], object]], repetitions: int, *, blocks: int = 1
) -> list[list[int]]:
    """Like :func:`alternate` for any number of sides: the order rotates each time.

    With ``blocks`` > 1, each repetition of a side is ``blocks`` calls of it, interleaved
    with the other sides' calls and summed: a burst of load from elsewhere on the machine
    then falls on every side of that repetition, not on one.
    """
    times: list[list[int]] = [[] for _ in sides]
    n = len(sides)
    for rep in range(repetitions):
        sums = [0] * n
        for block in range(blocks):
            for j in range(n):
                i = (rep + block + j) % n
                if block == 0:
                    gc.collect()
                start = time.perf_counter_ns()
                sides[i]()
                sums[i] += time.perf_counter_ns() - start
        for i in range(n):
            times[i].append(sums[i])
    return times


def calibrate(fn: Callable[[int], object], min_seconds: float, *, limit: int = 1 << 22) -> int:
    """The number of iterations for which ``fn(n)`` takes at least ``min_seconds``."""
    n = 1
    while n < limit:
        start = time.perf_counter()
        fn(n)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return n
        # Aim a little past the goal, at most 10x per step.
        n = max(n + 1, min(n * 10, int(n * min_seconds / max(elapsed, 1e-9) * 1.2)))
    return limit


@dataclass
class ProcessRun:
    """A finished child process: exit code, wall time and its output."""

    returncode: int
    wall_ns: int
    stdout: str
    stderr: str


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    out_dir: Path,
    env: dict[str, str] | None = None,
    timeout: float = 300.0,
) -> ProcessRun:
    """Run one command to completion and time it.

    Output goes to files (not pipes) so that neither side is slowed by a reader. (The
    peak RSS that ``wait4`` reports here would be wrong: see :func:`peak_rss`.)
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path = out_dir / "stdout.txt"
    err_path = out_dir / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter_ns()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env
        )
        # A blocking wait4 times the child exactly; a timer kills it if it hangs.
        watchdog = threading.Timer(timeout, proc.kill)
        watchdog.start()
        try:
            _, status, _ = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        wall = time.perf_counter_ns() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode == -9:
        raise CheckFailed(f"{argv[0]} killed after {timeout:.0f} s")
    return ProcessRun(
        proc.returncode,
        wall,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


# Forks and execs a command from a small process and writes the child's own peak RSS.
# Linux carries the high-water mark of the memory a process had before exec over to the
# program it execs; a child forked from the benchmark itself would report at least the
# benchmark's size. Forked from this spawner, the floor is the spawner's few MB.
SPAWNER = """
import os, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(report, "w") as f:
    f.write(f"{usage.ru_maxrss} {code}")
sys.exit(code if 0 <= code < 256 else 255)
"""


def peak_rss(
    argv: Sequence[str], *, python: str, cwd: Path, out_dir: Path, env: dict[str, str]
) -> tuple[int, int]:
    """Run ``argv`` to completion from a small spawner; return (peak RSS in KiB, exit code)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = out_dir / "maxrss.txt"
    report.unlink(missing_ok=True)
    run_process(
        [python, "-S", "-c", SPAWNER, str(report), *argv], cwd=cwd, out_dir=out_dir, env=env
    )
    try:
        kb, code = report.read_text().split()
    except (OSError, ValueError) as exc:
        raise CheckFailed(f"the RSS spawner failed for {argv[0]}") from exc
    return int(kb), int(code)


def fmt_time(seconds: float) -> str:
    """A duration with a readable unit."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def median_seconds(times_ns: Sequence[int], per: int = 1) -> float:
    """The median of ``times_ns`` in seconds, divided by ``per`` operations."""
    return statistics.median(times_ns) / 1e9 / per


def write_text(stream: IO[str], text: str) -> None:
    stream.write(text)
    stream.flush()


@dataclass
class Context:
    """What every row needs: where things are and how hard to try."""

    repo: Path
    work: Path  # scratch space (bench/.work by default), never committed
    python: str  # the interpreter that runs exoml (this one)
    quick: bool = False
    corpus_size: int = 10_000
    _corpus: Corpus | None = field(default=None, repr=False)
    # The rows of the group now running, so that a crash still reports them.
    current: list[RowResult] = field(default_factory=list, repr=False)

    def register(self, *rows: RowResult) -> list[RowResult]:
        self.current.extend(rows)
        return list(rows)

    def corpus(self) -> Corpus:
        """The lint corpus, written on first use."""
        if self._corpus is None:
            self._corpus = build_corpus(self.work, self.corpus_size)
        return self._corpus

    def reps(self, full: int, quick: int = 2) -> int:
        return quick if self.quick else full

    def compile_package(self) -> None:
        """Write exoml's bytecode caches before timing a process that imports it.

        An installed package ships its ``.pyc`` files, and the baselines' modules (lxml,
        the standard library) have theirs. A warm-up run does not create exoml's when
        PYTHONDONTWRITEBYTECODE is set, and then every timed run would compile exoml's
        modules from source. ``compileall`` writes the caches whatever that variable says.
        """
        subprocess.run(
            [self.python, "-m", "compileall", "-q", str(self.repo / "exoml")],
            capture_output=True,
            timeout=300,
            check=True,
            env=self.env(),
        )

    def env(self) -> dict[str, str]:
        """The environment for child processes: this one, minus what would skew timing."""
        env = dict(os.environ)
        for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONTRACEMALLOC", "PYTHONDEVMODE"):
            env.pop(name, None)
        return env


def _top_functions(stats: Any, top: int) -> list[str]:
    """The functions with the most own time, as readable lines."""
    entries = []
    total = 0.0
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        total += tottime
        entries.append((tottime, cumtime, ncalls, filename, line, name))
    entries.sort(reverse=True)
    out = []
    for tottime, cumtime, ncalls, filename, line, name in entries[:top]:
        where = name if filename == "~" else f"{name} ({_short(filename)}:{line})"
        share = 100 * tottime / total if total else 0.0
        out.append(
            f"{share:4.1f}% own, {cumtime * 1e3:7.1f} ms cumulative, {ncalls:>7} calls: {where}"
        )
    return out


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/lib/python3", "/exoml/"):
        if marker in filename:
            rest = filename.split(marker, 1)[1]
            return ("exoml/" + rest) if marker == "/exoml/" else rest
    return os.path.basename(filename)


def profile_call(fn: Callable[[], object], top: int = 10) -> list[str]:
    """Run ``fn`` once under cProfile; the top functions by own time."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    return _top_functions(pstats.Stats(prof), top)


def profile_process(
    python: str,
    args: Sequence[str],
    *,
    cwd: Path,
    out_dir: Path,
    env: dict[str, str],
    top: int = 12,
) -> list[str]:
    """Run ``python -m cProfile -m ARGS`` once; the top functions by own time."""
    import pstats

    out_dir.mkdir(parents=True, exist_ok=True)
    prof = out_dir / "profile.out"
    prof.unlink(missing_ok=True)
    run_process(
        [python, "-m", "cProfile", "-o", str(prof), *args], cwd=cwd, out_dir=out_dir, env=env
    )
    if not prof.exists():
        return ["(the profiled run wrote no profile)"]
    return _top_functions(pstats.Stats(str(prof)), top)


def _busy_seconds() -> float | None:
    """CPU time the whole machine has spent busy, from /proc/stat (None elsewhere)."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    values = [int(v) for v in fields[1:9]]
    busy = sum(values) - values[3] - values[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU time of this process and of the children it has waited for."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class OtherLoad:
    """How many cores other work on the machine kept busy while a row ran.

    The benchmark cannot stop other processes; it can say when they were there. Machine
    busy time (/proc/stat) minus this process tree's own CPU time, over the wall time.
    """

    def __init__(self) -> None:
        self._busy = _busy_seconds()
        self._own = _own_seconds()
        self._wall = time.perf_counter()

    def cores(self) -> float | None:
        busy = _busy_seconds()
        if busy is None or self._busy is None:
            return None
        wall = time.perf_counter() - self._wall
        if wall <= 0:
            return None
        others = (busy - self._busy) - (_own_seconds() - self._own)
        return max(others, 0.0) / wall
