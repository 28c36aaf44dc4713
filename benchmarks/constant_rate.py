"""A load at a constant rate, for the latency a given traffic sees (the search page's target is
«at least 150 requests/s with p95 at most 200 ms»).

wrk sends the next request as soon as the last one is answered, so it measures the most the
server can take and the latency at that point, where queues are full by definition. This sends
request i at start + i / rate whatever happened before (an open model), over as many
connections as it needs, and measures each request from the moment it was due, so time spent
waiting for a free worker counts (no coordinated omission). wrk2 does the same but is not in
Debian; locust's users wait for their answers before asking again.

Gunicorn's sync workers close the connection after each answer: one connection per request.
"""

from __future__ import annotations

import asyncio
import time


async def _get(host: str, port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()
        while await reader.read(65536):
            pass
        return int(status_line.split()[1])
    finally:
        writer.close()


async def _run(host, port, paths, rate, seconds, timeout):
    latencies: list[float] = []
    errors = non2xx = 0
    start = time.perf_counter() + 0.1
    total = int(rate * seconds)

    async def one(i: int):
        nonlocal errors, non2xx
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        try:
            status = await asyncio.wait_for(_get(host, port, paths[i % len(paths)]), timeout)
        except (TimeoutError, OSError, ValueError, IndexError):
            errors += 1
            return
        latencies.append((time.perf_counter() - due) * 1000)
        if not 200 <= status < 300:
            non2xx += 1

    await asyncio.gather(*(one(i) for i in range(total)))
    elapsed = time.perf_counter() - start
    return latencies, errors, non2xx, elapsed


def constant_rate(base: str, paths: list[str], *, rate: float, seconds: int) -> dict:
    """Send len = rate * seconds GETs to base + paths (in order, cycling) at `rate` per second;
    p50/p95/p99 in ms from when each was due, the rate achieved, errors and non-2xx answers."""
    host, _, port = base.removeprefix("http://").partition(":")
    latencies, errors, non2xx, elapsed = asyncio.run(
        _run(host, int(port or 80), paths, rate, seconds, timeout=10)
    )
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    return {
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "requests": len(latencies),
        "seconds": elapsed,
        "errors": errors,
        "non2xx": non2xx,
    }
