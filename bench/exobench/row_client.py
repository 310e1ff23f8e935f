"""The client rows: ``LegsClient.send`` vs raw ``httpx``, and async concurrency.

Both sides of each row hit the same local server (``fastserver.py``, in its own process,
on 127.0.0.1) with the same path, the same Basic auth and the same JSON body; the server
counts every distinct request it receives, so after the run the harness proves that every
request of both sides was identical and accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .corpus import TYPICAL
from .harness import (
    CheckFailed,
    Context,
    NotAvailable,
    RowResult,
    Target,
    alternate,
    fmt_time,
    median_seconds,
)

ACCOUNT_SID = "benchaccount"
API_KEY = "bench-key"
API_TOKEN = "bench-token"
LEG_SID = "leg-0123456789abcdef"
DOCUMENT = TYPICAL.strip()


@contextlib.contextmanager
def local_server(delay_ms: float, max_seconds: float = 600.0) -> Iterator[str]:
    """Run ``fastserver.py`` in its own process; yield its base URL."""
    script = Path(__file__).with_name("fastserver.py")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            "--account-sid",
            ACCOUNT_SID,
            "--api-key",
            API_KEY,
            "--api-token",
            API_TOKEN,
            "--delay-ms",
            str(delay_ms),
            "--max-seconds",
            str(max_seconds),
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise CheckFailed(f"the local server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _admin(base: str, path: str, method: str = "GET") -> dict[str, Any]:
    req = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
    return data


def stats(base: str) -> dict[str, Any]:
    return _admin(base, "/__stats")


def reset(base: str) -> None:
    _admin(base, "/__reset", "POST")


def actions_url(base: str) -> str:
    return f"{base}/v2/accounts/{ACCOUNT_SID}/legs/{LEG_SID}/actions"


def _the_one_request(base: str, expected: int, what: str) -> dict[str, Any]:
    """Check the server saw ``expected`` requests, all accepted and all identical."""
    s = stats(base)
    distinct = s["distinct"]
    if s["requests"] != expected or len(distinct) != 1:
        raise CheckFailed(
            f"{what}: server saw {s['requests']} requests ({len(distinct)} distinct), "
            f"expected {expected} identical ones"
        )
    entry: dict[str, Any] = next(iter(distinct.values()))
    if entry["count"] != expected:
        raise CheckFailed(f"{what}: only {entry['count']} of {expected} requests were accepted")
    return {"key": next(iter(distinct)), **entry}


def _client_classes() -> tuple[Any, Any]:
    try:
        import exoml
    except ImportError as exc:
        raise NotAvailable(f"exoml is not importable ({exc})") from exc
    sync = getattr(exoml, "LegsClient", None)
    async_ = getattr(exoml, "AsyncLegsClient", None)
    return sync, async_


def _make(cls: Any, base: str) -> Any:
    return cls(ACCOUNT_SID, API_KEY, API_TOKEN, base_url=base)


def run_sequential(ctx: Context) -> list[RowResult]:
    row = RowResult(
        key="client_sequential",
        comparison="2,000 sequential LegsClient.send to a local server vs raw httpx.Client.post",
        baseline_name="httpx.Client.post(json=same body, auth=same) + status check + .json()",
        ratio_meaning="exoml time / httpx time",
        target=Target("<=", 1.2, "within 1.2x"),
    )
    ctx.register(row)
    sync_cls, _ = _client_classes()
    if sync_cls is None:
        row.status, row.note = "not available", "exoml.LegsClient does not exist yet"
        return [row]
    import httpx

    sends = 200 if ctx.quick else 2_000
    reps = ctx.reps(5, 2)
    with local_server(delay_ms=0) as base:
        client = _make(sync_cls, base)
        url = actions_url(base)
        # The client's own request, as the server received it: the baseline sends the same.
        reset(base)
        answer = client.send(LEG_SID, DOCUMENT)
        theirs = _the_one_request(base, 1, "LegsClient.send")
        payload = theirs["payload"]
        if payload.get("exoml") != DOCUMENT:
            raise CheckFailed(f"LegsClient sent a different document: {payload!r}")
        row.checks.append(
            f"LegsClient.send returned {type(answer).__name__}; the server accepted its request"
        )
        raw = httpx.Client(auth=(API_KEY, API_TOKEN))

        def raw_send() -> Any:
            r = raw.post(url, json=payload)
            if r.status_code != 202:
                raise CheckFailed(f"raw httpx got {r.status_code}")
            return r.json()

        reset(base)
        raw_send()
        ours = _the_one_request(base, 1, "httpx.Client.post")
        if ours["key"] != theirs["key"]:
            raise CheckFailed(f"the baseline's request differs: {ours} vs {theirs}")
        row.checks.append("both sides' requests have the same path, auth and JSON body")

        def exoml_batch() -> None:
            for _ in range(sends):
                client.send(LEG_SID, DOCUMENT)

        def raw_batch() -> None:
            for _ in range(sends):
                raw_send()

        warm = min(sends, 200)
        for _ in range(warm):
            client.send(LEG_SID, DOCUMENT)
            raw_send()
        reset(base)
        t_exoml, t_raw = alternate(exoml_batch, raw_batch, reps)
        _the_one_request(base, 2 * sends * reps, "both sides")
        row.checks.append(f"all {2 * sends * reps} timed requests were accepted and identical")
        for closer in (client, raw):
            close = getattr(closer, "close", None)
            if close is not None:
                close()
    row.exoml = fmt_time(median_seconds(t_exoml, sends)) + "/send"
    row.baseline = fmt_time(median_seconds(t_raw, sends)) + "/send"
    row.details.update(
        sends=sends, exoml_ns=t_exoml, httpx_ns=t_raw, body_bytes=theirs["body_bytes"]
    )
    row.finish([e / r for e, r in zip(t_exoml, t_raw, strict=True)])
    return [row]


def run_async(ctx: Context) -> list[RowResult]:
    delay_ms = 10.0
    row = RowResult(
        key="client_async",
        comparison="AsyncLegsClient: 50 sends in flight vs sequential sends",
        baseline_name=f"the same client, one send at a time (server latency {delay_ms:g} ms)",
        ratio_meaning="throughput in flight / throughput sequential",
        target=Target(">=", 4.0, ">= 4x the throughput"),
    )
    ctx.register(row)
    _, async_cls = _client_classes()
    if async_cls is None:
        row.status, row.note = "not available", "exoml.AsyncLegsClient does not exist yet"
        return [row]
    sends = 50 if ctx.quick else 400
    reps = ctx.reps(5, 2)
    in_flight = 50

    async def main(base: str) -> tuple[list[int], list[int]]:
        client = _make(async_cls, base)
        try:
            sem = asyncio.Semaphore(in_flight)

            async def one() -> None:
                async with sem:
                    await client.send(LEG_SID, DOCUMENT)

            async def concurrent() -> int:
                start = time.perf_counter_ns()
                await asyncio.gather(*(one() for _ in range(sends)))
                return time.perf_counter_ns() - start

            async def sequential() -> int:
                start = time.perf_counter_ns()
                for _ in range(sends):
                    await client.send(LEG_SID, DOCUMENT)
                return time.perf_counter_ns() - start

            await client.send(LEG_SID, DOCUMENT)
            await asyncio.gather(*(one() for _ in range(in_flight)))
            reset(base)
            t_conc: list[int] = []
            t_seq: list[int] = []
            for rep in range(reps):
                if rep % 2:
                    t_seq.append(await sequential())
                    t_conc.append(await concurrent())
                else:
                    t_conc.append(await concurrent())
                    t_seq.append(await sequential())
            return t_conc, t_seq
        finally:
            aclose = getattr(client, "aclose", None)
            if aclose is not None:
                await aclose()

    with local_server(delay_ms=delay_ms) as base:
        t_conc, t_seq = asyncio.run(main(base))
        _the_one_request(base, 2 * sends * reps, "AsyncLegsClient")
        server_peak = int(stats(base)["peak_in_flight"])
    row.details["server_peak_in_flight"] = server_peak
    row.checks.append(f"all {2 * sends * reps} timed requests were accepted and identical")
    row.checks.append(
        f"the server held up to {server_peak} requests at once ({in_flight} sends were started)"
    )
    if server_peak < 2:
        row.note = "the client never had two requests in flight at the server"
    row.exoml = f"{sends / median_seconds(t_conc):,.0f} sends/s"
    row.baseline = f"{sends / median_seconds(t_seq):,.0f} sends/s"
    row.details.update(sends=sends, delay_ms=delay_ms, concurrent_ns=t_conc, sequential_ns=t_seq)
    row.finish([s / c for s, c in zip(t_seq, t_conc, strict=True)])
    return [row]
