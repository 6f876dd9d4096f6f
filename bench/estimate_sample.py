#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Samples a running job's remaining time for bench/estimate.

    estimate_sample.py OUT.jsonl [INTERVAL_S] [MAX_S]

Waits for the Manager's Job to appear, then every INTERVAL_S (0.2) reads the
job's State, RemainingSeconds and Operations over the system bus (busctl,
as any front end would) and writes one JSON line per sample:
{"t": realtime seconds, "state", "remaining", "ops": {id: [state, done, total]}}.
Stops when the job has succeeded or failed, or after MAX_S (3600) seconds.
"""
import json
import subprocess
import sys
import time

out_path = sys.argv[1]
interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
deadline = time.time() + (float(sys.argv[3]) if len(sys.argv) > 3 else 3600)
BUS = ["busctl", "--system", "--json=short", "get-property", "org.ferry.Migration1"]


def get(path, iface, *props):
    r = subprocess.run(BUS + [path, iface, *props], capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        return None
    return [json.loads(line)["data"] for line in r.stdout.splitlines() if line.strip()]


job = "/"
while job == "/" and time.time() < deadline:
    v = get("/org/ferry/Migration1", "org.ferry.Migration1", "Job")
    job = v[0] if v else "/"
    if job == "/":
        time.sleep(0.05)

with open(out_path, "w") as out:
    while time.time() < deadline:
        t = time.time()
        v = get(job, "org.ferry.Migration1.Job", "State", "RemainingSeconds", "Operations")
        if not v or len(v) < 3:
            break
        state, remaining, ops = v
        out.write(json.dumps({"t": t, "state": state, "remaining": remaining,
                              "ops": {o[0]: [o[2], o[4], o[5]] for o in ops}}) + "\n")
        out.flush()
        if state in ("succeeded", "failed"):
            break
        time.sleep(max(0.0, interval - (time.time() - t)))
