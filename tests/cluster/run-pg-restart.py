#!/usr/bin/env python3
"""PostgreSQL restarted under load: three koan-mcp replicas on one real database behind real nginx
(the shipped deploy/nginx/koan-mcp.conf), four writers through nginx (each write a 2026-07-28
stateless tools/call with an idempotencyKey, retried with the same key after any error until it
is acknowledged), a writer updating one record with expectedVersion, readers on replicas 2 and 3,
a 2026 subscriptions/listen stream on replica 3 and a legacy HTTP+SSE session subscribed on
replica 2, and every replica's /readyz polled. While they run PostgreSQL is restarted twice:

  A. `pg_ctl restart -m fast`; right after it the rollback switch is flipped on replica 1: every
     replica is in the database's state within a few seconds, whether its change listener had
     reconnected before the flip (the notification) or after it (the re-read);
  B. stopped (`-m fast`), 2 s down, started: every replica's /readyz answers 503 with backend
     postgres, then 200 by itself; a write through replica 1 right after the start is seen by
     both subscribers' re-read (resources/read after a resources/updated shows its version),
     whether it committed before their replica's listener had reconnected or after; then a write
     through replica 1 reaches both subscribers within 500 ms (the listeners re-subscribed).

Throughout: every HTTP request is answered within Store:TimeoutSeconds + 3 s (none hangs, none is
cut without an answer); every error is a clear JSON-RPC or tool error naming its code; every
acknowledged write is stored exactly once (version 1, one row per id, no row that was not
acknowledged); the updated record's version is 1 + its acknowledged updates; no reader ever sees a
version go back.

Usage: run-pg-restart.py <koan-mcp binary> <source dir>. Exit 77 (ctest SKIP) without PostgreSQL or nginx.
"""
import collections, contextlib, json, os, signal, sys, threading, time

import cluster_kit
from cluster_kit import Cluster, check, direct, LegacySession, log, modern, modern_headers, open_stream, rpc, wait_for

STORE_TIMEOUT = 5  # Store:TimeoutSeconds of the replicas
ANSWER_BOUND = STORE_TIMEOUT + 3  # every HTTP request is answered within this
RECOVERY_BOUND = 15  # seconds from PostgreSQL's start to every replica ready (backoff at most 5 s)
FREEZE_BOUND = 4  # a replica is frozen no longer, so that requests waiting for it stay within ANSWER_BOUND
WATCHED = "pgr-watch"
URI = "s12://trial-site/" + WATCHED
LOCATION = "Restart-Test"


class Ledger:
    """What the clients saw: latencies, outcomes by kind, and what went wrong."""

    def __init__(self):
        self.lock = threading.Lock()
        self.outcomes = collections.Counter()
        self.samples = {}  # error code -> its messages' beginnings, counted
        self.slowest = 0.0
        self.problems = []

    def note(self, kind, seconds):
        with self.lock:
            self.outcomes[kind] += 1
            self.slowest = max(self.slowest, seconds)
            if seconds > ANSWER_BOUND:
                self.problems.append(f"{kind} answered after {seconds:.1f} s (bound {ANSWER_BOUND} s)")

    def problem(self, what):
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(what)


LEDGER = Ledger()


def call_tool(port, name, arguments):
    """One 2026-07-28 tools/call: ("ok", structuredContent) or ("error", code) for a clear error;
    anything unclear (no answer, a cut connection, an error without its code) is noted as a problem."""
    start = time.monotonic()
    try:
        st, a = modern(port, "tools/call", {"name": name, "arguments": arguments}, name, timeout=ANSWER_BOUND + 5)
    except Exception as e:  # noqa: BLE001 - no answer at all: the failure this test looks for
        LEDGER.note("no answer", time.monotonic() - start)
        LEDGER.problem(f"{name} through {port or 'nginx'}: no answer ({type(e).__name__}: {e})")
        return "error", "no answer"
    took = time.monotonic() - start
    if st != 200 or not isinstance(a, dict):
        LEDGER.note(f"HTTP {st}", took)
        LEDGER.problem(f"{name} through {port or 'nginx'}: HTTP {st} {a[:200]!r}")
        return "error", f"HTTP {st}"
    if "error" in a:
        err = a["error"]
        kind = f"JSON-RPC {err.get('code')}"
        LEDGER.note(kind, took)
        if not isinstance(err.get("code"), int) or not err.get("message"):
            LEDGER.problem(f"{name}: an unclear JSON-RPC error {err}")
        return "error", kind
    r = a.get("result", {})
    if r.get("isError"):
        try:
            err = json.loads(r["content"][0]["text"])
        except (KeyError, IndexError, ValueError):
            err = {}
        code = err.get("error")
        LEDGER.note(f"tool error {code}", took)
        LEDGER.samples.setdefault(code, collections.Counter())[str(err.get("message"))[:90]] += 1
        message = str(err.get("message") or "").strip()
        if not code or not message or message.endswith(":"):
            LEDGER.problem(f"{name}: a tool error without its code or reason: {err}")
        return "error", code
    LEDGER.note("ok", took)
    return "ok", r.get("structuredContent") or json.loads(r["content"][0]["text"])


def retried(port, name, arguments, deadline=30):
    """Retries the same call (same idempotencyKey) after every error until it is acknowledged:
    (structuredContent, first attempt's time, codes of the errors before it), or None at the deadline."""
    first, errors, end = time.monotonic(), [], time.monotonic() + deadline
    while time.monotonic() < end:
        outcome, got = call_tool(port, name, arguments)
        if outcome == "ok":
            return got, first, errors
        errors.append(got)
        if got in ("version_conflict", "version_required", "idempotency_key_reused"):
            return None, first, errors  # not a passing failure: the write was applied twice or the state diverged
        time.sleep(0.1)
    return None, first, errors


class Load:
    """Writers through nginx, readers on replicas 2 and 3, /readyz polled on every replica."""

    def __init__(self, replicas):
        self.replicas = replicas
        self.stop = threading.Event()
        self.acked = {}  # id -> version acknowledged (writers' creates)
        self.chain = {"acked": 0, "version": 1}
        self.readiness = {r.name: [] for r in replicas}  # (time, status, store state or None)
        self.lock = threading.Lock()
        jobs = [(self.writer, w) for w in range(4)] + [(self.chain_writer,)]
        jobs += [(self.reader, r) for r in replicas[1:]] + [(self.poll_ready, r) for r in replicas]
        self.threads = [threading.Thread(target=self.guarded, args=job) for job in jobs]

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(60)
            check(not t.is_alive(), "a load thread ended")

    @staticmethod
    def guarded(job, *args):
        try:
            job(*args)
        except Exception as e:  # noqa: BLE001 - a broken load thread fails the test, it does not pass silently
            check(False, f"{job.__name__}{args}: {type(e).__name__}: {e}")

    def writer(self, w):
        n = 0
        while not self.stop.is_set():
            rid = f"pgr-{w}-{n:04d}"
            args = {"model": {"id": rid, "name": f"Restart {w}-{n}", "location": LOCATION,
                              "principalInvestigator": "Dr. R. Start"}, "idempotencyKey": f"pgr-key-{w}-{n}"}
            got, _, errors = retried(None, "trial-site.upsert", args)  # finished even after stop: never abandoned
            if not check(got is not None, f"write {rid} acknowledged (errors {errors[-5:]})"):
                return
            item = got["item"]
            check(item["id"] == rid and item["version"] == 1 and got["created"],
                  f"write {rid} acknowledged as created once at version 1: {got} (after {errors})")
            with self.lock:
                self.acked[rid] = item["version"]
            n += 1
            time.sleep(0.02)

    def chain_writer(self):
        """Updates one record with expectedVersion: a retry applied twice would be a version conflict."""
        while not self.stop.is_set():
            v = self.chain["version"]
            args = {"model": {"id": "pgr-chain", "name": f"Chain {v + 1}", "location": "Restart-Chain",
                              "principalInvestigator": "Dr. C"}, "expectedVersion": v,
                    "idempotencyKey": f"pgr-chain-{v}"}
            got, _, errors = retried(None, "trial-site.upsert", args)
            if not check(got is not None and got["item"]["version"] == v + 1,
                         f"update of pgr-chain from version {v} acknowledged as {v + 1}: {got} (errors {errors[-5:]})"):
                return
            self.chain["version"], self.chain["acked"] = v + 1, self.chain["acked"] + 1
            time.sleep(0.02)

    def reader(self, r):
        last = 0
        while not self.stop.is_set():
            outcome, got = call_tool(r.port, "trial-site.get-by-id", {"id": "pgr-chain"})
            if outcome == "ok":
                v = got["item"]["version"]
                check(v >= last, f"{r.name} read pgr-chain at version {v} after {last}")
                last = v
            call_tool(r.port, "trial-site.collection", {"filter": {"location": LOCATION}, "pageSize": 5})
            time.sleep(0.05)

    def poll_ready(self, r):
        while not self.stop.is_set():
            start = time.monotonic()
            try:
                st, _, body = direct(r.port, "GET", "/readyz", timeout=ANSWER_BOUND)
                store = json.loads(body)["store"]
                check(store.get("backend") == "postgres", f"{r.name} /readyz names the backend: {store}")
                LEDGER.note(f"/readyz {st}", time.monotonic() - start)
                self.readiness[r.name].append((start, st, store.get("state")))
            except Exception as e:  # noqa: BLE001
                LEDGER.note("no answer", time.monotonic() - start)
                LEDGER.problem(f"{r.name} /readyz: no answer ({type(e).__name__}: {e})")
            time.sleep(0.1)

    def states(self, r, since, until=None):
        return [(t, st, state) for t, st, state in list(self.readiness[r.name])
                if t >= since and (until is None or t <= until)]


class Subscriber:
    """Notified of URI on one replica; re-reads the record there after every notification, as a
    client does, and keeps the versions it read."""

    def __init__(self, name, replica, stream):
        self.name, self.replica, self.stream = name, replica, stream
        self.reads = []  # (time of the notification, version read after it)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.reread, daemon=True)
        self.thread.start()

    def reread(self):
        handled = 0
        while not self.stop.is_set():
            notes = self.stream.updates(URI)
            if len(notes) == handled:
                time.sleep(0.02)
                continue
            handled = len(notes)
            end = time.monotonic() + 10
            while time.monotonic() < end:
                try:
                    st, a = modern(self.replica.port, "resources/read", {"uri": URI}, URI, timeout=ANSWER_BOUND)
                except OSError:
                    st, a = 0, None
                if st == 200 and isinstance(a, dict) and "result" in a:
                    self.reads.append((notes[-1], a["result"]["_meta"]["version"]))
                    break
                time.sleep(0.1)

    def saw_version(self, version):
        return any(v >= version for _, v in self.reads)


def write_watched(port, version, key, deadline=30):
    got, first, errors = retried(port, "trial-site.upsert",
                                 {"model": {"id": WATCHED, "name": f"Watched {version + 1}", "location": "Watch",
                                            "principalInvestigator": "Dr. W"},
                                  "expectedVersion": version, "idempotencyKey": key}, deadline)
    check(got is not None and got["item"]["version"] == version + 1,
          f"write of {WATCHED} at version {version + 1} through port {port}: {got} {errors[-5:]}")
    return first, time.monotonic(), errors


def open_subscribers(replicas, legacy_too):
    subs = []
    if legacy_too:
        legacy = LegacySession(replicas[1].port)
        st, a = legacy.call("initialize", cluster_kit.INIT)
        check(st == 202 and a and "result" in a, f"legacy initialize on replica 2: {st} {a}")
        legacy.post(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        st, a = legacy.call("resources/subscribe", {"uri": URI})
        check(st == 202 and a and "result" in a, f"legacy resources/subscribe on replica 2: {st} {a}")
        subs.append(Subscriber("legacy SSE on replica 2", replicas[1], legacy.stream))
    return subs


def open_listen(replica):
    st, stream = open_stream(replica.port, "POST", "/mcp",
                             rpc("pgr", "subscriptions/listen",
                                 {"notifications": {"resourceSubscriptions": [URI]}, "_meta": cluster_kit.META}),
                             modern_headers("subscriptions/listen"))
    if not check(st == 200, f"subscriptions/listen on {replica.name}: {st}"):
        return None
    acked = wait_for(lambda: any(e[0] == "message" and "subscriptions/acknowledged" in e[1] for e in stream.seen), 5)
    check(acked, f"subscriptions/listen on {replica.name} acknowledged: {stream.seen[:3]}")
    return Subscriber(f"listen stream on {replica.name}", replica, stream)


def delivered_within(subs, since, bound):
    """Each subscriber's first notification at or after `since`, in seconds after it (None: none within bound)."""
    wait_for(lambda: all(any(t >= since for t in s.stream.updates(URI)) for s in subs), bound + 1, 0.01)
    return [next((t - since for t in s.stream.updates(URI) if t >= since), None) for s in subs]


def switch_states(replicas):
    out = []
    for r in replicas:
        try:
            out.append(json.loads(direct(r.port, "GET", "/admin/transports")[2])["httpSse"])
        except (OSError, ValueError, KeyError):
            out.append(None)
    return out


def flip_switch(replica, enabled):
    body = {"enabled": enabled} if enabled else {"enabled": False, "mode": "cut", "reason": "restart test"}
    end = time.monotonic() + RECOVERY_BOUND
    while time.monotonic() < end:
        try:
            st, _, b = direct(replica.port, "PUT", "/admin/transports/http-sse", json.dumps(body),
                              {"Content-Type": "application/json"})
        except OSError as e:
            LEDGER.problem(f"PUT /admin/transports/http-sse on {replica.name}: no answer ({e})")
            return False
        if st == 200:
            # Kept in the database (with its audit row), not only switched on this replica.
            return check("could not be audited" not in replica.log(), f"the flip on {replica.name} is in the database")
        try:
            reason = json.loads(b).get("error")
        except ValueError:
            reason = None
        check(reason, f"a refused flip names its reason: {st} {b[:200]!r}")
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def frozen(replica):
    """The replica's process stopped (SIGSTOP) meanwhile: nothing of it runs, its sockets stay open."""
    os.kill(replica.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(replica.proc.pid, signal.SIGCONT)


def listener_reconnects(replica):
    return replica.log().count("change listener reconnected")


def main():
    tools = Cluster.tools()
    if not tools:
        return 77
    bindir, nginx = tools
    cluster = Cluster()
    try:
        cluster.start_postgres(bindir)
        pg = cluster.pg
        replicas = cluster.start_replicas(3, settings=[f"Store:TimeoutSeconds={STORE_TIMEOUT}"])
        cluster.start_nginx(nginx, replicas)
        one, two, three = replicas

        # The watched record and the chain's record, and a listen stream on replica 3 for the first.
        for rid in (WATCHED, "pgr-chain"):
            got, _, _ = retried(one.port, "trial-site.upsert",
                                {"model": {"id": rid, "name": rid, "location": "Watch", "principalInvestigator": "Dr"}})
            check(got and got["item"]["version"] == 1, f"{rid} created: {got}")
        listen = open_listen(three)
        subs = [listen] if listen else []
        t = time.monotonic()
        write_watched(one.port, 1, "watch-1")
        took = delivered_within(subs, t, 0.5)
        check(all(x is not None and x < 0.5 for x in took), f"before the restarts: a write through replica 1 reaches "
                                                             f"the listen stream on replica 3 within 500 ms: {took}")
        watched = 2

        load = Load(replicas)
        load.start()
        time.sleep(2)
        check(len(load.acked) > 0, "writes are acknowledged before the restart")

        # A. pg_ctl restart -m fast under load, and the switch flipped through replica 1 at once. Replica 2
        # is frozen (SIGSTOP) across the restart and the flip, so its change listener is certainly still
        # disconnected when the flip commits: only the re-read after its reconnect can bring the flip.
        reconnects = [listener_reconnects(r) for r in replicas]
        with frozen(two):
            t_a = time.monotonic()
            pg.restart("fast")
            t_a_up = time.monotonic()
            log(f"A: PostgreSQL restarted (-m fast) in {t_a_up - t_a:.1f} s under load, replica 2 frozen; "
                f"{len(load.acked)} writes so far")
            check(flip_switch(one, False), "the switch flipped off through replica 1 after the restart")
            flipped = time.monotonic()
            late = [r.name for r, n in zip(replicas, reconnects) if listener_reconnects(r) == n]
        off = wait_for(lambda: switch_states(replicas) == [False] * 3, RECOVERY_BOUND, 0.05)
        check(off, f"A: every replica switched off after the restart: {switch_states(replicas)}")
        log(f"A: switch off on all three {time.monotonic() - flipped:.1f} s after the flip (listeners not yet "
            f"reconnected at the flip: {late})")
        check(flip_switch(three, True), "the switch flipped on again through replica 3")
        check(wait_for(lambda: switch_states(replicas) == [True] * 3, RECOVERY_BOUND, 0.05),
              f"A: every replica switched on again: {switch_states(replicas)}")
        for r in replicas:
            check(wait_for(lambda: any(st == 200 for _, st, _ in load.states(r, t_a_up)), RECOVERY_BOUND, 0.1),
                  f"A: {r.name} ready after the restart")
        acked_a = len(load.acked)
        check(wait_for(lambda: len(load.acked) > acked_a + 10, RECOVERY_BOUND, 0.1),
              "A: writes are acknowledged again after the restart")
        check(wait_for(lambda: all(listener_reconnects(r) > n for r, n in zip(replicas, reconnects)), RECOVERY_BOUND),
              "A: every replica's change listener reconnected")

        # B. Stopped for 2 s, then started: 503, then 200 by itself. Replica 3 is frozen from the end of
        # the outage until the write through replica 1 right after the start is acknowledged, so that
        # write commits while replica 3's listener is disconnected: its listen subscriber learns of it
        # only through the re-read. (Replica 2's listener races the write; either way is right.)
        subs += open_subscribers(replicas, legacy_too=True)
        reconnects = [listener_reconnects(r) for r in replicas]
        t_b = time.monotonic()
        pg.stop("fast")
        log(f"B: PostgreSQL stopped under load; {len(load.acked)} writes so far")
        time.sleep(2)
        t_b_down = time.monotonic()
        with frozen(three):
            pg.start()
            t_b_up = time.monotonic()
            log(f"B: PostgreSQL started again after {t_b_up - t_b:.1f} s, replica 3 frozen")
            first, acked_at, errors = write_watched(one.port, watched, "watch-2", deadline=FREEZE_BOUND)
            watched += 1
            missed = [r.name for r, n in zip(replicas, reconnects) if listener_reconnects(r) == n]
        log(f"B: {WATCHED} written through replica 1 {acked_at - t_b_up:.2f} s after the start ({len(errors)} errors "
            f"before: {collections.Counter(errors).most_common(3)}); listeners not yet reconnected then: {missed}")
        check("replica3" in missed, f"B: replica 3's listener was disconnected when the write committed: {missed}")
        for s in subs:
            check(wait_for(lambda: s.saw_version(watched), RECOVERY_BOUND, 0.05),
                  f"B: the {s.name} re-read {WATCHED} at version {watched} after a notification: {s.reads[-3:]}")
        for r in replicas:
            down = [x for x in load.states(r, t_b, t_b_down) if x[1] == 503]
            check(down and all(state in ("unreachable", "connecting") for _, _, state in down),
                  f"B: {r.name} /readyz 503 (unreachable) while PostgreSQL is down: {load.states(r, t_b, t_b_down)}")
            ready = wait_for(lambda: next((t for t, st, _ in load.states(r, t_b_up) if st == 200), None),
                             RECOVERY_BOUND, 0.1)
            check(ready, f"B: {r.name} ready again by itself within {RECOVERY_BOUND} s of the start")
            if ready:
                log(f"B: {r.name} ready {ready - t_b_up:.1f} s after the start")
        check(wait_for(lambda: all(listener_reconnects(r) > n for r, n in zip(replicas, reconnects)), RECOVERY_BOUND),
              "B: every replica's change listener reconnected")
        # Re-subscribed: a write through replica 1 reaches both subscribers within 500 ms.
        time.sleep(0.3)  # the reconnect's own notification is handled
        t = time.monotonic()
        write_watched(one.port, watched, "watch-3")
        watched += 1
        took = delivered_within(subs, t, 0.5)
        check(all(x is not None and x < 0.5 for x in took),
              f"B: after the restart a write through replica 1 reaches {[s.name for s in subs]} within 500 ms: {took}")
        log(f"B: delivered after {[f'{x * 1000:.0f} ms' if x is not None else None for x in took]}")
        time.sleep(1)

        load.finish()
        for s in subs:
            s.stop.set()
            s.stream.close()
        # Every acknowledged write exactly once, nothing unacknowledged, versions consistent.
        stored, page = [], 1
        while True:
            outcome, listed = "error", None
            for _ in range(20):
                outcome, listed = list_page(two.port, page)
                if outcome == "ok":
                    break
            if not check(outcome == "ok", f"list the written records: {listed}"):
                break
            stored += listed.get("items", [])
            if page >= listed.get("totalPages", 0):
                break
            page += 1
        ids = [i["id"] for i in stored]
        check(len(ids) == len(set(ids)), "one row per written id")
        check(set(ids) == set(load.acked), f"the stored records are the acknowledged ones: {len(load.acked)} "
                                           f"acknowledged, {len(ids)} stored, "
                                           f"{sorted(set(ids) ^ set(load.acked))[:5]} differ")
        check(all(i["version"] == 1 for i in stored), f"each written once: {[i for i in stored if i['version'] != 1]}")
        outcome, chain = call_tool(two.port, "trial-site.get-by-id", {"id": "pgr-chain"})
        check(outcome == "ok" and chain["item"]["version"] == 1 + load.chain["acked"],
              f"pgr-chain at version 1 + {load.chain['acked']} acknowledged updates: {chain}")
        for p in LEDGER.problems:
            check(False, p)
        log(f"{len(load.acked)} creates and {load.chain['acked']} updates acknowledged; requests by outcome: "
            f"{dict(LEDGER.outcomes)}; slowest answer {LEDGER.slowest:.2f} s (bound {ANSWER_BOUND} s)")
        for code, messages in LEDGER.samples.items():
            for message, n in messages.most_common(4):
                log(f"  {n} x {code}: {message}")
    except Exception as e:
        check(False, f"{type(e).__name__}: {e}")  # the logs are printed, then the traceback
        raise
    finally:
        rc = cluster.close()
    return rc


def list_page(port, page):
    return call_tool(port, "trial-site.collection", {"filter": {"location": LOCATION}, "pageSize": 200, "page": page})


if __name__ == "__main__":
    cluster_kit.init(sys.argv)
    sys.exit(main())
