#!/usr/bin/env python3
"""HTTPS latency under stalled TLS handshakes (bench/run-tls-bench.sh).

Probes GET <path> on a fresh, verified TLS connection (handshake included) every --interval
seconds for --duration seconds and prints one JSON line: p50/p95/max in ms and probes that got
no answer within --timeout. With --stalled N it first opens N TCP connections that never finish
a handshake (half silent, half trickling a real ClientHello one byte every 100 ms, never the
last byte) and churns --churn of them a second (closed and reopened) while probing.
Standard library only.
"""
import argparse, asyncio, json, logging, ssl, statistics, time


def client_hello(ctx):
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


async def stalled(port, hello, trickle, stop, closed):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    try:
        sent = 0
        while not stop.is_set():
            if reader.at_eof():  # the server gave up on it (TlsHandshakeTimeout)
                closed[0] += 1
                return
            if trickle and sent < len(hello) - 1:
                writer.write(hello[sent:sent + 1])
                sent += 1
            try:
                await asyncio.wait_for(stop.wait(), 0.1)
            except asyncio.TimeoutError:
                pass
    finally:
        writer.transport.abort()


async def probe(port, ctx, path, timeout):
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, ssl=ctx, server_hostname="localhost"), timeout)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        line = await asyncio.wait_for(reader.readline(), timeout - (time.perf_counter() - start))
        writer.transport.abort()
        return (time.perf_counter() - start) * 1000 if b" 200 " in line else None
    except (OSError, asyncio.TimeoutError, ssl.SSLError):
        return None


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cacert", required=True)
    ap.add_argument("--path", default="/healthz")
    ap.add_argument("--stalled", type=int, default=0)
    ap.add_argument("--churn", type=int, default=0, help="stalled connections replaced per second")
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    ctx = ssl.create_default_context(cafile=a.cacert)
    hello = client_hello(ctx)
    stops, tasks, closed = [], [], [0]
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # writes racing a server-side close

    def open_one(i):
        stop = asyncio.Event()
        stops.append(stop)
        tasks.append(asyncio.create_task(stalled(a.port, hello, i % 2 == 1, stop, closed)))

    for i in range(a.stalled):
        open_one(i)
    await asyncio.sleep(1 if a.stalled else 0)  # let them connect and start trickling
    lat, failed, t0, last_churn, opened = [], 0, time.perf_counter(), time.perf_counter(), a.stalled
    while time.perf_counter() - t0 < a.duration:
        if a.churn and time.perf_counter() - last_churn >= 1:
            last_churn = time.perf_counter()
            for _ in range(a.churn):
                stops.pop(0).set()
                open_one(opened)
                opened += 1
        ms = await probe(a.port, ctx, a.path, a.timeout)
        if ms is None:
            failed += 1
        else:
            lat.append(ms)
        await asyncio.sleep(a.interval)
    for s in stops:
        s.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    print(json.dumps({"label": a.label, "stalled": a.stalled, "churnPerSecond": a.churn, "probes": len(lat) + failed,
                      "failed": failed, "stalledClosedByServer": closed[0], "p50Ms": round(q(0.5), 2), "p95Ms": round(q(0.95), 2),
                      "maxMs": round(lat[-1], 2) if lat else None,
                      "meanMs": round(statistics.fmean(lat), 2) if lat else None}))


asyncio.run(main())
