#!/usr/bin/env python3
"""Three koan-mcp replicas on one real PostgreSQL database behind real nginx (the shipped
deploy/nginx/koan-mcp.conf: round robin, no affinity, proxy_next_upstream on 404).

  - 2025-era Streamable HTTP sessions and legacy HTTP+SSE sessions work through nginx across many
    requests, whichever replica nginx picks first (its access log shows the passed-on attempts);
  - 2026-07-28 stateless calls are answered by every replica; a write through replica 1 is read
    through replicas 2 and 3;
  - every replica's admin snapshot lists the cluster's replicas and their sessions;
  - the rollback switch flipped on replica 2 is in force on all three within 1 s and ends legacy
    streams everywhere; the audit trail names who flipped it; a replica started later starts
    switched off (the database's value wins over its settings file); flipped back on replica 3;
  - kill -9 of one replica while four clients write through nginx with idempotency keys: every
    acknowledged write is stored exactly once; its streams end, its sessions answer 404, the others
    keep serving through nginx, the session registry expires its rows;
  - PostgreSQL stopped: /readyz 503 with backend postgres on every replica; started again: 200,
    writes work again;
  - the database password is in no replica's log.
PostgreSQL restarted under load: run-pg-restart.py (ctest cluster_nginx_pg_restart).

Usage: run-cluster.py <koan-mcp binary> <source dir>. Exit 77 (ctest SKIP) without PostgreSQL or nginx.
"""
import json, re, subprocess, sys, threading, time

import cluster_kit
from cluster_kit import (INIT, PASSWORD, Cluster, LegacySession, StreamableSession, check, direct, log, modern, tool,
                         via_nginx, wait_for)


def main():
    tools = Cluster.tools()
    if not tools:
        return 77
    bindir, nginx = tools
    cluster = Cluster()
    try:
        cluster.start_postgres(bindir)
        pg = cluster.pg
        replicas = cluster.start_replicas(3)
        cluster.start_nginx(nginx, replicas)

        # 2025-era sessions through nginx, many requests each, on fresh connections.
        streamable = [StreamableSession() for _ in range(6)]
        legacy = [LegacySession() for _ in range(6)]
        served = 0
        for round_ in range(6):
            for s in streamable:
                st, a = s.call("tools/list" if round_ % 2 else "ping")
                served += check(st == 200 and a is not None, f"Streamable session {s.id[:8]}: {st}")
            for s in legacy:
                st, a = s.call("initialize" if round_ == 0 else "ping", INIT if round_ == 0 else {})
                served += check(st == 202 and a is not None, f"legacy session {s.id[:8]}: {st}")
        log(f"{served} session requests served through nginx")
        access = cluster.access_log()
        passed_on = len(re.findall(r"statuses=404, ", access))
        check(passed_on > 0, "nginx passed session requests on from replicas that do not own the session")
        log(f"{passed_on} requests reached the owner after a 404 from another replica")

        # 2026-07-28: any replica answers; a write through replica 1 is read through 2 and 3.
        for r in replicas:
            st, a = modern(r.port, "tools/list", {})
            check(st == 200 and isinstance(a, dict) and a.get("result", {}).get("tools"),
                  f"2026 tools/list on {r.name}: {st}")
        for _ in range(6):
            st, a = modern(None, "tools/list", {})
            check(st == 200 and isinstance(a, dict) and "result" in a, f"2026 tools/list through nginx: {st}")
        site = {"id": "site-cluster", "name": "Cluster Site", "location": "Basel, Switzerland",
                "principalInvestigator": "Dr. R. Plica"}
        check(tool(replicas[0].port, "trial-site.upsert", {"model": site}) is not None, "write through replica 1")
        for r in replicas[1:]:
            got = tool(r.port, "trial-site.get-by-id", {"id": "site-cluster"})
            check(got is not None and "Cluster Site" in json.dumps(got), f"read through {r.name}: {got}")

        # Every replica's snapshot lists the cluster: three replicas and every session with its owner.
        mine = {s.id for s in streamable} | {s.id for s in legacy}

        def cluster_of(r):
            st, _, b = direct(r.port, "GET", "/admin/snapshot")
            return json.loads(b).get("cluster") if st == 200 else None

        for r in replicas:
            c = wait_for(lambda: (lambda c: c if c and len(c["replicas"]) == 3
                                  and mine <= {s["id"] for s in c["sessions"]} else None)(cluster_of(r)), 5, 0.2)
            check(c is not None, f"{r.name}'s snapshot lists 3 replicas and all {len(mine)} sessions: {cluster_of(r)}")
        c = cluster_of(replicas[0]) or {"sessions": []}
        owners = {s["id"]: s["replica"] for s in c["sessions"]}
        check(len({owners.get(i) for i in mine}) >= 2, f"sessions spread over the replicas: {owners}")

        # The rollback switch, flipped on replica 2, in force on all three within a second.
        def switch_states():
            return [json.loads(direct(r.port, "GET", "/admin/transports")[2])["httpSse"] for r in replicas]

        flipped = time.monotonic()
        st, _, b = direct(replicas[1].port, "PUT", "/admin/transports/http-sse",
                          json.dumps({"enabled": False, "mode": "cut", "reason": "cluster test"}),
                          {"Content-Type": "application/json"})
        check(st == 200, f"PUT /admin/transports/http-sse on replica 2: {st} {b[:200]!r}")
        off = wait_for(lambda: switch_states() == [False] * 3, 3, 0.02)
        took = time.monotonic() - flipped
        check(off and took < 1.0, f"switch off on every replica within 1 s: took {took:.2f} s, {switch_states()}")
        log(f"switch off on all three replicas after {took * 1000:.0f} ms")
        ends = [s.wait_end(3) for s in legacy]
        check(all(e is not None for e in ends), f"every legacy stream ended: {ends}")
        check(via_nginx("GET", "/mcp/sse", headers={"Accept": "text/event-stream"})[0] == 503,
              "new legacy streams refused through nginx")
        for s in legacy:
            s.close()
        # Who flipped it: the audit trail (read from the database by the CLI).
        out = subprocess.run([cluster_kit.KOAN, "audit", "export", "--since", "2000-01-01T00:00:00Z", "--database-url",
                              pg.url()], capture_output=True, text=True, timeout=30)
        rows = [json.loads(l) for l in out.stdout.splitlines() if '"EnableHttpSseTransport"' in l]
        check(any("cluster test" in json.dumps(r) and r.get("principal") for r in rows),
              f"audit row of the flip with its author: {rows[-1:]} {out.stderr[-300:]}")

        # A replica started later starts switched off, although its settings file says on.
        late = cluster.add_replica("replica4", settings_file_switch=True)
        late.wait_ready()
        check(json.loads(direct(late.port, "GET", "/admin/transports")[2])["httpSse"] is False,
              "a replica started later is switched off")
        check(re.search(r"EnableHttpSseTransport=false in force, from the database \(set by .*the settings file says "
                        r"true, the database wins", late.log()), "the late replica logs where the value came from")
        late.proc.terminate()
        late.proc.wait(15)

        flipped = time.monotonic()
        st, _, _ = direct(replicas[2].port, "PUT", "/admin/transports/http-sse", json.dumps({"enabled": True}),
                          {"Content-Type": "application/json"})
        on = wait_for(lambda: switch_states() == [True] * 3, 3, 0.02)
        took = time.monotonic() - flipped
        check(st == 200 and on and took < 1.0, f"switch on again from replica 3 within 1 s: {took:.2f} s")

        # kill -9 one replica: its sessions go, the others keep serving through nginx.
        legacy = [LegacySession() for _ in range(6)]
        for s in legacy:
            s.call("initialize", INIT)
        victim = replicas[2]
        survivors = replicas[:2]
        c = wait_for(lambda: (lambda c: c if c and {s.id for s in legacy} <= {x["id"] for x in c["sessions"]}
                              else None)(cluster_of(replicas[0])), 5, 0.2) or {"sessions": []}
        owners = {x["id"]: x["replica"] for x in c["sessions"]}
        check(any(owners.get(s.id) == victim.id for s in legacy), f"the replica to kill owns a legacy session: {owners}")
        # Concurrent writers through nginx while the replica dies: each retries with its idempotency key
        # until acknowledged; every acknowledged write must be there exactly once.
        stop_writing = threading.Event()
        acked, attempts = {}, {"n": 0}

        def writer(w):
            n = 0
            while not stop_writing.is_set():
                key, name = f"kill-{w}-{n}", f"Kill {w}-{n}"
                args = {"model": {"name": name, "location": "Kill-Test", "principalInvestigator": "Dr. K"},
                        "idempotencyKey": key}
                for _ in range(40):
                    attempts["n"] += 1
                    try:
                        got = tool(None, "trial-site.upsert", args)
                    except Exception:  # noqa: BLE001 - a broken connection: retry with the same key
                        got = None
                    if got is not None:
                        acked[name] = got["item"]["id"]
                        break
                    time.sleep(0.1)
                n += 1
                time.sleep(0.01)

        writers = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in writers:
            t.start()
        time.sleep(0.5)
        victim.proc.kill()
        victim.proc.wait(10)
        log(f"killed {victim.name} ({victim.id})")
        for s in legacy:
            if owners.get(s.id) == victim.id:
                check(s.wait_end(5) is not None, f"the killed replica's legacy stream {s.id[:8]} ended")
            else:
                st, a = s.call("ping")
                check(st == 202 and a is not None, f"legacy session {s.id[:8]} on a survivor: {st}")
        for s in streamable:
            for _ in range(3):
                st, a = s.call("ping")
                if owners.get(s.id) == victim.id:
                    check(st == 404, f"a session of the killed replica is gone (404 through nginx): {st}")
                    break
                check(st == 200 and a is not None, f"Streamable session {s.id[:8]} after the kill: {st}")
        for _ in range(6):
            st, a = modern(None, "tools/list", {})
            check(st == 200, f"2026 call through nginx after the kill: {st}")
        time.sleep(0.5)
        stop_writing.set()
        for t in writers:
            t.join(30)
        stored, page = [], 1
        while True:
            listed = tool(replicas[0].port, "trial-site.collection",
                          {"filter": {"location": "Kill-Test"}, "pageSize": 200, "page": page}) or {}
            stored += listed.get("items", [])
            if page >= listed.get("totalPages", 0):
                break
            page += 1
        names = [i["name"] for i in stored]
        check(len(acked) > 0 and all(names.count(n) == 1 for n in acked) and len(names) == len(set(names))
              and set(acked.values()) <= {i["id"] for i in stored},
              f"every acknowledged write present once: {len(acked)} acknowledged, {len(names)} stored")
        log(f"{len(acked)} writes acknowledged during the kill ({attempts['n']} attempts), each stored once")
        gone = wait_for(lambda: (lambda c: c if c and victim.id not in {r["id"] for r in c["replicas"]}
                                 and victim.id not in {s["replica"] for s in c["sessions"]} else None)(
            cluster_of(replicas[0])), 12, 0.25)
        check(gone is not None, f"the registry expired the killed replica and its sessions: {cluster_of(replicas[0])}")
        log("registry expired the killed replica")
        for s in legacy:
            s.close()
        log("legacy sessions closed")

        # PostgreSQL down: /readyz 503 naming the backend; up again: ready, writes work.
        pg.stop()
        log("PostgreSQL stopped")
        for r in survivors:
            def down():
                st, _, b = direct(r.port, "GET", "/readyz")
                return st == 503 and json.loads(b)["store"]["backend"] == "postgres"
            check(wait_for(down, 10, 0.2), f"{r.name} /readyz 503 with backend postgres while the database is down: "
                  f"{direct(r.port, 'GET', '/readyz')}")
        pg.start()
        log("PostgreSQL started again")
        for r in survivors:
            check(wait_for(lambda: direct(r.port, "GET", "/readyz")[0] == 200, 20, 0.2),
                  f"{r.name} ready again after the restart")
        site["name"] = "Cluster Site after restart"
        edit = {"model": site, "expectedVersion": 1}
        wrote = wait_for(lambda: tool(None, "trial-site.upsert", edit), 10, 0.3)
        check(wrote is not None, f"a write through nginx after the restart: "
                                 f"{modern(None, 'tools/call', {'name': 'trial-site.upsert', 'arguments': edit})}")
        for r in survivors:
            got = tool(r.port, "trial-site.get-by-id", {"id": "site-cluster"})
            check(got is not None and "after restart" in json.dumps(got), f"{r.name} reads it")

        for r in cluster.replicas:
            check(PASSWORD not in r.log(), f"{r.name}'s log shows the database password")
    except Exception as e:
        check(False, f"{type(e).__name__}: {e}")  # the logs are printed, then the traceback
        raise
    finally:
        rc = cluster.close()
    return rc


if __name__ == "__main__":
    cluster_kit.init(sys.argv)
    sys.exit(main())
