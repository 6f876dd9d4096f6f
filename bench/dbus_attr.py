#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where the time of slow D-Bus property calls went (bench/run --perf).

    dbus_attr.py SIZE_DIR PERF_SCRIPT_TXT ferryd=PID bus=PID reader=PID

Input: SIZE_DIR/events.json and SIZE_DIR/dbus.log (bench/dbus_reader.c,
with its CLOCK_MONOTONIC column), and the text of
`perf script -F comm,tid,cpu,time,event,trace` of a
`perf record -k CLOCK_MONOTONIC -a -e sched:sched_wakeup -e sched:sched_switch
 -e syscalls:sys_{enter,exit}_{fsync,fdatasync}` taken during the migration.

For every call made while copy-data ran, the parts of its interval in which
  - ferryd's main thread (the sd-event loop that answers) was in fsync/fdatasync,
  - ferryd's main thread or dbus-daemon was off CPU in D state (blocked in
    the kernel: disk, kernel locks),
  - ferryd's main thread, dbus-daemon or the reader was runnable but waiting
    for a CPU (from its wakeup, or from being preempted, to its switch-in),
and "ferry's own" latency: the call's latency minus the CPU waits (what is
left is ferryd, the bus and the reader working or ferryd blocking). Also the
main thread's wakeups and on-CPU time per operation. Prints JSON.
"""
import json
import re
import sys
from collections import Counter

LINE = re.compile(r"\s*(\S.*?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)")


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return v[max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def overlap(intervals, a, b):
    return sum(max(0, min(y, b) - max(x, a)) for x, y in intervals)


def main():
    d, trace = sys.argv[1], sys.argv[2]
    pids = {k: int(v) for k, v in (a.split("=") for a in sys.argv[3:])}
    who = {v: k for k, v in pids.items()}
    fer = pids["ferryd"]

    calls = []
    off = None
    with open(d + "/dbus.log") as f:
        for line in f:
            p = line.split()
            if len(p) < 5:
                continue
            real, kind, lat, ok, mono = map(int, p[:5])
            off = real - mono if off is None else off
            calls.append((mono, lat, kind))
    ops = {}
    for e in json.load(open(d + "/events.json")):
        if e["Type"] == "operation-changed":
            ops.setdefault(e["Data"]["id"], {})[e["Data"]["state"]] = e["Time"] - off
    windows = {k: (v["running"], v["done"]) for k, v in ops.items() if "running" in v and "done" in v}

    woken, waits = {}, {k: [] for k in pids}
    blocked_since, blocked = {}, {k: [] for k in pids}  # off CPU in D state (disk, kernel locks)
    enter, fsyncs = {}, []
    on_cpu_since, wakeups, on_cpu = None, Counter(), Counter()
    with open(trace) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            _, tid, _, t, ev, tr = m.groups()
            tid, t = int(tid), float(t) * 1e6
            if ev == "sched:sched_wakeup":
                p = int(re.search(r" pid=(\d+)", " " + tr).group(1))
                if p in who:
                    woken.setdefault(p, t)
                if p == fer:
                    for k, (a, b) in windows.items():
                        if a <= t <= b:
                            wakeups[k] += 1
            elif ev == "sched:sched_switch":
                nxt = int(re.search(r"next_pid=(\d+)", tr).group(1))
                prv = int(re.search(r"prev_pid=(\d+)", tr).group(1))
                if nxt in who and nxt in woken:
                    waits[who[nxt]].append((woken.pop(nxt), t))
                if nxt in who and nxt in blocked_since:
                    blocked[who[nxt]].append((blocked_since.pop(nxt), t))
                if prv in who and re.search(r"prev_state=D", tr):
                    blocked_since[prv] = t
                elif prv in who and re.search(r"prev_state=R", tr):
                    woken[prv] = t  # preempted: runnable, waiting for a CPU again
                if nxt == fer:
                    on_cpu_since = t
                elif prv == fer and on_cpu_since is not None:
                    for k, (a, b) in windows.items():
                        on_cpu[k] += overlap([(on_cpu_since, t)], a, b)
                    on_cpu_since = None
            elif ev.startswith("syscalls:sys_enter_f"):
                enter[tid] = t
            elif ev.startswith("syscalls:sys_exit_f") and tid in enter:
                t0 = enter.pop(tid)
                if tid == fer:
                    fsyncs.append((t0, t))

    cd = windows.get("copy-data")
    in_cd = [c for c in calls if cd and cd[0] <= c[0] <= cd[1]]
    causes, own, slowest = Counter(), [], []
    for mono, lat, kind in in_cd:
        a, b = mono, mono + lat
        parts = {"ferryd main thread in fsync": overlap(fsyncs, a, b),
                 "ferryd main thread blocked in the kernel (D state)": overlap(blocked["ferryd"], a, b),
                 "dbus-daemon blocked in the kernel (D state)": overlap(blocked["bus"], a, b),
                 "ferryd main thread waiting for a CPU": overlap(waits["ferryd"], a, b),
                 "dbus-daemon waiting for a CPU": overlap(waits["bus"], a, b),
                 "reader waiting for a CPU": overlap(waits["reader"], a, b)}
        cpu_wait = sum(v for k, v in parts.items() if "waiting" in k)
        own.append(max(0.0, lat - cpu_wait) / 1000.0)
        if lat > 5000:
            causes[max(parts, key=parts.get)] += 1
        slowest.append((lat, {"latency_ms": round(lat / 1000.0, 2), "kind": kind,
                              **{k: round(v / 1000.0, 2) for k, v in parts.items() if v > 0}}))
    fs_main = [(b - a) / 1000.0 for a, b in fsyncs]
    out = {
        "calls_copy_data": len(in_cd),
        "slow_calls_over_5ms": sum(1 for c in in_cd if c[1] > 5000),
        "slow_calls_main_cause": dict(causes),
        "slowest_calls": [x[1] for x in sorted(slowest, key=lambda x: -x[0])[:8]],
        "latency_without_cpu_waits_ms": {"p50": round(pct(own, 50) or 0, 3), "p99": round(pct(own, 99) or 0, 3),
                                         "max": round(max(own), 3) if own else None},
        "cpu_wait_ms_p99": {k: round((pct([(y - x) / 1000.0 for x, y in v if cd and cd[0] <= x <= cd[1]], 99) or 0), 2)
                            for k, v in waits.items()},
        "ferryd_main_thread_fsyncs": {"count": len(fs_main), "max_ms": round(max(fs_main), 2) if fs_main else 0,
                                      "total_ms": round(sum(fs_main), 1)},
        "ferryd_main_thread_per_operation": {k: {"seconds": round((b - a) / 1e6, 3), "wakeups": wakeups[k],
                                                 "on_cpu_s": round(on_cpu[k] / 1e6, 3)}
                                             for k, (a, b) in windows.items() if k in ("copy-data", "copy-syslog")},
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
